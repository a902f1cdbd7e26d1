"""Tests of the project as a whole: layers, packaging, docs, tools, CUDA and the real data."""
