// The files are Swift literals so that hekatonctl needs no resource bundle beside it.
// `__NAME__` becomes the competition's name, `__MODULE__` the name of its host helper module.

extension CompetitionScaffold {
    // A deterministic, standard-library-only generator of dataset versions for the toy task.

    /// `make_data.py`
    static let dataGenerator = #"""
    #!/usr/bin/env python3
    """Writes one dataset version of the __NAME__ competition: synthetic house sales.

        python3 make_data.py --out DIR [--seed 1] [--train 2000] [--eval 500]

    DIR receives (the layout hekaton.yaml's dataset section names):

        train/houses.csv           id, district, area_m2, rooms, age_years, distance_km, price
        eval/features/houses.csv   the same houses' columns without the price
        eval/labels/prices.csv     id, price

    Prices are in thousands and follow a model with a clear signal (area, district, age,
    distance to the centre) and some noise, so better models score a lower RMSE. The same
    arguments always write the same bytes. Standard library only.
    """

    import argparse
    import os
    import csv
    import math
    import random
    from pathlib import Path

    #: District name to its price level relative to the city's average.
    DISTRICTS = {"harbor": 1.35, "hills": 0.9, "industrial": 0.7, "old-town": 1.2, "riverside": 1.0}
    FEATURES = ["id", "district", "area_m2", "rooms", "age_years", "distance_km"]


    def house(rng: random.Random, number: int) -> tuple[dict, float]:
        district = rng.choice(sorted(DISTRICTS))
        area = min(max(rng.lognormvariate(4.3, 0.35), 18.0), 400.0)
        rooms = max(1, min(9, round(area / 28 + rng.gauss(0, 0.7))))
        age = rng.randint(0, 90)
        distance = rng.uniform(0.3, 25.0)
        value = DISTRICTS[district] * (2.4 * area + 12 * rooms)
        value *= (1 - 0.004 * age + (0.15 if age > 70 else 0.0))  # old houses lose value, historic ones regain some
        value *= math.exp(-0.03 * distance)
        price = max(value * rng.lognormvariate(0, 0.08), 10.0)
        row = {"id": f"H{number:06d}", "district": district, "area_m2": f"{area:.1f}", "rooms": str(rooms),
               "age_years": str(age), "distance_km": f"{distance:.2f}"}
        return row, round(price, 1)


    def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


    def generate(out: Path, seed: int = 1, train: int = 2000, evaluation: int = 500) -> None:
        rng = random.Random(seed)
        houses = [house(rng, number) for number in range(1, train + evaluation + 1)]
        training, held_out = houses[:train], houses[train:]
        write_csv(out / "train" / "houses.csv", FEATURES + ["price"],
                  [{**row, "price": f"{price:.1f}"} for row, price in training])
        write_csv(out / "eval" / "features" / "houses.csv", FEATURES, [row for row, _ in held_out])
        write_csv(out / "eval" / "labels" / "prices.csv", ["id", "price"],
                  [{"id": row["id"], "price": f"{price:.1f}"} for row, price in held_out])


    def main() -> None:
        parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
        # As the competition's ingestion source, hekatond gives the directory and the day.
        out = os.environ.get("HEKATON_OUTPUT_DIR")
        day = os.environ.get("HEKATON_DATE")
        parser.add_argument("--out", type=Path, required=out is None, default=out and Path(out),
                            help="the dataset version directory to write (default $HEKATON_OUTPUT_DIR)")
        parser.add_argument("--seed", type=int, default=int(day.replace("-", "")) if day else 1,
                            help="the world's seed (default 1, or the day YYYYMMDD of $HEKATON_DATE)")
        parser.add_argument("--train", type=int, default=2000, help="training houses (default 2000)")
        parser.add_argument("--eval", type=int, default=500, help="evaluation houses (default 500)")
        args = parser.parse_args()
        if args.train < 1 or args.eval < 1:
            parser.error("--train and --eval must be at least 1")
        if args.out.exists() and any(args.out.iterdir()):
            parser.error(f"{args.out} is not empty; a dataset version is written once, into a new directory")
        generate(args.out, args.seed, args.train, args.eval)
        print(f"wrote {args.train} training and {args.eval} evaluation houses into {args.out}")


    if __name__ == "__main__":
        main()

    """#
}
