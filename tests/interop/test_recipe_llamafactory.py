"""`finetune-cli recipe --to llamafactory`: the cluster hand-off checked against the real engines.

LLaMA-Factory (PyPI llamafactory, in .venv-llamafactory: scripts/setup-venv.sh --llamafactory)
parses the written YAML with its own argument dataclasses and trains the recipe for 2 steps on
CPU (LoRA and freeze, a tiny random Llama); DeepSpeed's own DeepSpeedConfig parses the ZeRO-2 /
ZeRO-3 configs once transformers' integration has filled their "auto" values. The data written
is exactly the project's accepted rows of the train split (read independently with sqlite3).
Refusals (IA3, prompt tuning, progressive unfreezing, ...) exit 2 naming the field."""
import json
import os
import pathlib
import shutil
import socket
import sqlite3
import subprocess

import pytest
import yaml

from conftest import REPO, cli_json, expect_bad_input, run_cli

VENV = pathlib.Path(os.environ.get("FT_LLAMAFACTORY_VENV", REPO / ".venv-llamafactory"))
LF_PYTHON = VENV / "bin" / "python"
LF_CLI = VENV / "bin" / "llamafactory-cli"
CHECK = pathlib.Path(__file__).with_name("llamafactory_check.py")
needs_llamafactory = pytest.mark.skipif(
    not LF_CLI.exists(),
    reason=f"LLaMA-Factory venv missing at {VENV} (create it: scripts/setup-venv.sh --llamafactory)")

CHATML = ("{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + "
          "'<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}"
          "{{ '<|im_start|>assistant\\n' }}{% endif %}")


@pytest.fixture(scope="module")
def project(work_dir, fixtures_dir):
    from tiny_models import build, byte_bpe_tokenizer
    root = work_dir / "recipe_llamafactory"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    rows = json.loads((fixtures_dir / "datasets" / "alpaca_en_demo.json").read_text())[:24]
    data = root / "demo24.json"
    data.write_text(json.dumps(rows))
    proj = root / "p.ftproj"
    cli_json("data", "import", data, "--project", proj)
    cli_json("data", "split", "--project", proj, "--dataset", "demo24", "--val", "0.25", "--seed", "3")
    cli_json("data", "set-status", "--project", proj, "--dataset", "demo24", "--rows", "0,2", "excluded")
    model = root / "tiny-llama"
    build("llama", model)
    byte_bpe_tokenizer(model, [r["instruction"] + "\n" + r["input"] + "\n" + r["output"] for r in rows],
                       chat_template=CHATML)
    return root, proj, model, rows


def _config(root, proj, model, name, **extra):
    cfg = {"model": str(model), "data": f"{proj}#demo24", "output_dir": str(root / ("run-" + name)),
           "template": "alpaca", "cutoff_len": 128, "max_steps": 2, "logging_steps": 1,
           "save_steps": 0, "per_device_train_batch_size": 2, "gradient_accumulation_steps": 1,
           "learning_rate": 1e-3, "warmup_ratio": 0.0, "lr_scheduler_type": "cosine",
           "strategy": "lora", "lora": {"r": 4, "lora_alpha": 8, "lora_dropout": 0.0,
                                        "target_modules": ["q_proj", "v_proj"]}}
    cfg.update(extra)
    path = root / f"{name}.json"
    path.write_text(json.dumps(cfg))
    return path, cfg


def _recipe(config, out, *extra):
    shutil.rmtree(out, ignore_errors=True)
    return cli_json("recipe", "--config", config, "--to", "llamafactory", "--out", out, *extra)


def _accepted_train_texts(proj):
    db = sqlite3.connect(proj)
    ids = [r for (r,) in db.execute(
        "SELECT r.id FROM rows r JOIN splits s ON s.row_id = r.id "
        "WHERE r.status != 'excluded' AND s.split = 'train' ORDER BY r.idx")]
    excluded = db.execute("SELECT count(*) FROM rows WHERE status = 'excluded'").fetchone()[0]
    db.close()
    return ids, excluded


