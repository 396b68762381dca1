"""A compact frozen base (run.json "base_precision": bf16, q8_0, q4_0, nf4): the engine's
dequantised projections equal the reference dequantisation (gguf-py's gguf.quants for the ggml
blocks, bitsandbytes' quantize_4bit / dequantize_4bit for NF4, torch's bf16 rounding); its logits
equal transformers' on a model holding those dequantised weights; a LoRA run over the compact
base equals the fp32 run over the dequantised weights step for step (forward and backward), and
stays within docs/training.md's tolerance of the fp32-base run."""
import json
import shutil

import numpy as np
import pytest
import torch

from conftest import cli_json, expect_bad_input, run_cli, train_device
from test_train import _config, _metrics, rows, setup  # noqa: F401  (fixtures)
from tiny_models import build

FORMATS = ["bf16", "q8_0", "q4_0", "nf4"]
PROJECTIONS = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
               "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"]
IDS = [0, 17, 42, 7, 99, 250, 3, 11, 5, 300, 12, 140]


def reference_dequantized(weight: torch.Tensor, fmt: str) -> torch.Tensor:
    """What the reference libraries make of an fp32 (out, in) weight in `fmt`."""
    w = weight.detach().float().contiguous()
    if fmt == "bf16":
        return w.to(torch.bfloat16).float()
    if fmt in ("q8_0", "q4_0"):
        from gguf import GGMLQuantizationType, quants
        kind = GGMLQuantizationType.Q8_0 if fmt == "q8_0" else GGMLQuantizationType.Q4_0
        blocks = quants.quantize(w.numpy(), kind)
        return torch.from_numpy(np.ascontiguousarray(quants.dequantize(blocks, kind)))
    bnb = pytest.importorskip("bitsandbytes")
    packed, state = bnb.functional.quantize_4bit(w, blocksize=64, quant_type="nf4")
    # code[nibble] * absmax[block], blocks of 64 over the flattened tensor, as bitsandbytes'
    # CUDA kernels and its generic dequantize_4bit compute it. (Its native CPU kernel indexes the
    # blocks per row instead, which disagrees with its own quantize_4bit when a row is not a
    # multiple of 64 values; where it is, the two agree and are checked below.)
    code = bnb.functional.get_4bit_type("nf4", device="cpu")
    nibbles = torch.stack([packed.flatten() >> 4, packed.flatten() & 0x0F], 1).flatten().long()
    values = code[nibbles][:w.numel()].view(-1, 64) * state.absmax.view(-1, 1)
    values = values.view(w.shape)
    if w.shape[-1] % 64 == 0:
        assert torch.equal(values, bnb.functional.dequantize_4bit(packed, state).float())
    return values


def _engine_weight(model, fmt, name, out):
    result = cli_json("compact-base", "--model", model, "--base-precision", fmt, "--weight", name,
                      "--out", out)
    values = np.fromfile(out, dtype="<f4").reshape(result["weight"]["shape"])
    return torch.from_numpy(values), result


@pytest.fixture(scope="module")
def tiny(setup):  # noqa: F811
    root, model, data = setup
    return root, model, data, build("llama", model)


@pytest.mark.parametrize("fmt", FORMATS)
def test_dequantised_weights_equal_the_reference(tiny, fmt):
    root, model, _, reference = tiny
    state = reference.state_dict()
    for layer, projection in [(0, "self_attn.q_proj"), (1, "self_attn.v_proj"),
                              (0, "mlp.up_proj"), (1, "mlp.down_proj"), (1, "self_attn.o_proj")]:
        name = f"model.layers.{layer}.{projection}.weight"
        got, _ = _engine_weight(model, fmt, name, root / f"dq-{fmt}.f32")
        want = reference_dequantized(state[name], fmt)
        assert got.shape == want.shape, name
        # Same blocks, same products: equal to float error (in practice bit for bit).
        assert torch.allclose(got, want, rtol=0, atol=1e-7), (name, (got - want).abs().max())
        # And really compact: the values differ from the fp32 ones (except bf16's exact ones).
        assert not torch.equal(got, state[name].float()), name


