"""Pairs of members that share a group: the counting form of ``B @ B.T`` for an incidence list.

Both the network's collaboration projection (organisations sharing projects) and the
query plan for ``co-participants`` enumerate, for every group, the pairs of its members.
:func:`member_pairs` does it with numpy, one block per group size, so no Python loop
runs per group or per pair.

>>> import numpy as np
>>> first, second, group = member_pairs(np.array([0, 1, 2, 1]), np.array([0, 0, 0, 1]))
>>> sorted(zip(first.tolist(), second.tolist(), group.tolist()))
[(0, 1, 0), (0, 2, 0), (1, 2, 0)]
>>> first, second, group = member_pairs(np.array([5, 7]), np.array([3, 3]), ordered=True)
>>> sorted(zip(first.tolist(), second.tolist(), group.tolist()))
[(5, 7, 3), (7, 5, 3)]
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["member_pairs"]


def member_pairs(members: Any, groups: Any, *, ordered: bool = False) -> tuple[Any, Any, Any]:
    """Every pair of members of the same group: arrays ``(first, second, group)`` of int64.

    ``members`` and ``groups`` are integer codes of equal length, one entry per
    membership (give each membership once). With ``ordered=False`` each pair comes once,
    the member that comes first within its group (after a stable sort by group) first;
    with ``ordered=True`` both orders come.
    """
    members = np.asarray(members, dtype=np.int64)
    groups = np.asarray(groups, dtype=np.int64)
    order = np.argsort(groups, kind="stable")
    members_sorted, groups_sorted = members[order], groups[order]
    sizes = np.bincount(groups_sorted) if len(groups_sorted) else np.zeros(0, dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    first, second, group = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for k in np.unique(sizes[sizes > 1]):
        chosen = np.flatnonzero(sizes == k)
        block = members_sorted[starts[chosen][:, None] + np.arange(k)]  # one row per group of k members
        ia, ib = np.nonzero(~np.eye(int(k), dtype=bool)) if ordered else np.triu_indices(int(k), 1)
        first.append(block[:, ia].reshape(-1))
        second.append(block[:, ib].reshape(-1))
        group.append(np.repeat(chosen, len(ia)))
    return np.concatenate(first), np.concatenate(second), np.concatenate(group)
