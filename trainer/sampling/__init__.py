"""Images from a trained learner (layer 6): sample grids and files, the latent explorer's
paths and atlas, latent projections, path frames, and the frames of a sampling chain.
"""

__all__ = [
    "chain_frames",
    "explore",
    "latent",
    "path_frames",
    "samples",
]
