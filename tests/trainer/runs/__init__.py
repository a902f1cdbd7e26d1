"""Tests of `trainer.runs`."""
