"""llama.cpp itself (PyPI llama-cpp-python) loads what the engine exports:

- every GGUF type of a trained tiny LoRA run (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q6_K, Q4_K_M; dims
  are multiples of 256 so the K-quants are not fallbacks) loads in llama.cpp and its logits for a
  few prompts match the engine's on the same file within the type's tolerance (F32 / F16: 1e-3);
  on F32 llama.cpp's greedy continuation equals the engine's for 20 tokens;
- the llama.cpp LoRA GGUF (--format gguf-lora) over the base GGUF gives the merged model's logits;
- (the tokenizers: test_llamacpp_tokenizers.py, label slow: one CLI run per string);
- the chat templates embedded in the GGUFs, rendered by llama.cpp (Jinja2ChatFormatter, and
  llama_chat_apply_template's built-in chatml), equal transformers' apply_chat_template.
"""
import json
import pathlib
import shutil
import sys

import numpy as np
import pytest
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from conftest import cli_json, run_cli  # noqa: E402

llama_cpp = pytest.importorskip("llama_cpp")
gguf = pytest.importorskip("gguf")
transformers = pytest.importorskip("transformers")
from llama_cpp.llama_chat_format import Jinja2ChatFormatter  # noqa: E402

from test_gguf import engine_logits, smollm2_file  # noqa: E402
from tiny_models import byte_bpe_tokenizer  # noqa: E402

TYPES = ["F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q6_K", "Q4_K_M"]
# max |llama.cpp - engine| over the logits, relative to the largest |logit| (about twice what was
# seen). The weights are the same on both sides (the engine reads exactly what gguf-py
# dequantises); llama.cpp rounds the activations to the weights' dot-product type (F16, BF16,
# Q8_0 blocks, Q8_K super-blocks for the K-quants) before each matrix product, the engine
# multiplies the dequantised weights in float32. Seen: F32 1e-6, F16 5.6e-4, BF16 6.1e-3,
# Q8_0 1.5e-2, Q4_0 2.0e-2, Q4_1 1.8e-2, Q6_K 3.0e-2, Q4_K_M 2.8e-2.
TOLERANCE = {"F32": 1e-5, "F16": 1e-3, "BF16": 1.2e-2, "Q8_0": 3e-2, "Q4_0": 4e-2, "Q4_1": 4e-2,
             "Q6_K": 6e-2, "Q4_K_M": 6e-2}
PROMPTS = [[0, 5, 77, 300, 12, 9, 140, 2], [3, 17], [44, 45, 46, 47, 48, 49, 50, 51, 52, 53]]
CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
          "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
CONVERSATION = [{"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Count to three, please."},
                {"role": "assistant", "content": "1 2 3"},
                {"role": "user", "content": "And to five?"}]


def llama(path, **kw):
    # An F32 KV cache: llama.cpp's default F16 cache alone moves the logits by ~1e-3.
    return llama_cpp.Llama(model_path=str(path), n_threads=2, n_ctx=128, verbose=False,
                           type_k=llama_cpp.GGML_TYPE_F32, type_v=llama_cpp.GGML_TYPE_F32,
                           flash_attn=False, **kw)


def llama_logits(path, ids, **kw):
    llm = llama(path, logits_all=True, **kw)
    llm.eval(ids)
    return np.array(llm.scores[len(ids) - 1], dtype=np.float64)


def relative_max_error(ours, ref):
    return float(np.abs(ours - ref).max() / np.abs(ref).max())


@pytest.fixture(scope="module")
def run(work_dir):
    """A short LoRA run on a tiny Llama (hidden 256, ffn 512): (base folder, run folder, exports)."""
    root = work_dir / "llamacpp-ref"
    root.mkdir(parents=True, exist_ok=True)
    base = root / "tiny-llama-256"
    texts = ["Below is an instruction. Write a response.\n"] * 20 + \
        [f"Count {i} {i + 1} {i + 2} and say hello." for i in range(64)]
    if not (base / "config.json").exists():
        torch.manual_seed(3)
        cfg = transformers.LlamaConfig(vocab_size=384, hidden_size=256, intermediate_size=512,
                                       num_hidden_layers=2, num_attention_heads=4,
                                       num_key_value_heads=2, max_position_embeddings=256,
                                       rope_theta=10000.0, initializer_range=0.05,
                                       bos_token_id=0, eos_token_id=1)
        transformers.AutoModelForCausalLM.from_config(cfg).save_pretrained(base)
        byte_bpe_tokenizer(base, texts, chat_template=CHATML)
    data = root / "data.json"
    data.write_text(json.dumps([{"instruction": t, "input": "", "output": "ok " + t}
                                for t in texts[20:]]))
    out = root / "lora"
    shutil.rmtree(out, ignore_errors=True)
    cfg = {"model": str(base), "data": str(data), "output_dir": str(out), "strategy": "lora",
           "template": "plain", "cutoff_len": 64, "logging_steps": 1, "save_steps": 0,
           "per_device_train_batch_size": 8, "max_steps": 3, "learning_rate": 2e-2,
           "lora": {"r": 8, "lora_alpha": 16, "lora_dropout": 0.0, "target_modules": "all-linear"}}
    (root / "lora.json").write_text(json.dumps(cfg))
    run_cli("train", "--config", root / "lora.json", timeout=300)
    exports, read_back = {}, {}
    for t in TYPES:
        dest = root / f"export-{t}"
        shutil.rmtree(dest, ignore_errors=True)
        result = cli_json("export", "--run", out, "--format", "gguf", "--type", t, "--out", dest)
        exports[t] = dest / f"model-{t}.gguf"
        read_back[t] = result["read_back"]
    return base, out, exports, read_back


