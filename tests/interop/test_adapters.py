"""IA3 and prompt tuning in PEFT's format: adapters peft writes load into the engine (through
`finetune-cli logits --adapter`) with peft's logits; adapters the engine creates load in peft with
the engine's logits and carry peft's tensor names, shapes and config fields; IA3 merging equals
peft's merge_and_unload; a prompt-tuning adapter generates what peft generates; --no-adapter
gives the base model's logits exactly."""
import json
import os
import pathlib
import subprocess

import pytest
import torch
from peft import IA3Config, PeftModel, PromptTuningConfig, get_peft_model
from safetensors.torch import load_file

from conftest import REPO, expect_bad_input, run_cli
from tiny_models import build

IDS = [[0, 17, 42, 7, 99, 250, 3, 11, 5, 300], [10, 11, 12, 13, 14, 15, 16, 0, 0, 0]]
MASK = [[1] * 10, [1] * 7 + [0] * 3]
ONE = [0, 17, 42, 7, 99, 250, 3, 11]
INIT_TEXT = "Answer the question kindly."

IA3_CASES = [
    ("llama", {}),  # peft's defaults: k_proj, v_proj, down_proj (feed-forward)
    ("llama", dict(target_modules=["q_proj", "o_proj", "up_proj", "down_proj"],
                   feedforward_modules=["up_proj", "down_proj"])),
    ("llama", dict(target_modules=r".*\.layers\.1\..*_proj", feedforward_modules=r".*mlp\.down_proj")),
    ("gpt2", {}),  # c_attn, mlp.c_proj (feed-forward)
    ("gpt2", dict(target_modules=["c_attn", "attn.c_proj", "c_fc", "mlp.c_proj"],
                  feedforward_modules=["mlp.c_proj"])),
]
IA3_IDS = ["llama-default", "llama-lists", "llama-regex", "gpt2-default", "gpt2-all"]


def _driver():
    cli = os.environ.get("FT_CLI")
    build_dir = pathlib.Path(cli).parents[1] if cli else REPO / "build"
    path = build_dir / "tests" / "tst_adapter_interop"
    if not path.exists():
        pytest.fail(f"tst_adapter_interop not found at {path} (build it)")
    return str(path)


def run_job(work_dir, name, job):
    """Runs tst_adapter_interop on `job`; returns (result.json, {name: tensor})."""
    folder = pathlib.Path(work_dir) / "adapter-jobs" / name
    folder.mkdir(parents=True, exist_ok=True)
    job = {k: (str(v) if isinstance(v, pathlib.Path) else v) for k, v in job.items()}
    job["out"] = str(folder / "out")
    (folder / "job.json").write_text(json.dumps(job, indent=2))
    proc = subprocess.run([_driver()], env={**os.environ, "FT_ADAPTER_JOB": str(folder / "job.json")},
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = folder / "out"
    return json.loads((out / "result.json").read_text()), load_file(str(out / "tensors.safetensors"))


def _tokenizer(folder):
    """A byte-level BPE tokenizer (vocab <= 384, <s> = 0, </s> = 1, BOS added) in `folder`."""
    if (folder / "tokenizer.json").exists():
        return
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator([INIT_TEXT, "The quick brown fox jumps over the lazy dog."] * 50,
                            trainers.BpeTrainer(vocab_size=300, special_tokens=["<s>", "</s>"],
                                                initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                                show_progress=False))
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 0)])
    tok.save(str(folder / "tokenizer.json"))
    (folder / "tokenizer_config.json").write_text(json.dumps(
        {"bos_token": "<s>", "eos_token": "</s>", "tokenizer_class": "PreTrainedTokenizerFast"}))


def _model_dir(work_dir, kind):
    folder = work_dir / "models" / f"{kind}-tok"
    build(kind, folder)
    _tokenizer(folder)
    return folder


def _logits(model, ids=IDS, mask=MASK):
    with torch.no_grad():
        return model(input_ids=torch.tensor(ids), attention_mask=torch.tensor(mask)).logits


def _cli_logits(model_dir, *extra, ids=ONE):
    proc = run_cli("logits", "--model", model_dir, "--prompt-ids", ",".join(map(str, ids)),
                   "--all-positions", "--json", *extra)
    return torch.tensor(json.loads(proc.stdout)["logits"]).view(len(ids), -1)


def _peft_ia3(kind, folder, options, seed=1):
    """peft's IA3 with randomised vectors (init_ia3_weights=False: randn), eval mode."""
    torch.manual_seed(seed)
    config = IA3Config(task_type="CAUSAL_LM", init_ia3_weights=False, **options)
    return get_peft_model(build(kind, folder), config).eval()


