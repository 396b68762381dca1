"""The engine's logits and greedy continuations equal transformers' on tiny random models of
every supported architecture (fp32, sharded, bf16), and on the real tiny-random-llama-2 folder."""
import json

import numpy as np
import pytest
import torch

from conftest import cli_json, train_device
from tiny_models import build

PROMPTS = [[5], [0, 17, 42, 7, 99, 250, 3], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 300]]
KINDS = [
    ("gpt2", {}),
    ("llama", {}),
    ("llama3-rope", {}),
    ("mistral", {}),
    ("qwen2", {}),
    ("llama", {"max_shard_size": "100KB"}),
    ("qwen2", {"dtype": torch.bfloat16}),
    ("mistral", {"dtype": torch.float16}),
]


def _name(kind, options):
    suffix = "-sharded" if "max_shard_size" in options else ""
    suffix += {torch.bfloat16: "-bf16", torch.float16: "-f16"}.get(options.get("dtype"), "")
    return kind + suffix


@pytest.fixture(scope="module", params=KINDS, ids=[_name(*k) for k in KINDS])
def tiny_model(request, work_dir):
    kind, options = request.param
    folder = work_dir / "models" / _name(kind, options)
    model = build(kind, folder, **options)
    return folder, model


DEVICE = train_device()  # FT_TEST_DEVICE=cuda: both sides on the GPU (fp32, no TF32)


def _reference_logits(model, ids):
    with torch.no_grad():
        model.to(DEVICE)
        return model(torch.tensor([ids], device=DEVICE)).logits[0].float().cpu().numpy()


@pytest.mark.parametrize("prompt", PROMPTS, ids=["1-token", "7-tokens", "13-tokens"])
def test_last_logits_match(tiny_model, prompt):
    folder, model = tiny_model
    ours = np.array(cli_json("logits", "--model", folder, "--device", DEVICE,
                             "--prompt-ids", ",".join(map(str, prompt)))["logits"])
    ref = _reference_logits(model, prompt)[-1]
    assert ours.shape == ref.shape
    assert np.abs(ours - ref).max() < 1e-4


def test_all_positions_match(tiny_model):
    folder, model = tiny_model
    prompt = PROMPTS[2]
    ours = np.array(cli_json("logits", "--model", folder, "--all-positions", "--device", DEVICE,
                             "--prompt-ids", ",".join(map(str, prompt)))["logits"])
    ref = _reference_logits(model, prompt)
    assert np.abs(ours.reshape(ref.shape) - ref).max() < 1e-4


@pytest.mark.parametrize("prompt", PROMPTS[:2], ids=["1-token", "7-tokens"])
def test_greedy_continuation_matches(tiny_model, prompt):
    folder, model = tiny_model
    ours = cli_json("generate", "--model", folder, "--prompt-ids", ",".join(map(str, prompt)),
                    "--max-new-tokens", 20, "--temperature", 0, "--ignore-eos")["ids"]
    with torch.no_grad():
        ids = torch.tensor([prompt], device=model.device)
        # An explicit mask: otherwise generate() masks prompt tokens equal to pad_token_id.
        out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=20,
                             min_new_tokens=20, do_sample=False, eos_token_id=None,
                             pad_token_id=0)
    assert ours == out[0, len(prompt):].tolist()


def test_info_reports_the_config(tiny_model):
    folder, model = tiny_model
    info = cli_json("info", "--model", folder)
    cfg = model.config
    assert info["num_layers"] == cfg.num_hidden_layers
    assert info["hidden_size"] == cfg.hidden_size
    assert info["vocab_size"] == cfg.vocab_size
    assert info["num_parameters"] == model.num_parameters()
    assert info["architecture"] == cfg.architectures[0]


def test_tiny_random_llama_2_corpus(fixtures_dir):
    """Reproduces corpus.json of the real stas/tiny-random-llama-2 (BF16 safetensors)."""
    folder = fixtures_dir / "tiny-random-llama-2-hf"
    corpus = json.loads((folder / "corpus.json").read_text())
    tol = corpus["logit_tolerance"]
    info = cli_json("info", "--model", folder)
    assert info["stored_dtype"] == "BF16"
    assert any("3000" in w for w in info["warnings"]), "vocabulary mismatch should be reported"
    for case in corpus["model_cases"]:
        ids = ",".join(map(str, case["input_ids"]))
        logits = cli_json("logits", "--model", folder, "--prompt-ids", ids)["logits"]
        assert int(np.argmax(logits)) == case["greedy_token"]
        for index, expected in case["sampled_logits"].items():
            assert abs(logits[int(index)] - expected) <= tol["absolute"] + tol["relative"] * abs(expected)
        steps = len(case["greedy_continuation"])
        out = cli_json("generate", "--model", folder, "--prompt-ids", ids, "--max-new-tokens",
                       steps, "--temperature", 0, "--ignore-eos")
        assert out["ids"] == case["greedy_continuation"]
