"""The "illegal input accepted" oracle: each drawn spec breaks exactly the rule it is named by (and
the reference refuses it: that is what illegal means); a native op that returns an array for every
input is found breaking each rule, shrunk to the rule's smallest case; one that raises gives no
finding; only backends with the native hooks are searched for it."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

import backends
import reference as ref
from backends.plugin import load_plugin
from runner.process import interpreter
from fuzz.illegal import RULES, broken, illegal_specs, probe, refusal
from fuzz.reproduce import accepted
from fuzz.search import Search, searched_checks
from fuzz.space import Spec, spec_from_json

ROOT = Path(__file__).resolve().parents[2]
CORRECT = ROOT / "tests" / "fuzz_plugins" / "correct.py"
ALL_RULES = [(check, rule) for check, rules in RULES.items() for rule in rules]
EXAMPLES = 600  # enough here for every rule of both checks (17 findings, each a short round)


class AcceptsAnything:
    """A native op with no checks at all: a 1x1 zero for any input."""
    def native_conv2d(self, x, w, b=None, *, stride=1, padding=0, dilation=1):
        return np.zeros((1, 1, 1, 1), np.float32)

    def native_conv_transpose2d(self, x, w, b=None, *, stride=1, padding=0, output_padding=0, dilation=1):
        return np.zeros((1, 1, 1, 1), np.float32)


class RefusesIllegal:
    """A native op that validates as the reference does: the right answer everywhere."""
    def native_conv2d(self, x, w, b=None, *, stride=1, padding=0, dilation=1):
        return ref.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)

    def native_conv_transpose2d(self, x, w, b=None, *, stride=1, padding=0, output_padding=0, dilation=1):
        return ref.conv_transpose2d(x, w, b, stride=stride, padding=padding, output_padding=output_padding,
                                    dilation=dilation)


@pytest.mark.parametrize("check", sorted(RULES))
@settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_drawn_spec_breaks_one_rule_and_the_reference_refuses_it(check, data):
    spec = data.draw(illegal_specs(check))
    assert len(broken(spec)) == 1 and refusal(spec) is not None
    assert spec.groups == 1 and spec.check == check


@pytest.mark.parametrize("check, rule", ALL_RULES)
def test_each_rule_is_drawn(check, rule):
    drawing = settings(max_examples=500, database=None, phases=[Phase.generate])  # the first drawn is enough
    found = find(illegal_specs(check), lambda s: broken(s) == (rule,), settings=drawing, random=random.Random(0))
    assert refusal(found) is not None


def test_an_op_that_accepts_anything_is_found_on_every_rule_each_shrunk_to_its_smallest():
    findings = Search(AcceptsAnything(), seed=1, checks=list(RULES)).run(examples=EXAMPLES)
    assert sorted((f.check, f.rule) for f in findings) == sorted(ALL_RULES)
    assert {f.kind for f in findings} == {"accepted"}
    by_rule = {(f.check, f.rule): f for f in findings}
    kernel_larger = by_rule["conv2d_illegal", "kernel-larger"]  # a 2-row kernel on a 1-row image
    assert (kernel_larger.spec, kernel_larger.matters) == (Spec("conv2d_illegal", kh=2), {"kh": 2})
    crop = by_rule["conv_transpose2d_illegal", "crop-all"]  # 1x1 in, 1x1 full result, cropped by 1 a side
    assert (crop.spec, crop.matters) == (Spec("conv_transpose2d_illegal", padding=1), {"padding": 1})
    channels = by_rule["conv2d_illegal", "channels"]
    assert (channels.spec, channels.matters) == (Spec("conv2d_illegal", x_channels=2), {"x_channels": 2})
    large = by_rule["conv_transpose2d_illegal", "output-padding-large"]
    assert large.matters == {"output_padding": 1} and "output_padding not smaller" in large.message
    assert "returned shape (1, 1, 1, 1) float32" in kernel_larger.message


def test_an_op_that_refuses_illegal_input_gives_no_finding():
    search = Search(RefusesIllegal(), seed=3, checks=list(RULES))
    assert search.run(examples=300) == []
    assert set(search.tried) == set(RULES)


class NegativeTensor:
    """A framework's tensor of negative shape (Paddle 3.3 returns one for some outputs below 0 rows)."""
    shape = (1, 1, -1, -1)

    def numpy(self):
        return np.empty(self.shape)  # NumPy's own ValueError: negative dimensions are not allowed


class ReturnsNegativeShape:
    def native_conv2d(self, x, w, b=None, *, stride=1, padding=0, dilation=1):
        return backends.base.native_answer(NegativeTensor())  # as the Adapter converts a native hook's answer


def test_a_tensor_of_negative_shape_is_an_illegal_input_accepted_not_refused():
    judged = probe(ReturnsNegativeShape(), Spec("conv2d_illegal", kh=3))
    assert judged.kind == "accepted" and "negative shape (1, 1, -1, -1)" in judged.message
    with pytest.raises(ValueError, match="negative dimensions"):
        NegativeTensor().numpy()  # what the probe would have taken for a refusal


