"""Running work in forked worker processes that can really be stopped.

Neither Oxigraph nor rdflib's engine can interrupt a query from another thread, so a
timeout that only stops *waiting* leaves the work running. Work runs in a worker
process forked from the caller instead: the worker shares the caller's data
copy-on-write, receives requests through a pipe and sends back pickled results; past the
deadline, or when the caller is cancelled, it is killed with ``SIGKILL`` and the work
stops at once.

A :class:`WorkerPool` keeps workers between requests, because forking is cheap but not
free (about 7 ms for a process holding 100k triples, 25–200 ms for one of 1–2 GB): a
request takes an idle worker, or forks one; a worker that was killed, failed, grew, or
served :attr:`WorkerPool.max_uses` requests is replaced. :meth:`WorkerPool.refresh`
retires every idle worker, so that requests after a change of the data (a SPARQL
update) see the change. :func:`run_forked` runs one function in a worker of its own.

Every worker also limits itself, so that it cannot outlive a crashed parent or run away:

* it dies with the thread that forked it (``PR_SET_PDEATHSIG``, Linux);
* its CPU time per request is capped a little above the timeout (``RLIMIT_CPU``);
* its address space may grow by at most ``memory`` bytes (``RLIMIT_AS``);
* it closes the sockets and pipes it inherited (client connections, the listening socket,
  other workers' pipes), and with
  ``offline=True`` (the default) it may not open an Internet socket at all: a seccomp
  filter makes ``socket(AF_INET/AF_INET6, ...)`` fail (Linux x86-64 and arm64), and the
  Python socket functions refuse too. Whatever the work does, it cannot fetch anything.

Where ``os.fork`` does not exist the work runs in a thread and the timeout only stops
waiting (:func:`forking_available` says which).

>>> import asyncio, time
>>> asyncio.run(run_forked(lambda: 6 * 7, timeout=10))
42
>>> asyncio.run(run_forked(lambda: time.sleep(60), timeout=0.3))
Traceback (most recent call last):
...
clustergraph.publishing.isolation.WorkTimeout: the work ran longer than 0.3 s and was stopped; fix: make it smaller, or allow more time
>>> import socket
>>> asyncio.run(run_forked(lambda: socket.create_connection(("127.0.0.1", 9)), timeout=10))
Traceback (most recent call last):
...
clustergraph.publishing.isolation.WorkFailed: the work failed: PermissionError: network access is disabled in this worker process
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import math
import os
import pickle
import platform
import resource
import signal
import stat
import struct
import sys
import threading
import warnings
from collections.abc import Callable
from typing import Any

from ..errors import ClusterGraphError

__all__ = [
    "WorkTimeout",
    "WorkFailed",
    "WorkerGone",
    "Worker",
    "WorkerPool",
    "run_forked",
    "forking_available",
    "deny_network",
]


class WorkTimeout(ClusterGraphError):
    """The work ran past its deadline and was stopped."""


class WorkFailed(ClusterGraphError):
    """The work raised an error, ran out of memory, or its process died."""


class WorkerGone(WorkFailed):
    """The worker had died before the request reached it (nothing ran: safe to retry)."""


def forking_available() -> bool:
    """True where work can run in a forked, killable process (POSIX)."""
    return hasattr(os, "fork")


_HEADER = struct.Struct("!Q")  # every message: its length, then that many bytes of pickle

# --- in the worker ---------------------------------------------------------------

_PR_SET_PDEATHSIG = 1
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
# seccomp filter: architecture and syscall number of socket(2) per machine
_AUDIT_ARCH = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}


def _libc() -> Any:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - no C library to talk to
        return None


def _seccomp_deny_inet_sockets() -> bool:
    """Install a seccomp filter: ``socket()`` for any family but AF_UNIX fails with EPERM.

    Returns False where seccomp is not available (then only the Python guards apply).
    """
    machine = platform.machine().lower()
    libc = _libc()
    if not sys.platform.startswith("linux") or machine not in _AUDIT_ARCH or libc is None:
        return False
    arch, nr_socket = _AUDIT_ARCH[machine]
    ld_w_abs, jeq_k, ret_k = 0x20, 0x15, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | 1  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EPERM
    program = [
        (ld_w_abs, 0, 0, 4),  # A = seccomp_data.arch
        (jeq_k, 1, 0, arch),  # this architecture: go on; another one: allow (cannot judge)
        (ret_k, 0, 0, allow),
        (ld_w_abs, 0, 0, 0),  # A = seccomp_data.nr
        (jeq_k, 0, 3, nr_socket),  # socket(): check the family; any other call: allow
        (ld_w_abs, 0, 0, 16),  # A = low 32 bits of args[0], the address family
        (jeq_k, 1, 0, 1),  # AF_UNIX: allow
        (ret_k, 0, 0, deny),
        (ret_k, 0, 0, allow),
    ]
    buffer = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *ins) for ins in program))

    class _Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = _Prog(len(program), ctypes.cast(buffer, ctypes.c_void_p))
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) == 0


def deny_network() -> bool:
    """Make this process unable to reach the network (call it only in a worker process).

    Python's socket calls raise :class:`PermissionError` from now on, and on Linux a
    seccomp filter makes the kernel refuse Internet sockets to native code too
    (Oxigraph's HTTP client for ``SERVICE``). Returns True if the kernel filter is in place.
    """
    import socket

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise PermissionError("network access is disabled in this worker process")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse  # type: ignore[assignment]
    socket.getaddrinfo = refuse  # type: ignore[assignment]
    return _seccomp_deny_inet_sockets()


def _close_inherited(keep: set[int]) -> None:
    """Close the sockets and pipes the worker inherited (client connections, listeners,
    other workers' pipes: a worker holding them would keep its siblings from seeing
    their pipes close)."""
    try:
        fds = [int(n) for n in os.listdir("/proc/self/fd")]
    except OSError:  # pragma: no cover - no /proc
        return
    for fd in fds:
        if fd in keep or fd < 3:
            continue
        with contextlib.suppress(OSError):
            mode = os.fstat(fd).st_mode
            if stat.S_ISSOCK(mode) or stat.S_ISFIFO(mode):
                os.close(fd)


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):  # pragma: no cover - no /proc
        return 0


def _limit_self(parent: int, memory: int | None) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        with contextlib.suppress(ValueError, OSError):
            signal.signal(sig, signal.SIG_DFL)
    with contextlib.suppress(ValueError, OSError):
        signal.set_wakeup_fd(-1)
    libc = _libc() if sys.platform.startswith("linux") else None
    if libc is not None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    if memory is not None and (size := _address_space()):
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (size + memory, size + memory))


def _limit_cpu(seconds: float | None) -> None:
    """Let this request use ``seconds`` of CPU (plus a second) beyond what the worker used."""
    if seconds is None:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + seconds) + 1
    with contextlib.suppress(ValueError, OSError):
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        if hard == resource.RLIM_INFINITY or soft <= hard:
            resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        data = os.read(fd, min(left, 1 << 20))
        if not data:
            return None
        chunks.append(data)
        left -= len(data)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _serve(handler: Callable[[Any], Any], requests: int, answers: int, parent: int, memory: int | None, offline: bool) -> None:
    """The worker's life: answer requests until the pipe closes; never returns."""
    code = 0
    try:
        _limit_self(parent, memory)
        _close_inherited({requests, answers})
        if offline:
            deny_network()
        start = _address_space()
        while True:
            header = _read_exact(requests, _HEADER.size)
            if header is None:
                break
            data = _read_exact(requests, _HEADER.unpack(header)[0])
            if data is None:
                break
            timeout, payload = pickle.loads(data)
            _limit_cpu(timeout)
            retire = False
            try:
                outcome: tuple[str, Any] = ("ok", handler(payload))
            except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
                outcome, retire = ("error", f"{type(exc).__name__}: {exc}"), True
            if memory is not None and _address_space() > start + memory // 2:
                retire = True  # it grew: let a fresh worker take the next request
            try:
                message = pickle.dumps((outcome, retire), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # noqa: BLE001
                message = pickle.dumps((("error", f"the result cannot be sent back: {exc}"), True))
            _write_all(answers, _HEADER.pack(len(message)) + message)
            if retire:
                break
        os.close(answers)  # the parent sees the end now, not after this memory is torn down
    except BaseException:  # noqa: BLE001 - out of memory, a closed pipe: the parent sees no answer
        code = 70
    finally:
        os._exit(code)


# --- in the parent ---------------------------------------------------------------


def _wait_quietly(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _describe_status(status: int | None) -> str:
    if status is None:
        return "no exit status"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(sig).name}"
        return f"killed by signal {sig}"  # pragma: no cover
    return f"exit status {os.WEXITSTATUS(status)}"


class Worker:
    """One forked worker process that answers requests with ``handler(payload)``.

    Make it with :meth:`fork` from the thread that runs the event loop (the worker dies
    with that thread), then ``await`` :meth:`ask` as often as it stays :attr:`usable`.
    """

    def __init__(self, pid: int, requests: int, answers: int, max_bytes: int | None) -> None:
        self.pid = pid
        self.requests = requests
        self.answers = answers
        self.max_bytes = max_bytes
        self.uses = 0
        self.generation = 0
        self.usable = True
        self._reaped = False

    @classmethod
    def fork(cls, handler: Callable[[Any], Any], *, memory: int | None = None, max_bytes: int | None = None, offline: bool = True) -> Worker:
        """Fork a worker; ``memory`` caps how much it may grow, ``max_bytes`` one answer's size."""
        to_worker, requests = os.pipe()[::-1]  # (write end for us, read end for it)
        answers, from_worker = os.pipe()
        parent = os.getpid()
        with warnings.catch_warnings():  # Python 3.12 warns about fork() with threads
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # pragma: no cover - the worker (coverage cannot follow it)
            os.close(to_worker)
            os.close(answers)
            _serve(handler, requests, from_worker, parent, memory, offline)
        os.close(requests)
        os.close(from_worker)
        return cls(pid, to_worker, answers, max_bytes)

    def kill(self) -> None:
        """Stop the worker now (SIGKILL) and reap it without blocking the caller."""
        self.usable = False
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        self._close_pipes()
        self._reap(in_thread=True)

    def close(self) -> None:
        """Let the worker finish: it exits when it sees its request pipe close."""
        self.usable = False
        self._close_pipes()
        self._reap(in_thread=True)

    def _close_pipes(self) -> None:
        for name in ("requests", "answers"):
            fd = getattr(self, name)
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
                setattr(self, name, -1)

    def _reap(self, in_thread: bool) -> int | None:
        if self._reaped:
            return None
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            self._reaped = True
            return None
        if pid:
            self._reaped = True
            return status
        if in_thread:
            self._reaped = True
            threading.Thread(target=_wait_quietly, args=(self.pid,), name="clustergraph-reaper", daemon=True).start()
        return None

    async def ask(self, payload: Any, timeout: float | None) -> Any:
        """Send ``payload``, return the handler's result.

        Raises :class:`WorkTimeout` past ``timeout`` seconds and :class:`WorkFailed` if
        the handler raised or the worker died. The worker is killed on timeout, on
        failure and when the awaiting task is cancelled.
        """
        if not self.usable:
            raise WorkFailed("this worker process has been retired")
        loop = asyncio.get_running_loop()
        self.uses += 1
        try:
            _write_all(self.requests, self._frame((timeout, payload)))
        except OSError as exc:  # it died while idle
            self.kill()
            raise WorkerGone(f"the worker process is gone ({exc.strerror or exc})", fix="send the request again") from None
        done: asyncio.Future[bytes | None] = loop.create_future()
        buffer = bytearray()

        def readable() -> None:
            try:
                while True:
                    data = os.read(self.answers, 1 << 20)
                    if not data:
                        if not done.done():
                            done.set_result(None)
                        return
                    buffer.extend(data)
                    if len(buffer) >= _HEADER.size:
                        size = _HEADER.unpack_from(buffer)[0]
                        if self.max_bytes is not None and size > self.max_bytes + 4096 and not done.done():
                            done.set_exception(WorkFailed(
                                f"the answer is larger than {self.max_bytes:,} bytes",
                                fix="ask for less (add LIMIT, or fewer variables)",
                            ))
                            return
                        if len(buffer) >= _HEADER.size + size and not done.done():
                            done.set_result(bytes(buffer[_HEADER.size:_HEADER.size + size]))
                            return
            except BlockingIOError:
                return
            except OSError as exc:  # pragma: no cover - the pipe broke
                if not done.done():
                    done.set_exception(WorkFailed(f"lost the worker process: {exc}"))

        os.set_blocking(self.answers, False)
        loop.add_reader(self.answers, readable)
        answered = False
        try:
            try:
                message = await asyncio.wait_for(asyncio.shield(done), timeout)
            except asyncio.TimeoutError:
                raise WorkTimeout(
                    f"the work ran longer than {timeout:g} s and was stopped", fix="make it smaller, or allow more time"
                ) from None
            if message is None:
                raise WorkFailed(
                    f"the worker process ended without an answer ({await self._status()})",
                    fix="the work probably ran out of memory or CPU time; ask for less",
                )
            (kind, value), retire = pickle.loads(message)
            answered = True
        finally:
            if self.answers >= 0:
                loop.remove_reader(self.answers)
            if not answered:
                self.kill()
        if retire:
            self.close()
        if kind == "error":
            raise WorkFailed(f"the work failed: {value}")
        return value

    @staticmethod
    def _frame(value: Any) -> bytes:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        return _HEADER.pack(len(data)) + data

    async def _status(self) -> str:
        for _ in range(50):  # it is exiting: wait a little for its status, to say why
            status = self._reap(in_thread=False)
            if self._reaped:
                return _describe_status(status)
            await asyncio.sleep(0.002)
        return "no exit status"


class WorkerPool:
    """Workers forked on demand, kept between requests, killed when they overrun.

    Parameters
    ----------
    handler:
        What a worker does with a request's payload; it sees the process as it was
        when the worker was forked.
    idle:
        How many idle workers to keep (the callers bound how many run at once).
    memory, max_bytes, offline:
        Limits of each worker (see :meth:`Worker.fork`).
    max_uses:
        Requests a worker answers before it is replaced.

    Use it from one event loop, and call :meth:`close` when done.
    """

    def __init__(
        self,
        handler: Callable[[Any], Any],
        *,
        idle: int = 4,
        memory: int | None = None,
        max_bytes: int | None = None,
        offline: bool = True,
        max_uses: int = 200,
    ) -> None:
        self.handler = handler
        self.idle = idle
        self.memory = memory
        self.max_bytes = max_bytes
        self.offline = offline
        self.max_uses = max_uses
        self.generation = 0
        self.closed = False
        self._idle: list[Worker] = []

    def _take(self) -> Worker:
        while self._idle:
            worker = self._idle.pop()
            if worker.usable and worker.generation == self.generation:
                return worker
            worker.close()
        worker = Worker.fork(self.handler, memory=self.memory, max_bytes=self.max_bytes, offline=self.offline)
        worker.generation = self.generation
        return worker

    def take(self) -> Worker:
        """An idle worker of the current generation, or a newly forked one (forks now)."""
        if self.closed:
            raise WorkFailed("the worker pool is closed")
        return self._take()

    def give_back(self, worker: Worker) -> None:
        """Keep ``worker`` for the next request, or let it go if it is spent or stale."""
        if (
            not self.closed and worker.usable and worker.generation == self.generation
            and worker.uses < self.max_uses and len(self._idle) < self.idle
        ):
            self._idle.append(worker)
        else:
            worker.close()

    async def run(self, payload: Any, timeout: float | None) -> Any:
        """Answer ``payload`` in a worker; see :meth:`Worker.ask` for the errors."""
        for attempt in (1, 2):
            worker = self.take()
            try:
                value = await worker.ask(payload, timeout)
            except WorkerGone:
                if attempt == 2:
                    raise
                continue
            except BaseException:
                worker.kill()
                raise
            self.give_back(worker)
            return value
        raise AssertionError("unreachable")  # pragma: no cover

    def refresh(self) -> None:
        """Retire the idle workers: later requests see the data as it is now."""
        self.generation += 1
        while self._idle:
            self._idle.pop().close()

    def close(self) -> None:
        """Retire every idle worker and fork no more (busy ones end with their requests)."""
        self.closed = True
        self.refresh()


async def _in_thread(fn: Callable[[], Any], timeout: float | None) -> Any:  # pragma: no cover - no fork here
    loop = asyncio.get_running_loop()
    done: asyncio.Future[Any] = loop.create_future()

    def settle(value: Any, error: BaseException | None) -> None:
        if done.done():
            return
        if error is not None:
            done.set_exception(WorkFailed(f"the work failed: {type(error).__name__}: {error}"))
        else:
            done.set_result(value)

    def work() -> None:
        try:
            value = fn()
        except BaseException as exc:  # noqa: BLE001
            loop.call_soon_threadsafe(settle, None, exc)
        else:
            loop.call_soon_threadsafe(settle, value, None)

    threading.Thread(target=work, daemon=True).start()
    try:
        return await asyncio.wait_for(asyncio.shield(done), timeout)
    except asyncio.TimeoutError:
        raise WorkTimeout(f"the work ran longer than {timeout:g} s (it could not be stopped here)", fix="make it smaller, or allow more time") from None


async def run_forked(
    fn: Callable[[], Any],
    timeout: float | None,
    *,
    memory: int | None = None,
    max_bytes: int | None = None,
    offline: bool = True,
) -> Any:
    """Run ``fn()`` in a worker process of its own and return its result (it must pickle).

    Parameters
    ----------
    fn:
        The work; it sees the process as it was at the fork.
    timeout:
        Seconds until the worker is killed and :class:`WorkTimeout` raised (None: no limit).
    memory:
        Bytes the worker's address space may grow by (None: no limit); beyond it the
        work fails with :class:`WorkFailed`.
    max_bytes:
        Largest answer accepted (pickled).
    offline:
        Forbid the worker any network access (see :func:`deny_network`).
    """
    if not forking_available():  # pragma: no cover - Windows
        return await _in_thread(fn, timeout)
    worker = Worker.fork(lambda _payload: fn(), memory=memory, max_bytes=max_bytes, offline=offline)
    try:
        return await worker.ask(None, timeout)
    finally:
        worker.close()
