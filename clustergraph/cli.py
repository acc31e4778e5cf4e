"""The ``clustergraph`` command line: a thin click shell over the library.

Every command composes library calls; library errors become one readable line
on stderr and a non-zero exit status (2 for input and usage errors, 3 for broken
shapes, 1 for "does not conform" / "inconsistent", 70 for an internal error, which
is a bug: one line too, with ``CLUSTERGRAPH_DEBUG=1`` for the traceback).
"""

from __future__ import annotations

import os
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
        except MemoryError:
            click.echo(
                "clustergraph: error: out of memory; fix: use an on-disk store (--store DIR) or split the input",
                err=True,
            )
            ctx.exit(2)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            where = _innermost(exc)
            click.echo(
                f"clustergraph: internal error: {type(exc).__name__}: {exc}{where} "
                f"(a bug in clustergraph; run again with {DEBUG_ENV}=1 for the traceback)",
                err=True,
            )
            ctx.exit(INTERNAL_ERROR)


#: Set this variable to see the traceback of an internal error instead of one line.
DEBUG_ENV = "CLUSTERGRAPH_DEBUG"

#: Exit status of an unexpected exception (a bug): EX_SOFTWARE of sysexits.h, kept
#: apart from 1 ("does not conform") so that a crash never reads as a verdict.
INTERNAL_ERROR = 70


def _innermost(exc: BaseException) -> str:
    """`` at file:line`` of the frame that raised ``exc`` (one line, no traceback)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return ""
    return f" at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}"


# --- naming the data and the store: the same options on every command -------------


class Where:
    """What a command reads or writes, as the shared options named it.

    ``data``: input files (``--data``, repeatable); ``location``: the store
    (:class:`clustergraph.store.location.Location`: a folder from ``--store`` or a
    remote store from ``--endpoint``, ``--update-endpoint``, ``--graph-store-endpoint``,
    ``--graph``, ``--timeout``), or ``None``.
    """

    def __init__(self, data: tuple[Path, ...], location) -> None:  # type: ignore[no-untyped-def]
        self.data = data
        self.location = location

    @property
    def remote(self) -> bool:
        return self.location is not None and self.location.remote

    @property
    def folder(self) -> Path | None:
        return None if self.location is None or self.location.remote else self.location.folder

    @property
    def endpoint(self):  # type: ignore[no-untyped-def]
        return None if self.location is None else self.location.endpoint


def store_options(*, data: bool = True, legacy: tuple[str, ...] = (), graph: bool = True, timeout: bool = True, data_with_endpoint: bool = False):
    """The options that name a command's inputs and store, the same on every command.

    ``--data FILE`` (repeatable) names input files; ``--store DIR|NAME`` an on-disk
    store or one named in the endpoints file; ``--endpoint URL|NAME`` a remote SPARQL
    store, with ``--update-endpoint``, ``--graph-store-endpoint``, ``--graph IRI``
    (repeatable: the named graphs that make up the data) and ``--timeout``. The
    decorated command receives them as one ``where`` argument (:class:`Where`).
    ``legacy`` names old spellings kept as hidden aliases of ``--data`` (``--input``).
    ``data_with_endpoint``: --data and --endpoint go together (build and import write the
    files into the store; publish reads --data and advertises --endpoint, its old
    meaning); elsewhere they exclude each other.
    """
    import functools

    def decorate(f):  # type: ignore[no-untyped-def]
        @functools.wraps(f)
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            files = tuple(kwargs.pop("data_option", ()) or ())
            for name in legacy:
                files += tuple(kwargs.pop("legacy_" + name.strip("-"), ()) or ())
            store = kwargs.pop("store", None)
            endpoint = kwargs.pop("endpoint", None)
            update = kwargs.pop("update_endpoint", None)
            graph_store = kwargs.pop("graph_store_endpoint", None) or kwargs.pop("graph_store", None)
            kwargs.pop("graph_store", None)
            graphs = tuple(kwargs.pop("graphs", ()) or ())
            seconds = kwargs.pop("timeout", None) if timeout else None
            flavour = kwargs.pop("flavour", None)
            for item in files:
                if not item.is_file():
                    raise ClusterGraphError(f"{item}: file not found", fix="check the path given to --data")
            if files and endpoint and not data_with_endpoint:
                raise ClusterGraphError("--data files and --endpoint exclude each other", fix="push the files to the store first, or drop --endpoint")
            from .store.location import locate

            location = locate(store, endpoint=endpoint, update=update, graph_store=graph_store, graphs=graphs, timeout=seconds, flavour=flavour)
            return f(*args, where=Where(files, location), **kwargs)

        options = []
        if data:
            options.append(click.option("--data", "data_option", multiple=True, type=click.Path(dir_okay=False, path_type=Path), help="An RDF file or table to read instead of the embedded dataset (repeatable)."))
            for name in legacy:
                options.append(click.option(name, "legacy_" + name.strip("-"), multiple=True, hidden=True, type=click.Path(dir_okay=False, path_type=Path), help="Deprecated spelling of --data."))
        options += [
            click.option("--store", "store", default=None, metavar="DIR|NAME", help="An on-disk Oxigraph store (folder), or a store named in the endpoints file."),
            click.option("--endpoint", "endpoint", default=None, metavar="URL|NAME", help="A remote SPARQL 1.1 store: its query URL or a name from the endpoints file (credentials from CLUSTERGRAPH_ENDPOINT_USER/_PASSWORD or that file)."),
            click.option("--update-endpoint", "update_endpoint", default=None, metavar="URL", help="The store's SPARQL Update URL, where it differs from --endpoint."),
            click.option("--graph-store-endpoint", "graph_store_endpoint", default=None, metavar="URL", help="The store's Graph Store HTTP Protocol URL (uploads use SPARQL Update without one)."),
            click.option("--graph-store", "graph_store", default=None, hidden=True, help="Deprecated spelling of --graph-store-endpoint."),
            click.option("--flavour", "flavour", type=click.Choice(["virtuoso"]), default=None, help="Derive the update and graph store URLs of this kind of store from --endpoint."),
        ]
        if graph:
            options.append(click.option("--graph", "graphs", multiple=True, metavar="IRI", help="A named graph of the remote store that makes up the data (repeatable; default every data graph)."))
        if timeout:
            options.append(click.option("--timeout", "timeout", type=float, default=None, help="Seconds to wait for each request to the remote store (default 30)."))
        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate


def _pull(where: Where, *, kind: str = "oxigraph"):  # type: ignore[no-untyped-def]
    """A local copy of a remote store's data graphs (one CONSTRUCT per graph), for commands that need the data here."""
    from .store.location import download

    return download(where.endpoint, kind=kind)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "show_default": True})
