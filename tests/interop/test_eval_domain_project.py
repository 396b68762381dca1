"""The domain test on a project split (`eval --task domain --project`): the base and tuned answers
equal transformers' greedy generate (with peft for the tuned one) on the same prompts, the
reference answers' perplexities equal transformers' teacher-forced loss on the answer tokens,
the scores equal `eval --task domain --predictions` on the same outputs, and every row is stored
in the project (read back with sqlite3)."""
import json
import math
import shutil
import sqlite3

import pytest
import torch

from conftest import cli_json, run_cli, expect_bad_input

CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
          "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
LIMIT = 4
MAX_NEW = 12
CUTOFF = 256


@pytest.fixture(scope="module")
def setup(work_dir, fixtures_dir):
    from tiny_models import build, byte_bpe_tokenizer
    root = work_dir / "eval_domain_project"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    rows = json.loads((fixtures_dir / "datasets" / "alpaca_en_demo.json").read_text())[:40]
    data = root / "demo40.json"
    data.write_text(json.dumps(rows))
    proj = root / "p.ftproj"
    cli_json("data", "import", data, "--project", proj)
    cli_json("data", "split", "--project", proj, "--dataset", "demo40", "--val", "0.25", "--seed", "7")
    model = root / "tiny-llama"
    build("llama", model)
    byte_bpe_tokenizer(model, [r["instruction"] + "\n" + r["input"] + "\n" + r["output"] for r in rows],
                       chat_template=CHATML)
    out = root / "run"
    cfg = {"model": str(model), "data": f"{proj}#demo40", "data_split": "train",
           "output_dir": str(out), "strategy": "lora", "template": "model", "cutoff_len": CUTOFF,
           "max_steps": 3, "logging_steps": 1, "save_steps": 0,
           "per_device_train_batch_size": 4, "learning_rate": 3e-2,
           "lora": {"r": 4, "lora_alpha": 8, "lora_dropout": 0.0}}
    (root / "run.json").write_text(json.dumps(cfg))
    run_cli("train", "--config", root / "run.json", timeout=300)
    report = cli_json("eval", "--task", "domain", "--project", proj, "--dataset", "demo40",
                      "--split", "validation", "--model", model, "--adapter", out,
                      "--limit", LIMIT, "--max-new-tokens", MAX_NEW, timeout=300)
    return root, proj, model, out, report


def _hf(model, adapter=None):
    from transformers import AutoModelForCausalLM, AutoTokenizer
    tok = AutoTokenizer.from_pretrained(model)
    lm = AutoModelForCausalLM.from_pretrained(model, dtype=torch.float32).eval()
    if adapter is not None:
        from peft import PeftModel
        lm = PeftModel.from_pretrained(lm, adapter / "final").eval()
    return tok, lm


def _validation_rows(proj, limit):
    db = sqlite3.connect(proj)
    rows = db.execute("SELECT r.id, r.original FROM rows r JOIN splits s ON s.row_id = r.id "
                      "WHERE s.split = 'validation' AND r.status != 'excluded' ORDER BY r.idx").fetchall()
    db.close()
    return [(rid, json.loads(original)) for rid, original in rows[:limit]]


def test_prompts_are_the_rows_in_the_training_template(setup):
    root, proj, model, out, report = setup
    assert report["settings"]["template"] == "model"
    expected = _validation_rows(proj, LIMIT)
    assert [r["row_id"] for r in report["rows"]] == [rid for rid, _ in expected]
    tok, _ = _hf(model)
    for r, (_, original) in zip(report["rows"], expected):
        user = original["instruction"] + ("\n\n" + original["input"] if original["input"] else "")
        prompt = tok.apply_chat_template([{"role": "user", "content": user}], tokenize=False,
                                         add_generation_prompt=True)
        assert r["prompt"] == prompt
        assert r["reference"] == original["output"]


@pytest.mark.parametrize("tuned", [False, True])
def test_outputs_equal_transformers_greedy_generate(setup, tuned):
    root, proj, model, out, report = setup
    # The adapter changed the answers, so that base and tuned are told apart.
    assert any(r["base_output"] != r["tuned_output"] for r in report["rows"])
    tok, lm = _hf(model, out if tuned else None)
    for r in report["rows"]:
        ids = tok(r["prompt"], add_special_tokens=False, return_tensors="pt").input_ids
        with torch.no_grad():
            gen = lm.generate(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=False,
                              max_new_tokens=MAX_NEW, pad_token_id=tok.eos_token_id)
        new = gen[0, ids.shape[1]:].tolist()
        if new and new[-1] == tok.eos_token_id:
            new = new[:-1]
        text = tok.decode(new, skip_special_tokens=False, clean_up_tokenization_spaces=False)
        assert r["tuned_output" if tuned else "base_output"] == text, (tuned, r["row_id"])


