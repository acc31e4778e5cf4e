"""Atomic writes: a file or a folder is written under a temporary name and renamed.

A reader never sees a half-written file, and a failed or interrupted write leaves
the previous version untouched. Three guarantees hold for every write made here:

* **One error.** An :class:`OSError` while writing (disk full, a file-size limit,
  permission refused, a read-only disk, a file where a folder should be) becomes a
  :class:`~clustergraph.errors.WriteError` that names the final path, never a
  temporary one, and says how to fix it. :func:`write_error` is that one
  translation; other layers (the on-disk store) use it too, directly or through
  :func:`writing`.
* **Nothing left.** A failed write removes its temporary. Temporaries have
  recognisable names (``.NAME.clustergraph-XXXXXXXX.tmp`` beside the target, or
  ``.clustergraph-XXXXXXXX.tmp`` inside an existing target folder) and are locked
  (``flock``) for as long as their writer runs; the next write to the same target
  removes those left by a killed run (:func:`clean_stale`): unlocked, and older
  than the running process or than a minute, so a concurrent run's are kept.
* **Permissions kept.** A replaced file or folder keeps its mode; a new one gets
  the usual mode (``0o666`` or ``0o777`` less the umask), not ``mkstemp``'s 0600.

>>> import tempfile, pathlib
>>> scratch = tempfile.TemporaryDirectory()
>>> d = pathlib.Path(scratch.name)
>>> with atomic_write(d / "out.txt") as fh:
...     _ = fh.write("hello")
>>> (d / "out.txt").read_text()
'hello'
>>> oct((d / "out.txt").stat().st_mode & 0o777) == oct(0o666 & ~umask())
True
>>> with atomic_dir(d / "site") as tmp:
...     _ = (tmp / "index.html").write_text("<p>hi</p>")
>>> sorted(p.name for p in (d / "site").iterdir())
['index.html']
>>> try:
...     with atomic_write(d / "out.txt" / "inside.txt") as fh:
...         pass
... except WriteError as exc:
...     print(exc.path.endswith("inside.txt"), exc.errno == errno.ENOTDIR)
True True
>>> scratch.cleanup()
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .errors import WriteError

try:  # POSIX: advisory locks tell a running writer's temporaries from a killed one's
    import fcntl
except ImportError:  # pragma: no cover - Windows: nothing is ever removed as stale
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "atomic_write",
    "atomic_dir",
    "scratch_dir",
    "write_error",
    "is_write_error",
    "writing",
    "clean_stale",
    "umask",
    "TEMP_MARKER",
    "STALE_AFTER",
]

#: What every temporary name carries, so that a leftover is recognisable as ours.
TEMP_MARKER = "clustergraph-"
#: Seconds after which an unlocked temporary is stale even if this process is older.
STALE_AFTER = 60.0

#: When this process started using clustergraph: an unlocked temporary older than this is a leftover.
_STARTED = time.time()
_TEMP_NAME = re.compile(r"^\.(?:.+\.)?" + re.escape(TEMP_MARKER) + r"[A-Za-z0-9_]{8,}\.(?:tmp|old)$")

# errno -> how to fix it; ``{folder}`` is the folder the write went to.
_FIXES: dict[int, str] = {
    errno.ENOSPC: "free some space on that disk, or write to a folder on another disk",
    errno.EFBIG: "the file is larger than the file system or the file-size limit (ulimit -f) allows: raise the limit, or write to another disk",
    errno.EROFS: "that disk is mounted read-only: write to a folder on a writable disk",
    errno.EACCES: "give yourself write permission on {folder} (chmod u+w), or write to another folder",
    errno.EPERM: "the system refuses writes to {folder} (an immutable or protected folder): write to another folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder: rename that file, or choose another path",
    errno.EISDIR: "a folder has that name: choose another name, or move the folder away",
    errno.ENAMETOOLONG: "choose a shorter path",
    errno.ENOENT: "a folder on the way is missing or was removed while writing: check the path and run again",
    errno.EIO: "the disk reported an input/output error: check the disk, or write to another one",
    errno.ELOOP: "the path has a symbolic link loop: choose another path",
    errno.EMLINK: "the folder holds too many entries: write to another folder",
    errno.EXDEV: "the target and its temporary ended up on different disks: write to a plain folder, not a mount point's link",
    errno.ENOTEMPTY: "a non-empty folder has that name: move it away, or choose another name",
    errno.EEXIST: "something already has that name: move it away, or choose another name",
    errno.EBUSY: "the path is busy (a mount point?): write to another folder",
    errno.ETXTBSY: "the file is a running program: write to another file",
}
if hasattr(errno, "EDQUOT"):
    _FIXES[errno.EDQUOT] = "free some space within your disk quota, or write to a folder on another disk"
_DEFAULT_FIX = "check that the folder exists and is writable, then run again"


def umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux)."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    mask = os.umask(0o022)  # pragma: no cover - not Linux
    os.umask(mask)  # pragma: no cover
    return mask  # pragma: no cover


def _errno_of(exc: OSError) -> int | None:
    """The error number of ``exc``; for libraries that only put it in the text (Oxigraph's
    RocksDB says "IO error: No space left on device: ..."), recognised from the text."""
    if exc.errno is not None:
        return exc.errno
    text = str(exc)
    for code in _FIXES:
        if os.strerror(code) in text:
            return code
    return None


def write_error(exc: OSError, path: str | os.PathLike[str], *, unchanged: bool = False) -> WriteError:
    """The :class:`~clustergraph.errors.WriteError` for ``exc``, raised while writing ``path``.

    The one place where the operating system's write errors become a message: what
    failed (``path``), why (the system's reason, on one line) and the fix for that
    reason. ``unchanged`` adds that the previous version was kept.

    >>> import errno
    >>> err = write_error(OSError(errno.ENOSPC, "No space left on device"), "out/clustergraph.ttl", unchanged=True)
    >>> str(err)  # doctest: +NORMALIZE_WHITESPACE
    'cannot write out/clustergraph.ttl: no space left on device (nothing was changed); fix: free some space
     on that disk, or write to a folder on another disk'
    >>> err.exit_code, err.errno == errno.ENOSPC
    (2, True)
    """
    code = _errno_of(exc)
    target = os.fspath(path)
    if code is not None and exc.errno == code and exc.strerror:
        reason = exc.strerror
    elif code is not None:
        reason = os.strerror(code)
    else:
        reason = " ".join(str(exc).split()) or type(exc).__name__
    reason = reason[:1].lower() + reason[1:]
    folder = target if os.path.isdir(target) else (os.path.dirname(target) or ".")
    fix = _FIXES.get(code, _DEFAULT_FIX) if code is not None else _DEFAULT_FIX
    message = f"cannot write {target}: {reason}" + (" (nothing was changed)" if unchanged else "")
    return WriteError(message, path=target, errno=code, fix=fix.format(folder=folder))


def is_write_error(exc: BaseException) -> bool:
    """Whether ``exc`` is an OSError a write can cause (disk full, permission, read-only...), not a socket's or a timeout.

    >>> import errno
    >>> is_write_error(OSError(errno.ENOSPC, "No space left on device")), is_write_error(ConnectionRefusedError())
    (True, False)
    """
    if not isinstance(exc, OSError) or isinstance(exc, (ConnectionError, TimeoutError, BlockingIOError)):
        return False
    return _errno_of(exc) in _FIXES


def _inside(name: Any, roots: tuple[Path, ...]) -> Path | None:
    """The root that ``name`` (an OSError's filename) is, or lies under; ``None`` if none."""
    if name is None:
        return None
    try:
        p = Path(os.fsdecode(name)).absolute()
    except (TypeError, ValueError):
        return None
    for root in roots:
        r = root.absolute()
        if p == r or r in p.parents:
            return root
    return None


@contextlib.contextmanager
def writing(path: str | os.PathLike[str], *, unchanged: bool = False) -> Iterator[None]:
    """Run a block that writes ``path``; an OSError from the file system becomes a :func:`write_error`.

    For writers that cannot go through :func:`atomic_write` (an on-disk store). Only
    errors a write can cause (disk full, permission, read-only...) about ``path``, a
    file under it, or no file in particular are translated; an error about another
    file (an input that cannot be read), sockets, timeouts and other exceptions pass
    unchanged.

    >>> try:
    ...     with writing("/nonexistent-folder/x.nt"):
    ...         open("/nonexistent-folder/x.nt", "w")
    ... except WriteError as exc:
    ...     print(exc.path)
    /nonexistent-folder/x.nt
    """
    with _translated(path, (Path(path),), unchanged=unchanged):
        yield


@contextlib.contextmanager
def _translated(path: str | os.PathLike[str], roots: tuple[Path, ...] | None, *, unchanged: bool) -> Iterator[None]:
    """Translate a write's OSError about one of ``roots`` (any, if ``None``) or about no file in particular."""
    try:
        yield
    except OSError as exc:
        if is_write_error(exc) and (roots is None or exc.filename is None or _inside(exc.filename, roots)):
            raise write_error(exc, path, unchanged=unchanged) from exc
        raise


# --- locks and stale temporaries ---------------------------------------------------


def _lock(fd: int) -> int | None:
    """Hold an exclusive advisory lock on ``fd``'s file through a duplicate descriptor (returned)."""
    if fcntl is None:  # pragma: no cover - Windows
        return None
    dup = os.dup(fd)
    try:
        fcntl.flock(dup, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # pragma: no cover - a file system without locks: write unlocked
        os.close(dup)
        return None
    return dup


def _lock_folder(folder: Path) -> int | None:
    """Hold an exclusive advisory lock on ``folder``; the descriptor to close to release it."""
    if fcntl is None:  # pragma: no cover - Windows
        return None
    fd = os.open(folder, os.O_RDONLY)
    try:
        return _lock(fd)
    finally:
        os.close(fd)


def _unlock(fd: int | None) -> None:
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _remove_if_stale(path: Path) -> bool:
    """Remove ``path`` if it is a temporary nobody holds and it is older than this process (or a minute)."""
    if fcntl is None:  # pragma: no cover - Windows: a running writer cannot be told from a dead one
        return False
    try:
        info = path.lstat()
    except OSError:
        return False
    if not (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode)):
        return False  # never a link, a pipe or a device, whatever its name
    if info.st_mtime >= _STARTED and time.time() - info.st_mtime < STALE_AFTER:
        return False  # possibly made a moment ago by a run that has not locked it yet
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # a running writer holds it
        _remove(path)
        return True
    finally:
        os.close(fd)


def clean_stale(target: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporaries that killed runs left for ``target``; return what was removed.

    Looked for beside ``target`` (``.NAME.clustergraph-*.tmp``, its own temporaries)
    and, when ``target`` is a folder, inside it (``.clustergraph-*.tmp`` staging
    folders, ``.*.clustergraph-*.tmp`` files and ``.old`` folders being replaced). A
    temporary is removed only when no process holds its lock and it is older than
    the running process or than :data:`STALE_AFTER` seconds: a concurrent run's
    temporaries are left alone. Errors are ignored (cleaning is a courtesy).

    >>> import tempfile, pathlib, os
    >>> scratch = tempfile.TemporaryDirectory()
    >>> d = pathlib.Path(scratch.name)
    >>> left = d / ".out.nt.clustergraph-1a2b3c4d.tmp"
    >>> _ = left.write_text("half a file from a killed run")
    >>> os.utime(left, (0, 0))
    >>> [p.name for p in clean_stale(d / "out.nt")]
    ['.out.nt.clustergraph-1a2b3c4d.tmp']
    >>> scratch.cleanup()
    """
    path = Path(os.path.abspath(target))
    removed: list[Path] = []
    beside = re.compile(r"^\." + re.escape(path.name) + r"\." + re.escape(TEMP_MARKER) + r"[A-Za-z0-9_]{8,}\.(?:tmp|old)$")
    places: list[tuple[Path, re.Pattern[str]]] = [(path.parent, beside)]
    if path.is_dir() and not path.is_symlink():
        places.append((path, _TEMP_NAME))
    for folder, pattern in places:
        try:
            names = [n for n in os.listdir(folder) if pattern.match(n)]
        except OSError:
            continue
        for name in names:
            if _remove_if_stale(folder / name):
                removed.append(folder / name)
    return removed


def _token() -> str:
    return uuid.uuid4().hex[:12]


def _make_folder(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return those created, outermost first.

    A file where a folder should be is reported as such (``ENOTDIR`` naming that
    file), not as "file exists".
    """
    missing: list[Path] = []
    here = folder
    while not os.path.lexists(here):
        missing.append(here)
        if here.parent == here:
            break
        here = here.parent
    if os.path.lexists(here) and not here.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(here))
    created: list[Path] = []
    for item in reversed(missing):
        try:
            item.mkdir()
        except FileExistsError:  # made meanwhile by someone else: theirs, keep it
            if not item.is_dir():
                raise
            continue
        created.append(item)
    return created


def _unmake(created: list[Path]) -> None:
    """Remove the folders :func:`_make_folder` created, innermost first, if they are still empty."""
    for item in reversed(created):
        try:
            item.rmdir()
        except OSError:
            break


# --- files -------------------------------------------------------------------------


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; rename it onto ``path`` only if the block succeeds.

    A replaced file keeps its mode; a new one gets ``0o666`` less the umask. On any
    failure the temporary is removed and ``path`` is as it was; a file-system error
    (disk full, permission, read-only disk...) is raised as
    :class:`~clustergraph.errors.WriteError` naming ``path``.
    """
    target = Path(path)
    created: list[Path] = []
    with _translated(target, None, unchanged=True):  # making the temporary: any such error is about target
        created = _make_folder(target.parent)
        clean_stale(target)
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.{TEMP_MARKER}", suffix=".tmp", dir=target.parent)
        except BaseException:
            _unmake(created)
            raise
    tmp = Path(tmp_name)
    lock = _lock(fd)
    binary = "b" in mode
    try:
        with os.fdopen(fd, mode, encoding=None if binary else encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        try:
            old = target.stat()
            keep = stat.S_IMODE(old.st_mode) if stat.S_ISREG(old.st_mode) else 0o666 & ~umask()
        except FileNotFoundError:
            keep = 0o666 & ~umask()
        os.chmod(tmp, keep)  # mkstemp makes 0600
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        _unmake(created)
        if is_write_error(exc) and (getattr(exc, "filename", None) is None or _inside(exc.filename, (tmp, target, target.parent))):  # type: ignore[union-attr]
            raise write_error(exc, target, unchanged=True) from exc  # type: ignore[arg-type]
        raise
    finally:
        _unlock(lock)


# --- folders -----------------------------------------------------------------------


def _move_into(staging: Path, target: Path) -> None:
    """Move every entry of ``staging`` into ``target``, replacing entries of the same name.

    A file replaces a file with one rename; a folder replacing a folder (or a file
    replacing a folder, or the reverse) first moves the old one aside under a
    temporary name, removed once the new one is in place. Replaced entries keep their mode.
    """
    for item in sorted(staging.iterdir()):
        dest = target / item.name
        aside: Path | None = None
        try:
            old = dest.lstat()
        except FileNotFoundError:
            old = None
        if old is not None:
            if stat.S_ISREG(old.st_mode) or stat.S_ISDIR(old.st_mode):
                with contextlib.suppress(OSError):
                    os.chmod(item, stat.S_IMODE(old.st_mode))
            if stat.S_ISDIR(old.st_mode) or item.is_dir():
                aside = target / f".{item.name}.{TEMP_MARKER}{_token()}.old"
                os.rename(dest, aside)
        os.replace(item, dest)
        if aside is not None:
            _remove(aside)


def _remap(err: WriteError, staging: Path, target: Path) -> WriteError:
    """The same error, naming the final path instead of the staging folder's."""
    if err.path is None or _inside(err.path, (staging,)) is None:
        return err
    real = target / Path(err.path).absolute().relative_to(staging.absolute())
    text = str(err.message).replace(str(err.path), str(real))
    return WriteError(text, path=str(real), errno=err.errno, fix=err.fix)


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield an empty staging folder; its entries replace those of ``path`` only if the block succeeds.

    Entries already in ``path`` that the block does not write are kept, and so are
    the folder's own mode and owner. A new ``path`` appears whole, with one rename,
    and gets ``0o777`` less the umask. The staging folder is beside a new ``path``
    and inside an existing one (so that ``path`` may be a mount point, and only
    ``path`` needs to be writable). On any failure the staging folder is removed and
    ``path`` is as it was; a file-system error in the block or while moving the
    entries in is raised as :class:`~clustergraph.errors.WriteError` naming the
    final path, not the staging one.
    """
    target = Path(path)
    absolute = Path(os.path.abspath(target))
    created: list[Path] = []
    with _translated(target, None, unchanged=True):  # making the temporary: any such error is about target
        if os.path.lexists(absolute) and not absolute.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(target))
        existing = absolute.is_dir()
        if not existing:
            created = _make_folder(absolute.parent)
        clean_stale(absolute)
        try:
            if existing:
                staging = Path(tempfile.mkdtemp(prefix=f".{TEMP_MARKER}", suffix=".tmp", dir=absolute))
            else:
                staging = Path(tempfile.mkdtemp(prefix=f".{absolute.name}.{TEMP_MARKER}", suffix=".tmp", dir=absolute.parent))
        except BaseException:
            _unmake(created)
            raise
    lock = _lock_folder(staging)
    try:
        yield staging
        if existing and absolute.is_dir():
            _move_into(staging, absolute)
            staging.rmdir()
        else:
            os.chmod(staging, 0o777 & ~umask())  # mkdtemp makes 0700
            try:
                os.rename(staging, absolute)
            except OSError as exc:  # the folder appeared meanwhile, with entries in it
                if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST) or not absolute.is_dir():
                    raise
                _move_into(staging, absolute)
                staging.rmdir()
    except BaseException as exc:
        _remove(staging)
        _unmake(created)
        if isinstance(exc, WriteError):
            remapped = _remap(exc, staging, target)
            if remapped is not exc:
                raise remapped from exc
            raise
        if is_write_error(exc):
            name = getattr(exc, "filename", None)
            if name is None or _inside(name, (staging, absolute, absolute.parent)):
                where = target
                if name is not None and _inside(name, (staging,)):
                    where = target / Path(os.fsdecode(name)).absolute().relative_to(staging.absolute())
                raise write_error(exc, where, unchanged=True) from exc  # type: ignore[arg-type]
        raise
    finally:
        _unlock(lock)


# --- scratch folders ---------------------------------------------------------------


@contextlib.contextmanager
def scratch_dir(purpose: str) -> Iterator[Path]:
    """A private, locked folder in the system's temporary folder, removed when the block ends.

    For files a library insists on writing (the DL reasoners' input): whatever ends
    up inside is removed with the folder, and a folder left by a killed run
    (``clustergraph-PURPOSE-*.tmp``, unlocked) is removed by the next one.

    >>> with scratch_dir("example") as d:
    ...     _ = (d / "x.nt").write_text("")
    ...     print(d.name.startswith("clustergraph-example-"))
    True
    >>> d.exists()
    False
    """
    if not re.fullmatch(r"[a-z0-9]+", purpose):
        raise ValueError(f"purpose must be lowercase letters and digits, not {purpose!r}")
    base = Path(tempfile.gettempdir())
    pattern = re.compile(r"^" + re.escape(f"{TEMP_MARKER}{purpose}-") + r"[A-Za-z0-9_]{8,}\.tmp$")
    with contextlib.suppress(OSError):
        for name in os.listdir(base):
            if pattern.match(name):
                _remove_if_stale(base / name)
    folder = Path(tempfile.mkdtemp(prefix=f"{TEMP_MARKER}{purpose}-", suffix=".tmp", dir=base))
    lock = _lock_folder(folder)
    try:
        yield folder
    finally:
        _remove(folder)
        _unlock(lock)