@click.version_option(package_name="clustergraph")
@click.option(
    "--allow-network",
    "allowed_hosts",
    multiple=True,
    metavar="HOST",
    help="A host that queries may reach with SERVICE or LOAD ('*' for any; repeatable). Offline by default.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars (they are shown only on a terminal anyway).")
@click.pass_context
def main(ctx: click.Context, allowed_hosts: tuple[str, ...], quiet: bool) -> None:
    """Knowledge graph of the European cluster excellence ecosystem: import, validate,
    query, analyse and publish it.

    Nothing is fetched from the network unless a host is named with --allow-network
    (before the command: clustergraph --allow-network dbpedia.org query --file q.rq).
    """
    from . import progress
    from .store.offline import allow_network

    ctx.with_resource(allow_network(allowed_hosts or None))
    ctx.with_resource(progress.showing(not quiet and sys.stderr.isatty()))


# Each command below is one section; keep a command's code inside its section.

# --- build ---------------------------------------------------------------------


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("out"), show_default=True, help="Directory for clustergraph.ttl, .nt, .jsonld and .trig.")
@store_options(graph=False, data_with_endpoint=True)
@click.option("--memory-store", is_flag=True, help="Use rdflib's memory store instead of Oxigraph.")
@click.option("--reason", is_flag=True, help="Add the inferred triples (lightweight rules) in their own named graph.")
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation.")
@click.option("--no-network", is_flag=True, help="Skip the network highlights.")
@click.option("--verbose", "-v", is_flag=True, help="Print every finding on its own line (default: findings of a kind counted on one line, 80 columns).")
def build(sources: tuple[Path, ...], out: Path, where: Where, memory_store: bool, reason: bool, no_validate: bool, no_network: bool, verbose: bool) -> None:
    """Build the knowledge graph (the embedded dataset, or the --data files), validate it and write it to --out.

    With --store DIR the graph is kept in an on-disk store; with --endpoint it is
    written into the remote store graph by graph (each graph replaced all or nothing).
    Validation findings are printed for the steward; they do not change the exit
    status (use `clustergraph validate --fail-on` for a gate). SOURCES (positional)
    is the old spelling of --data.
    """
    from .build import build as run_build

    for src in sources:
        if not src.exists():
            raise ClusterGraphError(f"{src}: file not found", fix="check the path, or run without SOURCES to build the embedded dataset")
    sources = tuple(sources) + where.data
    if where.remote and memory_store:
        raise ClusterGraphError("--memory-store and --endpoint exclude each other", fix="drop --memory-store")
    result = run_build(
        out,
        sources=list(sources) or None,
        store="memory" if memory_store else "oxigraph",
        store_path=where.folder,
        validate=not no_validate,
        reason=reason,
        network=not no_network,
        endpoint=where.endpoint if where.remote else None,
    )
    for line in result.summary(verbose=verbose):
        click.echo(line)

# --- import / template ---------------------------------------------------------


