import pytest
from hekaton import Dataset
from sdk_helpers import write


@pytest.fixture
def data(tmp_path):
    write(tmp_path / "interactions.csv", """
        listener_id,liver_id,watch_seconds
        L1,V1,30
        L2,V1,45
    """)
    write(tmp_path / "nested" / "events.jsonl", '{"a": 1}\n\n{"a": 2}\n')
    write(tmp_path / "config.json", '{"k": 10}')
    return Dataset(tmp_path)


def test_files_are_sorted_relative_paths(data):
    assert data.files() == ["config.json", "interactions.csv", "nested/events.jsonl"]


def test_read_csv_as_dicts_with_types(data):
    assert data.read_csv("interactions.csv") == [
        {"listener_id": "L1", "liver_id": "V1", "watch_seconds": "30"},
        {"listener_id": "L2", "liver_id": "V1", "watch_seconds": "45"},
    ]
    rows = list(data.iter_csv("interactions.csv", types={"watch_seconds": int}))
    assert [row["watch_seconds"] for row in rows] == [30, 45]
    assert data.csv_columns("interactions.csv") == ["listener_id", "liver_id", "watch_seconds"]


def test_conversion_error_names_file_line_and_column(tmp_path):
    write(tmp_path / "x.csv", "a,b\n1,2\n3,oops\n")
    with pytest.raises(ValueError, match=r"x.csv, line 3, column 'b': cannot convert 'oops'"):
        Dataset(tmp_path).read_csv("x.csv", types={"b": int})
    with pytest.raises(ValueError, match="no column 'c'"):
        Dataset(tmp_path).read_csv("x.csv", types={"c": int})


def test_jsonl_json_lines_and_text(data):
    assert list(data.iter_jsonl("nested/events.jsonl")) == [{"a": 1}, {"a": 2}]
    assert data.read_json("config.json") == {"k": 10}
    assert list(data.iter_lines("interactions.csv"))[0] == "listener_id,liver_id,watch_seconds"
    assert data.read_bytes("config.json") == b'{"k": 10}'
    assert data.subset("nested").files() == ["events.jsonl"]
    assert data.exists("config.json") and not data.exists("missing.csv")


def test_bad_jsonl_names_the_line(tmp_path):
    write(tmp_path / "bad.jsonl", '{"a": 1}\n{nope}\n')
    with pytest.raises(ValueError, match="bad.jsonl, line 2"):
        list(Dataset(tmp_path).iter_jsonl("bad.jsonl"))


def test_read_only_and_confined(data):
    with pytest.raises(ValueError, match="read-only"):
        data.open("config.json", "w")
    for name in ("../etc/passwd", "/etc/passwd", "nested/../../x", ""):
        with pytest.raises(ValueError, match="not a relative path inside the dataset"):
            data.path_of(name)


def test_missing_file_lists_what_is_there(data):
    with pytest.raises(FileNotFoundError, match=r"'livers.csv' is not a file .* holds: config.json, interactions.csv"):
        data.read_csv("livers.csv")


def test_missing_directory(tmp_path):
    with pytest.raises(NotADirectoryError):
        Dataset(tmp_path / "nope")
