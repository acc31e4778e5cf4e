"""The public surface: adding or dropping a public name is a visible, reviewed change."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import types

import pytest

import clustergraph

#: ``clustergraph.__all__`` as it is promised in the README and the CHANGELOG.
PUBLIC = sorted(
    """
    __version__ CG ID GRAPH COUNTRY bind_prefixes mint slug build BuildResult publish load_ipython_extension
    open_dataset load dump select replace_graph to_memory union oxigraph
    import_sources load_embedded ImportReport write_templates
    run list_queries open_data QueryResult open_remote
    collaboration_graph affiliation_graph sector_graph country_graph highlights analyse write_metrics
    reason ReasoningResult add_inferred explain infer materialise
    generate GenerateStats validate_sparql validate ValidationReport Finding
    ontology_path shapes_dir queries_dir data_dir
    ClusterGraphError InputError InputErrors Problem MappingError NormalisationError ShapesError
    QueryError ParameterError StoreError EndpointError ReasonerError JavaNotFoundError
    InconsistentOntologyError
    """.split()
)

STAGES = ["store", "ingest", "validation", "reasoning", "query", "network", "publishing", "reconciliation"]


def test_top_level_names_are_pinned() -> None:
    assert sorted(clustergraph.__all__) == PUBLIC
    assert len(set(clustergraph.__all__)) == len(clustergraph.__all__)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_top_level_name_resolves(name: str) -> None:
    assert getattr(clustergraph, name) is not None


def test_lazy_names_are_listed_and_nothing_else_is_public() -> None:
    eager = {n for n, v in vars(clustergraph).items() if not n.startswith("_") and not isinstance(v, types.ModuleType)}
    eager -= {"annotations"}  # from __future__
    assert eager | set(clustergraph._LAZY) | {"__version__"} == set(PUBLIC)


@pytest.mark.parametrize("stage", STAGES)
def test_a_stage_package_exports_its_modules_public_names(stage: str) -> None:
    package = importlib.import_module(f"clustergraph.{stage}")
    assert isinstance(package, types.ModuleType)
    assert package.__all__ == sorted(package.__all__), "keep a stage's __all__ sorted"
    for name in package.__all__:
        value = getattr(package, name)
        home = getattr(value, "__module__", None)
        if home is not None and callable(value):
            assert home.startswith(f"clustergraph.{stage}."), f"{stage}.{name} comes from {home}"
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"clustergraph.{stage}.{info.name}")
        assert hasattr(module, "__all__"), f"clustergraph.{stage}.{info.name} has no __all__"


@pytest.mark.parametrize("stage", STAGES)
def test_import_as_gives_the_package_not_a_function(stage: str) -> None:
    """The package-versus-function trap: ``import clustergraph.<stage> as m`` is the package."""
    module = importlib.import_module(f"clustergraph.{stage}")
    assert getattr(clustergraph, stage, module) is module
    assert isinstance(module, types.ModuleType)


def test_importing_the_package_loads_no_network_analysis_stack() -> None:
    code = "import sys, clustergraph; print(sorted(m for m in ('networkx', 'pandas', 'scipy', 'IPython', 'tqdm') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_command_line_starts_without_the_stages() -> None:
    """``clustergraph --help`` loads click and the errors, not rdflib, Oxigraph or pySHACL."""
    heavy = ("rdflib", "pyoxigraph", "oxrdflib", "pyshacl", "networkx", "pandas", "owlready2")
    code = f"import sys, clustergraph.cli; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


#: Every command and option the CLI offered when the package was split into stages.
#: Commands and options may be added; none of these may disappear.
CLI = {
    "build": ["--memory-store", "--no-network", "--no-validate", "--out", "--reason", "--store", "SOURCES", "--data", "--endpoint", "--update-endpoint", "--graph-store-endpoint"],
    "generate": ["--error-rate", "--organisations", "--out", "--projects", "--seed", "--triples"],
    "import": ["--base", "--encoding", "--lenient", "--mapping", "--out", "--report", "--store", "--strict", "SOURCES", "--data", "--endpoint", "--update-endpoint", "--graph-store-endpoint"],
    "network": ["--data", "--format", "--memory-store", "--out", "--samples", "--seed", "--store", "--endpoint", "--graph", "--update-endpoint", "--graph-store-endpoint", "--timeout"],
    "publish": ["--base-url", "--data", "--endpoint", "--out", "--advertise-endpoint", "--store", "--graph"],
    "push": ["--data", "--endpoint", "--flavour", "--graph", "--graph-store", "--method", "--store", "--timeout", "--update-endpoint", "--into", "--graph-store-endpoint"],
    "query": ["--data", "--endpoint", "--file", "--format", "--graph", "--list", "--memory-store", "--out", "--param", "--store", "--timeout", "-p", "NAME"],
    "reason": ["--input", "--ontology", "--out", "--reasoner", "--data", "--store", "--endpoint", "--graph"],
    "serve": ["--data", "--host", "--memory-store", "--port", "--public", "--store", "--writable", "--endpoint", "--graph"],
    "reconcile": ["--candidates", "--column", "--country-column", "--data", "--out", "--review", "--store", "--type", "TABLE"],
    "reconcile-serve": ["--data", "--host", "--port", "--public", "--store"],
    "template": ["--force", "DIRECTORY"],
    "validate": ["--allow-service-host", "--engine", "--fail-on", "--format", "--inference", "--out", "--shapes", "--store", "DATA", "--data", "--endpoint", "--graph", "--timeout"],
}


@pytest.mark.parametrize("command", sorted(CLI))
def test_cli_commands_and_options_stay(command: str) -> None:
    import click

    from clustergraph.cli import main

    assert command in main.commands, f"the '{command}' command is gone"
    params = main.commands[command].params
    offered = {o for p in params for o in (*p.opts, *p.secondary_opts) if o.startswith("-")}
    offered |= {p.name.upper() for p in params if isinstance(p, click.Argument) and p.name}
    assert set(CLI[command]) <= offered, f"{command} lost {sorted(set(CLI[command]) - offered)}"
