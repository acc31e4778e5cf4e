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


def test_query_csv_is_safe_for_spreadsheets_unless_asked(tmp_path) -> None:
    data = tmp_path / "d.ttl"
    data.write_text('<urn:a> <http://www.w3.org/2000/01/rdf-schema#label> "=HYPERLINK(\\"http://evil.example\\")" , "-5" , "@x" .\n')
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?l WHERE { ?s ?p ?l } ORDER BY ?l")
    safe = CliRunner().invoke(main, ["query", "--file", str(query), "--data", str(data), "--format", "csv"])
    assert safe.exit_code == 0, safe.output
    assert safe.stdout.splitlines() == ["l", "-5", '"\'=HYPERLINK(""http://evil.example"")"', "'@x"]
    raw = CliRunner().invoke(main, ["query", "--file", str(query), "--data", str(data), "--format", "csv", "--no-spreadsheet-safe"])
    assert raw.stdout.splitlines()[2:] == ['"=HYPERLINK(""http://evil.example"")"', "@x"]


def test_service_needs_allow_network(tmp_path) -> None:
    """Offline by default; --allow-network HOST (before the command) lets SERVICE reach that host only."""
    import socket

    with socket.socket() as listener:  # a loopback port that accepts and answers nothing useful
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
    query = tmp_path / "q.rq"
    query.write_text(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}")
    refused = CliRunner().invoke(main, ["query", "--file", str(query)])
    assert refused.exit_code == 2
    assert "SERVICE" in refused.stderr and "--allow-network 127.0.0.1" in refused.stderr
    other = CliRunner().invoke(main, ["--allow-network", "example.org", "query", "--file", str(query)])
    assert other.exit_code == 2 and "--allow-network 127.0.0.1" in other.stderr
    allowed = CliRunner().invoke(main, ["--allow-network", "127.0.0.1", "query", "--file", str(query)])
    assert "--allow-network" not in allowed.stderr  # no longer refused: it tried the (closed) port
    assert len(allowed.stderr.strip().splitlines()) <= 1 and "Traceback" not in allowed.output


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        (
            "bad.rdf",
            '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n',
            "DTDs are refused",
        ),
        ("remote.jsonld", '{"@context": "http://127.0.0.1:9/ctx.jsonld", "@id": "urn:x"}', "never fetches contexts"),
        ("local.jsonld", '{"@context": "file:///etc/passwd", "@id": "urn:x"}', "@context"),
    ],
)
def test_hostile_shapes_files_are_refused_before_parsing(tmp_path, name: str, content: str, needle: str) -> None:
    shapes = tmp_path / name
    shapes.write_text(content)
    result = CliRunner().invoke(main, ["validate", "--shapes", str(shapes)])
    assert result.exit_code == 3, result.output
    assert needle in result.stderr and str(shapes) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_validate_does_not_make_a_store_that_is_not_there(tmp_path) -> None:
    missing = tmp_path / "typo"
    result = CliRunner().invoke(main, ["validate", "--store", str(missing)])
    assert result.exit_code == 2, result.output
    assert "no store" in result.stderr and str(missing) in result.stderr
    assert not missing.exists()


@pytest.mark.parametrize("command", [["query", "projects-per-call"], ["validate"], ["push", "--endpoint", "http://127.0.0.1:9/sparql", "--graph", "urn:g"]])
def test_a_folder_of_other_files_is_never_taken_for_a_store(tmp_path, command: list[str]) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.docx").write_text("precious")
    result = CliRunner().invoke(main, [*command, "--store", str(folder)])
    assert result.exit_code == 2, result.output
    assert str(folder) in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.docx"]


def test_import_refuses_a_folder_of_other_files_as_store(tmp_path) -> None:
    from clustergraph.resources import data_dir

    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.docx").write_text("precious")
    source = sorted(data_dir().glob("*.csv"))[0]
    result = CliRunner().invoke(main, ["import", str(source), "--store", str(folder)])
    assert result.exit_code == 2 and "not empty" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.docx"]
