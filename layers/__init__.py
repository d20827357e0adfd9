"""One layer configuration, built natively in every framework: the foundation of `make export`
(each framework's layer through ONNX) and `make port` (a layer's weights moved between frameworks).

`config.py` holds the configuration type and the shared set; `backends/<framework>/layers.py`
builds that framework's own layer from canonical weights.
"""
from .config import CONFIGS, LayerConfig, NotSpellable, config_by_name, parse_layer

__all__ = ["CONFIGS", "LayerConfig", "NotSpellable", "config_by_name", "parse_layer"]