@pytest.mark.parametrize("tuned", [False, True])
def test_perplexity_equals_teacher_forced_loss(setup, tuned):
    root, proj, model, out, report = setup
    tok, lm = _hf(model, out if tuned else None)
    total, tokens = 0.0, 0
    for r in report["rows"]:
        messages_prompt = r["prompt"]
        full = messages_prompt + r["reference"] + "<|im_end|>\n"
        enc = tok(full, add_special_tokens=False, return_offsets_mapping=True)
        # As training: at most cutoff_len tokens (the run's 256).
        ids = torch.tensor([enc.input_ids[:CUTOFF]])
        start = len(messages_prompt)
        # The answer tokens: those overlapping the assistant turn (content and its closing tag).
        mask = torch.tensor([e > start for s, e in enc.offset_mapping[:CUTOFF]])
        labels = ids[0].clone()
        labels[~mask] = -100
        with torch.no_grad():
            logits = lm(input_ids=ids).logits[0, :-1].double()
        shifted = labels[1:]
        keep = shifted != -100
        nll = torch.nn.functional.cross_entropy(logits[keep], shifted[keep], reduction="sum").item()
        assert int(keep.sum()) == r["answer_tokens"]
        assert abs(nll - r["tuned_nll" if tuned else "base_nll"]) < 1e-4 * max(1, int(keep.sum()))
        total, tokens = total + nll, tokens + int(keep.sum())
    side = report["perplexity"]["tuned" if tuned else "base"]
    assert report["perplexity"]["tokens"] == tokens
    assert abs(side["loss"] - total / tokens) < 1e-4


def test_scores_equal_scoring_the_same_predictions(setup):
    root, proj, model, out, report = setup
    preds = root / "preds.jsonl"
    preds.write_text("".join(json.dumps({"prediction": r["tuned_output"], "reference": r["reference"],
                                         "base_prediction": r["base_output"]}) + "\n"
                             for r in report["rows"]))
    given = cli_json("eval", "--task", "domain", "--predictions", preds)
    assert given["metrics"] == report["scores"]["metrics"]
    assert given["rows"] == report["scores"]["rows"]


def test_rows_are_stored_in_the_project(setup):
    root, proj, model, out, report = setup
    db = sqlite3.connect(proj)
    assert db.execute("SELECT version FROM schema_version").fetchone()[0] == 4
    ev = db.execute("SELECT id, kind, model, adapter, source, settings, summary FROM evaluations "
                    "WHERE id = ?", (report["evaluation_id"],)).fetchone()
    assert ev is not None and ev[1] == "domain" and ev[2] == str(model)
    assert ev[3] == str(out / "final") and ev[4] == "demo40#validation"
    summary = json.loads(ev[6])
    assert summary["scores"]["metrics"] == report["scores"]["metrics"]
    items = db.execute("SELECT row_id, prompt, reference, base_output, tuned_output, scores "
                       "FROM evaluation_items WHERE evaluation_id = ? ORDER BY idx", (ev[0],)).fetchall()
    db.close()
    assert len(items) == len(report["rows"]) == LIMIT
    for item, r in zip(items, report["rows"]):
        assert item[:5] == (r["row_id"], r["prompt"], r["reference"], r["base_output"], r["tuned_output"])
        scores = json.loads(item[5])
        assert scores["base_nll"] == pytest.approx(r["base_nll"], rel=1e-12)
        assert scores["tuned_nll"] == pytest.approx(r["tuned_nll"], rel=1e-12)


def test_bad_input_names_the_problem(setup):
    root, proj, model, out, report = setup
    expect_bad_input("eval", "--task", "domain", "--project", proj, "--dataset", "nope",
                     "--model", model, mentions=["nope"])
    expect_bad_input("eval", "--task", "domain", "--project", proj, "--dataset", "demo40",
                     "--split", "test", "--model", model, mentions=["demo40", "test"])
    expect_bad_input("eval", "--task", "domain", "--project", proj, "--dataset", "demo40",
                     "--split", "train", "--model", model, mentions=["validation or test"])


