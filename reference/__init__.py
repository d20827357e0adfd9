"""float64 NumPy truth for the chapter: every adapter is checked against these functions."""
from .book import edge_image
from .bounds import error_bound, forward_terms, gradient_terms, precision_grade, worst_case_bound, worst_ratio
from .conv import conv2d, conv2d_grads, convolve2d, corr2d, corr2d_matmul
from .dtypes import as_dtype, unit_roundoff
from .kernels import derivative_kernel, integral_kernel, laplacian_kernel
from .params import ConvParams, conv_params, output_shape
from .training import Conv2D, TrainResult, lr_limit, train_kernel

__all__ = [
    "Conv2D", "ConvParams", "TrainResult", "as_dtype", "conv2d", "conv2d_grads", "conv_params",
    "convolve2d", "corr2d", "corr2d_matmul", "derivative_kernel", "edge_image", "error_bound",
    "forward_terms", "gradient_terms", "integral_kernel", "laplacian_kernel", "lr_limit",
    "output_shape", "precision_grade", "train_kernel", "unit_roundoff", "worst_case_bound",
    "worst_ratio",
]
