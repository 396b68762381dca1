"""The demo project (issue 15): the committed demo data is what scripts/make-demo-data.py writes;
`finetune-cli demo` imports it, reviews it (no finding: two languages on purpose), splits it and
stores the preset run's Train settings and the model, all read back with Python's sqlite3; a
second call refuses to overwrite, a bad data file leaves no file behind."""
import json
import shutil
import sqlite3
import subprocess
import sys

import pytest

from conftest import REPO, cli_json, expect_bad_input, run_cli

DATA = REPO / "resources" / "demo" / "veltra_support.jsonl"


@pytest.fixture(scope="module")
def root(work_dir):
    path = work_dir / "demo_project"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def test_committed_data_is_the_scripts_output(root):
    out = root / "regenerated.jsonl"
    subprocess.run([sys.executable, str(REPO / "scripts" / "make-demo-data.py"), str(out)],
                   check=True, capture_output=True)
    assert out.read_bytes() == DATA.read_bytes()
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    assert {r["lang"] for r in rows} == {"en", "zh"}
    # Each fact is asked in several phrasings with one answer: splits hold unseen phrasings.
    by_fact = {}
    for r in rows:
        by_fact.setdefault((r["fact"], r["lang"]), set()).add(r["output"])
    assert all(len(answers) == 1 for answers in by_fact.values())


def test_demo_project_is_ready_to_train(root):
    from tiny_models import build, byte_bpe_tokenizer
    project = root / "demo.ftproj"
    model = root / "tiny-llama"
    build("llama", model)
    byte_bpe_tokenizer(model, [line for line in DATA.read_text(encoding="utf-8").splitlines()])
    out = cli_json("demo", "--project", project, "--data", DATA, "--model", model)
    assert out["dataset"] == "veltra"
    split = out["split"]
    assert split["train"] + split["validation"] + split["test"] == 126
    assert split["validation"] > 0 and split["test"] > 0

    db = sqlite3.connect(project)
    (dataset_id,) = db.execute("SELECT id FROM datasets WHERE name = 'veltra'").fetchone()
    counts = dict(db.execute("SELECT s.split, count(*) FROM rows r JOIN splits s ON s.row_id = r.id "
                             "WHERE r.dataset_id = ? GROUP BY s.split", (dataset_id,)).fetchall())
    assert counts == {"train": split["train"], "validation": split["validation"], "test": split["test"]}
    # Reviewed: the report is stored, and a bilingual dataset is not flagged for its languages.
    assert db.execute("SELECT count(*) FROM findings").fetchone()[0] == 0
    report = json.loads(db.execute("SELECT report FROM dataset_reviews WHERE dataset_id = ?",
                                   (dataset_id,)).fetchone()[0])
    assert report["script_mix"]["dataset_scripts"] == ["latin", "han"]
    settings = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM project_settings")}
    train = settings["train_settings"]
    assert train["data"] == f"{project.resolve()}#veltra"
    assert train["config"]["strategy"] == "lora"
    assert train["config"]["template"] == "chatml"  # the tiny model has no chat template of its own
    assert settings["last_model"] == str(model.resolve())
    db.close()

    # The preset is a valid run: one step of it trains on the project's train split.
    config = dict(train["config"], model=str(model), data=train["data"],
                  output_dir=str(root / "run"), max_steps=1, logging_steps=1)
    (root / "run.json").write_text(json.dumps(config))
    run_cli("train", "--config", root / "run.json", timeout=300)
    assert (root / "run" / "final" / "adapter_config.json").is_file()
    expect_bad_input("demo", "--project", project, "--data", DATA, "--no-model",
                     mentions=[str(project), "already exists"])


def test_bad_data_leaves_nothing(root):
    bad = root / "bad.jsonl"
    bad.write_text('{"instruction": "a"\n')
    project = root / "bad.ftproj"
    expect_bad_input("demo", "--project", project, "--data", bad, "--no-model", mentions=["bad.jsonl"])
    assert not any(p.name.startswith("bad.ftproj") for p in root.iterdir())
