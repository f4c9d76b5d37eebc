"""Score stage (no participant code): recall@k of the predictions against the target day.

Averaged over the listeners who watched anything that day; a listener without a
prediction scores 0. nDCG@k and coverage are reported in the details. The listeners are
split into the public leaderboard's 30% and the private one's 70% (metric.splits), each
scored the same way.
"""

from _pococha import K, read_relevant
from hekaton import host


def score(predictions, labels, ctx):
    relevant = read_relevant(labels)
    lists = {listener: livers for listener, livers in predictions.items() if isinstance(livers, list)}
    result = host.evaluate_ranking(lists, relevant, K)
    recommended = {liver for livers in lists.values() for liver in livers[:K]}
    details = {
        f"ndcg@{K}": result[f"ndcg@{K}"],
        "listeners_scored": result["users"],
        "listeners_hit": result["hit_users"],
        "listeners_without_predictions": result["users_without_recommendations"],
        "predictions": len(predictions),
        "distinct_livers_recommended": len(recommended),
    }
    if not ctx.splits:
        return result[f"recall@{K}"], details
    splits = {name: host.evaluate_ranking(lists, part, K)[f"recall@{K}"] for name, part in host.split(relevant, ctx).items()}
    return result[f"recall@{K}"], details, splits


if __name__ == "__main__":
    host.main(host.run_score, score, metric=f"recall@{K}")
