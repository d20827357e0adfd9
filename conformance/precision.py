"""`python -m conformance.precision` (make precision): why a fixed tolerance cannot judge a
convolution, measured. One backend (CONV_BACKEND, default numpy), float32.

For n = C x 3 x 3 terms per output from 9 to about 3000 it convolves random float32 data and
plots, log-log, the worst error against the worst-case bound (grows like n) and against the
sqrt(n) precision grade, once for the backend and once with TF32-rounded inputs. It also counts
how many of the backend's correct outputs torch.testing.assert_close's default float32
tolerances (rtol 1.3e-6, atol 1e-5) would flag. Writes results/precision/sweep.json and .png.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import settings
import backends
import reference as ref
from runner.files import write_json_atomic
from reference.bounds import error_ratio, worst_ratio
from reference.dtypes import round_to_tf32

from reference.bounds import GRADE_THRESHOLD

CHANNELS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 340]
ASSERT_CLOSE_RTOL, ASSERT_CLOSE_ATOL = 1.3e-6, 1e-5  # torch.testing's documented float32 defaults
U32 = 2.0 ** -24


def measure(backend, channels: int, rng) -> dict:
    x = rng.standard_normal((1, channels, 16, 16)).astype(np.float32)
    w = rng.standard_normal((8, channels, 3, 3)).astype(np.float32)
    terms = ref.forward_terms(x, w)
    truth = ref.conv2d(x, w)
    scale = U32 * terms.S
    row = {"n": terms.n}
    for label, got in (("backend", backend.conv2d(x, w)), ("tf32", ref.conv2d(round_to_tf32(x), round_to_tf32(w)))):
        row[label] = {
            "worst_error_over_uS": worst_ratio(got, truth, scale),
            "grade": ref.precision_grade(got, truth, terms, np.float32),
            "within_worst_case_bound": worst_ratio(got, truth, ref.worst_case_bound(terms, np.float32)) <= 1,
        }
    return row


def assert_close_flags(backend, rng) -> dict:
    """The example of docs/design.md, Precision grade: a correct 64-channel 7x7 convolution, 512 outputs."""
    x = rng.standard_normal((1, 64, 14, 14)).astype(np.float32)
    w = rng.standard_normal((8, 64, 7, 7)).astype(np.float32)
    got, truth = np.asarray(backend.conv2d(x, w), np.float64), ref.conv2d(x, w)
    flagged = np.abs(got - truth) > ASSERT_CLOSE_ATOL + ASSERT_CLOSE_RTOL * np.abs(truth)
    within = error_ratio(got, truth, ref.error_bound(x, w, np.float32)) <= 1
    return {"outputs": int(truth.size), "flagged_by_assert_close_defaults": int(flagged.sum()),
            "within_error_bound": int(within.sum()),
            "grade": ref.precision_grade(got, truth, ref.forward_terms(x, w), np.float32)}


def plot(rows, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    n = np.array([r["n"] for r in rows], float)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.loglog(n, [r["backend"]["worst_error_over_uS"] for r in rows], "o-", label="backend float32")
    ax.loglog(n, [r["tf32"]["worst_error_over_uS"] for r in rows], "s-", label="TF32-rounded inputs")
    ax.loglog(n, ref.bounds.BOUND_CONSTANT * (n + 1), "k--", label="worst-case bound 2 (n + 1)")
    ax.loglog(n, GRADE_THRESHOLD * np.sqrt(n), "k:", label=f"grade threshold {GRADE_THRESHOLD:g} sqrt(n)")
    ax.set_xlabel("n, terms per output (channels x 3 x 3)")
    ax.set_ylabel("worst |error| / (u conv(|x|, |w|))")
    ax.set_title("Worst error against the bound and the sqrt(n) grade")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.precision", description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=Path("results") / "precision")
    args = parser.parse_args(argv)
    named = settings.exit_on_error(settings.one_backend, "numpy")
    try:
        spec = backends.selected(named)[0][0]
    except backends.BackendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    backend = backends.load(spec)
    rng = np.random.default_rng(10)
    rows = []
    print(f"precision sweep on {spec}, float32: n, worst error/(u S) [backend | TF32], grade [backend | TF32]")
    for c in CHANNELS:
        rows.append(measure(backend, c, rng))
        r = rows[-1]
        print(f"  n={r['n']:5d}  error/uS {r['backend']['worst_error_over_uS']:9.3g} | {r['tf32']['worst_error_over_uS']:9.3g}"
              f"   grade {r['backend']['grade']:6.2f} | {r['tf32']['grade']:8.1f}"
              f"   TF32 within worst-case bound: {r['tf32']['within_worst_case_bound']}", flush=True)
    flags = assert_close_flags(backend, rng)
    print(f"torch.testing.assert_close float32 defaults flag {flags['flagged_by_assert_close_defaults']} of "
          f"{flags['outputs']} correct outputs of a 64-channel 7x7 convolution (all {flags['within_error_bound']} "
          f"are within the error bound; grade {flags['grade']:.2f})")
    args.results.mkdir(parents=True, exist_ok=True)
    write_json_atomic(args.results / "sweep.json", {"backend": spec, "rows": rows, "assert_close": flags,
                                                    "grade_threshold": GRADE_THRESHOLD})
    plot(rows, args.results / "sweep.png")
    print(f"wrote {args.results / 'sweep.json'} and {args.results / 'sweep.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
