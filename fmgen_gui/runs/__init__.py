"""The Runs tab and the views of runs followed from other processes."""
