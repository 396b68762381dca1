"""finetune-cli data set-status / edit / split / export filters, and bad input: exit 2 with one
line naming the file, row or field (a syntax error deep in a big file costs one row)."""
import json
import shutil

import pytest

from conftest import cli_json, expect_bad_input


@pytest.fixture(scope="module")
def root(work_dir):
    path = work_dir / "data_curate"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _rows(project, dataset, offset=0, limit=100000):
    return cli_json("data", "rows", "--project", project, "--dataset", dataset,
                    "--offset", offset, "--limit", limit)


def test_status_edit_split_and_filters(root, fixtures_dir):
    project = root / "curate.ftproj"
    cli_json("data", "import", fixtures_dir / "datasets" / "alpaca_en_demo.json", "--project", project,
             "--name", "d")
    args = ("--project", project, "--dataset", "d")
    assert cli_json("data", "set-status", *args, "--rows", "0,2,5-9", "excluded")["rows"] == 7
    cli_json("data", "set-status", *args, "--rows", "1,3", "accepted")
    edit = root / "edit.json"
    edit.write_text(json.dumps({"messages": [{"role": "user", "content": "new q"},
                                             {"role": "assistant", "content": "new a"}]}))
    cli_json("data", "edit", *args, "--row", 3, "--messages", edit)
    row3 = _rows(project, "d", 3, 1)["rows"][0]
    assert row3["edited"][1]["content"] == "new a" and row3["messages"][1]["content"] != "new a"
    out = root / "accepted.jsonl"
    cli_json("data", "export", *args, "--only-accepted", "--out", out)
    lines = [json.loads(l) for l in out.read_text().splitlines()]
    assert len(lines) == 2 and lines[1]["instruction"] == "new q"
    split = cli_json("data", "split", *args, "--val", 0.1, "--test", 0.05, "--seed", 7)
    assert (split["validation"], split["test"], split["train"]) == (100, 50, 849)
    again = cli_json("data", "split", *args, "--val", 0.1, "--test", 0.05, "--seed", 7)
    assert again == split
    val = root / "val.jsonl"
    res = cli_json("data", "export", *args, "--split", "validation", "--out", val)
    excluded_in_val = sum(1 for r in _rows(project, "d")["rows"]
                          if r["split"] == "validation" and r["status"] == "excluded")
    assert res["written"] == 100 - excluded_in_val
    listed = cli_json("data", "list", "--project", project)[0]
    assert listed["excluded"] == 7 and listed["accepted"] == 2 and listed["splits"]["test"] == 50


def test_bad_input_is_one_line_exit_2(root, fixtures_dir):
    project = root / "bad.ftproj"
    expect_bad_input("data", "import", root / "nope.jsonl", "--project", project, mentions=["nope.jsonl"])
    assert not project.exists()  # a project the failed command would have created is not left behind
    expect_bad_input("data", "import", fixtures_dir / "datasets" / "c4_demo.jsonl", "--project", project,
                     "--map", "oops", mentions=["--map", "column=field"])
    expect_bad_input("data", "import", fixtures_dir / "datasets" / "c4_demo.jsonl", "--project", project,
                     "--format", "xml", mentions=["--format"])
    odd = root / "odd.jsonl"
    odd.write_text('{"q": 1}\n')
    expect_bad_input("data", "import", odd, "--project", project, mentions=["odd.jsonl", "'q'"])
    cli_json("data", "import", fixtures_dir / "datasets" / "wiki_demo.txt", "--project", project)
    expect_bad_input("data", "rows", "--project", project, "--dataset", "nope", mentions=["nope", "wiki_demo"])
    expect_bad_input("data", "set-status", "--project", project, "--dataset", "wiki_demo", "--rows", "5,99",
                     "excluded", mentions=["row 99"])
    expect_bad_input("data", "list", "--project", root / "missing.ftproj", mentions=["missing.ftproj"])
    notdb = root / "text.ftproj"
    notdb.write_text("hello, this is not a database at all, just text" * 10)
    expect_bad_input("data", "list", "--project", notdb, mentions=["text.ftproj", "not a project"])


def test_syntax_error_deep_in_a_big_file_costs_one_row(root):
    """A JSON list with a syntax error in record 50,001 (the issue's case): that record is
    reported with its line, the other 59,999 are imported."""
    rows = [json.dumps({"instruction": f"q{i}", "output": f"a{i}"}) for i in range(60000)]
    rows[50000] = '{"instruction": "q50000", "output": "a" "b"}'
    path = root / "syntax.json"
    path.write_text("[\n" + ",\n".join(rows) + "\n]\n")
    [res] = cli_json("data", "import", path, "--project", root / "syntax.ftproj")
    assert (res["rows"], res["bad_rows"]) == (59999, 1)
    bad = res["bad_row_list"][0]
    assert (bad["line"], bad["record"]) == (50002, 50001) and "not valid JSON" in bad["reason"], bad

