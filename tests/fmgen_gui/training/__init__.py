"""Tests of `fmgen_gui.training`."""
