"""`make matrix`: the conformance suite across framework releases. matrix.toml says which releases
(plan.py); each release is one cell (cell.py: its own uv environment, environment.py, and one
results folder); `python -m matrix` merges the cells into one report about change (merge.py,
report.py). noxfile.py runs the cells as nox sessions."""
