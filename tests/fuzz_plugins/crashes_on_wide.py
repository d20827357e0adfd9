"""A plug-in whose process dies (SIGABRT, as glibc's heap checks end a process that wrote outside
its buffers) when the kernel is at least 5 columns wide; right everywhere else."""
import os

import backends

_numpy = backends.load("numpy")


class Backend:
    name = "crashes_on_wide"

    def conv2d(self, x, w, b=None, **params):
        if w.shape[3] >= 5:
            os.abort()
        return _numpy.conv2d(x, w, b, **params)
