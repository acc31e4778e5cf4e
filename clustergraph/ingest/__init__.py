"""Tables and RDF in: the importer and everything it reads with.

Owns importing sources into a dataset (:mod:`.importer`), W3C CSVW mappings
(:mod:`.mapping`), value normalisers (:mod:`.normalise`), reading CSV, XLSX and JSON tables
(:mod:`.tabular`) and RDF files (:mod:`.rdfsource`), provenance per source graph
(:mod:`.provenance`), near-duplicate organisations (:mod:`.merge`) and the steward's
empty templates (:mod:`.template`).

Imports from: core and :mod:`clustergraph.store`.
"""

from __future__ import annotations

from .importer import (
    EMBEDDED_TIME,
    ImportReport,
    PROBLEM_LIMIT,
    SourceReport,
    canonical_mappings,
    embedded_sources,
    find_mapping,
    import_sources,
    load_embedded,
)
from .mapping import (
    Column,
    MappedTable,
    Mapping,
    expand_prefixed,
    load_mapping,
    map_table,
    match_header,
)
from .normalise import (
    COUNTRY_NAMES,
    NORMALISERS,
    country,
    date,
    fold,
    identifier,
    money,
    normaliser,
    organisation,
    organisation_key,
    url,
)
from .tabular import (
    ROW_PROBLEM_LIMIT,
    XLSX_SIZE_LIMIT,
    Row,
    TABLE_SUFFIXES,
    Table,
    read_table,
)
from .rdfsource import (
    SUFFIXES,
    detect_format,
    parse_rdf,
    read_rdf,
)
from .provenance import (
    PROVENANCE_GRAPH,
    checksum,
    remove_source,
    row_node,
    row_triples,
    source_graph,
    source_triples,
)
from .merge import (
    Candidate,
    IdentityDecision,
    ORGANISATION_CLASSES,
    candidates,
    identifiers,
    merge_by_identifier,
    organisations,
)
from .template import (
    EXAMPLES,
    TEMPLATES,
    write_templates,
)

__all__ = [
    "COUNTRY_NAMES",
    "Candidate",
    "Column",
    "EMBEDDED_TIME",
    "EXAMPLES",
    "IdentityDecision",
    "ImportReport",
    "MappedTable",
    "Mapping",
    "NORMALISERS",
    "ORGANISATION_CLASSES",
    "PROBLEM_LIMIT",
    "PROVENANCE_GRAPH",
    "ROW_PROBLEM_LIMIT",
    "Row",
    "SUFFIXES",
    "SourceReport",
    "TABLE_SUFFIXES",
    "TEMPLATES",
    "Table",
    "XLSX_SIZE_LIMIT",
    "candidates",
    "canonical_mappings",
    "checksum",
    "country",
    "date",
    "detect_format",
    "embedded_sources",
    "expand_prefixed",
    "find_mapping",
    "fold",
    "identifier",
    "identifiers",
    "import_sources",
    "load_embedded",
    "load_mapping",
    "map_table",
    "match_header",
    "merge_by_identifier",
    "money",
    "normaliser",
    "organisation",
    "organisation_key",
    "organisations",
    "parse_rdf",
    "read_rdf",
    "read_table",
    "remove_source",
    "row_node",
    "row_triples",
    "source_graph",
    "source_triples",
    "url",
    "write_templates",
]
