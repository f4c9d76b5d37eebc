#!/usr/bin/env python3
"""Synthetic daily viewing logs for the Pococha example: listeners watching livers.

Writes ONE dataset version, for the target day ``--day``, into ``--out``::

    train/interactions.csv        listener_id, liver_id, day, watch_seconds, gifts
                                  (the --history-days days before the target day)
    train/livers.csv              liver_id, genre, debut_day, status (as of the target day)
    eval/features/listeners.csv   listener_id (everyone to recommend for on the target day)
    eval/labels/interactions.csv  the target day's interactions, same columns as train

Each file is written atomically (temporary name, then rename); files of the same names
are replaced and nothing else in ``--out`` is touched.

The world is a pure function of ``--seed``, ``--listeners`` and ``--livers``: every day's
viewing is derived from the seed and that day alone, never from the window being
written, so consecutive days agree (day D+1's training window holds exactly day D's
labels) and rerunning a day reproduces it byte for byte. Standard library only.

The model of the world, in short:

* 8 genres of 3 communities each. Every liver belongs to one community; every listener
  likes one to three communities strongly and their genres a little, and sometimes
  browses whatever is popular.
* Liver popularity is heavy-tailed (Pareto: the top tenth draws nearly half), grows in
  a liver's first weeks, drifts slowly, and wobbles day to day. Livers do not stream
  every day. New livers debut continuously (about one a day at the default size) and
  get a rookie boost; careers end, so the catalogue turns over.
* Listener tastes drift on cycles of weeks; activity is heavy-tailed too (a few
  listeners watch daily, most rarely) and higher at weekends.
* Listeners follow livers (at a listener-specific rate, for weeks to months) and most
  of their viewing is repeat viewing of livers they follow.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import math
import os
import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

GENRES = ["talk", "singing", "music", "gaming", "comedy", "beauty", "fitness", "cooking"]
COMMUNITIES_PER_GENRE = 3
#: Day 0 of the world's day numbers; livers are numbered from here by debut order.
EPOCH = dt.date(2000, 1, 1)
FIRST_DAY = dt.date(2005, 1, 1)
MEAN_CAREER = 360.0          # days (exponential, clipped)
MIN_CAREER, MAX_CAREER = 14, 1500
MAX_FOLLOW_DAYS = 180
FOLLOW_BLOCK = 28            # follow events are drawn per listener per block of days
POPULARITY_TAIL = 1.8         # Pareto index of liver popularity: smaller is more skewed
MAX_BASE_POPULARITY = 150.0
ROOKIE_DAYS, ROOKIE_BOOST = 7, 2.5

DEFAULT_SEED = 1
DEFAULT_LISTENERS = 2000
DEFAULT_LIVERS = 300
DEFAULT_HISTORY_DAYS = 14

_MASK = (1 << 64) - 1
_TAG_WORLD, _TAG_LIVER, _TAG_LISTENER, _TAG_DAY, _TAG_FOLLOW, _TAG_LIVE, _TAG_NOISE = range(1, 8)
_TWO_PI = 2.0 * math.pi


# -- counter-based randomness: the same keys give the same numbers, in any order ------------

def _mix(*keys: int) -> int:
    """A 64-bit hash of integer keys (SplitMix64 steps), stable across runs and platforms."""
    state = 0x9E3779B97F4A7C15
    for key in keys:
        state = (state ^ (key & _MASK)) & _MASK
        state = (state + 0x9E3779B97F4A7C15) & _MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        state = z ^ (z >> 31)
    return state


def _uniform(*keys: int) -> float:
    return (_mix(*keys) >> 11) * (1.0 / (1 << 53))


def _normal(*keys: int) -> float:
    bits = _mix(*keys)
    u1 = ((bits >> 32) + 1) / 4294967297.0
    u2 = (bits & 0xFFFFFFFF) / 4294967296.0
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(_TWO_PI * u2)


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    return min(bisect.bisect_right(cumulative, rng.random() * cumulative[-1]), len(cumulative) - 1)


def _cumulate(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


#: A follow: (liver index, strength, first day, first day after it).
Follow = tuple[int, float, int, int]


# -- the world ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Liver:
    index: int
    debut: int          # first day streaming (world day number)
    end: int            # first day no longer streaming
    community: int
    base: float         # heavy-tailed base popularity
    p_live: float       # chance of streaming on a given day
    period: float
    phase: float
    gift_factor: float

    @property
    def id(self) -> str:
        return f"V{self.index:05d}"

    def active(self, day: int) -> bool:
        return self.debut <= day < self.end


@dataclass(frozen=True)
class Listener:
    index: int
    activity: float             # chance of watching on a weekday
    extra_sessions: float       # mean sessions beyond the first on an active day
    p_repeat: float             # chance a session goes to a followed liver
    p_browse: float             # chance an exploring session follows global popularity
    taste: tuple[tuple[int, float, float, float], ...]  # (community, weight, period, phase)
    follow_rate: float          # follows per day
    watch_scale: float          # median seconds per session
    gift_rate: float

    @property
    def id(self) -> str:
        return f"L{self.index:05d}"


class DayState:
    """Who streams on one day and how the day's attention divides among them."""

    def __init__(self, world: World, day: int, livers: list[Liver]) -> None:
        seed = world.seed
        self.popularity: dict[int, float] = {}
        members: list[list[tuple[int, float]]] = [[] for _ in range(world.communities)]
        for liver in livers:
            if not liver.active(day) or _uniform(seed, _TAG_LIVE, liver.index, day) >= liver.p_live:
                continue
            age = day - liver.debut
            popularity = (liver.base * (0.35 + 0.65 * (1.0 - math.exp(-age / 30.0)))
                          * math.exp(0.35 * math.sin(_TWO_PI * day / liver.period + liver.phase))
                          * math.exp(0.25 * _normal(seed, _TAG_NOISE, liver.index, day)))
            self.popularity[liver.index] = popularity
            boost = ROOKIE_BOOST if age < ROOKIE_DAYS else 1.0
            members[liver.community].append((liver.index, popularity * boost))
        self.members = [[index for index, _ in group] for group in members]
        self.cumulative = [_cumulate([weight for _, weight in group]) for group in members]
        self.mass = [(cum[-1] if cum else 0.0) * math.exp(0.25 * math.sin(_TWO_PI * day / period + phase))
                     for cum, (period, phase) in zip(self.cumulative, world.community_trend, strict=True)]
        self.mass_cumulative = _cumulate(self.mass)

    def draw(self, listener: Listener, day: int, rng: random.Random) -> int | None:
        """A liver the listener finds by exploring: by taste, or by global popularity."""
        if not self.mass_cumulative or self.mass_cumulative[-1] <= 0:
            return None
        community = -1
        if rng.random() >= listener.p_browse:
            weights = [(c, w * math.exp(0.5 * math.sin(_TWO_PI * day / period + phase)) * self.mass[c])
                       for c, w, period, phase in listener.taste]
            weights = [(c, w) for c, w in weights if w > 0]
            if weights:
                cumulative = _cumulate([w for _, w in weights])
                community = weights[_pick(rng, cumulative)][0]
        if community < 0:
            community = _pick(rng, self.mass_cumulative)
        return self.members[community][_pick(rng, self.cumulative[community])]