def dequantized_model_folder(root, model, reference, fmt):
    """The tiny model with every block projection replaced by its reference dequantisation,
    saved as an fp32 Hugging Face folder beside the original's tokenizer."""
    folder = root / f"dequantized-{fmt}"
    if (folder / "config.json").exists():
        return folder
    copy = build("llama", model)
    with torch.no_grad():
        for name, param in copy.named_parameters():
            if any(f".{p}." in name for p in PROJECTIONS):
                param.copy_(reference_dequantized(param, fmt))
    copy.save_pretrained(folder, safe_serialization=True)
    for side in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(model / side, folder / side)
    return folder


@pytest.mark.parametrize("fmt", FORMATS)
def test_logits_equal_transformers_on_the_dequantised_weights(tiny, fmt):
    root, model, _, reference = tiny
    folder = dequantized_model_folder(root, model, reference, fmt)
    hf = build("llama", folder)
    with torch.no_grad():
        want = hf(torch.tensor([IDS])).logits[0]
    result = cli_json("compact-base", "--model", model, "--base-precision", fmt,
                      "--prompt-ids", ",".join(map(str, IDS)))
    got = torch.tensor(result["logits"]).view(len(IDS), -1)
    assert (got - want).abs().max().item() < 1e-4
    # The fp32 base gives different logits: the test sees the format.
    with torch.no_grad():
        fp32 = reference(torch.tensor([IDS])).logits[0]
    assert (got - fp32).abs().max().item() > 1e-4


def test_weights_take_their_format_size(tiny):
    _, model, _, reference = tiny
    sizes = {fmt: cli_json("compact-base", "--model", model, "--base-precision", fmt)["weight_bytes"]
             for fmt in ["fp32"] + FORMATS}
    n_proj = sum(p.numel() for n, p in reference.named_parameters()
                 if any(f".{q}." in n for q in PROJECTIONS))
    rest = sizes["fp32"] - 4 * n_proj
    assert sizes["fp32"] == 4 * sum(p.numel() for p in reference.parameters())
    per_weight = {"bf16": 2, "q8_0": 34 / 32, "q4_0": 18 / 32, "nf4": 0.5 + 4 / 64}
    for fmt, bpw in per_weight.items():
        assert sizes[fmt] == rest + round(n_proj * bpw), fmt
        # The memory estimate counts the same bytes, plus the one dequantisation buffer.
        estimate = cli_json("memory", "--model", model, "--base-precision", fmt)
        assert estimate["weights"] - estimate["dequant_buffer"] == sizes[fmt], fmt
        assert estimate["dequant_buffer"] == 4 * 2 * 160 * 64  # gate/up stacked


LORA = {"r": 8, "lora_alpha": 16, "lora_dropout": 0.0, "target_modules": "all-linear"}


@pytest.mark.parametrize("fmt", ["q4_0", "nf4"])
def test_lora_over_compact_base_equals_fp32_over_dequantised(tiny, fmt):
    """Forward and backward through the compact base (dequantised per layer, twice per step)
    give the fp32 path's numbers over the same values: same losses, same adapter."""
    root, model, data, reference = tiny
    folder = dequantized_model_folder(root, model, reference, fmt)
    common = dict(max_steps=6, learning_rate=5e-3, warmup_steps=0, lr_scheduler_type="constant",
                  lora=LORA)
    compact_cfg, compact_out = _config(root, model, data, f"lora-{fmt}", base_precision=fmt, **common)
    plain_cfg, plain_out = _config(root, folder, data, f"lora-dq-{fmt}", **common)
    run_cli("train", "--config", compact_cfg, timeout=300)
    run_cli("train", "--config", plain_cfg, timeout=300)
    compact = [m["loss"] for m in _metrics(compact_out)]
    plain = [m["loss"] for m in _metrics(plain_out)]
    assert len(compact) == 6
    assert np.allclose(compact, plain, rtol=0, atol=1e-5), (compact, plain)
    from safetensors.torch import load_file
    a = load_file(compact_out / "final" / "adapter_model.safetensors")
    b = load_file(plain_out / "final" / "adapter_model.safetensors")
    assert a.keys() == b.keys()
    for key in a:
        assert torch.allclose(a[key], b[key], atol=1e-5), key


