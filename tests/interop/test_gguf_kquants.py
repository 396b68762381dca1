"""K-quants and the other newer ggml types against gguf-py (gguf.quants).

For Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K, IQ4_NL and IQ4_XS: tensors are written with
gguf.GGUFWriter (quantised with gguf.quants.quantize where gguf-py has a quantiser, otherwise
valid blocks made of random bytes with sane fp16 scales), and the engine's dequantised values
(`finetune-cli gguf-tensor`) must equal gguf.quants.dequantize bit for bit. gguf-py cannot
dequantise Q8_K; its reference here is ggml's dequantize_row_q8_K (y = d * q) in numpy.

Then a tiny Llama with 256-wide rows stored as llama.cpp's Q4_K_M mixes it (Q4_K, Q6_K for
attn_v / ffn_down / output, F32 norms) must give transformers' logits on the weights gguf-py
dequantises from the same file.
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

from test_gguf import (PARITY, PROMPTS, byte_level_kv, dequantised_reference,  # noqa: E402
                       engine_logits, gguf_name, permute, reference_logits, rope_theta,
                       train_byte_level)

QT = gguf.GGMLQuantizationType
QK_K = 256
# type -> (block size, bytes per block, byte offsets of fp16 scales, offset of an f32 scale)
LAYOUT = {
    "Q5_0": (32, 22, [0], None),
    "Q5_1": (32, 24, [0, 2], None),
    "Q2_K": (QK_K, 84, [80, 82], None),
    "Q3_K": (QK_K, 110, [108], None),
    "Q4_K": (QK_K, 144, [0, 2], None),
    "Q5_K": (QK_K, 176, [0, 2], None),
    "Q6_K": (QK_K, 210, [208], None),
    "Q8_K": (QK_K, 292, [], 0),
    "IQ4_NL": (32, 18, [0], None),
    "IQ4_XS": (QK_K, 136, [0], None),
}
TYPES = list(LAYOUT)
QUANTISABLE = {"Q5_0", "Q5_1"}   # gguf-py implements quantize_blocks for these


def random_blocks(qtype, rows, blocks_per_row, rng):
    """Valid blocks: random bytes, with the scale fields replaced by finite, varied values
    (negative, tiny/subnormal and zero included)."""
    _, nbytes, f16_offsets, f32_offset = LAYOUT[qtype]
    data = rng.integers(0, 256, size=(rows * blocks_per_row, nbytes), dtype=np.uint8)
    n = data.shape[0]
    for off in f16_offsets:
        scales = rng.uniform(-0.05, 0.05, size=n).astype(np.float16)
        scales[::7] = np.float16(3e-6)    # subnormal
        scales[3::11] = np.float16(0.0)
        data[:, off:off + 2] = scales.view(np.uint8).reshape(n, 2)
    if f32_offset is not None:
        scales = rng.uniform(-0.01, 0.01, size=n).astype(np.float32)
        data[:, f32_offset:f32_offset + 4] = scales.view(np.uint8).reshape(n, 4)
    return data.reshape(rows, blocks_per_row * nbytes)


def reference_dequantize(raw, qtype):
    if qtype == "Q8_K":   # ggml-quants.c dequantize_row_q8_K: d (f32), qs[256] (i8), bsums
        blocks = raw.reshape(-1, 292)
        d = blocks[:, :4].copy().view(np.float32)
        qs = blocks[:, 4:260].copy().view(np.int8).astype(np.float32)
        return (d * qs).reshape(raw.shape[0], -1)
    return gguf.quants.dequantize(raw, QT[qtype])


def engine_tensor(path, name, out):
    info = cli_json("gguf-tensor", "--model", path, "--name", name, "--out", out)
    return info, np.fromfile(out, dtype=np.float32)


@pytest.fixture(scope="module")
def kq_dir(work_dir):
    d = work_dir / "gguf-kquants"
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="module")
def mixed_file(kq_dir):
    """One GGUF with a random-bytes tensor of every type (and gguf-py-quantised ones where it
    has a quantiser): also the 'files with mixed types load' case."""
    rng = np.random.default_rng(1234)
    path = kq_dir / "all-types.gguf"
    expected = {}
    w = gguf.GGUFWriter(str(path), "llama")
    for qtype in TYPES:
        block = LAYOUT[qtype][0]
        raw = random_blocks(qtype, rows=3, blocks_per_row=2 * QK_K // block, rng=rng)
        w.add_tensor(f"rand.{qtype}", raw, raw_dtype=QT[qtype])
        expected[f"rand.{qtype}"] = (qtype, raw)
        if qtype in QUANTISABLE:
            x = rng.normal(0, 0.7, size=(4, 96)).astype(np.float32)
            x[1, :32] = 0.0                  # an all-zero block (d = 0)
            q = gguf.quants.quantize(x, QT[qtype])
            w.add_tensor(f"quant.{qtype}", q, raw_dtype=QT[qtype])
            expected[f"quant.{qtype}"] = (qtype, q)
    w.add_tensor("plain.F32", rng.normal(size=(2, 32)).astype(np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path, expected


@pytest.mark.parametrize("qtype", TYPES)
def test_dequantise_bit_exact(mixed_file, kq_dir, qtype):
    path, expected = mixed_file
    reader = gguf.GGUFReader(str(path))
    stored = {t.name: t for t in reader.tensors}
    names = [n for n, (t, _) in expected.items() if t == qtype]
    assert names
    for name in names:
        t = stored[name]
        assert t.tensor_type == QT[qtype]
        assert np.array_equal(t.data, expected[name][1])   # gguf-py wrote what we gave it
        ref = reference_dequantize(t.data, qtype).astype(np.float32).reshape(-1)
        info, ours = engine_tensor(path, name, kq_dir / f"{name}.f32")
        assert info["type"] == qtype
        assert info["ne"] == [int(x) for x in t.shape]
        assert ours.shape == ref.shape
        assert np.isfinite(ref).all()
        mismatch = np.flatnonzero(ours.view(np.uint32) != ref.view(np.uint32))
        assert mismatch.size == 0, (name, mismatch[:5], ours[mismatch[:5]], ref[mismatch[:5]])


def test_list_shows_mixed_types(mixed_file):
    path, expected = mixed_file
    listed = {t["name"]: t["type"] for t in cli_json("gguf-tensor", "--model", path,
                                                     "--list")["tensors"]}
    assert listed == {**{n: t for n, (t, _) in expected.items()}, "plain.F32": "F32"}


def test_unsupported_type_is_refused(kq_dir):
    path = kq_dir / "iq2xxs.gguf"
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_tensor("t", np.zeros((1, 66), dtype=np.uint8), raw_dtype=QT.IQ2_XXS)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    proc = run_cli("gguf-tensor", "--model", path, "--name", "t", check=False)
    assert proc.returncode == 2
    assert "IQ2_XXS" in proc.stderr and str(path) in proc.stderr


# ---------------------------------------------------------------------------------------------
# A tiny Llama in a Q4_K_M-like mix. gguf-py has no K-quant quantiser, so these simple ones make
# valid blocks (any valid encoding serves: the reference is transformers on gguf-py's
# dequantisation of the very same bytes).

def _f16(x):
    return np.asarray(x, dtype=np.float16)


def quantize_q4_k(x):
    """(n, 256) float32 -> (n, 144) block_q4_K: y = d*sc*q - dmin*m per 32-element sub-block."""
    n = x.shape[0]
    sub = x.reshape(n, 8, 32)
    lo = np.minimum(sub.min(-1), 0.0)
    hi = sub.max(-1)
    scale = (hi - lo) / 15.0
    mins = -lo
    d = _f16(scale.max(-1) / 63.0)
    dmin = _f16(mins.max(-1) / 63.0)
    df, dminf = d.astype(np.float32)[:, None], dmin.astype(np.float32)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        sc = np.where(df > 0, np.rint(scale / df), 0).clip(0, 63).astype(np.uint8)
        m = np.where(dminf > 0, np.rint(mins / dminf), 0).clip(0, 63).astype(np.uint8)
        step = (df * sc)[..., None]
        q = np.where(step > 0, np.rint((sub + (dminf * m)[..., None]) / step), 0)
    q = q.clip(0, 15).astype(np.uint8).reshape(n, 256)
    scales = np.zeros((n, 12), dtype=np.uint8)
    for j in range(4):
        scales[:, j] = (sc[:, j] & 63) | ((sc[:, j + 4] >> 4) << 6)
        scales[:, j + 4] = (m[:, j] & 63) | ((m[:, j + 4] >> 4) << 6)
        scales[:, 8 + j] = (sc[:, j + 4] & 0xF) | ((m[:, j + 4] & 0xF) << 4)
    qs = q.reshape(n, 4, 2, 32)
    qs = (qs[:, :, 0, :] | (qs[:, :, 1, :] << 4)).reshape(n, 128)
    return np.concatenate([d.reshape(n, 1).view(np.uint8), dmin.reshape(n, 1).view(np.uint8),
                           scales, qs], axis=1)


def quantize_q6_k(x):
    """(n, 256) float32 -> (n, 210) block_q6_K: y = d*sc*(q-32) per 16-element sub-block."""
    n = x.shape[0]
    sub = x.reshape(n, 16, 16)
    scale = np.abs(sub).max(-1) / 31.0
    d = _f16(scale.max(-1) / 127.0)
    df = d.astype(np.float32)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        sc = np.where(df > 0, np.rint(scale / df), 0).clip(-128, 127).astype(np.int8)
        step = (df * sc)[..., None]
        q = np.where(step != 0, np.rint(sub / step), 0)
    q = (q.clip(-32, 31) + 32).astype(np.uint8).reshape(n, 2, 128)
    ql = np.zeros((n, 2, 64), dtype=np.uint8)
    qh = np.zeros((n, 2, 32), dtype=np.uint8)
    ql[:] = (q[:, :, :64] & 0xF) | ((q[:, :, 64:] & 0xF) << 4)
    for t in range(4):
        qh |= ((q[:, :, t * 32:(t + 1) * 32] >> 4) & 3) << (2 * t)
    return np.concatenate([ql.reshape(n, 128), qh.reshape(n, 64), sc.view(np.uint8),
                           d.reshape(n, 1).view(np.uint8)], axis=1)


K_QUANTISERS = {"Q4_K": quantize_q4_k, "Q6_K": quantize_q6_k}


def q4_k_m_type(gguf_tensor_name):
    """llama.cpp's Q4_K_M choice, simplified: Q6_K for output, attn_v and ffn_down."""
    if gguf_tensor_name.endswith("norm.weight"):
        return "F32"
    if any(k in gguf_tensor_name for k in ("output.weight", "attn_v", "ffn_down")):
        return "Q6_K"
    return "Q4_K"


