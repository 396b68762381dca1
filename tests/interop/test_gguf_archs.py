"""GGUF architectures beyond llama/qwen2: GPT-2 (written as convert_hf_to_gguf.py GPT2Model does:
Conv1D weights transposed, LayerNorm biases, learned positions) and a Llama-shaped model whose
file says "mistral" (llama.cpp writes Mistral as "llama", but "mistral" appears). The engine must
give transformers' logits on the weights gguf-py dequantises from the file; an unknown
architecture is refused by name.
"""
import pathlib
import sys

import numpy as np
import pytest
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from conftest import expect_bad_input  # noqa: E402

gguf = pytest.importorskip("gguf")
transformers = pytest.importorskip("transformers")

from test_gguf import (PARITY, PROMPTS, byte_level_kv, engine_logits, gguf_name,  # noqa: E402
                       permute, reference_logits, rope_theta, train_byte_level)
from tiny_models import build  # noqa: E402

QT = gguf.GGMLQuantizationType

GPT2_NAMES = {"ln_1": "attn_norm", "attn.c_attn": "attn_qkv", "attn.c_proj": "attn_output",
              "ln_2": "ffn_norm", "mlp.c_fc": "ffn_up", "mlp.c_proj": "ffn_down"}
CONV1D = (".c_attn.weight", ".c_proj.weight", ".c_fc.weight")


def gpt2_gguf_name(hf):
    top = {"transformer.wte.weight": "token_embd.weight",
           "transformer.wpe.weight": "position_embd.weight",
           "transformer.ln_f.weight": "output_norm.weight",
           "transformer.ln_f.bias": "output_norm.bias", "lm_head.weight": "output.weight"}
    if hf in top:
        return top[hf]
    parts = hf.split(".")   # transformer.h.N.<module...>.weight|bias
    return f"blk.{parts[2]}.{GPT2_NAMES['.'.join(parts[3:-1])]}.{parts[-1]}"


def gpt2_tensors(model):
    for name, t in model.state_dict().items():
        if name.endswith((".attn.bias", ".attn.masked_bias")) or name == "lm_head.weight":
            continue   # buffers; lm_head is tied to wte
        yield name, t.float().numpy()


def write_gpt2(path, model, qtype, tok):
    cfg = model.config
    w = gguf.GGUFWriter(str(path), "gpt2")
    w.add_name("tiny-gpt2")
    w.add_block_count(cfg.n_layer)
    w.add_context_length(cfg.n_positions)
    w.add_embedding_length(cfg.n_embd)
    w.add_feed_forward_length(4 * cfg.n_embd)
    w.add_head_count(cfg.n_head)
    w.add_layer_norm_eps(cfg.layer_norm_epsilon)
    byte_level_kv(tok)(w)
    for name, data in gpt2_tensors(model):
        if name.endswith(CONV1D):
            data = data.T
        data = np.ascontiguousarray(data)
        if data.ndim == 1 or qtype == "F32":
            w.add_tensor(gpt2_gguf_name(name), data.astype(np.float32))
        else:
            w.add_tensor(gpt2_gguf_name(name), gguf.quants.quantize(data, QT[qtype]),
                         raw_dtype=QT[qtype])
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def gpt2_dequantised(model, path):
    tensors = {t.name: t for t in gguf.GGUFReader(str(path)).tensors}
    state = {}
    for name, ref in gpt2_tensors(model):
        t = tensors[gpt2_gguf_name(name)]
        data = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
        if name.endswith(CONV1D):
            data = data.reshape(ref.shape[::-1]).T
        state[name] = torch.from_numpy(np.ascontiguousarray(data.reshape(ref.shape)))
    copy = transformers.AutoModelForCausalLM.from_config(model.config).eval()
    copy.load_state_dict(state, strict=False)
    copy.tie_weights()
    return copy.float().eval()


@pytest.fixture(scope="module")
def arch_dir(work_dir):
    d = work_dir / "gguf-archs"
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.mark.parametrize("qtype", ["F32", "Q8_0"])
def test_gpt2_gguf(arch_dir, work_dir, qtype):
    model = build("gpt2", arch_dir / "gpt2-src")
    tok = train_byte_level(work_dir / "gguf" / "bytelevel-tokenizer")
    path = arch_dir / f"tiny-gpt2-{qtype}.gguf"
    if not path.exists():
        write_gpt2(path, model, qtype, tok)
    ref = model if qtype == "F32" else gpt2_dequantised(model, path)
    for ids in PROMPTS:
        ours = engine_logits(path, ids)
        assert np.abs(ours - reference_logits(ref, ids)[-1]).max() < PARITY, ids


def test_mistral_named_gguf(arch_dir, work_dir):
    model = build("mistral", arch_dir / "mistral-src")
    tok = train_byte_level(work_dir / "gguf" / "bytelevel-tokenizer")
    cfg = model.config
    heads, kv = cfg.num_attention_heads, cfg.num_key_value_heads
    path = arch_dir / "tiny-mistral-F32.gguf"
    if not path.exists():
        w = gguf.GGUFWriter(str(path), "mistral")
        w.add_context_length(cfg.max_position_embeddings)
        w.add_embedding_length(cfg.hidden_size)
        w.add_block_count(cfg.num_hidden_layers)
        w.add_feed_forward_length(cfg.intermediate_size)
        w.add_head_count(heads)
        w.add_head_count_kv(kv)
        w.add_rope_freq_base(rope_theta(cfg))
        w.add_layer_norm_rms_eps(cfg.rms_norm_eps)
        byte_level_kv(tok)(w)
        for name, t in model.state_dict().items():
            data = t.float().numpy()
            if ".q_proj." in name:
                data = permute(data, heads, heads)
            elif ".k_proj." in name:
                data = permute(data, heads, kv)
            w.add_tensor(gguf_name(name), np.ascontiguousarray(data, dtype=np.float32))
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
        w.close()
    for ids in PROMPTS:
        assert np.abs(engine_logits(path, ids) - reference_logits(model, ids)[-1]).max() < PARITY


def test_unknown_architecture_is_refused_by_name(arch_dir):
    path = arch_dir / "falcon.gguf"
    w = gguf.GGUFWriter(str(path), "falcon")
    w.add_block_count(1)
    w.add_tensor("token_embd.weight", np.zeros((4, 8), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    expect_bad_input("logits", "--model", path, "--prompt-ids", "1",
                     mentions=["falcon", "gpt2, llama, mistral, qwen2", str(path)])
