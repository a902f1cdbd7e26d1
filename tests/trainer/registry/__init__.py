"""Tests of `trainer.registry`."""
