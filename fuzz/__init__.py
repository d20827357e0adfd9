"""`make fuzz`: a property-based search (hypothesis) of conformance's case space on each backend,
judged by conformance's own checks, every finding shrunk to a minimal case and written as a native
reproducer (reproduce/). A layer above conformance: it may import conformance; nothing imports it."""