def _lf_env(tmp):
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(CUDA_VISIBLE_DEVICES="", HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1",
               HF_DATASETS_CACHE=str(tmp / "hf-datasets"), WANDB_DISABLED="true",
               TOKENIZERS_PARALLELISM="false", OMP_NUM_THREADS="2", DS_ACCELERATOR="cpu")
    return env


def _lf_check(*args, cwd, env):
    proc = subprocess.run([str(LF_PYTHON), str(CHECK), *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _lf_train(folder, yaml_file):
    proc = subprocess.run([str(LF_CLI), "train", yaml_file], cwd=folder, env=_lf_env(folder),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    state = json.loads((folder / "output" / "trainer_state.json").read_text())
    assert state["global_step"] == 2
    return proc


def test_lora_recipe_holds_the_accepted_train_rows_and_trains_in_llamafactory(project):
    root, proj, model, rows = project
    config, cfg = _config(root, proj, model, "lora")
    out = root / "recipe-lora"
    r = _recipe(config, out, "--no-bf16")
    yaml_file = "train_lora_sft.yaml"
    assert set(r["files"]) == {yaml_file, "dataset_info.json", "train.jsonl", "README.md"}
    assert (r["stage"], r["finetuning_type"], r["template"]) == ("sft", "lora", "alpaca")

    # Exactly the accepted rows of the train split, in project order.
    ids, excluded = _accepted_train_texts(proj)
    assert excluded == 2
    lines = [json.loads(l) for l in (out / "train.jsonl").read_text().splitlines()]
    assert r["train_rows"] == len(lines) == len(ids)
    db = sqlite3.connect(proj)
    for line, row_id in zip(lines, ids):
        idx = db.execute("SELECT idx FROM rows WHERE id = ?", (row_id,)).fetchone()[0]
        src = rows[idx]
        user = src["instruction"] + ("\n\n" + src["input"] if src["input"] else "")
        assert line["messages"] == [{"role": "user", "content": user},
                                    {"role": "assistant", "content": src["output"]}]
    db.close()

    # PyYAML (strict YAML 1.1: 1e-03 would be a string) reads the run's values back.
    doc = yaml.safe_load((out / yaml_file).read_text())
    assert doc["learning_rate"] == pytest.approx(1e-3) and isinstance(doc["learning_rate"], float)
    assert doc["lora_target"] == "q_proj,v_proj" and doc["lora_rank"] == 4
    assert "FORCE_TORCHRUN=1 NNODES=" in (out / "README.md").read_text()

    if not LF_CLI.exists():
        pytest.skip(f"LLaMA-Factory venv missing at {VENV} (scripts/setup-venv.sh --llamafactory)")
    parsed = _lf_check("args", yaml_file, cwd=out, env=_lf_env(out))
    assert parsed["stage"] == "sft" and parsed["finetuning_type"] == "lora"
    assert parsed["template"] == "alpaca" and parsed["cutoff_len"] == cfg["cutoff_len"]
    assert parsed["lora_rank"] == 4 and parsed["lora_alpha"] == 8
    assert sorted(parsed["lora_target"]) == ["q_proj", "v_proj"]
    assert parsed["learning_rate"] == pytest.approx(cfg["learning_rate"])
    assert parsed["per_device_train_batch_size"] == 2 and parsed["gradient_accumulation_steps"] == 1
    assert parsed["max_steps"] == 2 and parsed["lr_scheduler_type"] == "cosine"
    assert parsed["bf16"] is False

    _lf_train(out, yaml_file)
    adapter = json.loads((out / "output" / "adapter_config.json").read_text())
    assert adapter["r"] == 4 and adapter["lora_alpha"] == 8
    assert set(adapter["target_modules"]) == {"q_proj", "v_proj"}
    assert (out / "output" / "adapter_model.safetensors").stat().st_size > 0


@needs_llamafactory
def test_freeze_recipe_trains_only_the_chosen_blocks_in_llamafactory(project):
    from safetensors.torch import load_file
    root, proj, model, _ = project
    config, _ = _config(root, proj, model, "freeze", strategy="freeze",
                        freeze={"last_blocks": 1, "modules": ["attention", "mlp"]})
    out = root / "recipe-freeze"
    r = _recipe(config, out, "--no-bf16")
    yaml_file = "train_freeze_sft.yaml"
    parsed = _lf_check("args", yaml_file, cwd=out, env=_lf_env(out))
    assert parsed["finetuning_type"] == "freeze" and parsed["freeze_trainable_layers"] == 1
    assert sorted(parsed["freeze_trainable_modules"]) == ["mlp", "self_attn"]
    _lf_train(out, yaml_file)
    base = load_file(model / "model.safetensors")
    tuned = load_file(out / "output" / "model.safetensors")
    changed = {k for k in base if not (base[k].float() == tuned[k].float()).all()}
    assert changed, "nothing trained"
    assert all(k.startswith(("model.layers.1.self_attn.", "model.layers.1.mlp.")) for k in changed), changed
    assert [w["code"] for w in r["warnings"]] == ["alpaca_input"]


@needs_llamafactory
@pytest.mark.parametrize("stage", ["zero2", "zero3"])
def test_deepspeed_config_parses_in_deepspeed(project, stage):
    root, proj, model, _ = project
    config, cfg = _config(root, proj, model, "ds-" + stage, gradient_accumulation_steps=4,
                          max_grad_norm=0.5)
    out = root / ("recipe-" + stage)
    r = _recipe(config, out, "--deepspeed", stage)
    name = "ds_z3_config.json" if stage == "zero3" else "ds_z2_config.json"
    assert name in r["files"]
    doc = yaml.safe_load((out / "train_lora_sft.yaml").read_text())
    assert doc["deepspeed"] == name and doc["bf16"] is True
    env = _lf_env(out)
    with socket.socket() as s:  # a one-process group, as torchrun's environment gives it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env.update(RANK="0", LOCAL_RANK="0", WORLD_SIZE="1", MASTER_ADDR="127.0.0.1",
               MASTER_PORT=str(port))
    ds = _lf_check("deepspeed", "train_lora_sft.yaml", model, cwd=out, env=env)
    assert ds["autos_left"] == []
    assert ds["zero_stage"] == (3 if stage == "zero3" else 2)
    assert ds["micro_batch"] == 2 and ds["gradient_accumulation_steps"] == 4
    assert ds["train_batch_size"] == 8
    assert ds["gradient_clipping"] == pytest.approx(0.5)
    assert ds["bf16"] is True and ds["fp16"] is False


def test_templates_map_to_llamafactory_names_or_are_refused(project):
    root, proj, model, _ = project
    for ours, theirs in [("chatml", "chatml"), ("llama3", "llama3"), ("model", "chatml")]:
        config, _ = _config(root, proj, model, "tpl-" + ours, template=ours)
        r = _recipe(config, root / ("recipe-tpl-" + ours))
        assert r["template"] == theirs
        doc = yaml.safe_load((root / ("recipe-tpl-" + ours) / "train_lora_sft.yaml").read_text())
        assert doc["template"] == theirs
    config, _ = _config(root, proj, model, "tpl-plain", template="plain")
    expect_bad_input("recipe", "--config", config, "--out", root / "recipe-tpl-plain",
                     mentions=["template", "plain", "--template"])
    assert not (root / "recipe-tpl-plain").exists()
    r = _recipe(config, root / "recipe-tpl-plain", "--template", "empty")
    assert r["template"] == "empty"


def test_preference_rows_become_ranking_pairs(project, fixtures_dir):
    root, _, model, _ = project
    pairs = json.loads((fixtures_dir / "datasets" / "dpo_zh_demo.json").read_text())[:6]
    data = root / "pairs.json"
    data.write_text(json.dumps(pairs, ensure_ascii=False))
    config, _ = _config(root, None, model, "dpo", data=str(data), stage="dpo", beta=0.2)
    out = root / "recipe-dpo"
    r = _recipe(config, out, "--no-bf16")
    assert r["stage"] == "dpo" and r["train_rows"] == len(pairs)
    info = json.loads((out / "dataset_info.json").read_text())
    assert info["train"]["ranking"] is True and info["train"]["formatting"] == "sharegpt"
    lines = [json.loads(l) for l in (out / "train.jsonl").read_text().splitlines()]
    for line, pair in zip(lines, pairs):
        assert [m["content"] for m in line["messages"]] == [m["value"] for m in pair["conversations"]]
        assert line["chosen"] == {"role": "assistant", "content": pair["chosen"]["value"]}
        assert line["rejected"] == {"role": "assistant", "content": pair["rejected"]["value"]}
    if LF_CLI.exists():
        parsed = _lf_check("args", "train_lora_dpo.yaml", cwd=out, env=_lf_env(out))
        assert parsed["stage"] == "dpo" and parsed["pref_loss"] == "sigmoid"
        assert parsed["pref_beta"] == pytest.approx(0.2)
        # LLaMA-Factory reads every pair (none dropped as malformed) and trains 2 DPO steps.
        proc = _lf_train(out, "train_lora_dpo.yaml")
        assert f"Num examples = {len(pairs)}" in proc.stdout + proc.stderr


@pytest.mark.parametrize("extra, field", [
    ({"strategy": "ia3"}, "strategy"),
    ({"strategy": "prompt_tuning"}, "strategy"),
    ({"strategy": "progressive"}, "strategy"),
    ({"strategy": "freeze", "freeze": {"blocks": [0], "modules": "all"}}, None),
    ({"strategy": "freeze", "freeze": {"last_blocks": 1, "patterns": ["q_proj"]}}, "freeze.patterns"),
    ({"stage": "dpo", "loss_type": "robust", "label_smoothing": 0.1}, "loss_type"),
    ({"lora": {"r": 4, "target_modules": "^model\\.layers\\.1\\..*q_proj$"}}, "lora.target_modules"),
])
def test_what_llamafactory_cannot_express_is_refused(project, extra, field):
    root, proj, model, _ = project
    config, _ = _config(root, proj, model, "refused", **extra)
    out = root / "recipe-refused"
    shutil.rmtree(out, ignore_errors=True)
    if field is None:  # block 0 of 2 is the first block: freeze_trainable_layers -1
        r = cli_json("recipe", "--config", config, "--out", out)
        assert yaml.safe_load((out / "train_freeze_sft.yaml").read_text())["freeze_trainable_layers"] == -1
        return
    expect_bad_input("recipe", "--config", config, "--out", out, mentions=[field, str(config)])
    assert not out.exists()
    assert not any(p.name.startswith(".recipe-refused") for p in root.iterdir())


def test_an_existing_folder_is_kept_unless_overwrite(project):
    root, proj, model, _ = project
    config, _ = _config(root, proj, model, "exists")
    out = root / "recipe-exists"
    _recipe(config, out)
    expect_bad_input("recipe", "--config", config, "--out", out, mentions=[str(out), "exists"])
    run_cli("recipe", "--config", config, "--out", out, "--overwrite")
    assert (out / "train_lora_sft.yaml").exists()


def test_documents_become_a_pt_recipe(project, fixtures_dir):
    root, _, model, _ = project
    docs = [json.loads(l) for l in (fixtures_dir / "datasets" / "c4_demo.jsonl").read_text().splitlines()[:10]]
    data = root / "docs.jsonl"
    data.write_text("".join(json.dumps(d) + "\n" for d in docs) + '{"title": "no text"}\n')
    config, _ = _config(root, None, model, "pt", data=str(data), stage="pt", strategy="full")
    out = root / "recipe-pt"
    r = _recipe(config, out)
    assert (r["stage"], r["template"], r["train_rows"], r["skipped_rows"]) == ("pt", "", 10, 1)
    assert {w["code"] for w in r["warnings"]} == {"pt_packing", "skipped_rows"}
    assert [json.loads(l) for l in (out / "train.jsonl").read_text().splitlines()] == \
        [{"text": d["text"]} for d in docs]
    if LF_CLI.exists():
        parsed = _lf_check("args", "train_full_pt.yaml", cwd=out, env=_lf_env(out))
        assert parsed["stage"] == "pt" and parsed["finetuning_type"] == "full"
