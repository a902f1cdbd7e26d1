"""The one-page report and its figures, from the GUI or the terminal (fmgen-report)."""