@pytest.mark.parametrize("kind,options", IA3_CASES, ids=IA3_IDS)
def test_peft_ia3_loads_in_engine(work_dir, kind, options, request):
    folder = _model_dir(work_dir, kind)
    reference = _peft_ia3(kind, folder, options)
    adapter = work_dir / "adapters" / f"peft-ia3-{request.node.callspec.id}"
    reference.save_pretrained(adapter)
    result, tensors = run_job(work_dir, f"ia3-load-{request.node.callspec.id}",
                              {"model": folder, "adapter": adapter, "ids": IDS, "mask": MASK})
    assert result["type"] == "IA3"
    assert result["trainable"] == reference.get_nb_trainable_parameters()[0]
    diff = (tensors["logits"] - _logits(reference)).abs().max().item()
    assert diff < 1e-4, diff
    # The command line agrees, and --no-adapter gives exactly the base model's logits.
    got = _cli_logits(folder, "--adapter", adapter)
    assert (got - _logits(reference, [ONE], [[1] * len(ONE)])[0]).abs().max() < 1e-4
    assert torch.equal(_cli_logits(folder, "--adapter", adapter, "--no-adapter"), _cli_logits(folder))


@pytest.mark.parametrize("kind,options", IA3_CASES, ids=IA3_IDS)
def test_engine_ia3_loads_in_peft_and_merges(work_dir, kind, options, request):
    case = request.node.callspec.id
    folder = _model_dir(work_dir, kind)
    adapter = work_dir / "adapters" / f"engine-ia3-{case}"
    result, tensors = run_job(work_dir, f"ia3-save-{case}",
                              {"model": folder, "ia3": {**options, "init_ia3_weights": False},
                               "seed": 3, "ids": IDS, "mask": MASK, "save_adapter": adapter,
                               "merge": True})
    loaded = PeftModel.from_pretrained(build(kind, folder), adapter).eval()
    assert sorted(result["targets"]) == sorted(loaded.base_model.targeted_module_names)
    diff = (tensors["logits"] - _logits(loaded)).abs().max().item()
    assert diff < 1e-4, diff
    assert not torch.allclose(tensors["logits"], tensors["logits_base"], atol=1e-3)
    assert (tensors["logits_base"] - _logits(build(kind, folder))).abs().max() < 1e-4

    # Same tensor names, shapes and config fields as peft writes for the same config.
    reference = _peft_ia3(kind, folder, options)
    reference_dir = work_dir / "adapters" / f"reference-ia3-{case}"
    reference.save_pretrained(reference_dir)
    ours = load_file(str(adapter / "adapter_model.safetensors"))
    theirs = load_file(str(reference_dir / "adapter_model.safetensors"))
    assert {k: v.shape for k, v in ours.items()} == {k: v.shape for k, v in theirs.items()}
    ours_cfg = json.loads((adapter / "adapter_config.json").read_text())
    theirs_cfg = json.loads((reference_dir / "adapter_config.json").read_text())
    for key in ["peft_type", "task_type", "fan_in_fan_out", "init_ia3_weights", "target_modules",
                "feedforward_modules"]:
        mine, peft_value = ours_cfg[key], theirs_cfg[key]
        if isinstance(mine, list):
            mine, peft_value = sorted(mine), sorted(peft_value)
        assert mine == peft_value, key

    # Merging equals peft's merge_and_unload, weights and logits.
    merged = loaded.merge_and_unload()
    state = merged.state_dict()
    names = [key[len("merged."):] for key in tensors if key.startswith("merged.")]
    assert names
    for name in names:
        assert (tensors["merged." + name] - state[name]).abs().max() < 1e-5, name
    assert (tensors["logits_merged"] - _logits(merged)).abs().max() < 1e-4


def test_fresh_ia3_changes_nothing(work_dir):
    folder = _model_dir(work_dir, "llama")
    _, tensors = run_job(work_dir, "ia3-fresh", {"model": folder, "ia3": {}, "ids": IDS, "mask": MASK})
    for name, value in tensors.items():
        if name.startswith("param."):
            assert torch.equal(value, torch.ones_like(value)), name
    assert torch.equal(tensors["logits"], tensors["logits_base"])


def _peft_prompt(kind, folder, n, init="RANDOM", seed=2):
    torch.manual_seed(seed)
    extra = {}
    if init == "TEXT":
        extra = dict(prompt_tuning_init_text=INIT_TEXT, tokenizer_name_or_path=str(folder))
    config = PromptTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=n,
                                prompt_tuning_init=init, **extra)
    return get_peft_model(build(kind, folder), config).eval()


