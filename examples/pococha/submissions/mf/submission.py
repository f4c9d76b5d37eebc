"""Implicit-feedback matrix factorization (alternating least squares), in NumPy.

Hu, Koren and Volinsky's model ("Collaborative Filtering for Implicit Feedback
Datasets", 2008): every listener-liver pair has a preference (watched or not) and a
confidence that grows with how much was watched; ALS alternates exact least-squares
solves for the listener factors and the liver factors. Recommendations are the
reconstructed preferences, which keep the livers a listener already watches near the
top and add the ones their taste neighbours watch. Listeners without history get the
popularity ranking.
"""

import datetime as dt

import hekaton
import numpy as np

HALF_LIFE_DAYS = 7.0
FACTORS = 24
ALPHA = 10.0            # confidence = 1 + ALPHA * engagement
REGULARIZATION = 0.1
ITERATIONS = 12
PAD_BUDGET = 1 << 18    # padded entries solved at once (bounds memory)


def load_history(dataset: hekaton.Dataset):
    """Listener ids, liver ids, the listener x liver engagement matrix scaled to [0, 10],
    which livers are still active, and liver indices by recency-weighted popularity."""
    livers = dataset.read_csv("livers.csv")
    rows = dataset.read_csv("interactions.csv", types={"watch_seconds": int, "gifts": int})
    if not rows:
        raise ValueError("interactions.csv is empty: nothing to learn from")
    items = sorted({row["liver_id"] for row in livers} | {row["liver_id"] for row in rows})
    users = sorted({row["listener_id"] for row in rows})
    item_index = {liver: i for i, liver in enumerate(items)}
    user_index = {listener: u for u, listener in enumerate(users)}
    last = max(dt.date.fromisoformat(row["day"]) for row in rows)
    engagement = np.zeros((len(users), len(items)), dtype=np.float64)
    viewers = np.zeros(len(items), dtype=np.float64)
    for row in rows:
        age = (last - dt.date.fromisoformat(row["day"])).days
        recency = 0.5 ** (age / HALF_LIFE_DAYS)
        i = item_index[row["liver_id"]]
        engagement[user_index[row["listener_id"]], i] += recency * np.log1p(row["watch_seconds"] / 60.0)
        viewers[i] += recency
    engagement *= 10.0 / max(engagement.max(), 1e-9)
    retired = {row["liver_id"] for row in livers if row["status"] == "retired"}
    active = np.array([liver not in retired for liver in items])
    popular = np.array([i for i in np.argsort(-viewers, kind="stable") if active[i]][:100], dtype=np.int64)
    return users, items, engagement, active, popular


class Sparse:
    """The nonzero entries of a matrix, row by row (CSR): ALS only needs those."""

    def __init__(self, shape: tuple[int, int], rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> None:
        order = np.lexsort((cols, rows))
        self.shape = shape
        self.indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=shape[0]))])
        self.indices = cols[order]
        self.values = values[order]
        self._rows = rows[order]

    @classmethod
    def from_dense(cls, dense: np.ndarray) -> "Sparse":
        rows, cols = np.nonzero(dense)
        return cls(dense.shape, rows, cols, dense[rows, cols])

    def transpose(self) -> "Sparse":
        return Sparse(self.shape[::-1], self.indices, self._rows, self.values)


def solve_side(fixed: np.ndarray, engagement: Sparse) -> np.ndarray:
    """One half-step of ALS: the best factors for every row given the other side's factors.

    For row u with watched items W(u): (YᵀY + Σ_{i∈W(u)} α r_ui y_i y_iᵀ + λI) x_u =
    Σ_{i∈W(u)} (1 + α r_ui) y_i. Rows are solved in batches of similar length, padded,
    so the cost follows the number of nonzero entries rather than the matrix's size.
    """
    factors = fixed.shape[1]
    gram = fixed.T @ fixed + REGULARIZATION * np.eye(factors)
    result = np.zeros((engagement.shape[0], factors))
    lengths = np.diff(engagement.indptr)
    order = np.argsort(lengths, kind="stable")
    start = 0
    while start < len(order):
        stop = start + 1
        while stop < len(order) and (stop - start + 1) * max(int(lengths[order[stop]]), 1) <= PAD_BUDGET:
            stop += 1
        rows = order[start:stop]
        width = max(int(lengths[rows].max()), 1)
        offsets = np.arange(width)[None, :]
        valid = offsets < lengths[rows][:, None]
        positions = np.where(valid, engagement.indptr[rows][:, None] + offsets, 0)
        weight = np.where(valid, ALPHA * engagement.values[positions], 0.0)        # c - 1
        vectors = fixed[np.where(valid, engagement.indices[positions], 0)]          # (rows, width, factors)
        lhs = gram[None] + np.matmul(vectors.transpose(0, 2, 1), weight[:, :, None] * vectors)
        rhs = np.matmul(((1.0 + weight) * valid)[:, None, :], vectors)[:, 0, :]
        result[rows] = np.linalg.solve(lhs, rhs[:, :, None])[:, :, 0]
        start = stop
    return result


def top_k(scores: np.ndarray, active: np.ndarray, popular: np.ndarray, k: int) -> list[int]:
    scores = np.where(active, scores, -np.inf)
    chosen = [int(i) for i in np.argsort(-scores, kind="stable")[:k] if scores[i] > 0]
    for i in popular:
        if len(chosen) >= k:
            break
        if int(i) not in chosen:
            chosen.append(int(i))
    return chosen


class Trainer(hekaton.Trainer):
    def train(self, dataset: hekaton.Dataset) -> None:
        users, items, engagement, active, popular = load_history(dataset)
        rng = np.random.default_rng(hekaton.seed())
        by_user = Sparse.from_dense(engagement)
        by_item = by_user.transpose()
        user_factors = rng.normal(0.0, 0.01, (len(users), FACTORS))
        item_factors = rng.normal(0.0, 0.01, (len(items), FACTORS))
        for _ in range(ITERATIONS):
            user_factors = solve_side(item_factors, by_user)
            item_factors = solve_side(user_factors, by_item)
        confidence = 1.0 + ALPHA * engagement
        loss = float((confidence * ((engagement > 0) - user_factors @ item_factors.T) ** 2).sum())
        print(f"mf: {len(users)} listeners, {len(items)} livers, {FACTORS} factors, "
              f"{ITERATIONS} ALS iterations, weighted loss {loss:.1f}")
        np.savez_compressed(self.model_dir / "mf.npz", users=np.array(users), items=np.array(items),
                            user_factors=user_factors.astype(np.float32),
                            item_factors=item_factors.astype(np.float32), active=active, popular=popular)


class Predictor(hekaton.Predictor):
    def __init__(self, model_dir):
        super().__init__(model_dir)
        with np.load(self.model_dir / "mf.npz") as model:
            self.items = model["items"].tolist()
            self.user_index = {user: u for u, user in enumerate(model["users"].tolist())}
            self.user_factors = model["user_factors"]
            self.item_factors = model["item_factors"]
            self.active = model["active"]
            self.popular = model["popular"]
        self.k = int(hekaton.params().get("k", 10))

    def predict(self, batch: list[dict]) -> list[list[str]]:
        nothing = np.zeros(len(self.items), dtype=np.float32)
        results = []
        for row in batch:
            u = self.user_index.get(row["listener_id"])
            scores = nothing if u is None else self.item_factors @ self.user_factors[u]
            results.append([self.items[i] for i in top_k(scores, self.active, self.popular, self.k)])
        return results
