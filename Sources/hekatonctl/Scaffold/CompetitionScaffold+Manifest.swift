// The files are Swift literals so that hekatonctl needs no resource bundle beside it.
// `__NAME__` becomes the competition's name, `__MODULE__` the name of its host helper module.

extension CompetitionScaffold {
    // The competition's manifest, with the keys of examples/pococha/competition/hekaton.yaml.

    /// `hekaton.yaml`
    static let manifest = #"""
    # The __NAME__ competition: predict what a house sells for from its features.
    # Scaffolded by `hekatonctl competition init`; edit freely. The stage environment and the
    # file formats are specified in python/README.md of the Hekaton checkout.
    name: __NAME__
    description: Predict house prices (in thousands) from area, rooms, age, distance and district.
    metric:
      name: rmse
      direction: minimize
    dataset:
      # Each version is a directory written by make_data.py and registered with
      # `hekatonctl dataset register`; the paths below are inside it.
      name: __NAME__-data
      train: train                     # houses.csv, with the price
      features: eval/features          # houses.csv, without the price
      labels: eval/labels              # prices.csv: id, price
      source:                          # where the ingest schedule gets each day's version
        command: [python3, make_data.py]   # or: directory: /srv/exports/houses
    entrypoints:
      train: [python3, host/train.py]
      predict: [python3, host/predict.py]
      score: [python3, host/score.py]
      artifact: [python3, host/artifact.py]
    visibility:                        # what participant code sees of this directory; everything else stays private
      participant: [host/train.py, host/predict.py, host/__MODULE__.py]   # the train and predict stages
      artifact: [host/artifact.py]     # the artifact stage, besides the above
      private: [make_data.py, host/score.py]   # publishing refuses a manifest that would show these
    limits:
      default: {wall_time: 10m, memory: 2GiB, processes: 64, cpus: 1}
      train: {wall_time: 20m}
    submission:
      max_bundle_bytes: 10MiB
      per_participant_per_day: 20
      template: template               # what `hekatonctl init` gives participants
    parameters:
      target: price                    # the column to predict; participants read it with hekaton.params()
    schedules:                         # `hekatonctl schedule list` shows them as __NAME__.ingest, ...
      ingest: {cron: "0 4 * * *", time_zone: UTC}
      artifact: {cron: "0 5 * * *", time_zone: UTC}
    promotion:
      tolerance: 0.5                   # a retrained champion may be this much worse (in RMSE) and still ship
      retrain_top_k: 1

    """#
}