@main.command("import")
@click.argument("sources", nargs=-1, required=False, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the imported graph to this file (.ttl, .nt, .jsonld, .trig, .nq); written only if every source is clean.")
@store_options(graph=False, data_with_endpoint=True)
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=Path), default=None, help="CSVW mapping (.csv-metadata.json) to use for every table.")
@click.option("--lenient", is_flag=True, help="Import the good rows and report the skipped ones instead of failing.")
@click.option("--encoding", default="utf-8", show_default=True, help="Text encoding of the tables (e.g. cp1252, latin-1).")
@click.option("--base", default=None, help="Base IRI for relative IRIs in RDF files.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the import report (graphs, skipped rows, problems, possible duplicates) as JSON.")
@click.option("--strict", is_flag=True, help="Refuse RDF files with ill-typed literals (\"nineteen\"^^xsd:integer) instead of importing them as written with a warning.")
def import_command(sources: tuple[Path, ...], out: Path | None, where: Where, mapping: Path | None, lenient: bool, encoding: str, base: str | None, report_path: Path | None, strict: bool) -> None:
    """Import tables (CSV, XLSX, JSON) and RDF files (--data, repeatable) into linked data.

    Every problem is listed as file:row: column, with the value and the fix; on any
    problem nothing is written. Without --out, --store or --endpoint the sources are
    only checked. With --endpoint each source's graph, and the provenance graph, is
    replaced in the remote store all or nothing. SOURCES (positional) is the old
    spelling of --data.
    """
    import contextlib
    import json

    from .ingest import importer as ingest

    from .store import dataset as store
    from .atomic import atomic_write
    from .errors import InputErrors

    sources = tuple(sources) + where.data
    if not sources:
        raise click.UsageError("give the files to import with --data FILE (repeatable)")
    store_path = where.folder
    if out is not None and where.location is not None:
        raise click.UsageError("give either --out or --store/--endpoint, not both")

    def write_report(data: dict) -> None:
        if report_path is not None:
            with atomic_write(report_path) as fh:
                json.dump(data, fh, indent=2, ensure_ascii=False)
                fh.write("\n")

    pushed = None
    # a new or empty folder, or a store: never the user's files; a failed import removes a store it made
    with store.creating_store(store_path) if store_path is not None else contextlib.nullcontext():
        dataset = store.open_dataset("oxigraph", store_path) if store_path is not None else store.open_dataset()
        try:
            report = ingest.import_sources(list(sources), dataset, mapping=mapping, lenient=lenient, encoding=encoding, base=base, strict=strict)
            if out is not None:
                store.dump(dataset, out)
            if where.remote:
                from .store.upload import push_graphs

                pushed = push_graphs(dataset, where.endpoint)
        except InputErrors as exc:
            for problem in exc.problems:
                click.echo(f"  {problem}", err=True)
            write_report({"written": False, "problems": [p.as_dict() for p in exc.problems], "limit_reached": exc.limit_reached})
            raise
        finally:
            dataset.close()  # releases an on-disk store's lock
            del dataset
    write_report(report.as_dict())
    click.echo(report.to_text())
    if pushed is not None:
        click.echo(f"stored {len(pushed)} graphs ({sum(r.triples for r in pushed)} triples) in {where.endpoint.url}")
    elif out is not None:
        click.echo(f"wrote {out}")
    elif store_path is not None:
        click.echo(f"stored in {store_path}")
    else:
        click.echo("checked only: nothing written (give --out FILE or --store DIR to keep the result)")


@main.command()
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite templates that already exist.")
def template(directory: Path, force: bool) -> None:
    """Write the empty canonical tables (header and one example row) with their CSVW mappings to DIRECTORY
    (default: the current folder)."""
    from .ingest.template import write_templates

    for path in write_templates(directory, overwrite=force):
        click.echo(f"wrote {path}")

# --- validate ------------------------------------------------------------------


