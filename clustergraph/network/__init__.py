"""Networks from the knowledge graph, the analyses on them, and their pictures.

Owns building networkx graphs from the store (:mod:`.graphs`), cross-sector analysis
(:mod:`.crosssector`), value chains (:mod:`.valuechain`), metrics and exports
(:mod:`.metrics`) and pictures (:mod:`.plot`).

Imports from: core and :mod:`clustergraph.store`.
"""

from __future__ import annotations

from .graphs import (
    LEVELS,
    UNKNOWN,
    affiliation_graph,
    affiliations,
    collaboration_edges,
    collaboration_graph,
    country_graph,
    highlights,
    organisations,
    participations,
    sector_graph,
    shares,
)
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
from .valuechain import (
    missing_links,
    value_chain,
    value_chain_paths,
)
from .metrics import (
    EXPORT_FORMATS,
    METRICS_GRAPH,
    NETWORK,
    NetworkReport,
    TERMS,
    analyse,
    annotate,
    export,
    metrics_triples,
    network_metrics,
    node_metrics,
    write_exports,
    write_metrics,
)
from .plot import (
    mixing_figure,
    network_figure,
    plot_mixing,
    plot_network,
    save,
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
    "write_exports",
    "write_metrics",
]
