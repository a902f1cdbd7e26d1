"""The guided sweep benchmark's per-class reading of a sweep point's samples."""

import numpy as np

from benchmarks.guided_sweep import per_class_shares, report, worst_shortfall


def test_per_class_shares_count_each_class_asked_for_on_its_own():
    asked = np.repeat(np.arange(10), 2)  # two samples asked of each class
    predicted = asked.copy()
    predicted[[1, 2, 3]] = [5, 9, 9]  # class 0: one of two right; class 1: none
    shares = per_class_shares(predicted, asked)
    assert shares[0] == 0.5 and shares[1] == 0.0 and np.all(shares[2:] == 1.0)


def test_worst_shortfall_is_the_largest_gap_below_real_accuracy_in_points():
    accuracy = np.full(10, 0.9)
    shares = np.full(10, 0.95)
    assert worst_shortfall(shares, accuracy) < 0  # above real accuracy everywhere
    shares[3] = 0.75
    assert np.isclose(worst_shortfall(shares, accuracy), 15.0)


def test_report_names_the_w_closest_to_the_target_and_whether_it_is_met():
    accuracy = np.full(10, 0.9)
    points = {0.0: np.full(10, 0.7), 2.0: np.full(10, 0.85), 4.0: np.full(10, 0.6)}
    lines = report(points, accuracy)
    assert lines[-1] == "best w for the target: 2 (+5.0 points)"
    assert "w=0: worst class +20.0 points below real (missed)" in lines
    assert "w=2: worst class +5.0 points below real (met)" in lines
    assert lines[-5].startswith("mean") and "0.850" in lines[-5]