@main.command("validate")
@click.argument("data", nargs=-1, type=click.Path(path_type=Path))
@click.option("--shapes", type=click.Path(path_type=Path), default=None, help="Directory of SHACL shapes (Turtle) or one shapes file; default the shipped shapes.")
@store_options()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text", show_default=True, help="Report format: text for stewards, json for machines, turtle for the SHACL validation report.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the report to this file (atomically) instead of standard output.")
@click.option("--fail-on", type=click.Choice(["violation", "warning", "info"]), default="violation", show_default=True, help="Least severe finding that makes the exit status 1.")
@click.option("--engine", type=click.Choice(["auto", "pyshacl", "sparql"]), default="auto", show_default=True, help="pyshacl (the reference), sparql (shapes compiled to SPARQL and run in Oxigraph; same findings, for large graphs), or auto: pyshacl below 10,000 triples, sparql from there on.")
@click.option("--inference", type=click.Choice(["none", "rdfs"]), default="none", show_default=True, help="RDFS inference with the ontology before validating.")
@click.option("--allow-service-host", "service_hosts", multiple=True, help="A host that shapes may call with SPARQL SERVICE (refused by default).")
def validate_command(data: tuple[Path, ...], shapes: Path | None, where: Where, fmt: str, out: Path | None, fail_on: str, engine: str, inference: str, service_hosts: tuple[str, ...]) -> None:
    """Check the data (--data files, a --store, a remote --endpoint; default the embedded dataset) against the SHACL shapes.

    A remote store is checked where it is: the compiled checks run on the endpoint
    and only the findings travel. DATA (positional) is the old spelling of --data.

    The text report groups findings by entity (name, IRI, source file:row), one line
    per finding with its severity, what is wrong and how to fix it, and ends with
    the counts per severity.

    Exit status: 0 conforms (no finding at or above --fail-on), 1 does not conform,
    2 usage or input error (e.g. a missing or unparsable DATA file), 3 broken shapes.
    """
    from .store import dataset as store
    from .atomic import atomic_write
    from .validation.report import render
    from .validation.engine import validate

    data = tuple(data) + where.data
    if data and where.location is not None:
        raise click.UsageError("give either DATA files or --store/--endpoint, not both")
    for path in data:
        if not path.is_file():
            raise ClusterGraphError(f"{path}: data file not found", fix="check the path, or run without DATA to validate the embedded dataset")
    opened = None
    if where.location is not None:
        from .store.location import open_location

        opened = source = open_location(where.location)  # a folder must hold a store: never make an empty one at a mistyped path
        if where.remote:
            opened.store.graphs  # noqa: B018 - reach the store before the shapes are compiled: a dead endpoint fails at once
    elif data:
        source = list(data)
    else:
        from .ingest.importer import load_embedded

        source = load_embedded(store.open_dataset())
    try:
        report = validate(source, shapes=shapes, inference=inference, engine=engine, fail_on=fail_on, allow_service_hosts=service_hosts)
    finally:
        if opened is not None:
            opened.close()
    if out is not None:
        with atomic_write(out) as fh:
            fh.write(render(report, fmt))
        click.echo(f"wrote {out}: {report.summary()}", err=fmt != "text")
    elif fmt == "text":
        click.echo(report.to_text(color=sys.stdout.isatty()), nl=False)
    else:
        click.echo(render(report, fmt), nl=False)
    click.get_current_context().exit(report.exit_code)


# --- query / push / serve ------------------------------------------------------


def _query_data(data: tuple[Path, ...], store_path: Path | None, memory_store: bool):
    """The dataset for query/push/serve: --data files, an on-disk --store, or the embedded dataset."""
    from .query.execution import open_data

    for item in data:
        if not item.is_file():
            raise ClusterGraphError(f"{item}: file not found", fix="check the path given to --data")
    if memory_store and store_path is not None:
        raise ClusterGraphError("--memory-store and --store exclude each other", fix="keep one of them")
    if store_path is not None:
        from .store import store_folder

        store_folder(store_path, create=True)  # a new or empty folder gets the data; never the user's other files
    return open_data(list(data) or None, kind="memory" if memory_store else "oxigraph", path=store_path)


def _dataset(where: Where, memory_store: bool = False, *, local: bool = False):  # type: ignore[no-untyped-def]
    """The data a reading command works on: the remote store (or, with ``local``, a copy of it), the --store folder, the --data files or the embedded dataset."""
    if where.remote:
        if memory_store:
            raise ClusterGraphError("--endpoint reads the remote store; it excludes --memory-store", fix="drop one of them")
        if local:
            return _pull(where, kind="memory" if memory_store else "oxigraph")
        from .store.remote import open_remote

        return open_remote(where.endpoint)
    return _query_data(where.data, where.folder, memory_store)


