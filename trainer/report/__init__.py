"""What the report says (layer 8): its options, the verdicts and interpretation of the
numbers, each run's pre-filled description, and the theory page's statements with the runs'
evidence.
"""

__all__ = [
    "descriptions",
    "interpret",
    "options",
    "theory",
    "verdicts",
]
