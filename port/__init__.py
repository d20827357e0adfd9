"""`make port`: will a conv layer behave the same after it is moved to another framework?

spelling.py (how each framework writes padding: natural, naive, faithful), pads.py (what a layer
really computed, found from its output), worker.py (one framework's process: source and target
phases), judge.py and diagnose.py (the comparison and how a port differs), model.py, sections.py,
markdown.py, terminal.py, heatmap.py (the report), __main__.py (the orchestrator).
"""
