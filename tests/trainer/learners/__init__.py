"""Tests of `trainer.learners`."""
