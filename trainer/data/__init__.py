"""Fashion-MNIST (layer 1): the IDX files, the loaded splits, and each epoch's batch order."""

__all__ = [
    "epochs",
    "fashion_mnist",
    "idx",
]
