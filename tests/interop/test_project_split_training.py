"""Training from a project dataset's own split (data_split / eval_split): the rows trained and
evaluated are exactly the project's train and validation rows that are not excluded (read
independently from the project file with sqlite3), and the eval loss the engine logs equals
transformers + peft's loss of the saved adapter on those validation rows."""
import json
import shutil
import sqlite3

import pytest
import torch

from conftest import cli_json, run_cli


@pytest.fixture(scope="module")
def project(work_dir, fixtures_dir):
    from tiny_models import build, byte_bpe_tokenizer
    root = work_dir / "project_split_training"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    rows = json.loads((fixtures_dir / "datasets" / "alpaca_en_demo.json").read_text())[:40]
    data = root / "demo40.json"
    data.write_text(json.dumps(rows))
    proj = root / "p.ftproj"
    cli_json("data", "import", data, "--project", proj)
    cli_json("data", "split", "--project", proj, "--dataset", "demo40", "--val", "0.25", "--seed", "7")
    cli_json("data", "set-status", "--project", proj, "--dataset", "demo40", "--rows", "1,4-6", "excluded")
    model = root / "tiny-llama"
    build("llama", model)
    byte_bpe_tokenizer(model, [r["instruction"] + "\n" + r["input"] + "\n" + r["output"] for r in rows])
    return root, proj, model


def _split_ids(proj):
    db = sqlite3.connect(proj)
    ids = {"train": set(), "validation": set()}
    for row_id, split in db.execute(
            "SELECT r.id, s.split FROM rows r JOIN splits s ON s.row_id = r.id "
            "WHERE r.status != 'excluded'"):
        ids.setdefault(split, set()).add(row_id)
    excluded = {r for (r,) in db.execute("SELECT id FROM rows WHERE status = 'excluded'")}
    db.close()
    return ids, excluded


def test_trains_the_train_split_and_evaluates_the_validation_split(project):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM
    root, proj, model = project
    out = root / "run"
    cfg = {"model": str(model), "data": f"{proj}#demo40", "data_split": "train",
           "eval_split": "validation", "output_dir": str(out), "strategy": "lora",
           "template": "plain", "cutoff_len": 256, "max_steps": 2, "logging_steps": 1,
           "save_steps": 0, "per_device_train_batch_size": 4, "learning_rate": 1e-2,
           "lora": {"r": 4, "lora_alpha": 8, "lora_dropout": 0.0}}
    path = root / "run.json"
    path.write_text(json.dumps(cfg))
    run_cli("train", "--config", path, timeout=300)

    ids, excluded = _split_ids(proj)
    used = json.loads((out / "data_rows.json").read_text())
    assert excluded and ids["validation"]
    assert set(used["train_row_ids"]) == ids["train"]
    assert set(used["eval_row_ids"]) == ids["validation"]
    assert not set(used["train_row_ids"]) & (excluded | ids["validation"])

    # The engine's eval loss after the last step == the adapter's loss in transformers + peft
    # on the evaluated rows (token-weighted mean over the shifted labels).
    metrics = [json.loads(l) for l in (out / "metrics.jsonl").read_text().splitlines() if l]
    evals = [m for m in metrics if "eval_loss" in m]
    assert evals and evals[-1]["step"] == 2
    base = AutoModelForCausalLM.from_pretrained(model, torch_dtype=torch.float32)
    tuned = PeftModel.from_pretrained(base, out / "final").eval()
    total, tokens = 0.0, 0
    rows = [json.loads(l) for l in (out / "validation_set.jsonl").read_text().splitlines() if l]
    assert len(rows) == len(ids["validation"])
    with torch.no_grad():
        for r in rows:
            ids_t = torch.tensor([r["input_ids"]])
            labels = torch.tensor(r["labels"][1:])
            logits = tuned(input_ids=ids_t).logits[0, :-1]
            mask = labels != -100
            total += torch.nn.functional.cross_entropy(logits[mask], labels[mask], reduction="sum").item()
            tokens += int(mask.sum())
    assert tokens == evals[-1]["eval_tokens"]
    assert abs(total / tokens - evals[-1]["eval_loss"]) < 1e-4, (total / tokens, evals[-1])


def test_split_keys_need_a_split_project_dataset(project):
    root, proj, model = project
    cfg = {"model": str(model), "data": f"{proj}#demo40", "eval_split": "validation",
           "val_size": 0.1, "output_dir": str(root / "bad"), "template": "plain"}
    path = root / "bad.json"
    path.write_text(json.dumps(cfg))
    proc = run_cli("train", "--config", path, check=False)
    assert proc.returncode == 2 and "eval_split" in proc.stderr and "val_size" in proc.stderr, proc.stderr
