"""One error hierarchy for the whole library.

Every error says *what* went wrong, *where* (file, row, column, line or focus
node) and *how to fix it*. The library raises them and never prints or exits;
the command line (``cli.py``) turns any :class:`ClusterGraphError` into one line
on stderr and exits with the error's ``exit_code``, shown here in brackets::

    * ClusterGraphError [2]              base class: ``except ClusterGraphError`` catches every one
      + InputError [2]                   one problem in a user's table, RDF or query file
      + InputErrors [2]                  several problems (``.problems``); nothing was written
      + MappingError [2]                 a CSVW mapping is itself broken
      + NormalisationError [2]           a value cannot be normalised without guessing
      + ShapesError [3]                  the SHACL shapes are broken, not the data
      + QueryError [2]                   a query is unknown, malformed, or failed to run
        - ParameterError [2]             a query parameter, or an analysis or generator argument, is wrong
      + StoreError [2]                   a store cannot be opened, loaded or written
        - EndpointError [2]              a remote SPARQL endpoint is unreachable, timed out or refused
      + NetworkError [2]                 a host (or file) nobody named was about to be reached; offline is the default
      + ReasonerError [2]                the OWL reasoner failed to run
        - JavaNotFoundError [2]          no Java runtime for HermiT or Pellet
        - InconsistentOntologyError [1]  the data contradicts the ontology (``.explanation``)
      + WriteError [2]                   a file or folder cannot be written: disk full, no permission,
                                         read-only disk (``.path``, ``.errno``); nothing was changed
      + ReconciliationError [2]          a reconciliation request is malformed or names an unknown type,
                                         property or organisation

:class:`Problem` is not an exception: it is one located problem, carried by
:attr:`InputError.problem` and :attr:`InputErrors.problems`.

``ParameterError`` is also what the network analyses (``clustergraph.network``) and
``clustergraph.generate`` raise for a bad argument, so ``except QueryError`` catches
those too.

The other exit statuses do not come from this module: 0 on success; 1 when
``clustergraph validate`` finds that the data does not conform (a report, not an
error: :attr:`clustergraph.validation.report.ValidationReport.exit_code` and
:data:`~clustergraph.validation.report.EXIT_CODES`); 2 for click's own usage errors
(an unknown option, a missing argument); 130 when a command is interrupted (Ctrl-C).

>>> err = InputError("not a number", file="projects.csv", row=3, column="total_budget",
...                  value="12,x", fix="write the amount as 258.437 or 258,437")
>>> str(err)
"projects.csv:3: column 'total_budget': not a number (value '12,x'); fix: write the amount as 258.437 or 258,437"
>>> err.exit_code, ShapesError("x").exit_code, InconsistentOntologyError("x").exit_code
(2, 3, 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ClusterGraphError",
    "InputError",
    "InputErrors",
    "MappingError",
    "NormalisationError",
    "ShapesError",
    "QueryError",
    "ParameterError",
    "StoreError",
    "EndpointError",
    "NetworkError",
    "ReasonerError",
    "JavaNotFoundError",
    "InconsistentOntologyError",
    "WriteError",
    "ReconciliationError",
    "Problem",
]


class ClusterGraphError(Exception):
    """Base class of every error raised by clustergraph."""

    exit_code: int = 2

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        self.message = message
        self.fix = fix
        super().__init__(self.__str__())

    def __str__(self) -> str:  # pragma: no cover - trivial
        text = self.message
        if self.fix:
            text += f"; fix: {self.fix}"
        return text


@dataclass(frozen=True)
class Problem:
    """One problem found in an input: where it is, what is wrong, how to fix it."""

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    line: int | None = None
    value: Any = None
    fix: str | None = None

    @property
    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(str(self.file))
        if self.row is not None:
            parts.append(str(self.row))
        elif self.line is not None:
            parts.append(str(self.line))
        return ":".join(parts)

    def __str__(self) -> str:
        text = f"{self.location}: " if self.location else ""
        if self.column:
            text += f"column '{self.column}': "
        text += self.message
        if self.value is not None:
            text += f" (value {self.value!r})"
        if self.fix:
            text += f"; fix: {self.fix}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class InputError(ClusterGraphError):
    """A problem in a user's input file (a table, an RDF file, a query file)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        line: int | None = None,
        value: Any = None,
        fix: str | None = None,
    ) -> None:
        self.problem = Problem(message, file, row, column, line, value, fix)
        self.file, self.row, self.column, self.line, self.value = file, row, column, line, value
        super().__init__(message, fix=fix)

    def __str__(self) -> str:
        return str(self.problem)


class InputErrors(ClusterGraphError):
    """Several problems collected from one or more inputs; nothing was written."""

    def __init__(self, problems: list[Problem], *, limit_reached: bool = False) -> None:
        self.problems = list(problems)
        self.limit_reached = limit_reached
        super().__init__(self._summary())

    def _summary(self) -> str:
        n = len(self.problems)
        first = str(self.problems[0]) if self.problems else "no details"
        more = f" (and {n - 1} more{'; stopped at the limit' if self.limit_reached else ''})" if n > 1 else ""
        return f"{n} problem{'s' if n != 1 else ''} in the input, nothing written: {first}{more}"

    def __str__(self) -> str:
        return self._summary()


class MappingError(ClusterGraphError):
    """A CSVW mapping (table schema) is itself broken."""


class NormalisationError(ClusterGraphError):
    """A value (money, date, country, name) cannot be normalised without guessing."""

    def __init__(self, message: str, *, value: Any = None, fix: str | None = None) -> None:
        self.value = value
        super().__init__(message, fix=fix)


class ShapesError(ClusterGraphError):
    """The SHACL shapes are broken (not the data): exit status 3."""

    exit_code = 3


class QueryError(ClusterGraphError):
    """A SPARQL query is unknown, malformed, or failed to run."""


class ParameterError(QueryError):
    """A query parameter is unknown or has the wrong type."""


class StoreError(ClusterGraphError):
    """A store cannot be opened, loaded or written."""


class EndpointError(StoreError):
    """A remote SPARQL endpoint is unreachable, timed out, or refused the request."""


class NetworkError(ClusterGraphError):
    """clustergraph was about to open a connection (or a file) that nobody named.

    Offline is the default: a host is reached only when the user allows it
    (``allow_network=`` in Python, ``--allow-network HOST`` on the command line).
    """


class ReasonerError(ClusterGraphError):
    """The OWL reasoner failed to run."""


class JavaNotFoundError(ReasonerError):
    """No Java runtime is available for HermiT or Pellet."""


class InconsistentOntologyError(ReasonerError):
    """The ontology plus data is inconsistent; ``explanation`` says which entities and axioms clash."""

    exit_code = 1

    def __init__(self, message: str, *, explanation: list[str] | None = None, fix: str | None = None) -> None:
        self.explanation = explanation or []
        super().__init__(message, fix=fix)


class ReconciliationError(ClusterGraphError):
    """A reconciliation request that cannot be answered: malformed, or naming an unknown type, property or organisation."""


class WriteError(ClusterGraphError):
    """A file or folder cannot be written: the disk is full, permission is refused, the disk is read-only.

    ``path`` is what could not be written (the final name, never a temporary one),
    ``errno`` the operating system's error number (:mod:`errno`), or ``None`` when
    only the message told. :func:`clustergraph.atomic.write_error` makes one from an
    :class:`OSError`; every atomic write raises it instead of the bare ``OSError``.
    """

    def __init__(self, message: str, *, path: str | None = None, errno: int | None = None, fix: str | None = None) -> None:
        self.path = path
        self.errno = errno
        super().__init__(message, fix=fix)
