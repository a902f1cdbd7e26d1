"""Tests of `trainer.models`."""
