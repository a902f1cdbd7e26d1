"""What Cancel keeps and drops, what a cancelled evaluation kept, and what the next Evaluate
reuses: words and bar states from the evaluation's FinishedStages (no Qt here; issue 22,
defect 4)."""

from __future__ import annotations

from trainer.common.words import join_words
from trainer.evaluation.evaluate import CALIBRATION, CLASSIFIER, FEATURES, STAGES
from trainer.evaluation.finished import EARLIER

Progress = dict[str, tuple[list[str], list[str]]]  # FinishedStages.progress()
REUSED = f"reused, {EARLIER}"
SAME_RUNS = "the next Evaluate with the same runs, Samples and IWAE k reuses"
KEPT_ANYWAY = (CLASSIFIER, FEATURES)  # cached outside the evaluation once computed


def stage_parts(by_stage: dict[str, list[str]]) -> list[str]:
    """'the test likelihood of VAE', 'the samples of VAE and GAN', 'the calibration rows'."""
    return [
        "the calibration rows"
        if stage == CALIBRATION
        else f"the {STAGES[stage]} of {join_words(labels)}"
        for stage, labels in by_stage.items()
        if labels
    ]


def _kept_and_not(progress: Progress) -> tuple[list[str], list[str]]:
    kept = stage_parts({stage: done for stage, (done, _) in progress.items()})
    return kept, stage_parts({stage: rest for stage, (_, rest) in progress.items()})


def cancel_tip(progress: Progress) -> str:
    """The Cancel button's tooltip while evaluating: what a cancel now keeps and drops."""
    kept, dropped = _kept_and_not(progress)
    text = "Stop the evaluation (within a second). "
    if kept:
        text += f"It keeps every finished stage ({join_words(kept)}): {SAME_RUNS} them. "
    else:
        text += "Nothing is finished yet, so nothing is kept but the classifier once trained. "
    if dropped:
        return text + f"It drops the stage under way and those not begun ({join_words(dropped)})."
    return text + "It drops the stage under way and those not begun."


def cancelled_words(progress: Progress) -> str:
    """The status line after a cancel: what was kept for the next Evaluate, what was not."""
    kept, dropped = _kept_and_not(progress)
    if not kept:
        return "Evaluation cancelled before any stage finished: nothing kept."
    text = f"Evaluation cancelled. Kept {join_words(kept)}: {SAME_RUNS} them."
    return f"{text} Not done: {join_words(dropped)}." if dropped else text


def reuse_phrase(by_stage: dict[str, list[str]]) -> str:
    """'reusing the samples of VAE and GAN, finished before ...' ('' if nothing is reused)."""
    parts = stage_parts(by_stage)
    return f"reusing {join_words(parts)}, {EARLIER}" if parts else ""


def reusing_words(held: dict[str, list[str]]) -> str:
    """The status line as an evaluation starts that reuses stages a cancel kept ('' if none)."""
    phrase = reuse_phrase(held)
    return f"{phrase[0].upper()}{phrase[1:]}." if phrase else ""


def bars_after_cancel(progress: Progress, full: set[str]) -> dict[str, tuple[float, str] | None]:
    """By stage: None for a finished one (its bar stays full, with its time), else its bar's
    share kept and its words. `full`: the stages whose bar was full at the cancel (the
    classifier and the test-set features are kept whenever they were)."""
    states: dict[str, tuple[float, str] | None] = {}
    for stage in STAGES:
        done, rest = progress.get(stage, ([], []))
        if stage in KEPT_ANYWAY or stage not in progress:
            states[stage] = None if stage in full and stage in KEPT_ANYWAY else (0.0, "cancelled")
        elif not done and not rest:
            states[stage] = (0.0, "nothing to do for these runs")
        elif not rest:
            states[stage] = None
        else:
            kept = [label for label in done if label]
            words = f"cancelled ({join_words(kept)} kept)" if kept else "cancelled"
            states[stage] = (len(done) / (len(done) + len(rest)), words)
    return states


def reuse_notes(reused: dict[str, list[str]]) -> dict[str, str]:
    """By stage, what its finished bar adds about the runs whose part was reused."""
    return {
        stage: f"{join_words([label for label in labels if label])} {REUSED}".strip()
        for stage, labels in reused.items()
    }
