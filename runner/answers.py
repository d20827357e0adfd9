"""An answer that should have been a NumPy array of numbers, in words, for a failure message:
shared by make conformance (a check's output) and make export (an exported model's output)."""
from __future__ import annotations

import numpy as np


def not_an_array(value) -> str:
    """What a non-storable answer was, for its failure message: "None, not a NumPy array",
    "a str ('abc'), not a NumPy array", "an array of dtype object, not numbers"."""
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype}, not numbers"
    if value is None:
        return "None, not a NumPy array"
    text = repr(value)
    text = text if len(text) <= 40 else text[:37] + "..."
    kind = type(value).__name__
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind} ({text}), not a NumPy array"
