"""`python -m fuzz` end to end, on the test plug-ins with budgets of a few seconds: a plug-in wrong
in a corner is found (report files, found.json in the agreed format, exit 1), the correct one
gives nothing (exit 0), an expectations entry makes a finding known (exit 0), and a bad budget is
refused before anything runs (exit 2)."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from backends import ROOT
from backends.plugin import load_plugin
from conformance.cases import Case
from conformance.checks import check_case
from fuzz import __main__ as command
from fuzz.model import FOUND_FIELDS
from conformance.cases import json_tuples as tuples
from fuzz.space import Spec, spec_from_json

PLUGINS = Path(__file__).resolve().parents[1] / "fuzz_plugins"
WIDE = str(PLUGINS / "wide_kernel.py")
SHRUNK = Spec("conv2d", kh=2, kw=5, h=2, w=5)  # wide_kernel's corner at its threshold (test_fuzz_search.py)


def fuzz(monkeypatch, tmp_path, backend: str, seconds: str = "4", seed: str = "1", **env) -> int:
    for name, value in {"CONV_BACKEND": backend, "CONV_FUZZ_SECONDS": seconds, "CONV_FUZZ_SEED": seed,
                        "CONV_JOBS": "1", **env}.items():
        monkeypatch.setenv(name, value)
    return command.main(["--results", str(tmp_path / "fuzz")])


def read(tmp_path, name: str):
    return json.loads((tmp_path / "fuzz" / name).read_text())


def case_of(entry: dict) -> Case:
    """The Case the regression corpus builds from an entry (the agreed format's last rule)."""
    c = entry["case"]
    return Case(entry["id"], "found", tuple(c["x_shape"]), tuple(c["w_shape"]), c["dtype"], (entry["check"],),
                c["bias"], {k: tuples(v) for k, v in c["params"].items()}, c["seed"], op=c["op"])


@pytest.fixture(scope="module")
def wide_run(tmp_path_factory):
    monkeypatch = pytest.MonkeyPatch()
    tmp_path = tmp_path_factory.mktemp("wide")
    try:
        status = fuzz(monkeypatch, tmp_path, WIDE)
    finally:
        monkeypatch.undo()
    return status, tmp_path


def test_the_corner_is_found_shrunk_and_fails_the_run(wide_run):
    status, tmp_path = wide_run
    assert status == 1
    report = read(tmp_path, "report.json")
    [finding] = report["findings"]
    assert (finding["kind"], spec_from_json(finding["spec"]), finding["matters"]) == ("value", SHRUNK,
                                                                                       {"kh": 2, "kw": 5})
    assert finding["known"] is None and report["backends"][WIDE]["unexpected"] == 1
    assert report["backends"][WIDE]["cases"] > 0 and report["backends"][WIDE]["cases_per_second"] > 0
    for name in ("report.md", "report.html"):
        assert finding["id"] in (tmp_path / "fuzz" / name).read_text()


def test_found_json_holds_the_finding_in_the_agreed_format(wide_run):
    _, tmp_path = wide_run
    found = read(tmp_path, "found.json")
    [entry] = found["found"]
    assert found["format"] == 1 and set(entry) == set(FOUND_FIELDS)
    assert re.fullmatch(r"found-wide_kernel-[0-9a-f]{10}", entry["id"])
    assert entry["id"] == read(tmp_path, "report.json")["findings"][0]["id"]
    assert entry["found_on"]["cpu"] and isinstance(entry["found_on"]["cpu_flags"], list)
    # the case, built as make conformance builds a kept one, fails there as it failed here
    verdict, _ = check_case(load_plugin(WIDE), case_of(entry), entry["check"])
    assert verdict.status == "fail"


def test_a_correct_plugin_gives_no_finding(monkeypatch, tmp_path):
    assert fuzz(monkeypatch, tmp_path, str(PLUGINS / "correct.py"), seconds="3") == 0
    report = read(tmp_path, "report.json")
    assert report["findings"] == [] and read(tmp_path, "found.json")["found"] == []
    assert set(report["backends"][str(PLUGINS / "correct.py")]["tried"]) >= {"conv2d", "conv2d_grads"}


def test_a_finding_an_expectation_covers_is_known(monkeypatch, tmp_path):
    expected = tmp_path / "expectations.toml"
    expected.write_text('[[expect]]\nid = "wide-kernels"\nbackends = ["wide_kernel"]\nops = ["conv2d"]\n'
                        'where = { kh = ">=2", kw = ">=5" }\nreason = "the plug-in adds 1 for wide kernels"\n')
    assert fuzz(monkeypatch, tmp_path, WIDE, CONV_EXPECTATIONS=str(expected)) == 0
    [finding] = read(tmp_path, "report.json")["findings"]
    assert finding["known"] == "wide-kernels" and read(tmp_path, "found.json")["found"][0]["known"] == "wide-kernels"


def test_a_bad_budget_is_refused(monkeypatch, tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        fuzz(monkeypatch, tmp_path, WIDE, seconds="soon")
    assert stopped.value.code == 2
    assert "CONV_FUZZ_SECONDS='soon'" in capsys.readouterr().err
    assert not (tmp_path / "fuzz").exists()


ILLEGAL = Spec("conv2d", kh=3)  # a 3-row kernel over a 1-row image: the reference refuses it


def finding(spec: Spec, kind: str = "value", status: str = "fail") -> dict:
    """A journal's finding record, as fuzz.worker writes it."""
    from fuzz.matters import matters_line
    return {"check": spec.check, "kind": kind, "status": status, "message": "y off\nmore", "spec": spec.to_json(),
            "matters": {"kh": spec.kh}, "matters_line": matters_line({"kh": spec.kh}), "elapsed": 0.5}


def built_report(directory: Path, findings=(finding(SHRUNK),), backend: str = "numpy") -> dict:
    """report.json built by the command's own code from a journal written here (no process): one
    backend with these findings (by default wide_kernel's corner), for the schema test too."""
    from fuzz import journal, model
    from runner.process import Outcome
    writer = journal.Writer(journal.path(directory, backend))
    writer.record("start", backend=backend, name=backend, version="2.4", packages={"numpy": "2.4", "torch": "9"},
                  checks=["conv2d"], dtypes=["float32"], seed=7, seconds=1.0)
    for record in findings:
        writer.record("finding", **record)
    writer.record("summary", tried={"conv2d": 40}, drawn=44, seconds=1.0, findings=len(findings))
    writer.close()
    outcome = Outcome(backend, "ok", "finished", 0, 1.5, str(directory / f"{backend}.log"))
    return model.build([backend], {"jax": "not installed"}, {backend: outcome}, directory, 7, 1.0, 0.0, False)


def test_an_illegal_input_accepted_is_kept_without_a_case_or_a_script(tmp_path):
    [entry] = built_report(tmp_path, [finding(ILLEGAL, kind="accepted", status="accepted")])["findings"]
    assert (entry["case"], entry["reproducer"], entry["run"]) == (None, None, None)
    assert entry["kind"] == "accepted" and entry["known"] is None and entry["message"] == "y off"


def test_an_illegal_input_accepted_by_a_framework_op_gets_the_native_script_of_fuzz_reproduce_accepted(tmp_path):
    illegal = Spec("conv2d_illegal", kh=3)  # the illegal oracle's check: the native op on ILLEGAL's arrays
    [entry] = built_report(tmp_path, [finding(illegal, kind="accepted", status="accepted")], "torch")["findings"]
    assert entry["case"] is None and entry["reproducer"] == f"repro/{entry['id']}.py"
    text = (tmp_path / entry["reproducer"]).read_text()
    compile(text, entry["reproducer"], "exec")
    assert "import torch" in text and "Rule broken:" in text


def test_a_built_report_names_the_reproducer_and_the_command_that_runs_it(tmp_path):
    [finding] = built_report(tmp_path)["findings"]
    text = (tmp_path / finding["reproducer"]).read_text()
    compile(text, finding["reproducer"], "exec")  # a script that runs: Python accepts it
    assert finding["id"] in text.splitlines()[0] and finding["reproducer"] == f"repro/{finding['id']}.py"
    assert finding["run"].split() == [str(Path(sys.executable).relative_to(ROOT)) if Path(sys.executable).is_relative_to(ROOT)
                                      else sys.executable, str(tmp_path / finding["reproducer"])]


def test_a_hung_backend_is_ended_and_fails_the_run(monkeypatch, tmp_path):
    hanging = tmp_path / "hanging.py"
    hanging.write_text("import time\n\nclass Backend:\n    name = 'hanging'\n\n"
                       "    def conv2d(self, x, w, b=None, **params):\n        time.sleep(600)\n")
    monkeypatch.setattr(command, "IDLE_TIMEOUT", 3.0)
    assert fuzz(monkeypatch, tmp_path, str(hanging), seconds="2") == 1
    backend = read(tmp_path, "report.json")["backends"][str(hanging)]
    assert backend["status"] == "hung" and "hung" in backend["problem"]


def test_a_backend_that_does_not_load_fails_the_run(monkeypatch, tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("raise ImportError('no such framework')\n")
    assert fuzz(monkeypatch, tmp_path, str(broken), seconds="2") == 1
    backend = read(tmp_path, "report.json")["backends"][str(broken)]
    assert "could not load" in backend["problem"] and "no such framework" in backend["problem"]
