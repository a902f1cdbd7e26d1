"""Training in a background thread, and the pane that shows it."""
