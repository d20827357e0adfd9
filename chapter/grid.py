"""The page as text: every value laid out as the book prints it, every section as a grid of cells
by frameworks. Shared by render.py (terminal) and webpage.py (index.html).

Reads only page.build()'s data and lays a value out by its cell's `kind` (chapter/cell.py), never
by the cell's id: a new cell of a known kind prints without an edit here.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

STATUS_TEXT = {"match": "matches", "differs": "DIFFERS from the reference", "raised": "raised",
               "not implemented": "not implemented by this adapter", "shown": "shown (no single truth)",
               "missing": "no result"}
NO_GRADIENT = "None (the framework returned no gradient)"


@dataclass(frozen=True)
class Entry:
    """One square of the grid."""
    text: str  # the value as printed; "" where a framework's value prints like the reference's
    status: str = ""  # a page.STATUSES key; "" in the caption and reference columns
    verdict: str = ""  # e.g. "matches (error/bound 0.12)"; "" for a value shown, not judged
    note: str = ""  # the reference's square only: why the values are what they are

    def joined(self) -> str:
        """The verdict above the value and the note below it, as the terminal prints them."""
        return "\n".join(filter(None, [self.verdict, self.text, self.note]))


def as_numbers(value) -> np.ndarray | None:
    """value as a float64 array when it is a number or a rectangular nested list of numbers; None
    for anything else a tab's JSON may hold (a str, a bool, null, a dict, a ragged list), which
    np.asarray would refuse or, for "1.5" and true, quietly turn into a number."""
    if not _all_numbers(value):
        return None
    try:
        return np.asarray(value, np.float64)
    except (ValueError, OverflowError):  # ragged, or an int beyond any float
        return None


def _all_numbers(value) -> bool:
    if isinstance(value, list):
        return all(_all_numbers(v) for v in value)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def array_text(value) -> str:
    a = np.asarray(value, np.float64)
    return np.array2string(a, precision=4, suppress_small=True, max_line_width=72, separator=" ")


def _arrays(value, facts: dict) -> str:
    if isinstance(value, dict):
        return "\n".join(f"{k}: {array_text(v)}" for k, v in value.items())
    return array_text(value)


def _training(value, facts: dict) -> str:
    losses = value["losses"]
    lines = [f"epoch {i + 1}, loss {losses[i]:.3f}" for i in range(1, len(losses), 2)]  # the book's print
    lines.append(f"kernel {array_text(value['weight'])}")
    if "init" in value:
        lines.insert(0, f"init {array_text(value['init'])} from {value['source']}")
    return "\n".join(lines)


def _lr_sweep(value, facts: dict) -> str:
    return "\n".join(f"lr {lr:g}: final loss {loss:.4g}" for lr, loss in zip(facts["sweep_lrs"], value["final_loss"]))


def _shape_text(item: dict) -> str:
    """"8x8", "8x8 (padding='same')", or the error; "label: ..." when the item names its step."""
    text = "x".join(map(str, item["value"])) if "value" in item else item["error"]
    text += f" (padding={item['padding']})" if "padding" in item else ""
    return f"{item['label']}: {text}" if "label" in item else text


def _shapes(value, facts: dict) -> str:
    """"8x8, 4x4, ..." per layer; one framework error raised by every layer is printed once;
    labelled steps (a round trip, a loop's lines) one per line."""
    answers = [_shape_text(item) for item in value]
    if len(set(answers)) == 1 and "value" not in value[0]:
        return answers[0]
    return ("\n" if any("label" in item for item in value) else ", ").join(answers)


def losses_text(losses) -> str:
    return " ".join(f"{loss:.4g}" for loss in losses)


def _registration(value, facts: dict) -> str:
    """The loop twice: the kernel registered, then a bare tensor, and what came of it."""
    lines = [f"registered parameter, loss per step: {losses_text(value['registered']['losses'])}"]
    if "unregistered" in value:
        other = value["unregistered"]
        lines.append("bare tensor, loss per step: "
                     + (losses_text(other["losses"]) if "losses" in other else f"raised {other['error']}"))
    if "outcome" in value:
        lines.append(f"=> {value['outcome']}")
    return "\n".join(lines)


FORMATS = {"arrays": _arrays, "gradient": _arrays, "training": _training, "lr_sweep": _lr_sweep,
           "shapes": _shapes, "registration": _registration}


def fmt(kind: str, value, facts: dict) -> str:
    """One value as text, laid out as the book prints a value of that kind."""
    if value is None:
        return NO_GRADIENT if kind == "gradient" else "None"
    try:
        return FORMATS[kind](value, facts)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError):
        # Not a value of its kind (a framework's odd answer, judged by page.py, or a probe's, not
        # judged at all): printed as it came, so that the page still stands.
        return _as_json(value)


def _as_json(value, limit: int = 300) -> str:
    text = json.dumps(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def verdict(row: dict) -> str:
    if row["status"] == "shown":
        return ""
    ratio = "" if row["ratio"] is None else f" (error/bound {row['ratio']:.2g})"
    why = f": {row['why']}" if row["why"] else ""
    return STATUS_TEXT[row["status"]] + ratio + why


def section_grid(section: dict, backends: list[str], facts: dict) -> tuple[list[str], list[list[Entry]]]:
    """The section side by side: header ["cell", "reference (float64)", *frameworks], and per cell
    a row of Entries. A framework's value that prints like the reference's is not printed twice:
    its verdict stands in for it. The cell's note (why the values are what they are) goes under
    the reference value."""
    header = ["cell", "reference (float64)", *backends]
    grid = []
    for cell in section["cells"]:
        reference = None if cell["expected"] is None else fmt(cell["kind"], cell["expected"], facts)
        caption = cell["caption"] + ("\n(the framework's own behaviour)" if cell["probe"] else "")
        note = cell.get("note") or ""
        row = [Entry(caption), Entry(reference or ("" if note else "-"), note=note)]
        for backend in backends:
            r = cell["rows"][backend]
            text = r["error"] if r["error"] else fmt(cell["kind"], r["value"], facts)
            row.append(Entry("" if text == reference else text, r["status"], verdict(r)))
        grid.append(row)
    return header, grid
