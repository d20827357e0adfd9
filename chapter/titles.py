"""Section titles in English and in the Chinese edition's words (zh.d2l.ai, 6.2-6.4)."""
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
}
LANGS = ("en", "zh")


def title(key: str, lang: str = "en") -> str:
    """The English title; with lang "zh" followed by the Chinese one."""
    if lang not in LANGS:
        raise ValueError(f"--lang {lang!r}: expected one of {', '.join(LANGS)}")
    en, zh = SECTIONS[key]
    return en if lang == "en" else f"{en} / {zh}"
