"""The networks: the VAE and the DCGAN, their conditional versions, and the WGAN-GP."""