def _params(pairs: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ClusterGraphError(f"--param {pair!r} is not NAME=VALUE", fix="write e.g. --param date=2016-12-31")
        out[name.strip()] = value
    return out


def _describe_queries() -> str:
    from .query.execution import list_queries

    blocks = []
    for q in list_queries():
        lines = [f"{q.name}  [{q.form}]", f"  {q.title}"]
        if q.description:
            lines.append(f"  {q.description}")
        for p in q.parameters:
            lines.append(f"  --param {p.describe()}")
        for ex in q.examples:
            lines.append(f"  e.g. {ex}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


@main.command("query")
@click.argument("name", required=False)
@click.option("--file", "query_file", type=click.Path(dir_okay=False, path_type=Path), help="Run the SPARQL query in this .rq file.")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries with their descriptions and parameters.")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A query parameter (repeatable); see --list.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "turtle"]), default="table", show_default=True, help="Output format (turtle for CONSTRUCT queries).")
@store_options()
@click.option("--memory-store", is_flag=True, help="Use rdflib's memory store instead of Oxigraph.")
@click.option("--spreadsheet-safe/--no-spreadsheet-safe", default=True, show_default=True, help="With --format csv: put a ' before values a spreadsheet program would run as formulas (=, +, -, @).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the result to this file (atomically) instead of printing it; the format comes from its extension unless --format is given.")
def query_command(name: str | None, query_file: Path | None, list_queries: bool, params: tuple[str, ...], fmt: str, where: Where, memory_store: bool, spreadsheet_safe: bool, out_file: Path | None) -> None:
    """Run the named query NAME (see --list) or a query --file, and print the result.

    Credentials for an endpoint come from CLUSTERGRAPH_ENDPOINT_USER and
    CLUSTERGRAPH_ENDPOINT_PASSWORD or from ~/.config/clustergraph/endpoints.toml,
    never from the command line.
    """
    from .query.library import read
    from .query.execution import run

    if list_queries:
        click.echo(_describe_queries())
        return
    if (name is None) == (query_file is None):
        raise ClusterGraphError("give either a query NAME or --file", fix="see 'clustergraph query --list' for the names")
    named = read(query_file) if query_file is not None else name
    dataset = _dataset(where, memory_store)
    if out_file is not None and click.get_current_context().get_parameter_source("fmt") == click.core.ParameterSource.DEFAULT:
        fmt = {".csv": "csv", ".tsv": "tsv", ".json": "json", ".srj": "json", ".ttl": "turtle"}.get(out_file.suffix.lower(), fmt)
    if out_file is not None or fmt in ("csv", "tsv", "json"):
        # Oxigraph's own result writers, streamed: no Python object per term
        from .query.results import stream

        stream(dataset, named, out_file if out_file is not None else sys.stdout.buffer, fmt, _params(params), spreadsheet_safe=spreadsheet_safe)
        return
    result = run(dataset, named, _params(params))  # type: ignore[arg-type]
    text = result.serialize(fmt, spreadsheet_safe=spreadsheet_safe)
    click.echo(text, nl=not text.endswith("\n"))
    if fmt == "table" and result.kind == "SELECT" and sys.stderr.isatty():
        click.echo(f"({len(result)} row{'s' if len(result) != 1 else ''})", err=True)


@main.command()
@click.option("--endpoint", required=True, help="The store's SPARQL query endpoint (URL, or a name from the endpoints file).")
@click.option("--into", "--graph", "graph_iri", default=None, metavar="IRI", help="Merge every graph into this one named graph (the old behaviour; --graph is its old spelling). Default: keep each named graph under its own name.")
@click.option("--data", multiple=True, type=click.Path(dir_okay=False, path_type=Path), help="RDF files to upload instead of the embedded dataset (repeatable).")
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), help="Upload the content of an on-disk Oxigraph store.")
@click.option("--update-endpoint", help="SPARQL Update URL (default: the endpoint URL or the endpoints file).")
@click.option("--graph-store-endpoint", "--graph-store", "graph_store", help="SPARQL Graph Store HTTP Protocol URL (default: from the endpoints file; without one, SPARQL Update is used).")
@click.option("--flavour", type=click.Choice(["virtuoso"]), help="Derive the update and graph store URLs of this kind of store.")
@click.option("--method", type=click.Choice(["auto", "gsp", "update"]), default="auto", show_default=True, help="Upload through the Graph Store protocol, SPARQL Update, or whichever the store has.")
@click.option("--timeout", type=float, help="Seconds to wait for each request (default 30).")
def push(endpoint: str, graph_iri: str | None, data: tuple[Path, ...], store_path: Path | None, update_endpoint: str | None, graph_store: str | None, flavour: str | None, method: str, timeout: float | None) -> None:
    """Copy the data into a remote SPARQL 1.1 store, each named graph replaced all or nothing.

    Sources, provenance, the ontology, inferred triples and metrics keep their own
    named graphs (uploaded to temporary graphs, then moved in one update); --into IRI
    merges everything into one graph instead.

    Credentials come from CLUSTERGRAPH_ENDPOINT_USER and CLUSTERGRAPH_ENDPOINT_PASSWORD
    or from ~/.config/clustergraph/endpoints.toml, never from the command line.
    """
    from .store.remote import resolve
    from .store.upload import push as run_push
    from .store.upload import push_graphs

    ep = resolve(endpoint, update=update_endpoint, graph_store=graph_store, timeout=timeout, flavour=flavour)
    dataset = _query_data(data, store_path, False)
    if graph_iri is not None:
        click.echo(run_push(dataset, ep, graph_iri, method=method).summary())
        return
    from .build import with_ontology

    for result in push_graphs(with_ontology(dataset), ep, method=method):
        click.echo(result.summary())


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback only unless --public).")
@click.option("--port", default=8891, show_default=True, type=int, help="Port to listen on (1-65535; 0 picks a free port, announced on start).")
@store_options(timeout=False)
@click.option("--memory-store", is_flag=True, help="Use rdflib's memory store instead of Oxigraph.")
@click.option("--public", is_flag=True, help="Allow a non-loopback --host (the endpoint has no authentication).")
@click.option("--writable", is_flag=True, help="Accept SPARQL Update requests (refused by default).")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds a query may run before it is stopped (HTTP 503).")
@click.option("--host-name", "host_names", multiple=True, metavar="NAME", help="Another name clients may use in the Host header, e.g. behind a proxy (repeatable); loopback names and the bound address are always accepted.")
def serve(host: str, port: int, where: Where, memory_store: bool, public: bool, writable: bool, timeout: float, host_names: tuple[str, ...]) -> None:
    """Serve the graph as a SPARQL 1.1 Protocol endpoint (read-only by default) until interrupted.

    Each query runs in a worker process that is stopped after --timeout seconds;
    SERVICE and LOAD are refused; SIGTERM or Ctrl-C stop the server within seconds.
    """
    from .publishing.protocol import Limits
    from .listener import check_host, check_port, served_names
    from .publishing.server import Server

    check_host(host, public)
    check_port(port)
    limits = Limits(timeout=timeout)
    served_names(host, None, host_names)  # a bad --host-name fails before the data loads
    from functools import partial

    from .reconciliation import MOUNT_PATH, mount

    dataset = _dataset(where, memory_store, local=True)  # a remote store's graphs are copied here (one CONSTRUCT each)
    server = Server(dataset, host, port, writable=writable, allow_public=public, limits=limits, host_names=host_names, log_level="info",
                    wrap=partial(mount, source=dataset))
    click.echo(f"SPARQL endpoint at {server.url} ({'read-write' if writable else 'read-only'}, queries stopped after {timeout:g} s); Ctrl-C stops it", err=True)
    click.echo(f"OpenRefine reconciliation service at {server.url.rstrip('/')}{MOUNT_PATH}", err=True)
    server.run()


