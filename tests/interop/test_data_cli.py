"""finetune-cli data ...: LLaMA-Factory's demo files import with the right formats and row
counts (and their dataset_info.json as a registry); the content hash is SHA-256 (checked with
hashlib); export -> import round trip; paging. Curation and bad input: test_data_curate.py;
kill -9 and training from a project: test_data_project.py."""
import hashlib
import json
import shutil

import pytest

from conftest import cli_json, expect_bad_input

DEMOS = {  # file -> (dataset name, format, rows)
    "alpaca_en_demo.json": ("alpaca_en_demo", "alpaca", 999),
    "alpaca_zh_demo.json": ("alpaca_zh_demo", "alpaca", 1000),
    "kto_en_demo.json": ("kto_en_demo", "messages", 300),
    "dpo_zh_demo.json": ("dpo_zh_demo", "preference", 300),
    "c4_demo.jsonl": ("c4_demo", "text", 300),
    "wiki_demo.txt": ("wiki_demo", "text", 30),
}


@pytest.fixture(scope="module")
def root(work_dir):
    path = work_dir / "data_cli"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _rows(project, dataset, offset=0, limit=100000):
    return cli_json("data", "rows", "--project", project, "--dataset", dataset,
                    "--offset", offset, "--limit", limit)


def _alpaca_messages(r):
    user = r["instruction"] + ("\n\n" + r["input"] if r.get("input") else "")
    return [{"role": "user", "content": user}, {"role": "assistant", "content": r["output"]}]


def test_demo_files_import_with_format_and_rows(root, fixtures_dir):
    project = root / "demos.ftproj"
    for file, (name, fmt, count) in DEMOS.items():
        path = fixtures_dir / "datasets" / file
        [res] = cli_json("data", "import", path, "--project", project)
        assert (res["name"], res["format"], res["rows"]) == (name, fmt, count), res
        assert res["bad_rows"] == 0, res["bad_row_list"][:3]
        assert res["confidence"] >= 0.99, res
        assert res["content_hash"] == hashlib.sha256(path.read_bytes()).hexdigest()
    listed = {d["name"]: d for d in cli_json("data", "list", "--project", project)}
    assert {n: (d["format"], d["rows"], d["findings"]) for n, d in listed.items()} == \
        {name: (fmt, count, 0) for name, fmt, count in DEMOS.values()}

    # The stored conversations are the files' rows.
    src = json.loads((fixtures_dir / "datasets" / "alpaca_zh_demo.json").read_text())
    page = _rows(project, "alpaca_zh_demo", offset=500, limit=7)
    assert page["total"] == 1000 and [r["index"] for r in page["rows"]] == list(range(500, 507))
    for r, s in zip(page["rows"], src[500:507]):
        assert r["messages"] == _alpaca_messages(s) and r["original"] == s
    kto = json.loads((fixtures_dir / "datasets" / "kto_en_demo.json").read_text())
    got = _rows(project, "kto_en_demo", limit=300)["rows"]
    assert [r["messages"] for r in got] == [k["messages"] for k in kto]
    assert got[0]["original"]["label"] == kto[0]["label"]
    wiki = [l for l in (fixtures_dir / "datasets" / "wiki_demo.txt").read_text().splitlines() if l.strip()]
    assert [r["messages"][0]["content"] for r in _rows(project, "wiki_demo")["rows"]] == wiki

    # Importing the same content again is refused, naming the earlier dataset.
    expect_bad_input("data", "import", fixtures_dir / "datasets" / "c4_demo.jsonl", "--project",
                     project, "--name", "again", mentions=["c4_demo", "--allow-duplicate"])
    [dup] = cli_json("data", "import", fixtures_dir / "datasets" / "c4_demo.jsonl", "--project",
                     project, "--name", "again", "--allow-duplicate")
    assert dup["duplicate_of"] == "c4_demo" and dup["rows"] == 300


def test_registry_imports_present_files_and_lists_missing(root, fixtures_dir):
    project = root / "registry.ftproj"
    info = fixtures_dir / "datasets" / "dataset_info.json"
    entries = {e["name"]: e for e in cli_json("data", "import", info, "--project", project)}
    registry = json.loads(info.read_text())
    assert set(entries) == set(registry)
    imported = {n: (e["format"], e["rows"]) for n, e in entries.items() if e["status"] == "imported"}
    assert imported == {name: (fmt, count) for name, fmt, count in DEMOS.values()}
    missing = {n for n, e in entries.items() if e["status"] == "missing"}
    expected_missing = {n for n, e in registry.items() if "file_name" in e and
                        not (info.parent / e["file_name"]).exists()}
    assert missing == expected_missing and "identity" in missing and "dpo_en_demo" in missing
    assert all("not found" in entries[n]["problem"] for n in missing)
    assert all(entries[n]["status"] == "remote" for n, e in registry.items() if "file_name" not in e)
    listed = {d["name"]: d["rows"] for d in cli_json("data", "list", "--project", project)}
    assert listed == {name: count for name, _, count in DEMOS.values()}


def test_export_round_trip(root, fixtures_dir):
    project = root / "roundtrip.ftproj"
    src = fixtures_dir / "datasets" / "alpaca_en_demo.json"
    cli_json("data", "import", src, "--project", project)
    out = root / "alpaca_en_export.jsonl"
    res = cli_json("data", "export", "--project", project, "--dataset", "alpaca_en_demo",
                   "--format", "alpaca", "--out", out)
    assert res["written"] == 999 and res["skipped"] == 0
    exported = [json.loads(l) for l in out.read_text().splitlines()]
    original = json.loads(src.read_text())
    assert [{k: e[k] for k in ("instruction", "input", "output")} for e in exported] == original

    project2 = root / "roundtrip2.ftproj"
    [res2] = cli_json("data", "import", out, "--project", project2, "--name", "back")
    assert (res2["format"], res2["rows"]) == ("alpaca", 999)
    a = [r["messages"] for r in _rows(project, "alpaca_en_demo")["rows"]]
    b = [r["messages"] for r in _rows(project2, "back")["rows"]]
    assert a == b

    # messages export of the same rows, re-imported, gives the same conversations too.
    out_m = root / "alpaca_en_messages.jsonl"
    cli_json("data", "export", "--project", project, "--dataset", "alpaca_en_demo",
             "--format", "messages", "--out", out_m)
    [res3] = cli_json("data", "import", out_m, "--project", project2, "--name", "back_m")
    assert res3["format"] == "messages"
    assert [r["messages"] for r in _rows(project2, "back_m")["rows"]] == a
