"""One check of one case on one backend: run it, hold it against the reference, give a verdict.

A verdict's status is one of STATUSES. "unsupported" is an exception for a dtype outside the
backend's declared dtypes (a plug-in that declares none is held to float32 and float64), or an
UnsupportedDType the adapter raises for a combination the framework has no kernel for (torch's
dilated int32); any other exception is an "error", which counts as a failure. The worst
error/bound ratio decides pass/fail; the precision grade (error / (sqrt(n) u S)) is reported
beside it (docs/design.md, Error bound).
"""
from __future__ import annotations

import time
import traceback
from dataclasses import asdict, dataclass
from typing import NamedTuple

import numpy as np

import reference as ref
from backends.base import UnsupportedDType, first_line, implements
from reference.bounds import (Terms, forward_terms, gradient_terms, trajectory_tolerance, worst_case_bound,
                              worst_element)
from reference.dtypes import unit_roundoff
from reference.transposed import transpose_forward_terms, transpose_gradient_terms

from .cases import Case

STATUSES = ("pass", "fail", "error", "unsupported", "not implemented")
FAILING = ("fail", "error")
OP_OF_CHECK = {"conv2d": "conv2d", "conv2d_grads": "conv2d_grads", "corr2d": "corr2d",
               "corr2d_loop": "corr2d_loop", "layer": "layer_forward", "train_kernel": "train_kernel",
               "trans_conv_loop": "trans_conv_loop", "conv_transpose2d": "conv_transpose2d",
               "conv_transpose2d_grads": "conv_transpose2d_grads"}
TRANSPOSED_CHECKS = ("trans_conv_loop", "conv_transpose2d", "conv_transpose2d_grads")
FAMILIES = ("conv2d", "conv_transpose2d")  # the report groups grades and pairs by these


def family(check: str) -> str:
    """Which op a check exercises: the transposed convolution (d2l 14.10) or the convolution."""
    return "conv_transpose2d" if check in TRANSPOSED_CHECKS else "conv2d"


@dataclass
class Verdict:
    case: str
    check: str
    dtype: str
    status: str
    ratio: float | None = None  # worst |error| / bound over every output of the check
    grade: float | None = None  # worst |error| / (sqrt(n) u S): about 1 for a genuine dtype computation
    message: str = ""
    seconds: float = 0.0

    def to_json(self) -> dict:
        return asdict(self)


class Expected(NamedTuple):
    want: np.ndarray
    bound: np.ndarray
    terms: Terms | None  # for the precision grade; None where no single n applies (training)


def _two_d(case: Case):
    a = case.arrays
    return a["x"][0, 0], a["w"][0, 0]


def _layer_input(case: Case):
    x = case.arrays["x"]
    return x[0, 0] if x.shape[0] == 1 else x


def _layer_bias(case: Case):
    b = case.arrays["b"]
    return np.zeros((), case.arrays["x"].dtype) if b is None else b[0]


def _train_inputs(case: Case):
    X, K = _two_d(case)
    Y = ref.corr2d(X, K).astype(X.dtype)
    init = np.random.default_rng(case.seed + 7).random(K.shape).astype(X.dtype)
    return X, Y, init


def train_diverges(case: Case) -> bool:
    X, _, init = _train_inputs(case)
    return case.train["lr"] >= ref.lr_limit(X, init.shape, bias=case.train["bias"] is not None)


