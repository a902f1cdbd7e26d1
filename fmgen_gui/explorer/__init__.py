"""The latent explorer: pick two images, scrub the path between their codes."""
