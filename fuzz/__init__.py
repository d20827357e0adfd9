"""`make fuzz`: a property-based search of the convolution space for findings, each shrunk and reproduced."""