# --- reconcile -----------------------------------------------------------------


@main.command("reconcile")
@click.argument("table", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--column", required=True, help="The column of organisation names.")
@click.option("--country-column", help="A column of countries (ISO codes, names, or EU authority IRIs) that narrows each row's candidates.")
@click.option("--type", "type_", help="Only organisations of this type: cg:ClusterOrganisation, cg:PublicBody, cg:LabellingBody or cg:Organisation.")
@click.option("--data", multiple=True, type=click.Path(dir_okay=False, path_type=Path), help="RDF files to match against instead of the embedded dataset (repeatable).")
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), help="Match against an on-disk Oxigraph store.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="The table with its matches (default TABLE-reconciled.csv; .tsv and .xlsx too).")
@click.option("--review", "review_path", type=click.Path(dir_okay=False, path_type=Path), help="The rows to decide, one candidate per line (default TABLE-review.csv).")
@click.option("--candidates", "limit", type=click.IntRange(1, 20), default=3, show_default=True, help="Candidates listed for a row to decide.")
def reconcile_command(table: Path, column: str, country_column: str | None, type_: str | None, data: tuple[Path, ...], store_path: Path | None,
                      out: Path | None, review_path: Path | None, limit: int) -> None:
    """Match a table's organisation names against the graph: the matched IRI and score for the
    unambiguous rows, the candidates for the others, and a review file to decide them.

    A row is matched automatically only when one organisation is clearly meant (the same
    name up to case, accents, legal form, word order, a known translation or a typo, well
    ahead of any other, and no other country when --country-column is given).
    """
    from .reconciliation.table import reconcile_table

    if not table.is_file():
        raise ClusterGraphError(f"{table}: file not found", fix="check the path of the table")
    stem = table.with_suffix("")
    out = out or stem.with_name(stem.name + "-reconciled" + (table.suffix if table.suffix.lower() in (".csv", ".tsv", ".xlsx") else ".csv"))
    review_path = review_path or stem.with_name(stem.name + "-review.csv")
    dataset = _query_data(data, store_path, False)
    result = reconcile_table(table, dataset, column=column, country_column=country_column, type=type_, limit=limit)
    result.write(out, review_path)
    c = result.counts
    click.echo(f"{c['rows']} rows: {c['matched']} matched, {c['to review']} to review, {c['no candidate']} without a candidate")
    click.echo(f"wrote {out} and {review_path}")


@main.command("reconcile-serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback only unless --public).")
@click.option("--port", default=8892, show_default=True, type=int, help="Port to listen on (0 picks a free port).")
@click.option("--data", multiple=True, type=click.Path(dir_okay=False, path_type=Path), help="RDF files to serve instead of the embedded dataset (repeatable).")
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), help="Serve an on-disk Oxigraph store.")
@click.option("--public", is_flag=True, help="Allow a non-loopback --host (the service has no authentication).")
def reconcile_serve(host: str, port: int, data: tuple[Path, ...], store_path: Path | None, public: bool) -> None:
    """Serve only the OpenRefine reconciliation service (W3C Reconciliation API 0.2) until interrupted.

    In OpenRefine: Reconcile > Start reconciling > Add standard service, and give the URL
    printed on start (``clustergraph serve`` offers the same service at /reconcile).
    """
    from .reconciliation import ReconciliationServer

    dataset = _query_data(data, store_path, False)
    server = ReconciliationServer(dataset, host, port, allow_public=public, log_level="info")
    click.echo(f"OpenRefine reconciliation service at {server.url}; Ctrl-C stops it", err=True)
    server.run()


# --- network -------------------------------------------------------------------


