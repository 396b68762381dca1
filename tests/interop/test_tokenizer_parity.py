"""Token ids of finetune-cli (`tokenize --json`) against Hugging Face `tokenizers` / sentencepiece.

Covers GPT-2 (vocab.json + merges.txt), Llama-2 (tokenizer.json, tokenizer.model), the Llama-2
vocabulary with a Metaspace pre-tokenizer, and byte-level tokenizers in the Llama-3 and Qwen2
layouts that this test trains itself with `tokenizers` (under $FT_WORK; nothing is downloaded).

Each tokenizer gets one call with the whole corpus joined by one of its special tokens (the
special token cuts the text, so this checks every string in mid-text position), and one call per
string for a selection (start-of-text rules, BOS/EOS). FT_TOKENIZER_PARITY_FULL=1 checks every
string on its own.
"""

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tokenizer_corpus as corpus  # noqa: E402

tokenizers = pytest.importorskip("tokenizers")

FIXTURES = corpus.fixtures_dir()
REQUIRED = os.environ.get("FT_REQUIRE_FIXTURES") == "1"
CLI = os.environ.get("FT_CLI", "")
WORK = Path(os.environ.get("FT_WORK", "/tmp/ft-interop-work")) / "tokenizer-parity"
FULL = os.environ.get("FT_TOKENIZER_PARITY_FULL") == "1"

# Strings checked on their own (start-of-text behaviour differs between layouts); the first two
# also with --add-special. Every CLI call loads LibTorch (~1 s), so calls run 4 at a time.
SINGLE = [0, 1, 2, 7, 9, 17, 36, 41]
WORKERS = 4


def need_fixture(relative):
    path = FIXTURES / relative
    if not path.exists():
        if REQUIRED:
            pytest.fail(f"missing fixture {path}")
        pytest.skip(f"fixture not found (set FT_FIXTURES): {path}")
    return path


def need_cli():
    if not CLI:
        if REQUIRED:
            pytest.fail("FT_CLI is not set")
        pytest.skip("FT_CLI (path of finetune-cli) is not set")
    if not Path(CLI).exists():
        pytest.fail(f"FT_CLI={CLI} does not exist")
    return CLI


def cli_ids(model, text, add_special):
    cmd = [need_cli(), "tokenize", "--model", str(model), "--text", text, "--json"]
    if add_special:
        cmd.append("--add-special")
    proc = subprocess.run(cmd, capture_output=True, timeout=120)
    assert proc.returncode == 0, f"{cmd[:5]} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}"
    return json.loads(proc.stdout)["ids"]


def check(model, reference, separator, strings=None):
    """reference(text, add_special) -> ids. Compares the joined corpus and single strings."""
    strings = strings if strings is not None else corpus.hard_strings()
    joined = separator.join(strings)
    jobs = [("<joined corpus>", joined, False), ("<joined corpus>", joined, True)]
    chosen = range(len(strings)) if FULL else [i for i in SINGLE if i < len(strings)]
    for i in chosen:
        for add_special in ((False, True) if i < 2 else (False,)):
            jobs.append((strings[i], strings[i], add_special))
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(lambda job: cli_ids(model, job[1], job[2]), jobs))
    failures = []
    for (label, text, add_special), got in zip(jobs, results):
        want = reference(text, add_special)
        if got != want:
            failures.append((label, add_special, want, got))
    if failures:
        lines = []
        for text, add_special, want, got in failures[:8]:
            first = next((k for k, (a, b) in enumerate(zip(want, got)) if a != b), min(len(want), len(got)))
            lines.append(f"text={text[:60]!r} add_special={add_special}: first difference at {first}: "
                         f"want {want[first:first + 8]} got {got[first:first + 8]} (lengths {len(want)}/{len(got)})")
        pytest.fail(f"{len(failures)} mismatches for {model}:\n" + "\n".join(lines))


def hf_reference(tok):
    return lambda text, add_special: tok.encode(text, add_special_tokens=add_special).ids


def test_gpt2_vocab_merges():
    folder = need_fixture("gpt2-tokenizer")
    need_cli()
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

    tok = Tokenizer(models.BPE.from_file(str(folder / "vocab.json"), str(folder / "merges.txt")))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([AddedToken("<|endoftext|>", normalized=False)])
    check(folder, hf_reference(tok), "<|endoftext|>")


def test_llama2_tokenizer_json():
    path = need_fixture("llama2-hf-tokenizer/tokenizer.json")
    need_cli()
    tok = tokenizers.Tokenizer.from_file(str(path))
    check(path.parent, hf_reference(tok), "</s>")


def test_llama2_tokenizer_model():
    model = need_fixture("llama2-sentencepiece/tokenizer.model")
    source = need_fixture("llama2-hf-tokenizer/tokenizer.json")
    need_cli()
    # The same vocabulary as tokenizer.json, less that copy's quirk (id 31353 keyed "" instead of U+2028).
    doc = json.loads(source.read_text(encoding="utf-8"))
    vocab = doc["model"]["vocab"]
    if vocab.get("") == 31353:
        del vocab[""]
        vocab["\u2028"] = 31353
    tok = tokenizers.Tokenizer.from_str(json.dumps(doc))
    check(model, hf_reference(tok), "</s>")

    # And sentencepiece itself, for strings without special-token text.
    spm = pytest.importorskip("sentencepiece")
    sp = spm.SentencePieceProcessor(model_file=str(model))
    plain = "\n".join(t for t in corpus.hard_strings() if "<" not in t)
    assert cli_ids(model, plain, False) == sp.encode(plain)


def test_llama2_metaspace_layout():
    source = need_fixture("llama2-hf-tokenizer/tokenizer.json")
    need_cli()
    path = corpus.build_metaspace_llama(source, WORK / "llama2-metaspace")
    tok = tokenizers.Tokenizer.from_file(str(path))
    check(path, hf_reference(tok), "</s>")


def test_llama3_style_trained():
    need_fixture("datasets")
    need_cli()
    path = corpus.build_llama3_style(WORK / "llama3-style")
    tok = tokenizers.Tokenizer.from_file(str(path))
    check(path, hf_reference(tok), "<|eot_id|>")


def test_qwen2_style_trained():
    need_fixture("datasets")
    need_cli()
    path = corpus.build_qwen2_style(WORK / "qwen2-style")
    tok = tokenizers.Tokenizer.from_file(str(path))
    check(path, hf_reference(tok), "<|im_end|>", corpus.hard_strings())


def test_qwen2_style_non_nfc_input():
    need_fixture("datasets")
    need_cli()
    path = corpus.build_qwen2_style(WORK / "qwen2-style-nfc")
    tok = tokenizers.Tokenizer.from_file(str(path))
    text = "e\u0301 combining acute"
    assert cli_ids(path, text, False) == tok.encode(text, add_special_tokens=False).ids
