"""The explorer's Qt-free state: per-source picks survive switching; pins are checked."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from fmgen_gui.explorer.state import (
    NO_SEED,
    Candidates,
    ExplorerState,
    PinError,
    Selection,
    explorable,
    make_pin,
    seeded_extras,
    source_title,
)
from tests.toy_model import COND_TOY, TOY, cond_toy_models, toy_model  # noqa: F401  (fixtures)
from trainer.registry import get_model, register_model
from trainer.sampling.explore import LatentAtlas
from trainer.sampling.latent import fit_projection


def atlas_candidates(labels: list[int]) -> Candidates:
    codes = np.random.default_rng(0).normal(size=(len(labels), 3)).astype(np.float32)
    images = np.zeros((len(labels), 28, 28), np.uint8)
    projection = fit_projection(codes)
    atlas = LatentAtlas(images, np.array(labels), codes, projection, projection(codes))
    return Candidates.from_atlas(atlas)


def latent_candidates(seeds: list[int], labels: list[int] | None = None) -> Candidates:
    count = len(seeds)
    return Candidates(
        np.zeros((count, 3), np.float32),
        np.zeros((count, 28, 28), np.uint8),
        tuple(f"sample {i}" for i in range(count)),
        None if labels is None else np.array(labels),
        np.array(seeds),
        np.zeros((1, 28, 28), np.uint8),
    )


def test_each_source_keeps_its_own_picks_and_settings():
    state = ExplorerState()
    state.set_candidates("vae", atlas_candidates([6, 6, 8, 7]))
    state.set_candidates("gan", latent_candidates([NO_SEED] * 3))
    state.switch("vae")
    state.selection.pick(1)
    state.selection.pick(2)
    state.selection.t, state.selection.method = 0.3, "slerp"
    state.switch("gan")
    assert (state.selection.a, state.selection.b) == (None, None) and state.selection.t == 0
    assert state.shown.atlas is None
    state.selection.pick(0)
    state.switch("vae")
    chosen = state.selection
    assert (chosen.a, chosen.b, chosen.t, chosen.method) == (1, 2, 0.3, "slerp")
    assert state.end_labels() == (6, 8)
    chosen.swap()
    assert (chosen.a, chosen.b) == (2, 1)


def test_new_candidates_keep_the_picks_that_still_exist():
    state = ExplorerState()
    state.set_candidates("gan", latent_candidates([NO_SEED] * 5))
    state.switch("gan")
    state.selection.set_pair(1, 4)
    state.set_candidates("gan", latent_candidates([NO_SEED] * 3))
    assert (state.selection.a, state.selection.b, state.selection.next_end) == (1, None, "A")


def test_sources_are_named_from_the_registry(toy_model, cond_toy_models):  # noqa: F811
    assert source_title(get_model("vae")) == "VAE: encoded test images"
    assert source_title(TOY) == "Toy: latent vectors"
    assert source_title(COND_TOY) == "CToy: latent vectors by class"
    assert source_title(get_model("flow")) == "Flow: encoded test images"


def test_models_the_registry_marks_unexplorable_are_left_out_with_the_reason(toy_model):  # noqa: F811
    assert explorable(["vae", "toy"]) == (["vae", "toy"], "")
    unexplorable = dataclasses.replace(TOY, unexplorable="its decoder is too slow")
    register_model(unexplorable)  # the toy again, now marked: the explorer reads the registry
    shown, note = explorable(["vae", "toy"])
    assert shown == ["vae"] and note == "The Toy is not offered here: its decoder is too slow."
    assert explorable(["ddpm"]) == (["ddpm"], "")  # DDIM inversion encodes its A and B
    assert source_title(get_model("ddpm")) == "DDPM: test images (encoded when picked)"
    state = ExplorerState()
    assert (state.switch("ddpm").method, state.switch("vae").method) == ("slerp", "linear")


def pinned(state: ExplorerState, role: str, classes):
    return make_pin(state, "run-1", role, classes)


def test_pins_of_test_images_check_their_classes():
    state = ExplorerState()
    state.set_candidates("vae", atlas_candidates([6, 6, 8, 7]))
    state.switch("vae")
    with pytest.raises(PinError, match="Pick A and B first"):
        pinned(state, "within", None)
    state.selection.set_pair(0, 1)
    state.selection.method, state.selection.overshoot, state.selection.steps = "slerp", True, 7
    pin = pinned(state, "within", state.end_labels())
    assert (pin.run, pin.role, pin.source, pin.a, pin.b) == ("run-1", "within", "test", 0, 1)
    assert (pin.method, pin.overshoot, pin.steps) == ("slerp", True, 7)
    with pytest.raises(PinError, match="needs two classes; A and B are both Shirt"):
        pinned(state, "between", state.end_labels())
    state.selection.set_pair(2, 3)
    state.selection.method = "linear"
    with pytest.raises(PinError, match="one class, not Bag and Sneaker"):
        pinned(state, "within", state.end_labels())
    pin = pinned(state, "between", state.end_labels())
    assert pin.method == "lerp" and (pin.a, pin.b) == (2, 3)
    assert pinned(state, "extra", None).role == "extra"


def test_latent_pins_need_seeds_and_known_classes(toy_model, cond_toy_models):  # noqa: F811
    state = ExplorerState()
    state.set_candidates("toy", latent_candidates([NO_SEED, 41, 97]))
    state.switch("toy")
    state.selection.set_pair(0, 1)
    with pytest.raises(PinError, match="Only seeded latent draws"):
        pinned(state, "extra", None)
    state.selection.set_pair(1, 2)
    with pytest.raises(PinError, match="classifier is loading"):
        pinned(state, "within", None)
    pin = pinned(state, "within", (3, 3))
    assert (pin.source, pin.a, pin.b) == ("latent", 41, 97)
    state.set_candidates("ctoy", latent_candidates([5, 6], labels=[1, 2]))
    state.switch("ctoy")
    state.selection.set_pair(0, 1)
    with pytest.raises(PinError, match="need a class"):
        pinned(state, "between", state.end_labels())


def test_a_newer_checkpoint_keeps_the_seeded_additions_and_the_picks_follow_them():
    """Of the additions after 3 test images, seeded draws carry over (a seed names a draw in
    any model); a test image's code under another class (no seed) belongs to the old model."""
    base = atlas_candidates([6, 3, 8])
    extra = latent_candidates([11, NO_SEED, 12], [4, 8, 4])
    old = base.extended(extra.codes, extra.images, extra.captions, extra.labels, extra.seeds)
    assert seeded_extras(old, 3).tolist() == [3, 5]
    assert seeded_extras(None, 3).tolist() == [] and seeded_extras(base, 3).tolist() == []
    selection = Selection(a=5, b=4, next_end="B")
    selection.follow({0: 0, 1: 1, 2: 2, 3: 3, 5: 4})  # the second seeded draw moves up one
    assert (selection.a, selection.b, selection.next_end) == (4, None, "B")
    selection.follow({0: 0})
    assert (selection.a, selection.next_end) == (None, "A")
