"""Sentences for the report, each built from the numbers it states (no canned claims)."""

from __future__ import annotations

from trainer.data import CLASSES

MODEL_NAMES = {"vae": "VAE", "gan": "GAN"}


def _reconstruction(vae: dict) -> str:
    test = vae["test"]
    per_class = test["per_class"]
    hardest = max(per_class, key=lambda name: per_class[name]["bce"])
    easiest = min(per_class, key=lambda name: per_class[name]["bce"])
    overall = test["overall"]
    return (
        f"The VAE reconstructs test images with {overall['mse']:.4f} mean squared error per pixel "
        f"({overall['bce']:.1f} nats per image); {hardest} is the hardest class "
        f"({per_class[hardest]['bce']:.1f} nats) and {easiest} the easiest "
        f"({per_class[easiest]['bce']:.1f})."
    )


def _bounds(vae: dict) -> str:
    overall = vae["test"]["overall"]
    gap = overall["neg_elbo"] - overall["iwae_nll"]
    return (
        f"Its test -ELBO is {overall['neg_elbo']:.1f} nats and the IWAE bound with "
        f"k = {overall['iwae_k']} is {overall['iwae_nll']:.1f}, {gap:.1f} nats tighter."
    )


def _closer(metrics: dict) -> str:
    vae, gan = metrics["vae"]["samples"], metrics["gan"]["samples"]
    floor = metrics["calibration"]["real_train_vs_test"]["fid"]
    ceiling = metrics["calibration"]["noise_vs_test"]["fid"]
    better, worse = ("gan", "vae") if gan["fid"] < vae["fid"] else ("vae", "gan")
    best_fid, worst_fid = metrics[better]["samples"]["fid"], metrics[worse]["samples"]["fid"]
    return (
        f"In the classifier's feature space the {MODEL_NAMES[better]}'s samples are closer to "
        f"the test set than the {MODEL_NAMES[worse]}'s (FID {best_fid:.1f} vs {worst_fid:.1f}, "
        f"where real training images score {floor:.1f} and noise {ceiling:.0f})."
    )


def _precision_recall(metrics: dict) -> str:
    vae, gan = metrics["vae"]["samples"], metrics["gan"]["samples"]
    covering = "GAN" if gan["recall"] > vae["recall"] else "VAE"
    text = (
        f"Recall, the share of the data the samples cover, favours the {covering} "
        f"({vae['recall']:.2f} VAE, {gan['recall']:.2f} GAN; coverage {vae['coverage']:.2f} "
        f"and {gan['coverage']:.2f})."
    )
    noise = metrics["calibration"]["noise_vs_test"]
    if noise["precision"] >= min(vae["precision"], gan["precision"]):
        text += (
            f" Precision is no guide here: noise scores {noise['precision']:.2f} (density "
            f"{noise['density']:.2f}), as the classifier maps noise near real bags and shirts."
        )
    else:
        precise = "GAN" if gan["precision"] > vae["precision"] else "VAE"
        text += (
            f" Precision, the share of samples on the data's manifold, favours the {precise} "
            f"({vae['precision']:.2f} VAE, {gan['precision']:.2f} GAN)."
        )
    return text


def _classes(kind: str, samples: dict) -> str:
    shares = samples["class_histogram"]
    rarest = min(range(len(shares)), key=lambda k: shares[k])
    commonest = max(range(len(shares)), key=lambda k: shares[k])
    missing = [CLASSES[k] for k, share in enumerate(shares) if share < 0.01]
    coverage = (
        f"have almost no {', '.join(missing)} (under 1% each)"
        if missing
        else f"cover all ten classes (rarest {CLASSES[rarest]}, {shares[rarest]:.0%})"
    )
    return (
        f"The {MODEL_NAMES[kind]} samples {coverage}; the commonest is {CLASSES[commonest]} "
        f"({shares[commonest]:.0%}, vs 10% in the data)."
    )


def describe_setup(metrics: dict) -> str:
    """What was done and how, from the configs and settings in metrics.json."""
    data = metrics["data"]
    parts = [
        f"Models were trained with fmgen on {data['train_size']:,} Fashion-MNIST training images "
        f"and evaluated on {data['test_size']:,} test images."
    ]
    if "vae" in metrics:
        vae, config = metrics["vae"], metrics["vae"]["config"]
        parts.append(
            f"The VAE is convolutional ({vae['parameters'] / 1e6:.2f} M parameters, latent size "
            f"{config['latent_dim']}, Bernoulli decoder); it was trained for "
            f"{vae['epochs_trained']} epochs with Adam (learning rate {config['lr']:g}, batch "
            f"{config['batch_size']}, beta {config['beta']:g}, seed {config['seed']}) to maximise "
            f"the ELBO{' on binarised pixels' if config['binarize'] else ''}."
        )
    if "gan" in metrics:
        gan, config = metrics["gan"], metrics["gan"]["config"]
        parts.append(
            f"The GAN is a DCGAN ({gan['parameters'] / 1e6:.2f} M parameters, latent size "
            f"{config['latent_dim']}) trained for {gan['epochs_trained']} epochs with the "
            f"non-saturating loss and Adam (learning rate {config['lr']:g}, beta1 0.5, batch "
            f"{config['batch_size']}, seed {config['seed']}), one discriminator and one "
            "generator step per batch."
        )
    settings, classifier = metrics["settings"], metrics["classifier"]
    parts.append(
        f"Samples ({settings['samples']:,} per model) are compared with the test set in the "
        f"128 features of a CNN classifier ({classifier['accuracy']:.1%} test accuracy); the "
        f"IWAE bound uses k = {settings['iwae_k']} importance samples per test image."
    )
    return " ".join(parts)


def interpret(metrics: dict) -> list[str]:
    """One or two sentences per finding, for whichever models were evaluated."""
    sentences = []
    if "vae" in metrics:
        sentences += [_reconstruction(metrics["vae"]), _bounds(metrics["vae"])]
    if "vae" in metrics and "gan" in metrics:
        sentences += [_closer(metrics), _precision_recall(metrics)]
    sentences += [
        _classes(kind, metrics[kind]["samples"]) for kind in ("vae", "gan") if kind in metrics
    ]
    return sentences