def _lora_run(root, model, data, name, **overrides):
    """Six LoRA steps; the losses and the saved adapter."""
    from safetensors.torch import load_file
    common = dict(max_steps=6, learning_rate=5e-3, warmup_steps=0, lr_scheduler_type="constant",
                  lora=LORA)
    common.update(overrides)
    cfg, out = _config(root, model, data, name, **common)
    run_cli("train", "--config", cfg, timeout=300)
    return (np.array([m["loss"] for m in _metrics(out)]),
            load_file(out / "final" / "adapter_model.safetensors"), out)


@pytest.mark.parametrize("fmt", ["bf16", "q8_0", "q4_0", "nf4"])
def test_tensor_op_dequantisation_trains_as_the_loops(tiny, fmt, monkeypatch):
    """The CUDA path (the compact storage as tensors, dequantised with tensor ops), run on the
    CPU through the trainer's test switch, trains as the CPU loops do: same losses, same adapter
    (the dequantised weights are equal bit for bit, tst_frozenlinear; the GEMMs are the same)."""
    root, model, data, _ = tiny
    loops, loops_adapter, _ = _lora_run(root, model, data, f"loops-{fmt}", base_precision=fmt)
    monkeypatch.setenv("FT_TEST_TENSOR_DEQUANT", "1")
    ops, ops_adapter, _ = _lora_run(root, model, data, f"tensor-ops-{fmt}", base_precision=fmt)
    assert len(ops) == 6
    assert np.allclose(ops, loops, rtol=0, atol=1e-6), (ops, loops)
    assert ops_adapter.keys() == loops_adapter.keys()
    for key in ops_adapter:
        assert torch.allclose(ops_adapter[key], loops_adapter[key], rtol=0, atol=1e-6), key


def test_cuda_is_accepted_for_a_compact_base(tiny):
    """device cuda with a compact base is no longer a configuration problem: without CUDA the
    run stops only for want of CUDA (exit 2, before the model loads); with it, it trains."""
    root, model, data, _ = tiny
    cfg, out = _config(root, model, data, "cuda-accepted", base_precision="nf4", device="cuda",
                       max_steps=1, lora=LORA)
    proc = run_cli("train", "--config", cfg, check=False)
    if proc.returncode == 2:
        assert "base_precision" not in proc.stderr, proc.stderr
        assert ("this LibTorch build has no CUDA support" in proc.stderr or
                "LibTorch sees no CUDA device" in proc.stderr), proc.stderr
    else:
        assert proc.returncode == 0, proc.stderr
        assert json.loads((out / "environment.json").read_text())["device"] == "cuda"


@pytest.mark.skipif(train_device() != "cuda",
                    reason="GPU check: set FT_TEST_DEVICE=cuda where a CUDA LibTorch sees a GPU")
@pytest.mark.parametrize("fmt", ["q4_0", "nf4"])
def test_compact_base_trains_on_cuda(tiny, fmt):
    """device cuda over a compact base: the storage moves to the GPU and is dequantised there
    with tensor ops. CUDA runs under bf16 autocast, so it is compared with what bf16 allows:
    with the cuda run over the same values held fp32 (the same GEMMs in bf16, 1e-2 relative),
    and with the cpu run (fp32 throughout) within the 4-bit curve tolerance."""
    root, model, data, reference = tiny
    cuda, cuda_adapter, out = _lora_run(root, model, data, f"cuda-{fmt}", base_precision=fmt,
                                        device="cuda")
    env = json.loads((out / "environment.json").read_text())
    assert env["device"] == "cuda", env
    folder = dequantized_model_folder(root, model, reference, fmt)
    plain, plain_adapter, _ = _lora_run(root, folder, data, f"cuda-dq-{fmt}", device="cuda")
    cpu, _, _ = _lora_run(root, model, data, f"cpu-{fmt}", base_precision=fmt, device="cpu")
    assert np.allclose(cuda, plain, rtol=1e-2, atol=0), (cuda, plain)
    for key in cuda_adapter:
        assert torch.allclose(cuda_adapter[key], plain_adapter[key], rtol=5e-2, atol=1e-3), key
    gap = np.abs(cuda - cpu).mean() / cpu.mean()
    print(f"{fmt}: cuda vs cpu mean |loss gap| / mean loss = {gap:.5f}")
    assert gap < CURVE_TOLERANCE[fmt], (cuda, cpu)


