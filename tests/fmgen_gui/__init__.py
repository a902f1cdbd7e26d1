"""Tests of fmgen_gui/, the Qt app, one folder per area of the window."""