@pytest.mark.parametrize("qtype", TYPES)
def test_llama_cpp_logits_match_the_engine(run, qtype):
    _, _, exports, read_back = run
    assert read_back[qtype]["checked"] and \
        read_back[qtype]["relative_error"] <= read_back[qtype]["tolerance"]
    path = exports[qtype]
    for ids in PROMPTS:
        ours = engine_logits(path, ids)
        theirs = llama_logits(path, ids)
        err = relative_max_error(ours, theirs)
        assert err < TOLERANCE[qtype], (qtype, ids, err)
        if qtype == "F32":
            assert np.abs(ours - theirs).max() < 1e-3, (qtype, ids)


def test_greedy_text_equals_on_f32(run):
    _, _, exports, _ = run
    path, prompt = exports["F32"], PROMPTS[0]
    ours = cli_json("generate", "--model", path, "--prompt-ids", ",".join(map(str, prompt)),
                    "--max-new-tokens", "20", "--temperature", "0", "--ignore-eos")["ids"]
    ours = ours[len(prompt):] if ours[:len(prompt)] == prompt else ours
    llm = llama(path, logits_all=True)
    llm.eval(prompt)
    theirs = []
    for _ in range(20):
        token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        theirs.append(token)
        llm.eval([token])
    assert ours == theirs


def test_lora_gguf_over_the_base_gguf(run, work_dir):
    base, out, exports, _ = run
    root = work_dir / "llamacpp-ref"
    dest = root / "export-lora"
    shutil.rmtree(dest, ignore_errors=True)
    run_cli("export", "--run", out, "--format", "gguf-lora", "--out", dest)
    base_gguf = root / "base-F32.gguf"
    if base_gguf.exists():
        base_gguf.unlink()
    run_cli("convert", "--model", base, "--to", "gguf", "--type", "F32", "--out", base_gguf)
    for ids in PROMPTS:
        merged = engine_logits(exports["F32"], ids)
        with_lora = llama_logits(base_gguf, ids, lora_path=str(dest / "adapter-lora-F32.gguf"))
        plain = llama_logits(base_gguf, ids)
        assert np.abs(merged - plain).max() > 1e-2   # the adapter changes something
        assert np.abs(with_lora - merged).max() < 1e-3, ids


def llama_cpp_renders(path, messages):
    reader = gguf.GGUFReader(str(path))
    template = reader.fields["tokenizer.chat_template"].contents()
    tokens = reader.fields["tokenizer.ggml.tokens"].contents()
    eos = tokens[reader.fields["tokenizer.ggml.eos_token_id"].contents()]
    bos = tokens[reader.fields["tokenizer.ggml.bos_token_id"].contents()]
    return Jinja2ChatFormatter(template, eos_token=eos, bos_token=bos)(messages=messages).prompt


def builtin_render(path, messages):
    """llama_chat_apply_template with the model's template (llama.cpp's C++ renderer)."""
    import ctypes
    llm = llama(path, vocab_only=True)
    tmpl = llama_cpp.llama_model_chat_template(llm.model, None)
    chat = (llama_cpp.llama_chat_message * len(messages))(
        *[llama_cpp.llama_chat_message(role=m["role"].encode(), content=m["content"].encode())
          for m in messages])
    buf = ctypes.create_string_buffer(8192)
    n = llama_cpp.llama_chat_apply_template(tmpl, chat, len(messages), True, buf, len(buf))
    assert 0 < n < len(buf)
    return buf.raw[:n].decode("utf-8")


def test_chat_template_of_the_run_export(run):
    base, _, exports, _ = run
    hf = transformers.AutoTokenizer.from_pretrained(base)
    expected = hf.apply_chat_template(CONVERSATION, tokenize=False, add_generation_prompt=True)
    assert llama_cpp_renders(exports["Q8_0"], CONVERSATION) == expected
    assert builtin_render(exports["Q8_0"], CONVERSATION) == expected


def test_chat_template_of_smollm2():
    path = smollm2_file()
    try:
        hf = transformers.AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    except Exception as e:  # transformers without GGUF support
        pytest.skip(f"transformers cannot read the GGUF tokenizer here: {e}")
    for messages in (CONVERSATION, CONVERSATION[1:]):
        expected = hf.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        assert llama_cpp_renders(path, messages) == expected
    expected = hf.apply_chat_template(CONVERSATION, tokenize=False, add_generation_prompt=True)
    assert builtin_render(path, CONVERSATION) == expected
