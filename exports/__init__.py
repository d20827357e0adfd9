"""`make export`: each framework's own layer (layers/, backends/<framework>/layers.py) exported to
ONNX with that framework's exporter (backends/<framework>/export.py), run in ONNX Runtime and
compared with the framework's own output.

Flow: `python -m exports` (__main__.py) -> one process per framework (worker.py, trip.py) ->
results/export/<backend>.json -> rows judged (judge.py: compare.py locates a disagreement,
graph.py reads the exported padding) -> report.json, report.md (report.py), terminal (terminal.py).
"""
