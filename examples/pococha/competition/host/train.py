"""Train stage: the participant's ``Trainer(model_dir).train(dataset)`` on ``train/``.

The dataset holds ``interactions.csv`` (listener_id, liver_id, day, watch_seconds,
gifts; the days before the target day) and ``livers.csv`` (liver_id, genre, debut_day,
status).
"""

from hekaton import host

if __name__ == "__main__":
    host.main(host.run_train)