def test_a_legal_spec_is_no_illegal_input():
    assert probe(AcceptsAnything(), Spec("conv2d_illegal")).kind is None


def test_only_backends_with_the_native_op_are_searched_for_accepted_input():
    assert set(RULES) <= set(searched_checks(AcceptsAnything()))
    assert not set(RULES) & set(searched_checks(load_plugin(str(CORRECT))))
    assert not set(RULES) & set(searched_checks(backends.load("numpy")))  # NumPy has no conv op of its own


# A conv2d kernel taller than the image and a transposed padding that crops the whole 1x1 output:
# what some frameworks return an array for (conformance/probes.py's kernel-larger shows it too);
# a dilation of 0 on an empty batch and output_padding with "same": what make fuzz found accepted.
REPRODUCED = [Spec("conv2d_illegal", kh=2), Spec("conv_transpose2d_illegal", padding=1),
              Spec("conv2d_illegal", n=0, dilation=0),
              Spec("conv_transpose2d_illegal", stride=2, padding="same", output_padding=1)]


PROBE = """import json, sys
import backends
from fuzz.illegal import probe
from fuzz.space import spec_from_json
print(json.dumps(probe(backends.load(sys.argv[1]), spec_from_json(json.loads(sys.argv[2])))._asdict()))
"""
CRASHED = (139, -11, 134, -6)  # SIGSEGV or SIGABRT, through the shell's convention or the signal itself


def run(args, cwd, pythonpath, python=sys.executable) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update({"PYTHONPATH": str(pythonpath)} if pythonpath else {})
    return subprocess.run([str(python), *args], capture_output=True, text=True, timeout=300, cwd=cwd, env=env)


def crash_entry(backend: str, spec: Spec) -> str | None:
    """The expectations entry that says the spec may kill the backend's process (what happens is then
    undefined: a crash, or an answer, changing with the heap), or None."""
    from fuzz import known
    from runner.expectations import installed_packages, load
    start = {"name": backend, "packages": installed_packages()}
    return known.crash_guard(known.in_force(backend, start, load()), backend)(spec)


def outcome_of_probe(backend: str, spec: Spec) -> str:
    """"returned shape (...) float32", the error's type, or "crashed": the probe in a process of its
    own (frameworks loaded together in one process, or a crashing op, would take pytest down)."""
    done = run(["-c", PROBE, backend, json.dumps(spec.to_json())], ROOT, ROOT, interpreter(backend))
    if done.returncode in CRASHED:
        return "crashed"
    judged = json.loads(done.stdout.splitlines()[-1])
    if judged["kind"] == "accepted":  # "returned shape (1, 1, 0, 1) float32", or "returned a tensor of negative shape"
        return "returned " + judged["message"].split("returned ", 1)[1].split(" for an illegal")[0]
    return judged["message"].split(":")[0]


@pytest.mark.parametrize("backend", [name for name in accepted.BACKENDS if name in backends.available()])
def test_the_reproducer_run_alone_shows_what_the_probe_saw(backend, tmp_path):
    """The script (no convtabs on its path, the backend's own interpreter) returns the shape the
    probe reports, raises the error the probe saw, or crashes where the probe crashed; where an
    expectations entry says the input may crash the process, both accept it (crash or answer)."""
    for index, spec in enumerate(REPRODUCED):
        path = tmp_path / f"accepted_{index}.py"
        path.write_text(accepted.script(backend, spec))
        done, seen = run([str(path)], tmp_path, None, interpreter(backend)), outcome_of_probe(backend, spec)
        if crash_entry(backend, spec):
            assert seen == "crashed" or seen.startswith("returned"), seen
            assert done.returncode in CRASHED or (done.returncode == 0 and ", no error" in done.stdout), done.stderr
        elif seen == "crashed":
            assert done.returncode in CRASHED, done.stdout
        elif seen.startswith("returned"):
            assert done.returncode == 0 and f"{seen}, no error" in done.stdout, done.stderr
        else:
            assert done.returncode not in (0, *CRASHED) and seen in done.stderr, done.stderr


def test_every_backend_with_a_native_op_has_a_reproducer():
    """NumPy has no op of its own: no script for it (MXNet's runs in .venv-mxnet)."""
    assert accepted.script("numpy", REPRODUCED[0]) is None
    with_op = {name for name, entry in backends.BUILTIN.items()  # a native.py: the op the probe calls
               if (ROOT / entry.module.replace(".", "/") / "native.py").exists()}
    assert with_op - {"numpy"} == set(accepted.BACKENDS)


def test_a_legal_specs_json_and_id_leave_the_rule_breakers_out_and_an_illegal_one_round_trips():
    assert not {"x_channels", "bias_length"} & set(Spec("conv2d", kh=3).to_json())
    illegal = Spec("conv2d_illegal", bias=True, bias_length=2, x_channels=3, stride=(0, 1))
    assert spec_from_json(json.loads(json.dumps(illegal.to_json()))) == illegal
