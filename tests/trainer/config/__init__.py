"""Tests of `trainer.config`."""
