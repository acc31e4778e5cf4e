"""Networks from the knowledge graph, the analyses on them, and their pictures.

Layered bottom to top, each module importing only those below it:

- :mod:`.facts`: what the store gives (query rows, names, the small tables keyed by IRI);
- :mod:`.graphs`: the networkx graphs and tables built from it (collaboration,
  affiliation, sector and country networks; the sector rule and its shares);
- :mod:`.crosssector` (mixing, brokers, bridges, communities) and :mod:`.valuechain`
  (value-chain links and paths), side by side on the graphs;
- :mod:`.overview`: :func:`highlights`, the one place the analyses are combined;
- :mod:`.plot` (pictures) and :mod:`.metrics` (measures back into RDF, exports,
  and :func:`analyse`, which runs everything);
- :mod:`.interactive`: :func:`explore`, the network as a widget in a notebook
  (ipysigma, an optional extra), the picture of :mod:`.plot` without it.

Imports from: core and :mod:`clustergraph.store`.
"""

from __future__ import annotations

from .crosssector import (
    EXACT_LIMIT,
    SAMPLES,
    articulation_points,
    assortativity,
    betweenness,
    bridges,
    brokers,
    communities,
    community_sectors,
    constraint,
    cross_sector_edges,
    effective_size,
    ei_index,
    mixing_matrix,
    mixing_total,
    node_ei_index,
    summary,
)
from .graphs import (
    LEVELS,
    UNKNOWN,
    affiliation_graph,
    affiliations,
    collaboration_edges,
    collaboration_graph,
    country_graph,
    organisations,
    participations,
    sector_graph,
    shares,
)
from .interactive import explore, widget_graph
from .metrics import (
    EXPORT_FORMATS,
    METRICS_GRAPH,
    NETWORK,
    TERMS,
    NetworkReport,
    analyse,
    annotate,
    export,
    metrics_triples,
    network_metrics,
    node_metrics,
    write_exports,
    write_metrics,
)
from .overview import highlights
from .plot import (
    mixing_figure,
    network_figure,
    plot_mixing,
    plot_network,
    save,
)
from .valuechain import (
    missing_links,
    value_chain,
    value_chain_paths,
)

__all__ = [
    "EXACT_LIMIT",
    "EXPORT_FORMATS",
    "LEVELS",
    "METRICS_GRAPH",
    "NETWORK",
    "NetworkReport",
    "SAMPLES",
    "TERMS",
    "UNKNOWN",
    "affiliation_graph",
    "affiliations",
    "analyse",
    "annotate",
    "articulation_points",
    "assortativity",
    "betweenness",
    "bridges",
    "brokers",
    "collaboration_edges",
    "collaboration_graph",
    "communities",
    "community_sectors",
    "constraint",
    "country_graph",
    "cross_sector_edges",
    "effective_size",
    "ei_index",
    "explore",
    "export",
    "highlights",
    "metrics_triples",
    "missing_links",
    "mixing_figure",
    "mixing_matrix",
    "mixing_total",
    "network_figure",
    "network_metrics",
    "node_ei_index",
    "node_metrics",
    "organisations",
    "participations",
    "plot_mixing",
    "plot_network",
    "save",
    "sector_graph",
    "shares",
    "summary",
    "value_chain",
    "value_chain_paths",
    "widget_graph",
    "write_exports",
    "write_metrics",
]
