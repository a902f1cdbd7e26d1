"""The fmgen desktop app: PySide6 views over the Qt-free trainer."""
