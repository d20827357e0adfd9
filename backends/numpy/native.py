"""NumPy has no convolution op and no conv layer of its own: there is no native behaviour to
probe, so the divergence probes report it as "not implemented"."""
