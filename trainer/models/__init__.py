"""The networks (layer 1): the VAE and CVAE, the DCGAN, cGAN and WGAN-GP, the BigGAN-style GAN
and its truncation, the RealNVP flow, the DDPM's U-Net and samplers, and bits per dimension,
the likelihood models' common scale. Plain torch modules: they know no learner, config or registry.
"""

__all__ = [
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
    "samplers",
    "truncation",
    "unet",
    "vae",
    "wgan",
]
