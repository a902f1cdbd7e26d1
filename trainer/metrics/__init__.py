"""Numbers that say how well a model represents the data (layer 5): the Fashion-MNIST
classifier whose features the sample metrics compare, the distribution metrics (FID, KID,
precision/recall, density/coverage) and the reconstruction terms of an encoder model.
"""

__all__ = [
    "classifier",
    "distribution",
    "reconstruction",
]
