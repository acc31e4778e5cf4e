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


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("out"), show_default=True, help="Directory for clustergraph.ttl, .nt, .jsonld and .trig.")
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), default=None, help="Keep the graph in an on-disk Oxigraph store at this directory.")
@click.option("--memory-store", is_flag=True, help="Use rdflib's memory store instead of Oxigraph.")
@click.option("--reason", is_flag=True, help="Add the inferred triples (lightweight rules) in their own named graph.")
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation.")
@click.option("--no-network", is_flag=True, help="Skip the network highlights.")
def build(sources: tuple[Path, ...], out: Path, store_path: Path | None, memory_store: bool, reason: bool, no_validate: bool, no_network: bool) -> None:
    """Build the knowledge graph (the embedded dataset, or SOURCES), validate it and write it to --out.

    Validation findings are printed for the steward; they do not change the exit
    status (use `clustergraph validate --fail-on` for a gate).
    """
    from .build import build as run_build

    for src in sources:
        if not src.exists():
            raise ClusterGraphError(f"{src}: file not found", fix="check the path, or run without SOURCES to build the embedded dataset")
    result = run_build(
        out,
        sources=list(sources) or None,
        store="memory" if memory_store else "oxigraph",
        store_path=store_path,
        validate=not no_validate,
        reason=reason,
        network=not no_network,
    )
    for line in result.summary():
        click.echo(line)

# --- import / template ---------------------------------------------------------


@main.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the imported graph to this file (.ttl, .nt, .jsonld, .trig, .nq); written only if every source is clean.")
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), default=None, help="Import into the on-disk Oxigraph store at this directory (each source replaces its own graph).")
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=Path), default=None, help="CSVW mapping (.csv-metadata.json) to use for every table.")
@click.option("--lenient", is_flag=True, help="Import the good rows and report the skipped ones instead of failing.")
@click.option("--encoding", default="utf-8", show_default=True, help="Text encoding of the tables (e.g. cp1252, latin-1).")
@click.option("--base", default=None, help="Base IRI for relative IRIs in RDF files.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the import report (graphs, skipped rows, problems, possible duplicates) as JSON.")
def import_command(sources: tuple[Path, ...], out: Path | None, store_path: Path | None, mapping: Path | None, lenient: bool, encoding: str, base: str | None, report_path: Path | None) -> None:
    """Import tables (CSV, XLSX, JSON) and RDF files into linked data.

    Every problem is listed as file:row: column, with the value and the fix; on any
    problem nothing is written. Without --out or --store the sources are only checked.
    """
    import json

    from . import ingest, store
    from .atomic import atomic_write
    from .errors import InputErrors

    if out is not None and store_path is not None:
        raise click.UsageError("give either --out or --store, not both")

    def write_report(data: dict) -> None:
        if report_path is not None:
            with atomic_write(report_path) as fh:
                json.dump(data, fh, indent=2, ensure_ascii=False)
                fh.write("\n")

    dataset = store.open_dataset("oxigraph", store_path) if store_path is not None else store.open_dataset()
    try:
        report = ingest.import_sources(list(sources), dataset, mapping=mapping, lenient=lenient, encoding=encoding, base=base)
        if out is not None:
            store.dump(dataset, out)
    except InputErrors as exc:
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        write_report({"written": False, "problems": [p.as_dict() for p in exc.problems], "limit_reached": exc.limit_reached})
        raise
    finally:
        dataset.close()  # releases an on-disk store's lock
    write_report(report.as_dict())
    click.echo(report.to_text())
    if out is not None:
        click.echo(f"wrote {out}")
    elif store_path is not None:
        click.echo(f"stored in {store_path}")
    else:
        click.echo("checked only: nothing written (give --out FILE or --store DIR to keep the result)")


@main.command()
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite templates that already exist.")
def template(directory: Path, force: bool) -> None:
    """Write the empty canonical tables (header and one example row) with their CSVW mappings to DIRECTORY."""
    from .template import write_templates

    for path in write_templates(directory, overwrite=force):
        click.echo(f"wrote {path}")

# --- validate ------------------------------------------------------------------

# --- query / push / serve ------------------------------------------------------

# --- network -------------------------------------------------------------------

# --- reason --------------------------------------------------------------------

# --- generate ------------------------------------------------------------------


@main.command()
@click.option("--organisations", type=int, default=None, help="Number of organisations (about 30% are cluster organisations).")
@click.option("--projects", type=int, default=None, help="Number of projects (3 to 15 participations each).")
@click.option("--triples", type=int, default=None, help="Pick --organisations and --projects for about this many triples.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed; the same seed gives a byte-identical file.")
@click.option("--error-rate", type=float, default=0.01, show_default=True, help="Share of projects, organisations and awards with one deliberate error.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="N-Triples file to write.")
def generate(organisations: int | None, projects: int | None, triples: int | None, seed: int, error_rate: float, out: Path) -> None:
    """Generate a synthetic cluster-programme graph (N-Triples) for benchmarks and tests."""
    from .generate import generate as run_generate
    from .generate import sizes_for

    if triples is not None:
        o, p = sizes_for(triples)
        organisations = organisations if organisations is not None else o
        projects = projects if projects is not None else p
    if organisations is None or projects is None:
        raise click.UsageError("give --organisations and --projects, or --triples")
    tty = sys.stderr.isatty()
    with click.progressbar(length=max(1, projects * 35), label="generating", file=sys.stderr) if tty else _NoBar() as bar:
        done = [0]

        def progress(n: int) -> None:
            bar.update(n - done[0])
            done[0] = n

        stats = run_generate(out, organisations=organisations, projects=projects, seed=seed, error_rate=error_rate, progress=progress)
    for line in stats.summary():
        click.echo(line)


class _NoBar:
    """Stand-in for a progress bar when output is piped."""

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None

# --- publish -------------------------------------------------------------------


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("site"), show_default=True, help="Directory for the static linked-data site.")
@click.option("--data", "data", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="RDF or tables to publish instead of the embedded dataset.")
@click.option("--endpoint", default=None, help="Public SPARQL endpoint URL to advertise in the DCAT/VoID description.")
@click.option("--base-url", default=None, help="URL the site will be served from.")
def publish(out: Path, data: tuple[Path, ...], endpoint: str | None, base_url: str | None) -> None:
    """Write the dataset as linked open data: dumps, one HTML/Turtle/JSON-LD page per
    resource, a DCAT/VoID description and content-negotiation rules."""
    from . import ingest, store
    from .publish import publish as run_publish

    ds = store.open_dataset()
    if data:
        ingest.import_sources(list(data), ds)
    else:
        ingest.load_embedded(ds)
    path = run_publish(ds, out, endpoint=endpoint, base_url=base_url)
    pages = sum(1 for _ in (path / "id").rglob("index.html"))
    click.echo(f"wrote {pages} resource pages, dumps and void.ttl to {path}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
