"""Loading streams the weights: peak resident memory above the process's baseline stays at most
1.3x the fp32 weight size, for fp32 and bf16 checkpoints."""
import os
import subprocess

import pytest
import torch
import transformers
from safetensors.torch import load_file

from conftest import cli_path
from tiny_models import build


def peak_rss_bytes(*args):
    """Peak RSS of one finetune-cli run, measured in a fresh child (wait4's rusage)."""
    proc = subprocess.Popen([cli_path(), *map(str, args)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    assert status == 0, proc.stderr.read()
    return usage.ru_maxrss * 1024


@pytest.fixture(scope="module")
def medium_model(work_dir):
    """About 120 MB of fp32 weights: large enough to dwarf allocator noise."""
    folders = {}
    for dtype in (torch.float32, torch.bfloat16):
        folder = work_dir / "models" / f"medium-{str(dtype).split('.')[-1]}"
        if not (folder / "config.json").exists():
            cfg = transformers.LlamaConfig(hidden_size=512, intermediate_size=1408,
                                           num_hidden_layers=6, num_attention_heads=8,
                                           num_key_value_heads=4, vocab_size=32000,
                                           tie_word_embeddings=False)
            torch.manual_seed(0)
            model = transformers.AutoModelForCausalLM.from_config(cfg).to(dtype)
            model.save_pretrained(folder)
        folders[dtype] = folder
    return folders


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=["f32", "bf16"])
def test_peak_memory_while_loading(medium_model, work_dir, dtype):
    folder = medium_model[dtype]
    fp32_bytes = sum(t.numel() for t in load_file(folder / "model.safetensors").values()) * 4
    tiny = work_dir / "models" / "llama"
    build("llama", tiny)
    baseline = peak_rss_bytes("info", "--model", tiny)
    peak = peak_rss_bytes("info", "--model", folder)
    extra = peak - baseline
    assert extra <= 1.3 * fp32_bytes, (
        f"loading took {extra / 2**20:.1f} MiB above baseline for {fp32_bytes / 2**20:.1f} MiB "
        f"of fp32 weights ({extra / fp32_bytes:.2f}x)")
