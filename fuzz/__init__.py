"""`make fuzz`: a property-based search (hypothesis) of conformance's case space on each backend,
judged by conformance's own checks; every finding shrunk to a minimal case (fuzz/README in
docs/findings.md). A layer above conformance: it may import conformance; nothing imports it."""
