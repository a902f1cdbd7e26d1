"""A run's settings (layer 3): `RunConfig` and the settings' ranges and checks, how a setting
is declared, what a resumed run may change, the device and the numerical precision a run
trains in.
"""

__all__ = [
    "declaring",
    "device",
    "precision",
    "precision_probe",
    "resume",
    "settings",
    "values",
]
