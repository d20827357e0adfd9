"""A plug-in wrong only when the kernel is at least 2 rows tall and at least 3 columns wider than
tall (the corpus's widest such kernel is 2x4; its 1x7 is one row tall): it adds 1 to the answer."""
import backends

_numpy = backends.load("numpy")


class Backend:
    name = "wide_kernel"

    def conv2d(self, x, w, b=None, **params):
        y = _numpy.conv2d(x, w, b, **params)
        kh, kw = w.shape[2:]
        return y + 1 if kh >= 2 and kw >= kh + 3 else y
