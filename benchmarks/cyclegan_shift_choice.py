"""Which shift makes a CycleGAN domain: the fmgen classifier (trained on the originals) scored
on shifted copies of the test set. A shift it still reads well is no domain gap to close.

Run: nice -n 10 .venv/bin/python -m benchmarks.cyclegan_shift_choice
"""

from __future__ import annotations

from trainer.data.domains import SHIFTS
from trainer.data.fashion_mnist import Split, load_fashion_mnist
from trainer.metrics.classifier import accuracy, load_or_train_classifier


def main() -> None:
    """Print the classifier's test accuracy on the originals and on each shift."""
    data = load_fashion_mnist()
    classifier, info = load_or_train_classifier(data)
    test = data.test
    print(f"classifier: {info}")
    print(f"originals: accuracy {accuracy(classifier, test):.4f}")
    for name, shift in SHIFTS.items():
        shifted = Split(shift(test.images), test.labels)
        print(f"{name}: accuracy {accuracy(classifier, shifted):.4f}")


if __name__ == "__main__":
    main()
