"""The networks: a convolutional VAE and a DCGAN."""
