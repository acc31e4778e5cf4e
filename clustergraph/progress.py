"""Progress of long work (loading, validation, rules, push, network, publish, generate), silent by default.

The library never prints: a stage wraps its long work in :func:`task` and advances
it, and nothing is shown unless the caller turned progress on with :func:`showing`
(the command line does on a terminal, without ``--quiet``) or :func:`enable` (in a
notebook). Bars are drawn by ``tqdm`` (a widget in Jupyter when ``ipywidgets`` is
installed, text on standard error otherwise).

>>> with task("loading", total=3) as bar:   # off: a stand-in that does nothing
...     bar.update(3)
>>> list(iterate(["a", "b"], "pages"))   # the items, unchanged
['a', 'b']
>>> enabled()
False
>>> with showing(False):
...     enabled()
False
"""

from __future__ import annotations

import contextvars
import importlib.util
import shutil
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = ["Task", "enable", "enabled", "iterate", "showing", "task"]

_ON: contextvars.ContextVar[bool | None] = contextvars.ContextVar("clustergraph_progress", default=None)
_GLOBAL = [False]


def enable(on: bool = True) -> None:
    """Show progress bars from now on (``enable(False)``: stop), e.g. at the top of a notebook."""
    _GLOBAL[0] = bool(on)


def enabled() -> bool:
    """Whether :func:`task` draws bars here (a :func:`showing` block decides, else :func:`enable`)."""
    on = _ON.get()
    return _GLOBAL[0] if on is None else on


@contextmanager
def showing(on: bool = True) -> Iterator[None]:
    """Show progress bars inside the block (``on=False``: none, whatever :func:`enable` said)."""
    token = _ON.set(bool(on))
    try:
        yield
    finally:
        _ON.reset(token)


class Task:
    """One piece of long work: :meth:`update` advances it, :meth:`to` sets how far it is."""

    def __init__(self, bar: Any = None) -> None:
        self._bar = bar
        self.done = 0

    def update(self, n: int = 1) -> None:
        """Advance by ``n`` steps."""
        self.done += n
        if self._bar is not None:
            self._bar.update(n)

    def to(self, done: int) -> None:
        """Set the steps done so far (for callbacks that report a running count)."""
        self.update(done - self.done)

    def describe(self, text: str) -> None:
        """Change what the bar says (a stage of the work)."""
        if self._bar is not None:
            self._bar.set_description_str(text)


def _tqdm() -> Any:
    in_kernel = "ipykernel" in sys.modules and importlib.util.find_spec("ipywidgets") is not None
    if in_kernel:
        from tqdm.auto import tqdm
    else:
        from tqdm import tqdm
    return tqdm


@contextmanager
def task(description: str, total: int | None = None, *, unit: str = "it", show: bool = True) -> Iterator[Task]:
    """A progress bar for a piece of work of ``total`` steps (``None``: unknown), if progress is on.

    ``show=False`` draws nothing (for work that is short this time, e.g. a small file).
    """
    if not (show and enabled()):
        yield Task()
        return
    size = shutil.get_terminal_size((80, 24))  # a terminal that says 0 x 0 (a new pty) gets 80 x 24
    bar = _tqdm()(total=total, desc=description, unit=unit, unit_scale=unit == "B", leave=False, file=sys.stderr, ncols=min(size.columns, 100), nrows=size.lines)
    try:
        yield Task(bar)
    finally:
        bar.close()


def iterate(items: Iterable[T], description: str, total: int | None = None, *, unit: str = "it") -> Iterator[T]:
    """Yield ``items``, advancing a bar by one per item (``total``: ``len(items)`` when it has one)."""
    if not enabled():
        yield from items
        return
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with task(description, total, unit=unit) as bar:
        for item in items:
            yield item
            bar.update()
