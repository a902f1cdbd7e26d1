"""Tests of `fmgen_gui.runs`."""
