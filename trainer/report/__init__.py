"""What the report says (layer 8): its options, the verdicts and interpretation of the
numbers, and each run's pre-filled description.
"""

__all__ = [
    "descriptions",
    "interpret",
    "options",
    "verdicts",
]
