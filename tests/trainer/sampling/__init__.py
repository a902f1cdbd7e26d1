"""Tests of `trainer.sampling`."""
