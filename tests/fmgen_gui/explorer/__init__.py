"""Tests of `fmgen_gui.explorer`."""