def expected(case: Case, check: str) -> dict[str, Expected]:
    """The reference's answer to a check, with the allowed error of each output element."""
    a, dtype = case.arrays, case.dtype
    if check in TRANSPOSED_CHECKS:
        return _expected_transposed(case, check)
    if check == "conv2d":
        terms = forward_terms(a["x"], a["w"], a["b"], **case.params)
        return {"y": Expected(ref.conv2d(a["x"], a["w"], a["b"], **case.params), worst_case_bound(terms, dtype), terms)}
    if check == "conv2d_grads":
        wants = ref.conv2d_grads(a["x"], a["w"], a["b"], a["dy"], **case.params)
        all_terms = gradient_terms(a["x"], a["w"], a["b"], a["dy"], **case.params)
        return {name: Expected(want, worst_case_bound(terms, dtype), terms)
                for name, want, terms in zip(("dx", "dw", "db"), wants, all_terms) if want is not None}
    if check in ("corr2d", "corr2d_loop", "layer"):
        with_bias = check == "layer"
        b = np.atleast_1d(_layer_bias(case)) if with_bias else None
        terms = forward_terms(a["x"], a["w"], b)
        want = ref.conv2d(a["x"], a["w"], b)
        squeeze = (lambda t: t[0, 0]) if check != "layer" or a["x"].shape[0] == 1 else (lambda t: t)
        terms = Terms(terms.n, squeeze(terms.S))
        return {"Y": Expected(squeeze(want), worst_case_bound(terms, dtype), terms)}
    if check == "train_kernel":
        X, Y, init = _train_inputs(case)
        result = ref.train_kernel(X, Y, init=init, **case.train)
        rel = trajectory_tolerance(Y.size, init.size, case.train["epochs"], dtype)
        out = {"losses": Expected(result.losses, rel * np.abs(result.losses), None),
               "weight": Expected(result.weight, rel * np.abs(result.weight).max() * np.ones(init.shape), None)}
        if result.bias is not None:
            out["bias"] = Expected(np.array(result.bias), np.array(rel * max(abs(result.bias), 1.0)), None)
        return out
    raise ValueError(f"unknown check {check!r}")


def _expected_transposed(case: Case, check: str) -> dict[str, Expected]:
    """The same for d2l 14.10: bounds from the largest per-element term count (reference.transposed)."""
    a, dtype = case.arrays, case.dtype
    if check == "trans_conv_loop":  # the book's 2-D loop is conv_transpose2d on one image and channel
        X, K = _two_d(case)
        terms = transpose_forward_terms(a["x"][:1, :1], a["w"][:1, :1])
        terms = Terms(terms.n, terms.S[0, 0])
        return {"Y": Expected(ref.trans_conv(X, K), worst_case_bound(terms, dtype), terms)}
    if check == "conv_transpose2d":
        terms = transpose_forward_terms(a["x"], a["w"], a["b"], **case.params)
        want = ref.conv_transpose2d(a["x"], a["w"], a["b"], **case.params)
        return {"y": Expected(want, worst_case_bound(terms, dtype), terms)}
    wants = ref.conv_transpose2d_grads(a["x"], a["w"], a["b"], a["dy"], **case.params)
    all_terms = transpose_gradient_terms(a["x"], a["w"], a["b"], a["dy"], **case.params)
    return {name: Expected(want, worst_case_bound(terms, dtype), terms)
            for name, want, terms in zip(("dx", "dw", "db"), wants, all_terms) if want is not None}


def run(backend, case: Case, check: str) -> dict[str, np.ndarray]:
    """The backend's answer to a check, as NumPy arrays named like `expected`'s."""
    a = case.arrays
    if check == "conv2d":
        return {"y": backend.conv2d(a["x"], a["w"], a["b"], **case.params)}
    if check == "conv2d_grads":
        grads = backend.conv2d_grads(a["x"], a["w"], a["b"], a["dy"], **case.params)
        return {name: g for name, g in zip(("dx", "dw", "db"), grads) if g is not None}
    if check in ("corr2d", "corr2d_loop", "trans_conv_loop"):
        return {"Y": getattr(backend, check)(*_two_d(case))}
    if check == "conv_transpose2d":
        return {"y": backend.conv_transpose2d(a["x"], a["w"], a["b"], **case.params)}
    if check == "conv_transpose2d_grads":
        grads = backend.conv_transpose2d_grads(a["x"], a["w"], a["b"], a["dy"], **case.params)
        return {name: g for name, g in zip(("dx", "dw", "db"), grads) if g is not None}
    if check == "layer":
        return {"Y": backend.layer_forward(_layer_input(case), _two_d(case)[1], _layer_bias(case))}
    if check == "train_kernel":
        X, Y, init = _train_inputs(case)
        result = backend.train_kernel(X, Y, init=init, **case.train)
        out = {"losses": np.asarray(result.losses), "weight": np.asarray(result.weight)}
        if result.bias is not None:
            out["bias"] = np.asarray(result.bias)
        return out
    raise ValueError(f"unknown check {check!r}")


PLUGIN_DTYPES = ("float32", "float64")  # what a plug-in that declares nothing is held to


def declared_dtypes(backend) -> tuple[str, ...]:
    """capabilities.dtypes of an adapter, a plug-in's own `dtypes`, or PLUGIN_DTYPES."""
    caps = getattr(backend, "capabilities", None)
    return tuple(getattr(caps, "dtypes", None) or getattr(backend, "dtypes", None) or PLUGIN_DTYPES)


