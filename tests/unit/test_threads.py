"""Backend processes that run side by side get their share of the cores, not all of them each."""
from runner.threads import POOL_VARIABLES, share_of_cores


def test_one_process_alone_keeps_every_core(monkeypatch):
    assert share_of_cores(1, cores=8) == {}


def test_two_processes_on_two_cores_get_one_thread_each(monkeypatch):
    for name in (*POOL_VARIABLES, "XLA_FLAGS"):
        monkeypatch.delenv(name, raising=False)
    env = share_of_cores(2, cores=2)
    assert {env[name] for name in POOL_VARIABLES} == {"1"}
    assert "multi_thread_eigen=false" in env["XLA_FLAGS"]
    assert share_of_cores(2, cores=8)["OMP_NUM_THREADS"] == "4"
    assert share_of_cores(3, cores=2)["OMP_NUM_THREADS"] == "1"  # never zero


def test_a_variable_the_user_set_is_left_alone(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    monkeypatch.setenv("XLA_FLAGS", "--xla_dump_to=/tmp/x")
    env = share_of_cores(2, cores=4)
    assert "OMP_NUM_THREADS" not in env and "XLA_FLAGS" not in env and env["MKL_NUM_THREADS"] == "2"


def test_onnx_runtime_sessions_take_their_share_from_conv_ort_threads(monkeypatch):
    """ONNX Runtime reads no pool variable of its own: its adapter's sessions follow CONV_ORT_THREADS,
    which share_of_cores sets (each session otherwise builds a pool of one thread per core)."""
    import pytest
    pytest.importorskip("onnxruntime")
    from backends.onnxruntime import ops
    monkeypatch.delenv("CONV_ORT_THREADS", raising=False)
    assert ops.session_options().intra_op_num_threads == 0  # ORT's own default
    monkeypatch.setenv("CONV_ORT_THREADS", share_of_cores(2, cores=2)["CONV_ORT_THREADS"])
    assert ops.session_options().intra_op_num_threads == 1
    assert ops.threads()["intra_op_num_threads"] == 1  # and the report's numerics say so
