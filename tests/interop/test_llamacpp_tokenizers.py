"""llama.cpp's tokenizer (llama-cpp-python, vocab_only) gives the engine's ids on the
tokenizer-vectors strings (../shared/fixtures/tokenizer-vectors) for the SmolLM2-135M GGUF
(byte-level BPE) and for a tiny Llama with Llama-2's SentencePiece vocabulary that the engine
writes as GGUF. Label slow: one finetune-cli run per string (~90 runs).
"""
import pathlib
import shutil
import sys

import pytest
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from conftest import cli_json, run_cli  # noqa: E402

llama_cpp = pytest.importorskip("llama_cpp")
transformers = pytest.importorskip("transformers")
from test_gguf import smollm2_file  # noqa: E402
from test_llamacpp_reference import llama  # noqa: E402


def vectors(fixtures_dir, name):
    text = (fixtures_dir / "tokenizer-vectors" / f"{name}.inp").read_text(encoding="utf-8")
    return text.split("\n__ggml_vocab_test__\n")[:-1] if text.endswith(
        "\n__ggml_vocab_test__\n") else text.split("\n__ggml_vocab_test__\n")


def engine_tokens(path, text):
    return cli_json("tokenize", "--model", path, "--text", text)["ids"] if text else []


def test_tokenizer_smollm2(fixtures_dir):
    """The engine's ids equal llama.cpp's, except where llama.cpp's own pre-tokenizer regex
    departs from Hugging Face's (' ½': llama.cpp splits the space off); there the engine
    gives transformers' ids."""
    path = smollm2_file()
    llm = llama(path, vocab_only=True)
    strings = vectors(fixtures_dir, "ggml-vocab-gpt-2.gguf")
    assert len(strings) >= 40
    diverging = []
    for s in strings:
        ours = engine_tokens(path, s)
        if ours != llm.tokenize(s.encode("utf-8"), add_bos=False, special=False):
            diverging.append(s)
    if diverging:
        try:
            hf = transformers.AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
        except Exception as e:  # transformers without GGUF support
            pytest.fail(f"{diverging!r} differ from llama.cpp, no transformers to judge: {e}")
        for s in diverging:
            assert engine_tokens(path, s) == hf(s, add_special_tokens=False)["input_ids"], s
    assert len(diverging) <= 1, diverging


def test_tokenizer_llama_spm(fixtures_dir, work_dir):
    """A tiny Llama with Llama-2's SentencePiece vocabulary (32000 pieces) written as GGUF:
    llama.cpp's ids equal the engine's and Hugging Face's (the .out file) on every string."""
    root = work_dir / "llamacpp-ref"
    folder = root / "tiny-llama-2-spm"
    if not (folder / "config.json").exists():
        torch.manual_seed(5)
        cfg = transformers.LlamaConfig(vocab_size=32000, hidden_size=32, intermediate_size=64,
                                       num_hidden_layers=1, num_attention_heads=2,
                                       max_position_embeddings=64, bos_token_id=1,
                                       eos_token_id=2)
        transformers.AutoModelForCausalLM.from_config(cfg).save_pretrained(folder)
        shutil.copy(fixtures_dir / "llama2-sentencepiece" / "tokenizer.model", folder)
    path = root / "tiny-llama-2-spm-F32.gguf"
    if path.exists():
        path.unlink()
    run_cli("convert", "--model", folder, "--to", "gguf", "--type", "F32", "--out", path)
    name = "ggml-vocab-llama-spm.gguf"
    strings = vectors(fixtures_dir, name)
    expected = (fixtures_dir / "tokenizer-vectors" / f"{name}.out").read_text().split("\n")
    assert len(strings) >= 40
    llm = llama(path, vocab_only=True)
    for s, hf_ids in zip(strings, expected):
        theirs = llm.tokenize(s.encode("utf-8"), add_bos=False, special=False)
        assert engine_tokens(path, s) == theirs, repr(s)
        assert theirs == [int(i) for i in hf_ids.split()], repr(s)