# The loss-curve tolerance docs/training.md states for a 4-bit base (mean absolute difference
# from the fp32-base run's per-step losses, relative to the fp32 run's mean loss).
CURVE_TOLERANCE = {"bf16": 0.005, "q8_0": 0.005, "q4_0": 0.02, "nf4": 0.02}


def test_loss_curves_stay_near_the_fp32_base(tiny):
    root, model, data, _ = tiny
    common = dict(max_steps=12, learning_rate=5e-3, warmup_steps=0, lr_scheduler_type="constant",
                  lora=LORA)
    cfg, out = _config(root, model, data, "curve-fp32", **common)
    run_cli("train", "--config", cfg, timeout=300)
    fp32 = np.array([m["loss"] for m in _metrics(out)])
    for fmt, tolerance in CURVE_TOLERANCE.items():
        cfg, out = _config(root, model, data, f"curve-{fmt}", base_precision=fmt, **common)
        run_cli("train", "--config", cfg, timeout=300)
        losses = np.array([m["loss"] for m in _metrics(out)])
        gap = np.abs(losses - fp32).mean() / fp32.mean()
        print(f"{fmt}: mean |loss - fp32 loss| / mean fp32 loss = {gap:.4f}")
        assert gap < tolerance, (fmt, gap, losses, fp32)
        assert losses[-1] < losses[0]  # it learns


def test_ia3_and_prompt_tuning_train_over_a_compact_base(tiny):
    root, model, data, _ = tiny
    for strategy, extra in [("ia3", {}), ("prompt_tuning", {"prompt_tuning": {"num_virtual_tokens": 4}})]:
        cfg, out = _config(root, model, data, f"{strategy}-nf4", strategy=strategy,
                           base_precision="nf4", max_steps=3, learning_rate=1e-2, **extra)
        run_cli("train", "--config", cfg, timeout=300)
        assert len(_metrics(out)) == 3 and (out / "final" / "adapter_config.json").exists()


def _config_problem(cfg, mentions):
    """train exits 2 with the configuration's problems listed, naming every word of mentions."""
    proc = run_cli("train", "--config", cfg, check=False)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    for word in mentions:
        assert word in proc.stderr, (word, proc.stderr)


def test_bad_base_precision_is_reported(tiny):
    root, model, data, _ = tiny
    cfg, _ = _config(root, model, data, "bad-precision", base_precision="q3_k")
    _config_problem(cfg, ["base_precision", "q3_k", "nf4"])
    for strategy in ("full", "freeze"):
        cfg, _ = _config(root, model, data, f"bad-{strategy}", strategy=strategy,
                         base_precision="q4_0")
        _config_problem(cfg, ["base_precision", strategy])
    cfg, _ = _config(root, model, data, "bad-dora", base_precision="nf4",
                     lora={**LORA, "use_dora": True})
    _config_problem(cfg, ["base_precision", "use_dora"])
    expect_bad_input("compact-base", "--model", model, "--base-precision", "int3",
                     mentions=["--base-precision", "int3"])


def test_gguf_base_keeps_its_own_blocks(tiny):
    """A Q4_0 GGUF opened with base_precision q4_0 keeps the file's blocks: its dequantised
    projections are the file's tensors as gguf-py dequantises them."""
    from gguf import GGUFReader, quants
    root, model, _, _ = tiny
    gguf_file = root / "tiny-q4_0.gguf"
    if not gguf_file.exists():
        run_cli("convert", "--model", model, "--to", "gguf", "--type", "Q4_0", "--out", gguf_file)
    tensors = {t.name: t for t in GGUFReader(str(gguf_file)).tensors}
    for ours, theirs in [("model.layers.1.self_attn.v_proj.weight", "blk.1.attn_v.weight"),
                         ("model.layers.0.mlp.down_proj.weight", "blk.0.ffn_down.weight"),
                         ("model.layers.1.mlp.up_proj.weight", "blk.1.ffn_up.weight")]:
        t = tensors[theirs]
        assert t.tensor_type.name == "Q4_0", theirs
        want = torch.from_numpy(np.ascontiguousarray(quants.dequantize(t.data, t.tensor_type)))
        got, _ = _engine_weight(gguf_file, "q4_0", ours, root / "dq-gguf.f32")
        assert torch.equal(got, want.view(got.shape)), ours
