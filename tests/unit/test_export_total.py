"""`make export` is total: whatever an exported model (or a framework) answers, exports/compare.py
judges it and the report renders it; and if the report stage itself fails, the rows are kept in
verdicts.json, the traceback in logs/report-error.log, and the exit status is REPORT_FAILED.

Hypothesis plays the answer: the framework's own output, perturbed, with NaN/inf, shifted,
transposed, of any dtype (complex, bool and int included), rank (0-d included) and shape (empty
included), or something that is not an array at all (None, a list, a ragged list, a string, a
number, an object array)."""
from __future__ import annotations

import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import exports.compare
from exports import report as rp
from exports.__main__ import finish
from exports.compare import Comparison, compare
from exports.judge import verdict_fields
from layers.config import config_by_name
from runner.exits import REPORT_FAILED
from runner.report_stage import ERROR_LOG, EVIDENCE

WANT = np.random.default_rng(0).uniform(-1, 1, (1, 2, 3, 4)).astype(np.float32)
BOUND = np.full(WANT.shape, 1e-3)
KINDS = ("agrees", "shape", "shift", "values", "answer")
CONFIG = config_by_name("down3-s2-same-odd")
OK = {"status": "ok", "detail": "finished", "seconds": 1.0, "log": "torch.log"}


def near_want():
    """The framework's output as an exporter may get it slightly or badly wrong."""
    dtypes = st.sampled_from(["float16", "float32", "float64", "int8", "uint8", "bool", "complex64"])
    return st.one_of(
        dtypes.map(WANT.astype),
        st.floats(-2e-3, 2e-3).map(lambda d: WANT + d),
        st.tuples(st.integers(0, WANT.size - 1), st.sampled_from([np.nan, np.inf, -np.inf])).map(_one_bad),
        st.tuples(st.integers(-2, 2), st.integers(-2, 2)).map(lambda s: np.roll(WANT, s, axis=(2, 3))),
        st.sampled_from([WANT.transpose(0, 2, 3, 1), WANT[None], WANT[0], WANT[..., :1], WANT.tolist()]))


def _one_bad(where):
    index, value = where
    got = WANT.copy()
    got.flat[index] = value
    return got


def any_array():
    shapes = hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=4)
    return hnp.arrays(st.one_of(hnp.floating_dtypes(), hnp.integer_dtypes(), hnp.complex_number_dtypes(),
                                hnp.boolean_dtypes()), shapes)


NOT_ARRAYS = st.sampled_from([None, "abc", 3.5, 7, [1.0, 2.0], [[1.0], [1.0, 2.0]], np.float32(1.5),
                              np.array([object(), 1], dtype=object), np.array(WANT, dtype=object)])


def is_real_nchw(got) -> bool:
    return isinstance(got, np.ndarray) and got.dtype.kind in "fiu" and got.ndim == 4


def within_bound(got) -> bool:
    """The test's own oracle: got is want's shape and every element is finite and in bound."""
    if not is_real_nchw(got) or got.shape != WANT.shape:
        return False
    error = np.abs(got.astype(np.float64) - WANT.astype(np.float64))
    return bool(np.isfinite(error).all() and (error <= BOUND).all())


def rendered(comparison: Comparison) -> str:
    """report.md for one exporter row holding the comparison, its framework's own output judged
    against the reference by the same comparison."""
    row = {"framework": "torch", "framework_version": "2", "config": CONFIG.name, "spelling": "explicit pads",
           "exporter": "torch.onnx.export", "runtime": "onnxruntime", "native_vs_reference": comparison.to_json(),
           **verdict_fields(comparison)}
    report = rp.build([json.loads(json.dumps(row, allow_nan=False))], [CONFIG], {"torch": dict(OK)}, {}, 1.0)
    return rp.markdown(report)


def test_every_kind_is_in_the_module_docstring():
    assert all(f'"{kind}"' in exports.compare.__doc__ for kind in KINDS)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(got=st.one_of(near_want(), any_array(), NOT_ARRAYS))
def test_compare_judges_any_answer_and_the_report_renders_it(got):
    result = compare(got, WANT, BOUND)
    assert isinstance(result, Comparison) and result.kind in KINDS
    assert result.agrees == (result.kind == "agrees")
    assert result.agrees == within_bound(got)
    assert (result.kind == "answer") == (not is_real_nchw(got))
    text = rendered(result)
    if not result.agrees:
        assert result.detail in text


def test_an_answer_that_is_no_array_is_named():
    assert compare(None, WANT, BOUND).detail == "the output is None, not a NumPy array"
    assert "dtype complex64" in compare(WANT.astype(np.complex64), WANT, BOUND).detail
    assert "shape ()" in compare(np.array(1.0), WANT, BOUND).detail
    assert compare([[1.0], [1.0, 2.0]], WANT, BOUND).ratio == np.inf


# ---- the report stage ---------------------------------------------------------------------------
ROWS = [{"framework": "torch", "framework_version": "2", "config": CONFIG.name, "spelling": "explicit pads",
         "exporter": "torch.onnx.export", "runtime": "onnxruntime", "verdict": "agrees", "ratio": 0.1,
         "detail": "agrees (worst error/bound 0.1)"}]


def _broken(*args):
    raise RuntimeError("the renderer broke")


def _finish(directory) -> int:
    """The report stage of a run in which torch's process finished and wrote its journal."""
    return finish(["torch"], {}, [CONFIG], directory, {"torch": dict(OK)}, 0.0)


def _journal(directory, text):
    (directory / "torch.json").write_text(text)


def test_a_failing_renderer_keeps_the_rows_in_verdicts_json_and_exits_3(tmp_path, monkeypatch, capsys):
    _journal(tmp_path, json.dumps({"backend": "torch", "version": "2", "complete": True, "rows": ROWS}))
    monkeypatch.setattr(rp, "write_documents", _broken)
    assert _finish(tmp_path) == REPORT_FAILED
    saved = json.loads((tmp_path / EVIDENCE).read_text())
    assert saved["report_error"] == "RuntimeError: the renderer broke"
    assert saved["rows"] == ROWS and saved["processes"]["torch"]["status"] == "ok"
    log = (tmp_path / ERROR_LOG).read_text()
    assert "Traceback" in log and "in _broken" in log
    said = capsys.readouterr().err
    assert "the renderer broke" in said and "Traceback" not in said and len(said.strip().splitlines()) == 1

    monkeypatch.undo()
    assert _finish(tmp_path) == 0
    assert not (tmp_path / EVIDENCE).exists() and not (tmp_path / ERROR_LOG).exists()
    assert (tmp_path / "report.md").exists() and (tmp_path / "report.html").exists()


def test_a_journal_that_cannot_be_collected_is_kept_as_found(tmp_path, capsys):
    _journal(tmp_path, '{"backend": "torch", "rows": [')  # torn: the report stage's json.loads fails
    assert _finish(tmp_path) == REPORT_FAILED
    saved = json.loads((tmp_path / EVIDENCE).read_text())
    assert saved["report_error"].startswith("JSONDecodeError")
    assert saved["journals"] == {"torch": '{"backend": "torch", "rows": ['} and "rows" not in saved
