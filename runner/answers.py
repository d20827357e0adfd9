"""An answer that should have been an array of numbers, in words, for a failure message: shared by
make conformance (a check's output), make export (an exported model's output) and make d2l (a tab's
JSON value for a cell)."""
from __future__ import annotations

import numpy as np


def in_words(value) -> str:
    """Any value in a few words: "None", "a str ('abc')", "a list of 3", "a dict of a, b",
    "an array of dtype object"."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return f"a dict of {', '.join(map(str, list(value)[:4])) or 'nothing'}"
    text = repr(value)
    text = text if len(text) <= 40 else text[:37] + "..."
    kind = type(value).__name__
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind} ({text})"


def not_an_array(value) -> str:
    """What a non-storable answer was, for its failure message: "None, not a NumPy array",
    "a str ('abc'), not a NumPy array", "an array of dtype object, not numbers"."""
    if isinstance(value, np.ndarray):
        return f"{in_words(value)}, not numbers"
    return f"{in_words(value)}, not a NumPy array"
