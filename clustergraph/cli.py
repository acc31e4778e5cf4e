"""The ``clustergraph`` command line: a thin click shell over the library.

Every command composes library calls; library errors become one readable line
on stderr and a non-zero exit status (2 for input and usage errors, 3 for broken
shapes, 1 for "does not conform" / "inconsistent").
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .errors import ClusterGraphError


class _Group(click.Group):
    """Turn library errors into one line and an exit status, never a traceback."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except ClusterGraphError as exc:
            click.echo(f"clustergraph: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:  # pragma: no cover - interactive
            click.echo("clustergraph: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="clustergraph")
def main() -> None:
    """Knowledge graph of the European cluster excellence ecosystem: import, validate,
    query, analyse and publish it."""


# Each command below is one section; keep a command's code inside its section.

# --- build ---------------------------------------------------------------------

# --- import / template ---------------------------------------------------------

# --- validate ------------------------------------------------------------------

# --- query / push / serve ------------------------------------------------------

# --- network -------------------------------------------------------------------

# --- reason --------------------------------------------------------------------

# --- generate ------------------------------------------------------------------


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
