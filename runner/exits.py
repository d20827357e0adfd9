"""The exit statuses every command shares, so a CI job can tell them apart.

0   nothing unexpected: every failure met is declared in expectations.toml (runner/expectations.py)
1   something unexpected: a failure no expectation covers, or a backend that crashed, hung or left
    results that cannot be trusted
2   the command could not start: a bad setting or argument, a results folder in use
3   the report stage itself failed: the verdicts are written out anyway (verdicts.json), with the
    error named on the terminal and its traceback in the results folder's logs/report-error.log
130 interrupted (Ctrl-C): what the backends finished is reported
"""
from __future__ import annotations

OK = 0
UNEXPECTED = 1
USAGE = 2
REPORT_FAILED = 3
INTERRUPTED = 130
