"""Item-based k-nearest-neighbours on co-watching, plus repeat viewing.

Two livers are similar when the same listeners watch both (cosine similarity of their
audiences, shrunk towards zero for small audiences, keeping each liver's 50 nearest
neighbours). A listener's score for a liver is the similarity-weighted sum of what they
watched recently, plus a bonus for livers they already watch: on a live-streaming
platform most viewing is coming back to the same streamers. Listeners without history
get the popularity ranking.
"""

import datetime as dt

import hekaton
import numpy as np

HALF_LIFE_DAYS = 7.0    # recency weighting of the history
NEIGHBOURS = 50         # similarities kept per liver
SHRINK = 10.0           # damps similarities computed from few co-viewers
REPEAT_WEIGHT = 1.0     # weight of a listener's own history against their neighbours'


def load_history(dataset: hekaton.Dataset):
    """Listener ids, liver ids, the listener x liver engagement matrix, which livers are
    still active, and liver indices by recency-weighted popularity."""
    livers = dataset.read_csv("livers.csv")
    rows = dataset.read_csv("interactions.csv", types={"watch_seconds": int, "gifts": int})
    if not rows:
        raise ValueError("interactions.csv is empty: nothing to learn from")
    items = sorted({row["liver_id"] for row in livers} | {row["liver_id"] for row in rows})
    users = sorted({row["listener_id"] for row in rows})
    item_index = {liver: i for i, liver in enumerate(items)}
    user_index = {listener: u for u, listener in enumerate(users)}
    last = max(dt.date.fromisoformat(row["day"]) for row in rows)
    engagement = np.zeros((len(users), len(items)), dtype=np.float32)
    viewers = np.zeros(len(items), dtype=np.float64)
    for row in rows:
        age = (last - dt.date.fromisoformat(row["day"])).days
        recency = 0.5 ** (age / HALF_LIFE_DAYS)
        i = item_index[row["liver_id"]]
        engagement[user_index[row["listener_id"]], i] += recency * np.log1p(row["watch_seconds"] / 60.0)
        viewers[i] += recency
    retired = {row["liver_id"] for row in livers if row["status"] == "retired"}
    active = np.array([liver not in retired for liver in items])
    popular = np.array([i for i in np.argsort(-viewers, kind="stable") if active[i]][:100], dtype=np.int64)
    return users, items, engagement, active, popular


def top_k(scores: np.ndarray, active: np.ndarray, popular: np.ndarray, k: int) -> list[int]:
    """The k best active items with a positive score, topped up from the popular ones."""
    scores = np.where(active, scores, -np.inf)
    best = np.argsort(-scores, kind="stable")[:k]
    chosen = [int(i) for i in best if scores[i] > 0]
    for i in popular:
        if len(chosen) >= k:
            break
        if int(i) not in chosen:
            chosen.append(int(i))
    return chosen


class Trainer(hekaton.Trainer):
    def train(self, dataset: hekaton.Dataset) -> None:
        users, items, engagement, active, popular = load_history(dataset)
        watched = (engagement > 0).astype(np.float32)
        audience = watched.sum(axis=0)
        co_viewers = watched.T @ watched
        similarity = co_viewers / (np.sqrt(np.outer(audience, audience)) + SHRINK)
        np.fill_diagonal(similarity, 0.0)
        if similarity.shape[1] > NEIGHBOURS:  # keep each liver's nearest neighbours only
            weakest = np.argpartition(-similarity, NEIGHBOURS, axis=1)[:, NEIGHBOURS:]
            np.put_along_axis(similarity, weakest, 0.0, axis=1)
        profiles = engagement / np.maximum(engagement.max(axis=1, keepdims=True), 1e-9)
        np.savez_compressed(self.model_dir / "itemknn.npz", users=np.array(users), items=np.array(items),
                            profiles=profiles.astype(np.float32), similarity=similarity.astype(np.float32),
                            active=active, popular=popular)
        print(f"itemknn: {len(users)} listeners, {len(items)} livers, "
              f"{int((similarity > 0).sum())} similarities kept")


class Predictor(hekaton.Predictor):
    def __init__(self, model_dir):
        super().__init__(model_dir)
        with np.load(self.model_dir / "itemknn.npz") as model:
            self.items = model["items"].tolist()
            self.user_index = {user: u for u, user in enumerate(model["users"].tolist())}
            self.profiles = model["profiles"]
            self.similarity = model["similarity"]
            self.active = model["active"]
            self.popular = model["popular"]
        self.k = int(hekaton.params().get("k", 10))

    def predict(self, batch: list[dict]) -> list[list[str]]:
        users = [self.user_index.get(row["listener_id"]) for row in batch]  # None: no history
        known = [u for u in users if u is not None]
        profiles = self.profiles[known]
        scores = dict(zip(known, profiles @ self.similarity + REPEAT_WEIGHT * profiles, strict=True))
        nothing = np.zeros(len(self.items), dtype=np.float32)
        return [[self.items[i] for i in top_k(scores.get(u, nothing), self.active, self.popular, self.k)]
                for u in users]
