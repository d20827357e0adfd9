"""The last stage of a command: turning finished results into its report. When that stage itself
fails (a bug in convtabs meeting an answer nobody foresaw), the run's evidence must not go down
with it: the command's raw results are written as JSON, the traceback goes to a log file rather
than the terminal, one line names the error and both files, and the exit status is REPORT_FAILED,
distinct from 1 ("a framework did something unexpected"). Every command that reports calls
`report_or_evidence`."""
from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Callable

from .exits import REPORT_FAILED
from .files import write_json_atomic

EVIDENCE = "verdicts.json"
ERROR_LOG = Path("logs") / "report-error.log"


def report_or_evidence(command: str, directory: Path, write_report: Callable[[], int],
                       evidence: Callable[[], dict]) -> int:
    """write_report()'s exit status; if it raises, the fallback above and REPORT_FAILED. A report
    written in full removes what an earlier failed report stage left, so the two never mix."""
    try:
        status = write_report()
    except Exception as exc:  # noqa: BLE001 - whatever broke, the results are still worth keeping
        return _fall_back(command, directory, exc, evidence)
    for stale in (directory / EVIDENCE, directory / ERROR_LOG):
        stale.unlink(missing_ok=True)
    return status


def _fall_back(command: str, directory: Path, exc: Exception, evidence: Callable[[], dict]) -> int:
    log = directory / ERROR_LOG
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(f"{command}: the report stage failed\n\n{traceback.format_exc()}")
    saved = directory / EVIDENCE
    try:
        write_json_atomic(saved, {"report_error": f"{type(exc).__name__}: {exc}", **evidence()})
        kept = f"the results are in {saved}"
    except Exception as second:  # noqa: BLE001 - even the evidence failed: say so, keep the first error
        saved.unlink(missing_ok=True)
        kept = f"the results could not be saved either ({type(second).__name__}: {second})"
        with log.open("a") as f:
            f.write(f"\nwhile writing {saved}:\n{traceback.format_exc()}")
    print(f"error: {command}: writing the report failed ({type(exc).__name__}: {_one_line(exc)}); {kept}; "
          f"traceback in {log}. This is a convtabs bug: please report it with that log "
          f"(exit status {REPORT_FAILED}).", file=sys.stderr)
    return REPORT_FAILED


def _one_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else ""
    return line if len(line) <= 200 else line[:197] + "..."

