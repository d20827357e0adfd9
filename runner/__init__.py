"""The orchestration toolkit shared by `make conformance`, `make d2l` and `make bench`: start one
process per backend (process.py), show progress (progress.py), write results (files.py). The
adapters never import it; it imports the registry to know which interpreter runs a backend."""
