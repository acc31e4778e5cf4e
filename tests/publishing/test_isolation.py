"""Worker processes: reused while healthy, killed when they overrun, never left behind."""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clustergraph.publishing.isolation import (
    Worker,
    WorkerPool,
    WorkFailed,
    WorkTimeout,
    run_forked,
)


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def gone(pid: int, timeout: float = 3) -> bool:
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not alive(pid)


def test_a_pool_reuses_its_workers_and_replaces_spent_ones() -> None:
    async def scenario() -> list[int]:
        pool = WorkerPool(lambda _payload: os.getpid(), idle=2, max_uses=3)
        try:
            return [await pool.run(None, 10) for _ in range(5)]
        finally:
            pool.close()

    pids = asyncio.run(scenario())
    assert pids[0] == pids[1] == pids[2] != os.getpid()  # one worker, three requests
    assert pids[3] == pids[4] != pids[0]  # then a fresh one
    assert gone(pids[0]) and gone(pids[3])


def test_a_timeout_kills_the_worker_and_the_next_request_gets_a_new_one() -> None:
    async def scenario() -> tuple[int, int, float]:
        pool = WorkerPool(lambda seconds: (time.sleep(seconds), os.getpid())[1])
        try:
            first = await pool.run(0, 10)
            start = time.monotonic()
            with pytest.raises(WorkTimeout):
                await pool.run(60, 0.5)
            took = time.monotonic() - start
            second = await pool.run(0, 10)
            return first, second, took
        finally:
            pool.close()

    first, second, took = asyncio.run(scenario())
    assert 0.5 <= took < 1.5
    assert first != second and gone(first)


def test_a_worker_that_died_while_idle_is_replaced_without_failing_the_request() -> None:
    async def scenario() -> tuple[int, int]:
        pool = WorkerPool(lambda _payload: os.getpid())
        try:
            first = await pool.run(None, 10)
            os.kill(first, signal.SIGKILL)
            assert gone(first)
            return first, await pool.run(None, 10)
        finally:
            pool.close()

    first, second = asyncio.run(scenario())
    assert second != first


def test_refresh_gives_later_requests_the_data_as_it_is_now() -> None:
    box = {"value": "before"}

    async def scenario() -> list[str]:
        pool = WorkerPool(lambda _payload: box["value"])
        try:
            seen = [await pool.run(None, 10)]
            box["value"] = "after"
            seen.append(await pool.run(None, 10))  # the idle worker still holds the old copy
            pool.refresh()
            seen.append(await pool.run(None, 10))
            return seen
        finally:
            pool.close()

    assert asyncio.run(scenario()) == ["before", "before", "after"]


def test_errors_come_back_and_retire_the_worker() -> None:
    def handler(payload: str) -> int:
        if payload == "boom":
            raise ValueError("boom")
        return os.getpid()

    async def scenario() -> tuple[int, int]:
        pool = WorkerPool(handler)
        try:
            first = await pool.run("ok", 10)
            with pytest.raises(WorkFailed, match="the work failed: ValueError: boom"):
                await pool.run("boom", 10)
            return first, await pool.run("ok", 10)
        finally:
            pool.close()

    first, second = asyncio.run(scenario())
    assert first != second and gone(first)


def test_closing_one_worker_ends_it_although_a_sibling_was_forked_later() -> None:
    async def scenario() -> tuple[Worker, Worker]:
        one = Worker.fork(lambda _payload: os.getpid())
        two = Worker.fork(lambda _payload: os.getpid())  # inherits the parent's end of one's pipe...
        assert await one.ask(None, 10) == one.pid
        one.close()  # ...and must have closed it, or one would never see the end
        return one, two

    one, two = asyncio.run(scenario())
    try:
        assert gone(one.pid)
        assert alive(two.pid)
    finally:
        two.close()
    assert gone(two.pid)


def test_cancelling_the_caller_kills_the_worker() -> None:
    pids: list[int] = []

    async def scenario() -> None:
        worker = Worker.fork(lambda _payload: time.sleep(60))
        pids.append(worker.pid)
        task = asyncio.ensure_future(worker.ask(None, None))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert gone(pids[0])


def test_a_worker_dies_with_a_parent_that_was_killed() -> None:
    """SIGKILL leaves a server no time to clean up: its workers must not live on."""
    script = (
        "import asyncio, os, sys, time\n"
        "from clustergraph.publishing.isolation import Worker\n"
        "async def main():\n"
        "    worker = Worker.fork(lambda _p: time.sleep(600))\n"
        "    print(worker.pid, flush=True)\n"
        "    await worker.ask(None, None)\n"
        "asyncio.run(main())\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        worker = int(proc.stdout.readline())
        assert alive(worker)
        proc.kill()
        proc.wait(10)
        assert gone(worker)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_answers_larger_than_allowed_are_refused() -> None:
    with pytest.raises(WorkFailed, match="the answer is larger than 1,000 bytes"):
        asyncio.run(run_forked(lambda: b"x" * 100_000, 10, max_bytes=1000))
    assert asyncio.run(run_forked(lambda: b"x" * 500, 10, max_bytes=1000)) == b"x" * 500


def test_a_worker_stops_itself_past_its_cpu_limit() -> None:
    """Even if nobody kills it, a worker does not spin past the request's timeout (RLIMIT_CPU)."""
    worker = Worker.fork(lambda _payload: exec("while True: pass"))
    try:
        request = pickle.dumps((1.0, None))  # (timeout, payload), as Worker.ask sends it
        os.write(worker.requests, struct.pack("!Q", len(request)) + request)
        # 1 s of CPU allowed plus a second of slack and rounding: about 3 s of CPU, more
        # wall-clock time on a busy machine; without the limit it would spin for ever
        assert gone(worker.pid, timeout=20)
        status = os.waitpid(worker.pid, 0)[1]
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL)
    finally:
        worker.kill()