class World:
    """The synthetic platform; every method is a pure function of the constructor's arguments."""

    def __init__(self, seed: int = DEFAULT_SEED, listeners: int = DEFAULT_LISTENERS,
                 livers: int = DEFAULT_LIVERS) -> None:
        if listeners < 1 or livers < 10:
            raise ValueError("need at least 1 listener and 10 livers")
        self.seed, self.listener_count, self.liver_target = seed, listeners, livers
        rng = random.Random(_mix(seed, _TAG_WORLD))
        self.communities = len(GENRES) * COMMUNITIES_PER_GENRE
        self.community_genre = [c // COMMUNITIES_PER_GENRE for c in range(self.communities)]
        self.community_size = _cumulate([rng.gammavariate(2.0, 1.0) for _ in range(self.communities)])
        self.community_trend = [(rng.uniform(30.0, 120.0), rng.uniform(0.0, _TWO_PI))
                                for _ in range(self.communities)]
        # Expected career of the clipped exponential: a + m (e^(-a/m) - e^(-b/m)).
        career = MIN_CAREER + MEAN_CAREER * (math.exp(-MIN_CAREER / MEAN_CAREER)
                                             - math.exp(-MAX_CAREER / MEAN_CAREER))
        self.spacing = career / livers  # days between debuts, so that ~`livers` stream at once
        self._livers: dict[int, Liver] = {}
        self._listeners: dict[int, Listener] = {}
        self._states: dict[int, DayState] = {}
        self._window: tuple[int, int, list[Liver]] | None = None

    # -- livers and listeners --

    def liver(self, index: int) -> Liver:
        liver = self._livers.get(index)
        if liver is None:
            rng = random.Random(_mix(self.seed, _TAG_LIVER, index))
            debut = int(index * self.spacing + rng.random() * self.spacing)
            career = min(max(rng.expovariate(1.0 / MEAN_CAREER), MIN_CAREER), MAX_CAREER)
            liver = Liver(index=index, debut=debut, end=debut + int(round(career)),
                          community=_pick(rng, self.community_size),
                          base=min((1.0 - rng.random()) ** (-1.0 / POPULARITY_TAIL), MAX_BASE_POPULARITY),
                          p_live=rng.uniform(0.45, 0.95), period=rng.uniform(20.0, 90.0),
                          phase=rng.uniform(0.0, _TWO_PI), gift_factor=rng.lognormvariate(0.0, 0.7))
            self._livers[index] = liver
        return liver

    def livers_between(self, first: int, last: int) -> list[Liver]:
        """Every liver streaming at some point in days ``first..last``."""
        low = max(0, int((first - MAX_CAREER) / self.spacing) - 2)
        high = int(last / self.spacing) + 2
        return [liver for liver in map(self.liver, range(low, high + 1))
                if liver.debut <= last and liver.end > first]

    def listener(self, index: int) -> Listener:
        listener = self._listeners.get(index)
        if listener is None:
            rng = random.Random(_mix(self.seed, _TAG_LISTENER, index))
            favourites: list[int] = []
            for _ in range(rng.choices((1, 2, 3), (0.45, 0.35, 0.20))[0]):
                community = _pick(rng, self.community_size)
                if community not in favourites:
                    favourites.append(community)
            weights: dict[int, float] = {}
            for community in favourites:
                weight = rng.gammavariate(1.0, 1.0) + 0.3
                weights[community] = weights.get(community, 0.0) + weight
                genre = self.community_genre[community]
                for sibling in range(genre * COMMUNITIES_PER_GENRE, (genre + 1) * COMMUNITIES_PER_GENRE):
                    if sibling != community:
                        weights[sibling] = weights.get(sibling, 0.0) + 0.15 * weight
            taste = tuple((c, w, rng.uniform(10.0, 45.0), rng.uniform(0.0, _TWO_PI))
                          for c, w in sorted(weights.items()))
            listener = Listener(index=index, activity=min(max(rng.betavariate(0.6, 1.5), 0.01), 0.95),
                                extra_sessions=rng.gammavariate(2.0, 0.6), p_repeat=rng.betavariate(4.0, 2.5),
                                p_browse=rng.betavariate(1.2, 6.0), taste=taste,
                                follow_rate=rng.gammavariate(1.5, 0.04),
                                watch_scale=rng.lognormvariate(6.2, 0.5), gift_rate=rng.lognormvariate(-3.0, 1.2))
            self._listeners[index] = listener
        return listener

    # -- days --

    def prepare(self, first: int, last: int) -> None:
        """Pre-select the livers relevant to days ``first..last`` (an optimisation only)."""
        self._window = (first, last, self.livers_between(first, last))

    def state(self, day: int) -> DayState:
        state = self._states.get(day)
        if state is None:
            if self._window and self._window[0] <= day <= self._window[1]:
                livers = self._window[2]
            else:
                livers = self.livers_between(day, day)
            state = self._states[day] = DayState(self, day, livers)
        return state

    def follows(self, listener: Listener, first: int, last: int) -> list[Follow]:
        """(liver, strength, start, end) of every follow active at some point in ``first..last``."""
        result = []
        for block in range((first - MAX_FOLLOW_DAYS) // FOLLOW_BLOCK, last // FOLLOW_BLOCK + 1):
            rng = random.Random(_mix(self.seed, _TAG_FOLLOW, listener.index, block))
            for event in range(_poisson(rng, FOLLOW_BLOCK * listener.follow_rate)):
                start = block * FOLLOW_BLOCK + rng.randrange(FOLLOW_BLOCK)
                end = start + 1 + int(min(rng.expovariate(1.0 / 60.0), MAX_FOLLOW_DAYS - 1))
                strength = rng.lognormvariate(0.0, 0.6)
                if start > last or end <= first:
                    continue
                # Whom to follow is drawn from the event's own stream, so skipping events
                # outside the window leaves the others unchanged.
                choice = random.Random(_mix(self.seed, _TAG_FOLLOW, listener.index, block, event))
                liver = self.state(start).draw(listener, start, choice)
                if liver is not None:
                    result.append((liver, strength, start, end))
        return result

    def interactions(self, day: int, follows: dict[int, list[Follow]]) -> list[tuple[int, int, int, int]]:
        """The day's (listener, liver, watch_seconds, gifts), one row per pair, sorted.

        ``follows`` must hold each listener's follows active on ``day``.
        """
        state = self.state(day)
        rng = random.Random(_mix(self.seed, _TAG_DAY, day))
        weekday = (EPOCH + dt.timedelta(days=day)).weekday()
        rhythm = (0.9, 0.9, 0.9, 0.95, 1.1, 1.35, 1.3)[weekday]
        totals: dict[tuple[int, int], list[float]] = {}
        for index in range(self.listener_count):
            listener = self.listener(index)
            if rng.random() >= min(0.97, listener.activity * rhythm):
                continue
            live = [(liver, strength * state.popularity[liver] ** 0.3)
                    for liver, strength, start, end in follows[index]
                    if start <= day < end and liver in state.popularity]
            followed = {liver for liver, _ in live}
            live_cumulative = _cumulate([weight for _, weight in live])
            for _ in range(1 + _poisson(rng, listener.extra_sessions)):
                if live and rng.random() < listener.p_repeat:
                    liver = live[_pick(rng, live_cumulative)][0]
                else:
                    liver = state.draw(listener, day, rng)
                    if liver is None:
                        continue
                fan = liver in followed
                seconds = listener.watch_scale * rng.lognormvariate(0.0, 0.9) * (2.0 if fan else 1.0)
                gift_mean = listener.gift_rate * self.liver(liver).gift_factor * (3.0 if fan else 1.0)
                total = totals.setdefault((index, liver), [0.0, 0])
                total[0] += min(max(seconds, 10.0), 4 * 3600.0)
                total[1] += _poisson(rng, gift_mean)
        return [(listener, liver, int(round(seconds)), int(gifts))
                for (listener, liver), (seconds, gifts) in sorted(totals.items())]

    def dataset(self, target: dt.date, history_days: int = DEFAULT_HISTORY_DAYS) -> dict[str, list[list[str]]]:
        """The dataset version for ``target``: file name to rows (header first)."""
        if target < FIRST_DAY:
            raise ValueError(f"the world starts on {FIRST_DAY}; choose a later day")
        if history_days < 1:
            raise ValueError("history_days must be at least 1")
        day = (target - EPOCH).days
        first = day - history_days
        self.prepare(first - MAX_FOLLOW_DAYS, day)
        follows = {}
        for index in range(self.listener_count):
            follows[index] = self.follows(self.listener(index), first, day)
        header = ["listener_id", "liver_id", "day", "watch_seconds", "gifts"]
        train, labels = [header], [header]
        for current in range(first, day + 1):
            date_text = (EPOCH + dt.timedelta(days=current)).isoformat()
            rows = train if current < day else labels
            for listener, liver, seconds, gifts in self.interactions(current, follows):
                rows.append([f"L{listener:05d}", f"V{liver:05d}", date_text, str(seconds), str(gifts)])
        livers = [["liver_id", "genre", "debut_day", "status"]]
        for liver in sorted(self.livers_between(first, day), key=lambda liver: liver.index):
            livers.append([liver.id, GENRES[self.community_genre[liver.community]],
                           (EPOCH + dt.timedelta(days=liver.debut)).isoformat(),
                           "active" if liver.end > day else "retired"])
        listeners = [["listener_id"]] + [[f"L{index:05d}"] for index in range(self.listener_count)]
        return {
            "train/interactions.csv": train,
            "train/livers.csv": livers,
            "eval/features/listeners.csv": listeners,
            "eval/labels/interactions.csv": labels,
        }


def write_dataset(out: Path, files: dict[str, list[list[str]]]) -> None:
    """Write each file atomically (temp file, then rename) under ``out``."""
    for name, rows in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                csv.writer(handle, lineterminator="\n").writerows(rows)
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise


def generate(day: dt.date, out: Path, seed: int = DEFAULT_SEED, listeners: int = DEFAULT_LISTENERS,
             livers: int = DEFAULT_LIVERS, history_days: int = DEFAULT_HISTORY_DAYS) -> dict[str, int]:
    """Write the dataset version for ``day`` into ``out``; returns the row count of each file."""
    files = World(seed, listeners, livers).dataset(day, history_days)
    write_dataset(out, files)
    return {name: len(rows) - 1 for name, rows in files.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--day", required=True, type=dt.date.fromisoformat,
                        help="the target day, YYYY-MM-DD (the labels' day; training ends the day before)")
    parser.add_argument("--out", required=True, type=Path, help="directory to write the dataset version into")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"the world's seed (default {DEFAULT_SEED})")
    parser.add_argument("--listeners", type=int, default=DEFAULT_LISTENERS,
                        help=f"number of listeners (default {DEFAULT_LISTENERS})")
    parser.add_argument("--livers", type=int, default=DEFAULT_LIVERS,
                        help=f"livers streaming at any one time, roughly (default {DEFAULT_LIVERS})")
    parser.add_argument("--history-days", type=int, default=DEFAULT_HISTORY_DAYS,
                        help=f"days of training history (default {DEFAULT_HISTORY_DAYS})")
    args = parser.parse_args(argv)
    try:
        counts = generate(args.day, args.out, args.seed, args.listeners, args.livers, args.history_days)
    except ValueError as error:
        parser.error(str(error))
    summary = ", ".join(f"{name}: {count}" for name, count in counts.items())
    print(f"pococha {args.day} (seed {args.seed}) -> {args.out}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
