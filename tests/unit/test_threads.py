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