def test_benchmark_in_the_project_and_the_matrix(setup, fixtures_dir):
    """`eval --benchmark --project --adapter` stores base and tuned over the same questions: each
    side's predictions are those of `eval --json` with and without the adapter; `report --json`
    builds the matrix from it and the domain test, and writes the HTML."""
    root, proj, model, out, report = setup
    mmlu = fixtures_dir / "eval" / "mmlu"
    args = ["eval", "--benchmark", mmlu, "--subjects", "anatomy,astronomy", "--limit", 3,
            "--model", model]
    tuned = cli_json(*args, "--adapter", out)
    base = cli_json(*args)
    run_cli(*args, "--adapter", out, "--project", proj)
    db = sqlite3.connect(proj)
    ev_id, summary = db.execute("SELECT id, summary FROM evaluations WHERE kind = 'benchmark' "
                                "ORDER BY id DESC").fetchone()
    items = db.execute("SELECT subject, prompt, reference, base_output, tuned_output, scores "
                       "FROM evaluation_items WHERE evaluation_id = ? ORDER BY idx", (ev_id,)).fetchall()
    db.close()
    assert [i[1] for i in items] == [t["prompt"] for t in tuned["items"]]
    assert [i[3] for i in items] == [b["prediction"] for b in base["items"]]
    assert [i[4] for i in items] == [t["prediction"] for t in tuned["items"]]
    assert [i[2] for i in items] == [t["gold"] for t in tuned["items"]]
    summary = json.loads(summary)
    assert summary["base"]["overall"]["acc"] == pytest.approx(base["overall"]["acc"], abs=1e-12)
    assert summary["tuned"]["overall"]["acc"] == pytest.approx(tuned["overall"]["acc"], abs=1e-12)

    html = root / "report.html"
    matrix = cli_json("report", "--project", proj, "--out", html)
    rows = {r["name"]: r for r in matrix["rows"]}
    acc = rows["accuracy"]
    assert acc["base"] == pytest.approx(base["overall"]["acc"], abs=1e-12)
    assert acc["tuned"] == pytest.approx(tuned["overall"]["acc"], abs=1e-12)
    assert acc["difference"]["low"] <= acc["difference"]["estimate"] <= acc["difference"]["high"]
    assert matrix["forgetting"] == (acc["difference"]["high"] < 0)
    ppl = rows["perplexity of the references"]
    assert ppl["base"] == pytest.approx(math.exp(report["perplexity"]["base"]["loss"]), rel=1e-9)
    assert ppl["tuned"] == pytest.approx(math.exp(report["perplexity"]["tuned"]["loss"]), rel=1e-9)
    assert rows["rouge_l"]["tuned"] == pytest.approx(report["scores"]["metrics"]["rouge_l"]["mean"], abs=1e-12)
    text = html.read_text()
    assert text.startswith("<!DOCTYPE html>") and "Evaluation matrix" in text and "<svg" in text
    assert not list(root.glob(".report.html.tmp"))


def test_report_bad_input(setup):
    root, proj, model, out, report = setup
    expect_bad_input("report", "--project", proj, "--run", "nope", "--out", root / "r.html",
                     mentions=["nope", str(proj)])
    expect_bad_input("report", "--project", proj, "--out", root / "r.docx", mentions=["r.docx", ".html"])
    expect_bad_input("report", "--project", root / "missing.ftproj", "--out", root / "r.html",
                     mentions=["missing.ftproj"])
    expect_bad_input("report", "--project", proj, "--out", root / "no" / "such" / "r.html",
                     mentions=["r.html"])


