"""A plug-in that refuses a legal input only for a dilation of 4 on either axis (the corpus's
largest is 2)."""
import backends

_numpy = backends.load("numpy")


class Backend:
    name = "dilation_four"

    def conv2d(self, x, w, b=None, *, dilation=1, **params):
        if 4 in ((dilation, dilation) if isinstance(dilation, int) else tuple(dilation)):
            raise ValueError("dilation 4 is not supported")
        return _numpy.conv2d(x, w, b, dilation=dilation, **params)
