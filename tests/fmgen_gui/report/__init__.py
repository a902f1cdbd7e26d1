"""Tests of `fmgen_gui.report`."""
