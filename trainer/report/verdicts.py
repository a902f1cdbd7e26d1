"""Whether a run worked, judged from its numbers; every threshold is named here (and in
docs/report.md).

Calibrated on the README's runs: a healthy 10-epoch VAE (FID 173 between a floor of 0.6 and a
noise ceiling of 721, recall 0.14, 20% pullovers and 2% sandals) reads "skewed", never failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from trainer.common import keys
from trainer.common.words import epochs_phrase, join_words, share
from trainer.data.fashion_mnist import CLASSES
from trainer.runs.metrics_json import CALIBRATION_FLOOR, CALIBRATION_NOISE, SAMPLES_SECTION

# Not learned: FID at least this far (as a share) from the real-data floor to the noise row.
NEAR_NOISE = 0.8
# Collapsed: the two commonest classes hold at least this share of the samples...
COLLAPSE_TOP_TWO = 0.6
# ...and at least this many classes are missing (under MISSING_SHARE of the samples each).
COLLAPSE_MISSING = 3
MISSING_SHARE = 0.01
NAMED_MISSING = 3  # more missing classes than this are counted, not named
# Skewed (a warning, not a failure): some class above SKEW_HIGH or below SKEW_LOW of the
# samples, where the data has 10% each.
SKEW_HIGH = 0.18
SKEW_LOW = 0.03
# Near-zero recall: the samples cover (almost) none of the test set.
NEAR_ZERO_RECALL = 0.05
# Under-trained: fewer than FEW_EPOCHS epochs and the training loss still fell more than
# STEEP_FALL (relative) from the first to the second half of the last epoch.
FEW_EPOCHS = 5
STEEP_FALL = 0.02
# A tie: FIDs within this share of the lower one. A fixed rule, not a measured noise level: FID
# also moves with the sampling seed and the sample count, and the page should not rank two runs
# on a difference this small (247.0 against 249.6 is 1%).
FID_TIE = 0.05

NOT_LEARNED, COLLAPSED, NO_RECALL, UNDER_TRAINED, SKEWED = (
    "not learned",
    "collapsed",
    "near-zero recall",
    "under-trained",
    "skewed",
)
FAILURES = (NOT_LEARNED, COLLAPSED, NO_RECALL, UNDER_TRAINED)  # SKEWED is only a warning


@dataclass(frozen=True)
class Finding:
    """One named problem of a run; `clause` states it from the numbers ('has collapsed (...)')."""

    kind: str
    clause: str


def noise_position(fid: float, floor: float, ceiling: float) -> float:
    """Where `fid` lies from the real-data floor (0) to the noise ceiling (1); past it > 1."""
    return (fid - floor) / max(ceiling - floor, 1e-9)


def _not_learned(samples: dict, calibration: dict) -> Finding | None:
    floor, ceiling = (calibration[row][keys.FID] for row in (CALIBRATION_FLOOR, CALIBRATION_NOISE))
    fid = samples[keys.FID]
    if noise_position(fid, floor, ceiling) < NEAR_NOISE:
        return None
    where = "past" if fid >= ceiling else "near"
    return Finding(
        NOT_LEARNED,
        f"has not learned the data yet (FID {fid:.1f}, {where} the noise row's {ceiling:.1f})",
    )


def _classes(samples: dict) -> Finding | None:
    shares = samples[keys.CLASS_HISTOGRAM]
    order = sorted(range(len(shares)), key=lambda k: shares[k], reverse=True)
    missing = [CLASSES[k] for k in order if shares[k] < MISSING_SHARE]
    top_two = shares[order[0]] + shares[order[1]]
    if top_two >= COLLAPSE_TOP_TWO and len(missing) >= COLLAPSE_MISSING:
        top = join_words([CLASSES[k] for k in order[:2] if shares[k] >= MISSING_SHARE])
        named = join_words(missing) if len(missing) <= NAMED_MISSING else f"{len(missing)} classes"
        return Finding(
            COLLAPSED,
            f"has collapsed ({share(top_two)} of its samples are {top}; {named} under 1% each)",
        )
    unusual = [k for k in order if shares[k] > SKEW_HIGH] + [
        k for k in order if shares[k] < SKEW_LOW
    ]
    if not unusual:
        return None
    named = join_words([f"{CLASSES[k]} {share(shares[k])}" for k in unusual])
    return Finding(SKEWED, f"has skewed samples ({named}; 10% each in the data)")


def _recall(samples: dict) -> Finding | None:
    recall = samples[keys.RECALL]
    if recall >= NEAR_ZERO_RECALL:
        return None
    return Finding(
        NO_RECALL,
        f"covers almost none of the test set (recall {recall:.2f})",
    )


def _training(facts: dict) -> Finding | None:
    fall = facts.get("loss_fall")
    epochs = facts["epochs_trained"]
    if epochs >= FEW_EPOCHS or fall is None or fall <= STEEP_FALL:
        return None
    return Finding(
        UNDER_TRAINED,
        f"is under-trained ({epochs_phrase(epochs)} only, and its training loss still fell "
        f"{fall:.0%} within the last epoch)",
    )


def findings(section: dict, calibration: dict) -> list[Finding]:
    """Every problem of one run (a section of metrics.json), failures first."""
    found = []
    if SAMPLES_SECTION in section:  # a translator (ModelSpec.translates) has no samples
        samples = section[SAMPLES_SECTION]
        found = [_not_learned(samples, calibration), _classes(samples), _recall(samples)]
    found.append(_training(section))
    return sorted((f for f in found if f), key=lambda f: f.kind not in FAILURES)


def verdict(section: dict, calibration: dict) -> str | None:
    """One sentence naming all of a run's problems ('GAN has collapsed (...) and ...')."""
    clauses = [f.clause for f in findings(section, calibration)]
    return f"{section['label']} {join_words(clauses)}." if clauses else None


def fid_tiers(sections: list[dict]) -> list[list[dict]]:
    """Runs by FID, best first, grouped into ties: each group's FIDs lie within FID_TIE of its
    best one."""
    tiers: list[list[dict]] = []
    for section in sorted(sections, key=lambda s: s[SAMPLES_SECTION][keys.FID]):
        fid = section[SAMPLES_SECTION][keys.FID]
        if tiers and fid <= tiers[-1][0][SAMPLES_SECTION][keys.FID] * (1 + FID_TIE):
            tiers[-1].append(section)
        else:
            tiers.append([section])
    return tiers


def failed(section: dict, calibration: dict) -> bool:
    """True when any failure (not just a warning) applies."""
    return any(f.kind in FAILURES for f in findings(section, calibration))
