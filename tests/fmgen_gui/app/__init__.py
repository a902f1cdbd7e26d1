"""Tests of the app as a whole: the main window, its session, closing it, its messages."""
