"""Matching organisation names: tokens, multilingual synonyms, and a score between 0 and 1.

A name is folded (case, accents), stripped of its legal form (``GmbH``, ``S.L.``,
``z.s.``: :func:`clustergraph.ingest.normalise.organisation_key`), cut into words, and
each word is mapped to an English stand-in when it is a common word of organisation
names in another language (``clúster``/``klaster`` → ``cluster``, ``comisión``/``Kommission``
→ ``commission``, ``TIC`` → ``ict``); small words (``de``, ``für``, ``the``) are dropped.

:func:`similarity` compares two such word lists: equal lists score 1, the same words in
another order 0.98, otherwise the share of words (weighted by how rare they are among the
names of the graph, so that ``cluster`` counts little and ``Mazovia`` much) that have a
close counterpart (edit-distance ratio ≥ 0.8 for words of four letters or more: typos),
or the closeness of the two names written without spaces (``BalticNet PlasmaTec`` and
``Baltic-Net-Plasmatec``). A name that is the acronym of the other scores 0.85, below an
automatic match: short strings are too easily someone else's.

>>> tokens("Clúster Audiovisual TIC de Madrid, S.L.")
['cluster', 'audiovisual', 'ict', 'madrid']
>>> round(similarity(tokens("Madrid ICT-Audiovisual Cluster"), tokens("Clúster Audiovisual TIC de Madrid")), 2)
0.98
>>> round(similarity(tokens("ESCA"), tokens("European Secretariat for Cluster Analysis")), 2)
0.85
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

from rapidfuzz import fuzz

from ..ingest.normalise import fold, organisation_key

__all__ = ["SYNONYMS", "STOPWORDS", "Weights", "tokens", "acronym", "similarity", "idf_weights"]

STOPWORDS = frozenset(
    "and of for the a an in on at to & "
    "de del dela la las los el y e en para por "
    "des du le les l d et pour "
    "di della delle dei degli per il lo "
    "und fur der die das den dem im zur zum "
    "i w z na dla oraz "
    "van het voor en".split()
)
"""Words dropped before comparing (English, Spanish, French, Italian, German, Polish, Dutch)."""

SYNONYMS: dict[str, str] = {
    # cluster
    **dict.fromkeys("cluster clusters cluster's clusteri clusteres klaster klastra klastry klastr kluster klynge klusteri".split(), "cluster"),
    # commission, european, europe
    **dict.fromkeys("commission commissione comision comisao kommission komisja commissie".split(), "commission"),
    **dict.fromkeys("european europaische europaischen europaisches europeenne europeen europea europeo europeu europejska europejski europese".split(), "european"),
    **dict.fromkeys("europe europa".split(), "europe"),
    # region, regional, autonomous
    **dict.fromkeys("region regione regio regionu".split(), "region"),
    **dict.fromkeys("regional regionale regionali regionales regionaux".split(), "regional"),
    **dict.fromkeys("autonomous autonoma autonome autonomo autonomiczny".split(), "autonomous"),
    # common words of organisation names
    **dict.fromkeys("ict tic ikt".split(), "ict"),
    **dict.fromkeys("secretariat secretariado secretaria secretariato sekretariat".split(), "secretariat"),
    **dict.fromkeys("analysis analyse analisis analisi analiza".split(), "analysis"),
    **dict.fromkeys("agency agence agencia agenzia agentur agencja".split(), "agency"),
    **dict.fromkeys("executive executive executif executive ejecutiva esecutiva exekutivagentur".split(), "executive"),
    **dict.fromkeys("alliance alianza alleanza allianz alliantie sojusz".split(), "alliance"),
    **dict.fromkeys("association asociacion associazione verband vereinigung stowarzyszenie associacao".split(), "association"),
    **dict.fromkeys("network red rete netzwerk reseau siec netwerk".split(), "network"),
    **dict.fromkeys("digital digitale numerique digitales cyfrowy".split(), "digital"),
    **dict.fromkeys("mazovia mazowsze mazowiecki mazowiecka mazowieckie mazovian".split(), "mazovia"),
    **dict.fromkeys("friuli friul frioul".split(), "friuli"),
    **dict.fromkeys("venezia venecia venetie".split(), "venezia"),
    **dict.fromkeys("giulia julia julienne".split(), "giulia"),
    **dict.fromkeys("logistics logistik logistica logistique logistyka".split(), "logistics"),
    **dict.fromkeys("small pequenas petites piccole kleine".split(), "small"),
    **dict.fromkeys("medium medianas moyennes medie mittlere".split(), "medium"),
    **dict.fromkeys("enterprises empresas entreprises imprese unternehmen".split(), "enterprises"),
    **dict.fromkeys("sized".split(), "sized"),
}
"""Words of organisation names in other languages, by their English stand-in (keys folded)."""


def tokens(name: str) -> list[str]:
    """The words of ``name`` to compare: folded, without legal form and small words, in English where known."""
    key = fold(organisation_key(str(name)))
    words = re.split(r"[^0-9a-z']+", key.replace("'s ", " "))
    out = []
    for w in words:
        w = w.strip("'")
        if not w or w in STOPWORDS:
            continue
        out.append(SYNONYMS.get(w, w))
    return out


def acronym(words: list[str]) -> str:
    """The initials of ``words`` (two words or more), e.g. ``esca``.

    >>> acronym(tokens("European Secretariat for Cluster Analysis"))
    'esca'
    """
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


def idf_weights(names: Iterable[list[str]]) -> dict[str, float]:
    """How much each word tells apart, from the word lists of every name in the graph.

    >>> w = idf_weights([["madrid", "cluster"], ["mazovia", "cluster"]])
    >>> w["madrid"] > w["cluster"]
    True
    """
    counts: dict[str, int] = {}
    total = 0
    for words in names:
        total += 1
        for w in set(words):
            counts[w] = counts.get(w, 0) + 1
    return Weights({w: math.log(1 + (total + 1) / c) for w, c in counts.items()})


class Weights(dict):
    """Word weights with the weight of a word never seen (the largest) kept at hand."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.unseen = max(self.values(), default=1.0)


