"""LoRA in PEFT's format: adapters peft writes load into the engine and give peft's logits; the
adapters the engine writes load in peft and give the engine's logits; merging equals peft's
merge_and_unload; trainable-parameter counts and targeted modules equal peft's."""
import json
import math

import pytest
import torch
from peft import LoraConfig, PeftModel, get_peft_model
from safetensors.torch import load_file

from tiny_models import build
from test_lora_driver import run_job

IDS = [[0, 17, 42, 7, 99, 250, 3, 11, 5, 300], [10, 11, 12, 13, 14, 15, 16, 0, 0, 0]]
MASK = [[1] * 10, [1] * 7 + [0] * 3]

LLAMA_ALL = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
CASES = [
    ("llama", dict(target_modules=LLAMA_ALL)),
    ("llama", dict(target_modules=r".*\.layers\.1\.self_attn\.(q|v)_proj", use_rslora=True)),
    ("llama", dict(target_modules=["q_proj", "down_proj"], layers_to_transform=[1])),
    ("llama", dict(target_modules="all-linear")),
    ("gpt2", dict(target_modules=["c_attn", "c_proj", "c_fc"])),
    ("gpt2", dict(target_modules="all-linear", use_rslora=True)),
    ("llama", dict(target_modules=["q_proj", "v_proj", "down_proj"], use_dora=True)),
    ("gpt2", dict(target_modules=["c_attn", "c_fc"], use_dora=True, use_rslora=True)),
]
CASE_IDS = ["llama-all", "llama-regex-rslora", "llama-layers", "llama-all-linear", "gpt2-all",
            "gpt2-all-linear-rslora", "llama-dora", "gpt2-dora-rslora"]


def _model_dir(work_dir, kind):
    folder = work_dir / "models" / kind
    build(kind, folder)
    return folder


def _peft_config(options, r=4, alpha=8):
    return LoraConfig(r=r, lora_alpha=alpha, lora_dropout=0.0, task_type="CAUSAL_LM", **options)


def _peft_model(kind, folder, options, seed=1):
    """peft's LoRA over the tiny model with random (non-zero) B, in eval mode."""
    torch.manual_seed(seed)
    model = get_peft_model(build(kind, folder), _peft_config(options))
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.normal_(0.0, 0.2)
            if "lora_magnitude_vector" in name:  # DoRA: away from its initial ||W|| too
                param.mul_(1.0 + 0.1 * torch.randn_like(param))
    return model.eval()


def _logits(model):
    with torch.no_grad():
        return model(input_ids=torch.tensor(IDS), attention_mask=torch.tensor(MASK)).logits


def _targeted(model):
    return sorted(model.base_model.targeted_module_names)


@pytest.mark.parametrize("kind,options", CASES, ids=CASE_IDS)
def test_peft_adapter_loads_with_peft_logits(work_dir, kind, options, request):
    folder = _model_dir(work_dir, kind)
    reference = _peft_model(kind, folder, options)
    adapter = work_dir / "adapters" / f"peft-{request.node.callspec.id}"
    reference.save_pretrained(adapter)
    result, tensors = run_job(work_dir, f"load-{request.node.callspec.id}",
                              {"model": folder, "adapter": adapter, "ids": IDS, "mask": MASK})
    assert sorted(result["targets"]) == _targeted(reference)
    assert result["trainable"] == reference.get_nb_trainable_parameters()[0]
    diff = (tensors["logits"] - _logits(reference)).abs().max().item()
    assert diff < 1e-4, diff


