"""Tests of `fmgen_gui.widgets`."""
