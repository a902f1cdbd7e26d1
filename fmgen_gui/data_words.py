"""Data errors in the app's words: its Data folder field, not the terminal's --data-dir."""

from __future__ import annotations

from trainer.common.errors import DataError
from trainer.data.fashion_mnist import DataWays, how_to_get_data

# The app downloads the data itself when the Data folder is empty and no copy is found.
APP_WAYS = DataWays(
    "leave the Data folder empty and start a run", "choose it as the Data folder (Train tab)"
)


def in_app_words(exc: DataError) -> str:
    """`exc`'s problem followed by the ways to get the data that work in the app."""
    return f"{exc.problem}\n{how_to_get_data(APP_WAYS)}"