def test_cli_runs_are_recorded_and_reported_side_by_side(setup, fixtures_dir):
    """`train --config` on a project dataset records the run in the project's runs table (as the
    window does); a second CLI run benchmarked on fewer questions is reported beside the first:
    one column per run, paired on the common questions, each run's accuracy that of `eval --json`
    on those questions."""
    root, proj, model, out, report = setup
    db = sqlite3.connect(proj)
    runs = db.execute("SELECT name, status, output_dir, dataset, steps, final_loss, pid FROM runs").fetchall()
    db.close()
    assert len(runs) == 1
    name, status, folder, dataset, steps, final_loss, pid = runs[0]
    assert (name, status, folder, dataset, steps, pid) == ("run", "finished", str(out), f"{proj}#demo40", 3, 0)
    assert final_loss is not None and math.isfinite(final_loss)

    cfg = json.loads((root / "run.json").read_text())
    out2 = root / "run2"
    shutil.rmtree(out2, ignore_errors=True)
    cfg.update(output_dir=str(out2), max_steps=2, learning_rate=1e-1)
    (root / "run2.json").write_text(json.dumps(cfg))
    run_cli("train", "--config", root / "run2.json", timeout=300)

    mmlu = fixtures_dir / "eval" / "mmlu"
    common = ["eval", "--benchmark", mmlu, "--model", model, "--subjects", "anatomy"]
    run_cli(*common[:-1], "anatomy,astronomy", "--limit", 3, "--adapter", out, "--project", proj)
    run_cli(*common, "--limit", 2, "--adapter", out2, "--project", proj)
    html = root / "two.html"
    matrix = cli_json("report", "--project", proj, "--run", "run", "--run", "run2", "--out", html)
    assert [r["name"] for r in matrix["runs"]] == ["run", "run2"]
    assert "paired on the 2 questions common to all" in matrix["pairing"]
    acc = {r["name"]: r for r in matrix["rows"]}["accuracy"]

    def accuracy(items):
        return sum(i["prediction"] == i["gold"] for i in items) / len(items)

    base = cli_json(*common, "--limit", 2)["items"]
    tuned1 = cli_json(*common, "--limit", 2, "--adapter", out)["items"]
    tuned2 = cli_json(*common, "--limit", 2, "--adapter", out2)["items"]
    assert acc["base"] == pytest.approx(accuracy(base), abs=1e-12)
    assert [c["items"] for c in acc["runs"]] == [2, 2]
    assert acc["runs"][0]["tuned"] == pytest.approx(accuracy(tuned1), abs=1e-12)
    assert acc["runs"][1]["tuned"] == pytest.approx(accuracy(tuned2), abs=1e-12)
    for c, tuned in zip(acc["runs"], (tuned1, tuned2)):
        d = c["difference"]
        assert d["estimate"] == pytest.approx(accuracy(tuned) - accuracy(base), abs=1e-12)
        assert d["low"] <= d["estimate"] <= d["high"]
    text = html.read_text()
    assert "run − base" in text and "run2 − base" in text and "common to all" in text
    # --run alone still gives one run's matrix, with all of its questions.
    one = cli_json("report", "--project", proj, "--run", "run")
    assert len(one["runs"]) == 1 and one["pairing"] == ""
    assert {r["name"]: r for r in one["rows"]}["accuracy"]["items"] == 6


def test_pdf_report_has_the_matrix_and_the_charts(setup):
    """`report --out report.pdf` (headless: an offscreen Qt application) writes a PDF of more than
    one page whose text holds the matrix's numbers and whose pages carry the charts as images."""
    from pypdf import PdfReader
    root, proj, model, out, report = setup
    pdf = root / "report.pdf"
    pdf.unlink(missing_ok=True)
    matrix = cli_json("report", "--project", proj, "--run", "run", "--out", pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    reader = PdfReader(pdf)
    assert len(reader.pages) > 1
    assert matrix["pdf"]["pages"] == len(reader.pages)
    # pypdf reads Qt's spaces as tabs: compare with single spaces.
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Evaluation matrix" in text
    rows = {r["name"]: r for r in matrix["rows"]}
    names = [n for n in ("accuracy", "rouge_l", "f1") if n in rows]  # accuracy: when a benchmark ran
    assert len(names) >= 2
    for name in names:
        assert f"{100 * rows[name]['base']:.1f} %" in text, name
        assert f"{100 * rows[name]['tuned']:.1f} %" in text, name
    # The metric deltas and the loss curve (and the per-category accuracy after a benchmark), images.
    images = sum(len(page.images) for page in reader.pages)
    assert matrix["pdf"]["charts"] >= 2 and images == matrix["pdf"]["charts"]
    assert not list(root.glob("report.pdf.tmp"))
    expect_bad_input("report", "--project", proj, "--out", root / "no" / "such" / "r.pdf", mentions=["r.pdf"])


def test_cli_resume_updates_the_same_run(setup):
    """`train --resume DIR` continues the project's run with that folder: one record, its steps,
    last checkpoint and status brought up to date."""
    root, proj, model, out, report = setup
    cfg = json.loads((root / "run.json").read_text())
    out3 = root / "run3"
    shutil.rmtree(out3, ignore_errors=True)
    cfg.update(output_dir=str(out3), max_steps=2, save_steps=1)
    (root / "run3a.json").write_text(json.dumps(cfg))
    cfg.update(max_steps=4)
    (root / "run3b.json").write_text(json.dumps(cfg))

    def record():
        db = sqlite3.connect(proj)
        rows = db.execute("SELECT status, steps, total_steps, last_checkpoint_step, pid FROM runs "
                          "WHERE output_dir = ?", (str(out3),)).fetchall()
        db.close()
        return rows

    run_cli("train", "--config", root / "run3a.json", timeout=300)
    assert record() == [("finished", 2, 2, 1, 0)]
    run_cli("train", "--config", root / "run3b.json", "--resume", out3, timeout=300)
    assert record() == [("finished", 4, 4, 3, 0)]
