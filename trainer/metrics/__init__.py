"""Numbers that say how well the models represent the data."""
