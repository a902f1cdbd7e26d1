"""Tests of trainer/, the Qt-free core, one folder per package."""
