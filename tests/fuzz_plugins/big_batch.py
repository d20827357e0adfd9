"""A plug-in wrong only for a batch of 5 images or more (the corpus's largest is 3)."""
import backends

_numpy = backends.load("numpy")


class Backend:
    name = "big_batch"

    def conv2d(self, x, w, b=None, **params):
        y = _numpy.conv2d(x, w, b, **params)
        if x.shape[0] >= 5:
            y = y.copy()
            y[-1] = 0  # the last image's answer lost
        return y
