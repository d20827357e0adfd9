"""The orchestration toolkit shared by `make conformance`, `make d2l` and `make bench`: start one
process per backend (process.py), show progress (progress.py), write results (files.py), one run
per results folder (lock.py), and the backends `make test-adapters` loops over (list.py). The
adapters never import it; it imports the registry to know which interpreter runs a backend."""
