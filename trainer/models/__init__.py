"""The networks (layer 1): the VAE and CVAE, the DCGAN, cGAN and WGAN-GP, the BigGAN-style GAN
and its truncation, the RealNVP flow, the DDPM's U-Net and samplers, the RBM and AIS of its
log Z, and bits per dimension, the likelihood models' common scale.
Plain torch modules: they know no learner, config or registry.
"""

__all__ = [
    "ais",
    "biggan",
    "bits",
    "cgan",
    "conditioning",
    "coupling",
    "cvae",
    "diffusion",
    "discretized",
    "flow",
    "gan",
    "rbm",
    "samplers",
    "truncation",
    "unet",
    "vae",
    "wgan",
]