@pytest.mark.parametrize("kind,options", CASES, ids=CASE_IDS)
def test_merge_equals_merge_and_unload(work_dir, kind, options, request):
    folder = _model_dir(work_dir, kind)
    reference = _peft_model(kind, folder, options)
    adapter = work_dir / "adapters" / f"merge-{request.node.callspec.id}"
    reference.save_pretrained(adapter)
    _, tensors = run_job(work_dir, f"merge-{request.node.callspec.id}",
                         {"model": folder, "adapter": adapter, "ids": IDS, "mask": MASK,
                          "merge": True})
    merged = reference.merge_and_unload()
    state = merged.state_dict()
    names = [key[len("merged."):] for key in tensors if key.startswith("merged.")]
    assert names
    for name in names:
        diff = (tensors["merged." + name] - state[name]).abs().max().item()
        assert diff < 1e-5, (name, diff)
    diff = (tensors["logits_merged"] - _logits(merged)).abs().max().item()
    assert diff < 1e-4, diff


@pytest.mark.parametrize("kind,options", CASES, ids=CASE_IDS)
def test_engine_adapter_loads_in_peft(work_dir, kind, options, request):
    folder = _model_dir(work_dir, kind)
    adapter = work_dir / "adapters" / f"engine-{request.node.callspec.id}"
    lora = {"r": 4, "lora_alpha": 8, "lora_dropout": 0.0, **options}
    result, tensors = run_job(work_dir, f"save-{request.node.callspec.id}",
                              {"model": folder, "lora": lora, "random_b": 0.2, "seed": 3,
                               "save_adapter": adapter, "ids": IDS, "mask": MASK})
    loaded = PeftModel.from_pretrained(build(kind, folder), adapter).eval()
    assert sorted(result["targets"]) == _targeted(loaded)
    diff = (tensors["logits"] - _logits(loaded)).abs().max().item()
    assert diff < 1e-4, diff

    # Same tensor names, shapes and config fields as peft writes for the same config.
    reference = _peft_model(kind, folder, options)
    assert result["trainable"] == reference.get_nb_trainable_parameters()[0]
    reference_dir = work_dir / "adapters" / f"reference-{request.node.callspec.id}"
    reference.save_pretrained(reference_dir)
    ours = load_file(str(adapter / "adapter_model.safetensors"))
    theirs = load_file(str(reference_dir / "adapter_model.safetensors"))
    assert {k: tuple(v.shape) for k, v in ours.items()} == \
        {k: tuple(v.shape) for k, v in theirs.items()}
    ours_cfg = json.loads((adapter / "adapter_config.json").read_text())
    theirs_cfg = json.loads((reference_dir / "adapter_config.json").read_text())
    for key in ["peft_type", "task_type", "r", "lora_alpha", "lora_dropout", "fan_in_fan_out",
                "bias", "use_rslora", "use_dora", "layers_to_transform"]:
        assert ours_cfg[key] == theirs_cfg[key], key
    target = ours_cfg["target_modules"]
    if isinstance(target, list) and isinstance(theirs_cfg["target_modules"], list) \
            and options["target_modules"] != "all-linear":
        assert sorted(target) == sorted(theirs_cfg["target_modules"])


@pytest.mark.parametrize("kind", ["llama", "gpt2"])
def test_fresh_adapter_init_as_peft(work_dir, kind):
    """B is zero (the model is unchanged) and A is kaiming-uniform(a=sqrt(5)): U(+-1/sqrt(in))."""
    folder = _model_dir(work_dir, kind)
    adapter = work_dir / "adapters" / f"fresh-{kind}"
    result, tensors = run_job(work_dir, f"fresh-{kind}",
                              {"model": folder, "lora": {"r": 8, "lora_alpha": 16,
                                                         "target_modules": "all-linear"},
                               "save_adapter": adapter, "ids": IDS, "mask": MASK})
    base = build(kind, folder)
    diff = (tensors["logits"] - _logits(base)).abs().max().item()
    assert diff < 1e-4, diff
    saved = load_file(str(adapter / "adapter_model.safetensors"))
    for name, tensor in saved.items():
        if "lora_B" in name:
            assert torch.count_nonzero(tensor) == 0, name
        else:
            bound = 1.0 / math.sqrt(tensor.shape[1])
            assert tensor.abs().max() <= bound, name
            assert tensor.std() > 0.45 * bound, name  # U(-b, b) has std b / sqrt(3) = 0.577 b
