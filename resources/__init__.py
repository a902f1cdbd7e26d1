"""The app's data files (installed as `fmgen_gui.resources`); read them with `fmgen_gui.assets`."""
