"""runner/machine.py from given /proc/cpuinfo texts: nothing here depends on this machine's CPU."""
from runner.machine import KERNEL_FEATURES, cpu_features, cpu_model, describe

# Two cores of an AVX2-only AMD part (a Zen 2 EPYC, no AVX-512), flags shortened.
AMD_AVX2 = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 7R32
flags\t\t: fpu sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 bmi2 sha_ni

processor\t: 1
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 7R32
flags\t\t: fpu sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 bmi2 sha_ni
"""

# An AVX-512 Intel part with VNNI and BF16 (Cooper Lake), no AMX.
INTEL_AVX512 = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8380H CPU @ 2.90GHz
flags\t\t: fpu sse sse2 fma avx avx2 avx512f avx512dq avx512cd avx512bw avx512vl avx512_vnni avx512_bf16
"""

ARM = """processor\t: 0
BogoMIPS\t: 50.00
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics asimddp
CPU implementer\t: 0x41
"""


def test_the_model_name_line_names_the_cpu():
    assert cpu_model(AMD_AVX2) == "AMD EPYC 7R32"
    assert cpu_model(INTEL_AVX512) == "Intel(R) Xeon(R) Platinum 8380H CPU @ 2.90GHz"


def test_without_a_model_name_line_the_platform_names_something():
    assert cpu_model(ARM)  # platform.processor() or the architecture, never empty


def test_an_avx2_only_cpu_has_no_avx512_feature():
    features = describe(AMD_AVX2)["features"]
    assert features["AVX2"] and features["FMA"]
    assert not any(on for name, on in features.items() if name.startswith(("AVX-512", "AMX")))
    assert not features["AVX-VNNI"]


def test_an_avx512_cpu_shows_vnni_and_bf16_but_not_amx():
    features = describe(INTEL_AVX512)["features"]
    assert features["AVX-512F"] and features["AVX-512BW"] and features["AVX-512VL"]
    assert features["AVX-512 VNNI"] and features["AVX-512 BF16"]
    assert not features["AVX-512 FP16"] and not features["AMX-TILE"]


def test_every_kernel_feature_is_listed_in_order_under_its_display_name():
    assert list(describe(INTEL_AVX512)["features"]) == [shown for _, shown in KERNEL_FEATURES]
    assert "avx512_vnni" in cpu_features(INTEL_AVX512)  # the Linux spelling KERNEL_FEATURES looks for


def test_describe_names_the_cpu_the_cores_and_the_system():
    found = describe(AMD_AVX2)
    assert found["cpu"] == "AMD EPYC 7R32"
    assert isinstance(found["cores"], int) and found["system"] and found["machine"]
    assert "note" not in found


def test_without_feature_flags_features_are_empty_and_a_note_says_why():
    found = describe("processor\t: 0\n")  # what a system without /proc/cpuinfo flags gives
    assert found["features"] == {} and "/proc/cpuinfo" in found["note"]


def test_arm_flags_are_read_and_no_x86_feature_is_claimed():
    assert "asimd" in cpu_features(ARM)
    assert not any(describe(ARM)["features"].values())
