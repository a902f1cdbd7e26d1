"""Reusable views: data in through methods, intent out through signals."""