@main.command("network")
@store_options()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("network"), show_default=True, help="Directory for metrics.ttl, the GraphML/GEXF/JSON/CSV exports, the tables and the pictures.")
@click.option("--format", "fmt", type=click.Choice(["png", "svg"]), default="png", show_default=True, help="Picture format.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the betweenness sample, the communities and the layout.")
@click.option("--samples", type=int, default=None, help="Betweenness from this many sampled sources (default: exact up to 2,000 organisations, 256 samples above).")
@click.option("--memory-store", is_flag=True, help="Use rdflib's memory store instead of Oxigraph.")
@click.option("--spreadsheet-safe/--no-spreadsheet-safe", default=True, show_default=True, help="Put a ' before CSV cells a spreadsheet program would run as formulas (=, +, -, @).")
def network_command(where: Where, out: Path, fmt: str, seed: int, samples: int | None, memory_store: bool, spreadsheet_safe: bool) -> None:
    """Analyse the collaboration network: brokers, cross-sector bridges, communities, value chains.

    Writes the metrics (also as RDF in the named graph cggraph:metrics: metrics.ttl),
    the networks as GraphML, GEXF, node-link JSON and CSV, and the pictures to --out,
    and prints the highlights.
    """
    from .network.metrics import analyse
    from .query.execution import open_data

    from .progress import task

    if where.location is not None:
        dataset = _dataset(where, memory_store)  # a remote store: edge lists and aggregates are computed there
        if where.remote:
            dataset.store.graphs  # noqa: B018 - a dead endpoint fails before the analysis starts
    else:
        dataset = open_data(list(where.data) or None, kind="memory" if memory_store else "oxigraph")
    with task("network") as bar:
        report = analyse(
            dataset,
            out,
            format=fmt,
            seed=seed,
            k=samples if samples is not None else "auto",
            progress=bar.describe,
            spreadsheet_safe=spreadsheet_safe,
            metrics=not where.remote,  # a remote store gets its metrics graph below, all or nothing, if it takes updates
        )
    if where.remote and where.endpoint.update_url != where.endpoint.url:
        from rdflib import Graph

        from .network.metrics import METRICS_GRAPH, metrics_triples
        from .store.upload import push as run_push

        metrics_graph = Graph()
        for t in metrics_triples(report.table, report.summary):
            metrics_graph.add(t)
        click.echo(run_push(metrics_graph, where.endpoint, METRICS_GRAPH).summary())
    for line in report.highlights:
        click.echo(line)
    click.echo(f"wrote {len(report.files)} files to {out} (metrics.ttl: {report.triples} triples; network.{fmt}, mixing.{fmt})")

# --- reason --------------------------------------------------------------------


