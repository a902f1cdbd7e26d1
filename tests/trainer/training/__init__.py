"""Tests of `trainer.training`."""
