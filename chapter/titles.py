"""Section titles in English and in the Chinese edition's words (zh.d2l.ai, 6.2-6.4, and 13.10 for
transposed convolution, English 14.10)."""
from __future__ import annotations

SECTIONS = {  # key: (English, Chinese)
    "xcorr": ("The cross-correlation operation", "互相关运算"),
    "edges": ("Object edge detection in images", "图像中目标的边缘检测"),
    "learning": ("Learning a kernel", "学习卷积核"),
    "convergence": ("Why training the bias too at lr 0.03 diverges", "为什么同时训练偏置时学习率 0.03 会发散"),
    "convolution": ("Cross-correlation and convolution", "互相关和卷积"),
    "padding": ("Padding and stride", "填充和步幅"),
    "channels": ("Multiple input and multiple output channels", "多输入多输出通道"),
    "exercises": ("Exercises", "练习"),
    "readers": ("Readers' questions on 7.2", "读者的问题（6.2）"),
    "trans-basic": ("Transposed convolution: basic operation", "转置卷积：基本操作"),
    "trans-padding": ("Transposed convolution: padding, strides, and multiple channels", "转置卷积：填充、步幅和多通道"),
    "trans-matrix": ("Transposed convolution: connection to matrix transposition", "转置卷积：与矩阵变换的联系"),
    "trans-exercises": ("Transposed convolution: exercises", "转置卷积：练习"),
}
LANGS = ("en", "zh")


def title(key: str, lang: str = "en") -> str:
    """The English title; with lang "zh" followed by the Chinese one."""
    if lang not in LANGS:
        raise ValueError(f"--lang {lang!r}: expected one of {', '.join(LANGS)}")
    en, zh = SECTIONS[key]
    return en if lang == "en" else f"{en} / {zh}"
