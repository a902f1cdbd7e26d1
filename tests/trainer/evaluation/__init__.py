"""Tests of `trainer.evaluation`."""
