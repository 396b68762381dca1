"""A GGUF base can be trained on and exported: a LoRA run over a tiny Llama stored as F32 GGUF,
exported with --format gguf (the engine merges the adapter into the GGUF's weights and writes the
GGUF's own tokenizer), passes the engine's read-back, and llama.cpp (llama-cpp-python) gives the
same logits for that file as for the base GGUF with the run's llama.cpp LoRA adapter
(--format gguf-lora) applied. --format merged is refused with a clear message (a GGUF holds no
Hugging Face tokenizer files).
"""
import json
import pathlib
import shutil
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from conftest import cli_json, expect_bad_input, run_cli  # noqa: E402

llama_cpp = pytest.importorskip("llama_cpp")
gguf = pytest.importorskip("gguf")
from test_llamacpp_reference import PROMPTS, llama_logits  # noqa: E402
from tiny_models import build, byte_bpe_tokenizer  # noqa: E402


def test_lora_over_a_gguf_base_exports_to_gguf(work_dir):
    root = work_dir / "gguf-base-run"
    root.mkdir(parents=True, exist_ok=True)
    folder = root / "tiny-llama"
    texts = [f"Count {i} {i + 1} {i + 2} and say hello." for i in range(48)]
    if not (folder / "config.json").exists():
        build("llama", folder)
        byte_bpe_tokenizer(folder, texts)
    base = root / "base-F32.gguf"
    if base.exists():
        base.unlink()
    run_cli("convert", "--model", folder, "--to", "gguf", "--type", "F32", "--out", base)
    data = root / "data.json"
    data.write_text(json.dumps([{"instruction": t, "input": "", "output": "ok"} for t in texts]))
    out = root / "lora"
    shutil.rmtree(out, ignore_errors=True)
    cfg = {"model": str(base), "data": str(data), "output_dir": str(out), "strategy": "lora",
           "template": "plain", "cutoff_len": 32, "logging_steps": 1, "save_steps": 0,
           "per_device_train_batch_size": 8, "max_steps": 3, "learning_rate": 5e-2,
           "lora": {"r": 4, "lora_alpha": 8, "lora_dropout": 0.0, "target_modules": "all-linear"}}
    (root / "lora.json").write_text(json.dumps(cfg))
    run_cli("train", "--config", root / "lora.json", timeout=300)

    dest = root / "export-gguf"
    shutil.rmtree(dest, ignore_errors=True)
    result = cli_json("export", "--run", out, "--format", "gguf", "--type", "F32", "--out", dest)
    assert result["read_back"]["checked"] and result["read_back"]["relative_error"] < 1e-4
    merged = dest / "model-F32.gguf"
    reader = gguf.GGUFReader(str(merged))
    original = gguf.GGUFReader(str(base))
    for key in ["tokenizer.ggml.model", "tokenizer.ggml.tokens", "tokenizer.ggml.merges"]:
        assert reader.fields[key].contents() == original.fields[key].contents(), key

    lora = root / "export-lora"
    shutil.rmtree(lora, ignore_errors=True)
    run_cli("export", "--run", out, "--format", "gguf-lora", "--out", lora)
    adapter = str(lora / "adapter-lora-F32.gguf")
    for ids in PROMPTS:
        ids = [i % 384 for i in ids]
        theirs_merged = llama_logits(merged, ids)
        theirs_lora = llama_logits(base, ids, lora_path=adapter)
        assert np.abs(theirs_merged - llama_logits(base, ids)).max() > 1e-3  # trained
        assert np.abs(theirs_merged - theirs_lora).max() < 1e-3, ids

    refused = root / "export-merged"
    shutil.rmtree(refused, ignore_errors=True)
    expect_bad_input("export", "--run", out, "--format", "merged", "--out", refused,
                     mentions=["GGUF base", "--format gguf"])
    assert not refused.exists()
