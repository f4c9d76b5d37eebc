"""Ranking metrics for recommender competitions.

Conventions (binary relevance, as most recommender leaderboards use):

* A recommendation list is cut at ``k`` first; an id repeated inside the first ``k`` counts
  once (the repeat only wastes a slot).
* ``recall_at_k`` divides the hits by ``min(k, |relevant|)``, so a perfect list scores 1.0
  even for a user with more than ``k`` relevant items.
* ``ndcg_at_k`` gains 1 / log2(rank + 1) per hit (rank from 1) and divides by the best
  possible DCG for ``min(k, |relevant|)`` hits.
* Users with no relevant items are left out of averages (they have nothing to find); a
  user with relevant items but no recommendations scores 0.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from typing import Any


def recall_at_k(recommended: Sequence[Hashable], relevant: Collection[Hashable], k: int) -> float:
    """Hits in the first ``k`` recommendations over ``min(k, len(relevant))``; 0.0 when
    nothing is relevant."""
    _check_k(k)
    relevant = set(relevant)
    if not relevant:
        return 0.0
    hits = sum(1 for _, item in _ranked_top_k(recommended, k) if item in relevant)
    return hits / min(k, len(relevant))


def ndcg_at_k(recommended: Sequence[Hashable], relevant: Collection[Hashable], k: int) -> float:
    """Normalized discounted cumulative gain of the first ``k`` recommendations; 0.0 when
    nothing is relevant."""
    _check_k(k)
    relevant = set(relevant)
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(rank + 1)
              for rank, item in _ranked_top_k(recommended, k) if item in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(k, len(relevant)) + 1))
    return dcg / ideal


def _ranked_top_k(recommended: Iterable[Hashable], k: int) -> list[tuple[int, Hashable]]:
    """The first occurrence of each item within the first ``k`` positions, with its 1-based rank."""
    seen: set[Hashable] = set()
    result: list[tuple[int, Hashable]] = []
    for rank, item in enumerate(recommended, start=1):
        if rank > k:
            break
        if item not in seen:
            seen.add(item)
            result.append((rank, item))
    return result


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")


def evaluate_ranking(
    recommendations: Mapping[Hashable, Sequence[Hashable]],
    relevant: Mapping[Hashable, Collection[Hashable]],
    k: int,
) -> dict[str, Any]:
    """Mean recall@k and nDCG@k over every user of ``relevant`` with at least one item.

    :param recommendations: user id to ranked item ids (users not in ``relevant`` are ignored).
    :param relevant: user id to the items that count as hits.
    :returns: ``{"recall@k": ..., "ndcg@k": ..., "users": n, "users_without_recommendations": m,
        "hit_users": h}`` with the actual ``k`` in the key names.
    """
    _check_k(k)
    users = [user for user, items in relevant.items() if items]
    recall_total = ndcg_total = 0.0
    missing = hit_users = 0
    for user in users:
        recommended = recommendations.get(user)
        if recommended is None:
            missing += 1
            continue
        items = relevant[user]
        recall = recall_at_k(recommended, items, k)
        recall_total += recall
        ndcg_total += ndcg_at_k(recommended, items, k)
        hit_users += recall > 0
    count = len(users)
    return {
        f"recall@{k}": recall_total / count if count else 0.0,
        f"ndcg@{k}": ndcg_total / count if count else 0.0,
        "users": count,
        "users_without_recommendations": missing,
        "hit_users": hit_users,
    }