@pytest.mark.parametrize("kind", ["llama", "gpt2"])
def test_peft_prompt_tuning_loads_in_engine(work_dir, kind):
    folder = _model_dir(work_dir, kind)
    reference = _peft_prompt(kind, folder, 6)
    adapter = work_dir / "adapters" / f"peft-prompt-{kind}"
    reference.save_pretrained(adapter)
    result, tensors = run_job(work_dir, f"prompt-load-{kind}",
                              {"model": folder, "adapter": adapter, "ids": IDS, "mask": MASK})
    assert result["type"] == "PROMPT_TUNING"
    assert result["trainable"] == reference.get_nb_trainable_parameters()[0]
    expected = _logits(reference)[:, 6:]  # peft's logits include the virtual positions
    assert (tensors["logits"] - expected).abs().max() < 1e-4
    got = _cli_logits(folder, "--adapter", adapter)
    assert (got - _logits(reference, [ONE], [[1] * len(ONE)])[0, 6:]).abs().max() < 1e-4
    assert torch.equal(_cli_logits(folder, "--adapter", adapter, "--no-adapter"), _cli_logits(folder))


def test_engine_text_prompt_tuning_equals_peft(work_dir):
    folder = _model_dir(work_dir, "llama")
    adapter = work_dir / "adapters" / "engine-prompt-text"
    n = 11  # more than the text's tokens: peft repeats them
    result, tensors = run_job(work_dir, "prompt-text",
                              {"model": folder, "ids": IDS, "mask": MASK, "save_adapter": adapter,
                               "prompt_tuning": {"num_virtual_tokens": n,
                                                 "prompt_tuning_init": "TEXT",
                                                 "prompt_tuning_init_text": INIT_TEXT}})
    reference = _peft_prompt("llama", folder, n, init="TEXT")
    theirs = reference.prompt_encoder["default"].embedding.weight.detach()
    assert torch.equal(tensors["param.prompt_embeddings"], theirs)
    assert result["trainable"] == reference.get_nb_trainable_parameters()[0]
    loaded = PeftModel.from_pretrained(build("llama", folder), adapter).eval()
    assert (tensors["logits"] - _logits(loaded)[:, n:]).abs().max() < 1e-4
    cfg = json.loads((adapter / "adapter_config.json").read_text())
    reference_dir = work_dir / "adapters" / "reference-prompt-text"
    reference.save_pretrained(reference_dir)
    theirs_cfg = json.loads((reference_dir / "adapter_config.json").read_text())
    for key in ["peft_type", "task_type", "num_virtual_tokens", "token_dim", "num_layers",
                "num_attention_heads", "num_transformer_submodules", "prompt_tuning_init",
                "prompt_tuning_init_text"]:
        assert cfg[key] == theirs_cfg[key], key


def test_prompt_tuning_generates_as_peft(work_dir):
    folder = _model_dir(work_dir, "llama")
    reference = _peft_prompt("llama", folder, 4, seed=5)
    adapter = work_dir / "adapters" / "peft-prompt-generate"
    reference.save_pretrained(adapter)
    prompt = [0, 17, 42, 7, 99]
    # Greedy decoding by peft's forward over the whole sequence each step. (peft 0.21's
    # generate() with transformers 5 drifts from its own forward after two tokens for prompt
    # tuning, so it is not the reference.)
    sequence = list(prompt)
    with torch.no_grad():
        for _ in range(10):
            sequence.append(int(reference(input_ids=torch.tensor([sequence])).logits[0, -1].argmax()))
    expected = sequence[len(prompt):]
    proc = run_cli("generate", "--model", folder, "--adapter", adapter, "--prompt-ids",
                   ",".join(map(str, prompt)), "--max-new-tokens", "10", "--ignore-eos", "--json")
    assert json.loads(proc.stdout)["ids"] == expected


def test_unknown_peft_type_is_refused(work_dir):
    folder = _model_dir(work_dir, "llama")
    adapter = work_dir / "adapters" / "prefix-tuning"
    adapter.mkdir(parents=True, exist_ok=True)
    (adapter / "adapter_config.json").write_text(json.dumps({"peft_type": "PREFIX_TUNING"}))
    expect_bad_input("logits", "--model", folder, "--prompt-ids", "1,2", "--adapter", adapter,
                     mentions=["adapter_config.json", "PREFIX_TUNING", "not supported"])
    expect_bad_input("logits", "--model", folder, "--prompt-ids", "1,2", "--no-adapter",
                     mentions=["--no-adapter needs --adapter"])
