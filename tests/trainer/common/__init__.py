"""Tests of `trainer.common`."""