@main.command("reason")
@store_options(legacy=("--input",))
@click.option("--reasoner", type=click.Choice(["hermit", "pellet", "rules"]), default="hermit", show_default=True, help="HermiT or Pellet (need Java), or the lightweight rules (no Java).")
@click.option("--ontology", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Ontology in Turtle (default: the shipped one).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the inferred triples to this file (.ttl, .nt, .jsonld, .trig, .nq).")
def reason_command(where: Where, reasoner: str, ontology: Path | None, out: Path | None) -> None:
    """Check the data against the ontology and list what it infers (counts per class and property).

    Exits with status 1 and an explanation when the data is inconsistent with the ontology.
    """
    from .store import dataset as store
    from .errors import InconsistentOntologyError
    from .reasoning.reasoners import reason as run_reason

    inputs = where.data
    if where.remote and reasoner == "rules":
        from .reasoning.remote import infer_in_store

        done = infer_in_store(where.endpoint, ontology=ontology)
        for line in done.summary():
            click.echo(line)
        return
    if where.location is not None:
        dataset = _dataset(where, local=True) if where.remote else _dataset(where)
    else:
        dataset = store.open_dataset()
    if where.location is not None:
        pass
    elif inputs:
        for path in inputs:
            store.load(dataset, path, graph=path.resolve().as_uri())
    else:
        from .ingest.importer import load_embedded

        load_embedded(dataset)
    if sys.stderr.isatty():
        click.echo(f"running {reasoner}...", err=True)
    try:
        result = run_reason(dataset, reasoner=reasoner, ontology=ontology)
    except InconsistentOntologyError as exc:
        click.echo("inconsistent: the data contradicts the ontology:", err=True)
        for line in exc.explanation:
            click.echo(f"  {line}", err=True)
        raise
    for line in result.summary():
        click.echo(line)
    if out is not None:
        store.dump(result.graph, out)
        click.echo(f"wrote {out}")

# --- generate ------------------------------------------------------------------


@main.command()
@click.option("--organisations", type=int, default=None, help="Number of organisations (about 30% are cluster organisations).")
@click.option("--projects", type=int, default=None, help="Number of projects (3 to 15 participations each).")
@click.option("--triples", type=int, default=None, help="Pick --organisations and --projects for about this many triples.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed; the same seed gives a byte-identical file.")
@click.option("--error-rate", type=float, default=0.01, show_default=True, help="Share of projects, organisations and awards with one deliberate error.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="N-Triples file to write.")
def generate(organisations: int | None, projects: int | None, triples: int | None, seed: int, error_rate: float, out: Path) -> None:
    """Generate a synthetic cluster-programme graph (N-Triples) for benchmarks and tests.

    Required: --out, and either --triples or both --organisations and --projects.
    """
    from .generate import generate as run_generate
    from .generate import sizes_for

    if triples is not None:
        o, p = sizes_for(triples)
        organisations = organisations if organisations is not None else o
        projects = projects if projects is not None else p
    if organisations is None or projects is None:
        raise click.UsageError("give --organisations and --projects, or --triples")
    from .progress import task

    with task("generating", total=max(1, projects * 40), unit="triple") as bar:
        stats = run_generate(out, organisations=organisations, projects=projects, seed=seed, error_rate=error_rate, progress=bar.to)
    for line in stats.summary():
        click.echo(line)


# --- publish -------------------------------------------------------------------


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("site"), show_default=True, help="Directory for the static linked-data site.")
@store_options(data_with_endpoint=True)
@click.option("--advertise-endpoint", "advertised", default=None, metavar="URL", help="Public SPARQL endpoint URL to advertise in the DCAT/VoID description (default: --endpoint's URL).")
@click.option("--base-url", default=None, help="URL the site will be served from.")
def publish(out: Path, where: Where, advertised: str | None, base_url: str | None) -> None:
    """Write the dataset as linked open data: dumps, one HTML/Turtle/JSON-LD page per
    resource, a DCAT/VoID description and content-negotiation rules."""
    from .ingest import importer as ingest
    from .store import dataset as store
    from .publishing.site import publish as run_publish

    data = where.data
    endpoint = advertised
    if where.remote and data:
        endpoint = endpoint or where.endpoint.url  # the old meaning of --endpoint beside --data: the URL to advertise
        where = Where(data, None)
    if where.remote:
        ds = _pull(where)  # the store's graphs, one CONSTRUCT each
        endpoint = endpoint or where.endpoint.url
    elif where.location is not None:
        ds = _dataset(where)
    else:
        ds = store.open_dataset()
        if data:
            ingest.import_sources(list(data), ds)
        else:
            ingest.load_embedded(ds)
    result = run_publish(ds, out, endpoint=endpoint, base_url=base_url)
    click.echo(result.summary())
    for problem in result.skipped[:_MAX_WARNINGS]:
        click.echo(f"clustergraph: warning: {problem}", err=True)
    if len(result.skipped) > _MAX_WARNINGS:
        click.echo(f"clustergraph: warning: ... and {len(result.skipped) - _MAX_WARNINGS} more resources skipped", err=True)


_MAX_WARNINGS = 50  # skipped resources listed one per line; the rest are counted


# --- examples at the end of each command's --help -------------------------------

#: Two or three command lines per command, shown under "Examples" by ``--help``.
EXAMPLES: dict[str, list[str]] = {
    "build": ["clustergraph build", "clustergraph build --data projects.csv --data organisations.csv --out out --reason", "clustergraph build --verbose --no-network"],
    "import": ["clustergraph import --data projects.csv --data organisations.csv", "clustergraph import --data export.xlsx --lenient --report problems.json --out clusters.ttl", "clustergraph import --data clusters.ttl --strict --endpoint http://127.0.0.1:7878/query --update-endpoint http://127.0.0.1:7878/update"],
    "template": ["clustergraph template", "clustergraph template my-tables --force"],
    "validate": ["clustergraph validate", "clustergraph validate --data clusters.ttl --format json --out report.json", "clustergraph validate --endpoint http://127.0.0.1:7878/query --fail-on warning"],
    "query": ["clustergraph query --list", "clustergraph query projects-per-call --format csv", "clustergraph query co-participants --out co-participants.csv"],
    "push": ["clustergraph push --endpoint http://127.0.0.1:7878/query --update-endpoint http://127.0.0.1:7878/update --graph-store-endpoint http://127.0.0.1:7878/store", "clustergraph push --endpoint http://127.0.0.1:8890/sparql --flavour virtuoso --data clusters.ttl --into urn:clusters"],
    "serve": ["clustergraph serve", "clustergraph serve --port 0 --data clusters.ttl", "clustergraph serve --endpoint http://127.0.0.1:7878/query --port 8891"],
    "network": ["clustergraph network", "clustergraph network --format svg --out pictures", "clustergraph network --endpoint http://127.0.0.1:7878/query --out network"],
    "reason": ["clustergraph reason --reasoner rules", "clustergraph reason --data clusters.ttl --out inferred.ttl", "clustergraph reason --reasoner rules --endpoint http://127.0.0.1:7878/query --update-endpoint http://127.0.0.1:7878/update"],
    "generate": ["clustergraph generate --triples 100000 --out synthetic.nt", "clustergraph generate --organisations 500 --projects 2000 --seed 7 --out g.nt"],
    "publish": ["clustergraph publish", "clustergraph publish --out site --base-url https://example.org --advertise-endpoint https://example.org/sparql"],
    "reconcile": ["clustergraph reconcile partners.csv --column name", "clustergraph reconcile partners.xlsx --column Partner --country-column Country --type cg:ClusterOrganisation"],
    "reconcile-serve": ["clustergraph reconcile-serve", "clustergraph reconcile-serve --port 8892 --data clusters.ttl"],
}


def _add_examples() -> None:
    for name, command in main.commands.items():
        lines = EXAMPLES.get(name)
        if lines and not (command.epilog or "").startswith("Examples"):
            command.epilog = "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in lines)


_add_examples()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