def _declared(backend, dtype: str) -> bool:
    return dtype in declared_dtypes(backend)


def check_case(backend, case: Case, check: str) -> tuple[Verdict, dict[str, np.ndarray]]:
    verdict = Verdict(case.id, check, case.dtype, "pass")
    if not implements(backend, OP_OF_CHECK[check]):
        verdict.status, verdict.message = "not implemented", f"the backend has no {OP_OF_CHECK[check]}"
        return verdict, {}
    start = time.perf_counter()
    try:
        got = run(backend, case, check)
    except Exception as exc:  # noqa: BLE001 - every failure of the backend becomes a verdict
        verdict.seconds = time.perf_counter() - start
        # Outside its declared dtypes failing is expected; inside them the adapter may still
        # name a combination the framework has no kernel for (UnsupportedDType, a TypeError).
        if isinstance(exc, UnsupportedDType) or not _declared(backend, case.dtype):
            verdict.status = "unsupported"
            verdict.message = first_line(exc) if isinstance(exc, UnsupportedDType) else \
                f"{case.dtype} is not among its declared dtypes ({type(exc).__name__}: {first_line(exc)})"
        else:
            verdict.status = "error"
            verdict.message = f"{type(exc).__name__}: {first_line(exc)} [{_where(exc)}]"
        return verdict, {}
    verdict.seconds = time.perf_counter() - start
    try:
        judge(verdict, case, check, got)
    except Exception as exc:  # noqa: BLE001 - an answer nobody foresaw is still judged: an error
        verdict.status, verdict.ratio, verdict.grade = "error", None, None
        verdict.message = f"{type(exc).__name__}: {first_line(exc)} (raised while checking its answer)"
        return verdict, {}
    if verdict.status == "pass" and not _declared(backend, case.dtype):
        verdict.message = f"works although {case.dtype} is not among the declared dtypes"
    return verdict, got


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else "?"


def judge(verdict: Verdict, case: Case, check: str, got: dict) -> None:
    """Fill in status, ratio, grade and message by comparing `got` with the reference."""
    if check == "train_kernel" and train_diverges(case):
        losses = np.asarray(got["losses"], np.float64)
        verdict.message = f"diverged as it must: loss {losses[0]:.4g} -> {losses[-1]:.4g}"
        if not (np.isnan(losses[-1]) or losses[-1] > 100 * losses[0]):
            verdict.status = "fail"
            verdict.message = (f"lr {case.train['lr']} is above lr_limit, so the loss must blow up; it went "
                               f"from {losses[0]:.4g} to {losses[-1]:.4g}")
        return
    ratios, grades = [], []
    for name, exp in expected(case, check).items():
        if name not in got:
            verdict.status, verdict.message = "fail", f"{name}: missing from the backend's answer"
            return
        g = np.asarray(got[name])
        problem = _shape_or_dtype_problem(name, g, exp.want, case.dtype, check)
        if problem:
            verdict.status, verdict.message = "fail", problem
            return
        ratio, worst = _worst(g, exp.want, exp.bound)
        ratios.append(ratio)
        if exp.terms is not None and unit_roundoff(case.dtype) > 0:
            grades.append(ref.precision_grade(g, exp.want, exp.terms, case.dtype))
        if ratio > 1 and verdict.status == "pass":
            verdict.status = "fail"
            verdict.message = f"{name}{worst}"
    verdict.ratio = max(ratios) if ratios else None
    verdict.grade = max(grades) if grades else None


def _shape_or_dtype_problem(name, got, want, dtype, check) -> str:
    if got.shape != np.shape(want):
        return f"{name}: shape {got.shape}, expected {np.shape(want)}"
    if check != "train_kernel" and got.dtype.name != dtype:
        return f"{name}: dtype {got.dtype.name} returned for {dtype} inputs"
    return ""


def _worst(got, want, bound):
    """(worst error/bound, description of the worst element) under bounds.error_ratio's policy."""
    worst = worst_element(got, want, bound)
    if worst.index is None:
        return 0.0, ""
    where = f" at {worst.index}: got {worst.got:.9g}, want {worst.want:.9g}, " \
            f"error {worst.error:.3g} > bound {worst.bound:.3g}"
    return worst.ratio, where
