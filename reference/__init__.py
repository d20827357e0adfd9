"""float64 NumPy truth for the chapter and its sequel: every adapter is checked against these functions."""
from .book import edge_image
from .bounds import (Worst, error_bound, error_ratio, forward_terms, gradient_terms, precision_grade, worst_case_bound,
                     worst_element, worst_ratio)
from .conv import conv2d, conv2d_grads, convolve2d, corr2d, corr2d_matmul
from .dtypes import as_dtype, round_to_tf32, unit_roundoff
from .kernels import derivative_kernel, integral_kernel, laplacian_kernel
from .params import ConvParams, conv_params, output_shape
from .training import TrainResult, lr_limit, train_kernel
from .transposed import (TransposeTermCounts, conv_transpose2d, conv_transpose2d_grads, trans_conv,
                         transpose_forward_terms, transpose_gradient_terms, transpose_term_counts)
from .transposed_params import TransposeParams, conv_transpose_params, trans_conv_params

__all__ = [
    "ConvParams", "TrainResult", "Worst", "as_dtype", "conv2d", "conv2d_grads", "conv_params", "convolve2d",
    "corr2d", "corr2d_matmul", "derivative_kernel", "edge_image", "error_bound", "error_ratio", "forward_terms",
    "gradient_terms", "integral_kernel", "laplacian_kernel", "lr_limit", "output_shape", "precision_grade",
    "round_to_tf32", "train_kernel", "unit_roundoff", "worst_case_bound", "worst_element", "worst_ratio",
    "TransposeParams", "TransposeTermCounts", "conv_transpose2d", "conv_transpose2d_grads", "conv_transpose_params",
    "trans_conv", "trans_conv_params", "transpose_forward_terms", "transpose_gradient_terms", "transpose_term_counts",
]
