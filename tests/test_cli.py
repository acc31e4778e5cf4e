"""The command line's error contract: one line on stderr and an exit status, never a traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from clustergraph.cli import DEBUG_ENV, INTERNAL_ERROR, main


def _broken(*_args, **_kwargs):
    raise ZeroDivisionError("division by zero")


def test_an_internal_error_is_one_line_with_status_70(monkeypatch) -> None:
    from clustergraph.query import execution

    monkeypatch.setattr(execution, "list_queries", _broken)
    monkeypatch.delenv(DEBUG_ENV, raising=False)
    result = CliRunner().invoke(main, ["query", "--list"])
    assert result.exit_code == INTERNAL_ERROR == 70
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("clustergraph: internal error: ZeroDivisionError: division by zero at ")
    assert DEBUG_ENV in lines[0] and "Traceback" not in result.output


def test_the_debug_variable_shows_the_traceback(monkeypatch) -> None:
    from clustergraph.query import execution

    monkeypatch.setattr(execution, "list_queries", _broken)
    monkeypatch.setenv(DEBUG_ENV, "1")
    result = CliRunner().invoke(main, ["query", "--list"])
    assert isinstance(result.exception, ZeroDivisionError)


def test_out_of_memory_is_one_line_with_status_2(monkeypatch) -> None:
    from clustergraph.query import execution

    def exhausted(*_args, **_kwargs):
        raise MemoryError

    monkeypatch.setattr(execution, "list_queries", exhausted)
    result = CliRunner().invoke(main, ["query", "--list"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "clustergraph: error: out of memory; fix: use an on-disk store (--store DIR) or split the input"
    )


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["query", "--list"]])
def test_ordinary_commands_are_untouched(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
