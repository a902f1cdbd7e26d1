"""Tests of `trainer.metrics`."""