def _weight(word: str, weights: Mapping[str, float] | None) -> float:
    if not weights:
        return 1.0
    found = weights.get(word)
    if found is not None:
        return found
    return weights.unseen if isinstance(weights, Weights) else max(weights.values(), default=1.0)


def _covered(words: list[str], others: list[str], weights: Mapping[str, float] | None) -> tuple[float, float]:
    """The weight of ``words`` that have a counterpart in ``others``, and their total weight."""
    got = total = 0.0
    for w in words:
        weight = _weight(w, weights)
        total += weight
        if w in others:
            got += weight
            continue
        if len(w) >= 4:
            best = max((fuzz.ratio(w, o) for o in others if len(o) >= 3), default=0.0) / 100
            if best >= 0.8:
                got += weight * best
    return got, total


def similarity(query: list[str], name: list[str], weights: Mapping[str, float] | None = None) -> float:
    """How alike two word lists (from :func:`tokens`) are, from 0 to 1 (see the module's description)."""
    if not query or not name:
        return 0.0
    if query == name:
        return 1.0
    if sorted(query) == sorted(name):
        return 0.98
    a_got, a_total = _covered(query, name, weights)
    b_got, b_total = _covered(name, query, weights)
    words = (a_got + b_got) / (a_total + b_total)
    compact = fuzz.ratio("".join(query), "".join(name)) / 100
    if compact < 0.85:
        compact = 0.0
    score = max(words, compact * 0.97)
    if len(query) == 1 and len(query[0]) >= 2 and query[0] == acronym(name):
        score = max(score, 0.85)
    if len(name) == 1 and len(name[0]) >= 2 and name[0] == acronym(query):
        score = max(score, 0.85)
    return min(score, 0.97)