def test_k_quant_quantisers_are_valid():
    """The test's own quantisers round-trip through gguf-py within their step size."""
    x = np.random.default_rng(5).normal(0, 0.1, size=(6, 256)).astype(np.float32)
    for qtype, fn in K_QUANTISERS.items():
        y = gguf.quants.dequantize(fn(x), QT[qtype]).reshape(x.shape)
        assert np.abs(y - x).max() < {"Q4_K": 0.05, "Q6_K": 0.01}[qtype], qtype


@pytest.fixture(scope="module")
def q4km_model(kq_dir, work_dir):
    src_dir = kq_dir / "llama256-src"
    vocab = 320
    if not (src_dir / "config.json").exists():
        torch.manual_seed(7)
        cfg = transformers.LlamaConfig(
            vocab_size=vocab, hidden_size=256, intermediate_size=512, num_hidden_layers=2,
            num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
            rms_norm_eps=1e-5, initializer_range=0.05, rope_theta=10000.0,
            bos_token_id=0, eos_token_id=1)
        transformers.AutoModelForCausalLM.from_config(cfg).save_pretrained(src_dir)
    model = transformers.AutoModelForCausalLM.from_pretrained(src_dir,
                                                              dtype=torch.float32).eval()
    path = kq_dir / "tiny-llama-Q4_K_M.gguf"
    if not path.exists():
        tok = train_byte_level(work_dir / "gguf" / "bytelevel-tokenizer")
        cfg = model.config
        heads, kv = cfg.num_attention_heads, cfg.num_key_value_heads
        w = gguf.GGUFWriter(str(path), "llama")
        w.add_name("tiny-q4km")
        w.add_context_length(cfg.max_position_embeddings)
        w.add_embedding_length(cfg.hidden_size)
        w.add_block_count(cfg.num_hidden_layers)
        w.add_feed_forward_length(cfg.intermediate_size)
        w.add_head_count(heads)
        w.add_head_count_kv(kv)
        w.add_rope_freq_base(rope_theta(cfg))
        w.add_layer_norm_rms_eps(cfg.rms_norm_eps)
        w.add_rope_dimension_count(cfg.hidden_size // heads)
        w.add_file_type(15)   # MOSTLY_Q4_K_M
        byte_level_kv(tok)(w)
        for name, tensor in model.state_dict().items():
            data = tensor.float().numpy()
            if ".q_proj." in name:
                data = permute(data, heads, heads)
            elif ".k_proj." in name:
                data = permute(data, heads, kv)
            data = np.ascontiguousarray(data)
            gname = gguf_name(name)
            qtype = q4_k_m_type(gname)
            if qtype == "F32":
                w.add_tensor(gname, data.astype(np.float32))
            else:
                blocks = K_QUANTISERS[qtype](data.reshape(-1, QK_K))
                w.add_tensor(gname, blocks.reshape(data.shape[0], -1), raw_dtype=QT[qtype])
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
        w.close()
    return model, path


def test_q4_k_m_llama_logits(q4km_model):
    src, path = q4km_model
    types = {t.tensor_type.name for t in gguf.GGUFReader(str(path)).tensors}
    assert types == {"F32", "Q4_K", "Q6_K"}
    info = cli_json("info", "--model", path)
    assert info["stored_dtype"] == "Q4_K_M"
    deq = dequantised_reference(src, path)
    for ids in PROMPTS:
        ours = engine_logits(path, ids)
        ref = reference_logits(deq, ids)[-1]
        assert np.abs(ours - ref).max() < PARITY, ids
    ids = PROMPTS[2]
    ours = engine_logits(path, ids, all_positions=True)
    assert np.abs(ours - reference_logits(deq, ids)).max() < PARITY
    # The quantisation error itself stays in a 4-6 bit range (measured 0.83; test_gguf.py's
    # Q4_0/Q4_1 files give 1.1-1.2), so the file is the source model, not noise.
    quant_error = np.abs(reference_logits(deq, ids) - reference_logits(src, ids)).max()
    assert 0 < quant_error < 2.0, quant_error
