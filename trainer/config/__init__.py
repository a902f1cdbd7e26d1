"""A run's settings (layer 3): `RunConfig` and the settings' ranges and checks, the device and
the numerical precision a run trains in.
"""

__all__ = [
    "device",
    "precision",
    "precision_probe",
    "settings",
    "values",
]
