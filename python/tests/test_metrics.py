import math

import pytest
from hekaton.host import evaluate_ranking, ndcg_at_k, recall_at_k


def test_recall_divides_by_min_of_k_and_relevant():
    assert recall_at_k(["a", "b", "c"], {"a", "c"}, 3) == 1.0
    assert recall_at_k(["a", "b", "c"], {"a", "x"}, 3) == 0.5
    assert recall_at_k(["a", "b"], {"a", "b", "c", "d"}, 2) == 1.0  # capped at k
    assert recall_at_k(["x", "y", "a"], {"a"}, 2) == 0.0            # cut at k first
    assert recall_at_k([], {"a"}, 10) == 0.0
    assert recall_at_k(["a"], set(), 10) == 0.0


def test_repeats_count_once():
    assert recall_at_k(["a", "a", "a"], {"a", "b"}, 3) == 0.5
    assert ndcg_at_k(["a", "a"], {"a", "b"}, 2) == pytest.approx(1.0 / (1.0 + 1.0 / math.log2(3)))


def test_ndcg_values():
    assert ndcg_at_k(["a", "b"], {"a", "b"}, 2) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "a"], {"a"}, 2) == pytest.approx(1.0 / math.log2(3))
    ideal = 1.0 + 1.0 / math.log2(3)
    assert ndcg_at_k(["a", "x", "b"], {"a", "b"}, 3) == pytest.approx((1.0 + 0.5) / ideal)
    assert ndcg_at_k(["x"], {"a"}, 1) == 0.0


def test_k_must_be_positive():
    with pytest.raises(ValueError):
        recall_at_k(["a"], {"a"}, 0)
    with pytest.raises(ValueError):
        ndcg_at_k(["a"], {"a"}, 0)


def test_evaluate_ranking_averages_over_users_with_labels():
    result = evaluate_ranking(
        {"u1": ["a", "b"], "u2": ["x"], "u4": ["a"]},
        {"u1": {"a"}, "u2": {"b"}, "u3": {"c"}, "u5": set()},
        k=2,
    )
    assert result["users"] == 3                       # u5 has nothing relevant
    assert result["users_without_recommendations"] == 1  # u3
    assert result["hit_users"] == 1
    assert result["recall@2"] == pytest.approx(1 / 3)
    assert result["ndcg@2"] == pytest.approx(1 / 3)
    assert evaluate_ranking({}, {}, 5)["recall@5"] == 0.0
