"""The Evaluate tab's pins list names a pinned test image by its class, once the labels are in."""

from __future__ import annotations

import numpy as np

from fmgen_gui.report.pins_list import PinsList, describe_pin
from trainer.runs.pins import Pin, PinStore

LABELS = np.array([7, 0, 9, 7])  # Sneaker, T-shirt/top, Ankle boot, Sneaker


def test_a_pin_of_test_images_names_their_classes_once_the_labels_are_loaded(qtbot, tmp_path):
    store = PinStore(tmp_path / "pins.json")
    store.add(Pin("run-1", "within", "test", 0, 3))
    store.add(Pin("run-1", "between", "test", 1, 2, method="lerp"))
    pins = PinsList(store)
    qtbot.addWidget(pins)
    pins.show_runs({"run-1": "VAE"})
    assert pins.list.item(0).text() == "VAE: within, test images 0 to 3 (slerp, 9 images)"
    pins.set_test_labels(LABELS)
    assert [pins.list.item(i).text() for i in range(2)] == [
        "VAE: within, test images Sneaker #0 to Sneaker #3 (slerp, 9 images)",
        "VAE: between, test images T-shirt/top #1 to Ankle boot #2 (lerp, 9 images)",
    ]


def test_seeds_and_images_past_the_labels_keep_their_numbers():
    latent = Pin("run-1", "extra", "latent", 5, 6)
    assert (
        describe_pin(latent, "GAN", LABELS)
        == "GAN: extra, latent draws of seeds 5 to 6 (slerp, 9 images)"
    )
    beyond = Pin("run-1", "extra", "test", 2, 40)  # Explore loaded fewer test images
    words = "VAE: extra, test images 2 to 40 (slerp, 9 images)"
    assert describe_pin(beyond, "VAE", LABELS) == words
