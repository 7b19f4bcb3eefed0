"""sc_neurocore.sweep on Dask's real distributed scheduler: a LocalCluster of 2 worker processes on loopback.

The same sweep gives the same table serially, on the process pool and on the
cluster; a worker killed mid-sweep (SIGKILL of its process) loses no run and
duplicates none; timeouts work in Dask's worker threads.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator

import _sweep_funcs as funcs
import numpy as np
import pytest

from sc_neurocore.sweep import Sweep, run

distributed = pytest.importorskip("distributed")

VOLATILE = ("wall_time_s", "worker")


def same_table(a, b) -> None:  # type: ignore[no-untyped-def]
    assert a.columns == b.columns
    for c in a.columns:
        if c not in VOLATILE:
            np.testing.assert_array_equal(a[c], b[c], err_msg=c)


@pytest.fixture(scope="module")
def client() -> Iterator[distributed.Client]:
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
    )
    cl = distributed.Client(cluster)
    try:
        yield cl
    finally:
        cl.close()
        cluster.close()


def test_serial_process_pool_and_cluster_give_the_same_table(client):
    sw = Sweep(funcs.noisy, {"x": [0.0, 1.5, 3.0], "k": [1, 2]}, n_seeds=4, seed=11)
    serial = run(sw, "serial", progress=False)
    pooled = run(sw, "processes", n_workers=2, progress=False)
    on_client = run(sw, client, progress=False)
    by_address = run(sw, client.scheduler.address, progress=False)
    for other in (pooled, on_client, by_address):
        same_table(serial.table, other.table)
    assert set(on_client.table["worker"].tolist()) <= set(client.scheduler_info()["workers"])
    assert client.status == "running"  # a Client passed in is not closed


def test_scheduler_local_starts_and_closes_its_own_cluster():
    sw = Sweep(funcs.noisy, {"x": [0.0, 1.0]}, n_seeds=2, seed=3)
    result = run(sw, "local", n_workers=2, progress=False)
    same_table(result.table, run(sw, "serial", progress=False).table)
    assert all(w.startswith("tcp://127.0.0.1:") for w in result.table["worker"].tolist())


def test_timeout_and_failures_on_dask_worker_threads(client):
    sw = Sweep(funcs.spin_on_one, {"x": [0, 1, 2]}, timeout=0.3)
    result = run(sw, client, progress=False)
    assert result.table["x"].tolist() == [0, 2]
    assert [(f.point, f.error) for f in result.failures] == [
        (1, "PointTimeout: the run exceeded the timeout of 0.3 s")
    ]
    failing = run(Sweep(funcs.fails_on_two, {"x": [1, 2, 3]}), client, progress=False)
    assert [f.point for f in failing.failures] == [1] and "Traceback" in failing.failures[0].traceback


def test_a_closure_over_a_lock_cannot_be_sent_to_the_cluster(client):
    lock = threading.Lock()

    def f(x: int, *, seed: np.random.SeedSequence) -> dict[str, float]:  # pragma: no cover - never sent
        with lock:
            return {"y": float(x)}

    with pytest.raises(
        TypeError, match="fn must be serialisable to run on a Dask cluster .*cannot pickle '_thread.lock'"
    ):
        run(Sweep(f, {"x": [1]}), client, progress=False)


def test_a_worker_killed_mid_sweep_loses_and_duplicates_no_run(client, tmp_path):
    n = 16
    sw = Sweep(funcs.sleepy, {"x": list(range(n)), "delay": [0.25]}, n_seeds=1, seed=5)
    box: dict[str, object] = {}

    def drive() -> None:
        try:
            box["result"] = run(sw, client, out=tmp_path, progress=False)
        except BaseException as exc:  # re-raised in the test thread below
            box["error"] = exc

    driver = threading.Thread(target=drive)
    driver.start()
    results = tmp_path / "results.jsonl"
    killed = None
    try:
        deadline = time.monotonic() + 120.0  # a safety net for a hung cluster, not a performance limit
        while killed is None and time.monotonic() < deadline and driver.is_alive():
            if results.exists() and len(results.read_text().splitlines()) >= 2:
                busy = [w for w, tasks in client.processing().items() if tasks]
                if busy:
                    pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                    os.kill(pid, signal.SIGKILL)  # the worker process dies mid-task
                    killed = busy[0]
            time.sleep(0.02)
    finally:
        driver.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    assert killed is not None, "no worker was busy to be killed"
    result = box["result"]
    assert result.table["point"].tolist() == list(range(n)) and not result.failures  # type: ignore[attr-defined]
    points = [json.loads(line)["point"] for line in results.read_text().splitlines()]
    assert sorted(points) == list(range(n))  # every run recorded exactly once
    # the nanny restarts the killed worker: the cluster is back to two workers
    client.wait_for_workers(2, timeout=60)
