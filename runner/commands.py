"""The commands of convtabs, once: what each answers, where its output goes and which file of that
folder holds its timing. The command skeleton (runner/command.py), results/index.html and the
generated tables of README.md and docs/ all read this list, so a new command is one entry here."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Command:
    name: str        # the package run as `python -m <name>`
    target: str      # the make target a reader types
    question: str    # what the command answers, in one line
    folder: str      # where it writes, relative to the project
    report: str      # the page a reader opens first, in folder
    images: tuple[str, ...] = ()  # glob patterns of its pictures, in folder
    # Whether `python -m <name>` runs its backends on runner.command's skeleton (an Orchestrator). The
    # matrix does not: nox runs one environment per release and `python -m matrix` only merges them.
    skeleton: bool = True

    @property
    def directory(self) -> Path:
        return Path(self.folder)


COMMANDS = (
    Command("conformance", "make conformance",
            "Does every framework's convolution agree with a float64 reference within its error bound, and "
            "with every other framework?", "results/conformance", "report.md", ("agreement.png",)),
    Command("chapter", "make d2l",
            "What does each framework answer for every cell of the book's chapter, side by side?",
            "results/d2l", "index.html", ("*.png",)),
    Command("port", "make port",
            "Does a conv layer behave the same after it is moved to another framework, naively and faithfully?",
            "results/port", "report.md", ("port.png",)),
    Command("exports", "make export",
            "Does a framework's own layer survive its own ONNX exporter and ONNX Runtime?",
            "results/export", "report.md"),
    Command("benchmarks", "make bench",
            "How fast is each framework's convolution, measured side by side on this machine?",
            "results/bench", "report.md", ("*.png",)),
    Command("fuzz", "make fuzz",
            "Which cases outside the fixed corpus does a framework's convolution get wrong, shrunk to the smallest?",
            "results/fuzz", "report.md"),
    Command("matrix", "make matrix",
            "In which releases of each framework does each verdict, probe answer and known bug hold?",
            "results/matrix", "report.md", skeleton=False),
)


def by_name(name: str) -> Command:
    for command in COMMANDS:
        if command.name == name:
            return command
    raise KeyError(f"no command {name!r}; the commands are {', '.join(c.name for c in COMMANDS)}")
