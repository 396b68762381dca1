"""Tiny random Llamas for the benchmark evaluation tests (test_eval_benchmark*.py): one with a
byte-level BPE (vocab 512) trained on the MMLU fixture's text, one with the real Llama-2
SentencePiece tokenizer (vocab 32000, hidden 16). Built once under FT_WORK; nothing is
downloaded."""
import csv
import json
import os
import shutil

import pytest
import torch
import transformers

SUBJECTS = ["abstract_algebra", "anatomy", "astronomy"]
TOL = 1e-3


def mmlu_dir(fixtures_dir):
    path = fixtures_dir / "eval" / "mmlu"
    if not path.exists():
        pytest.skip("eval/mmlu fixture missing")
    return path


def rows(mmlu, subject, split):
    with open(mmlu / split / f"{subject}_{split}.csv", newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def _llama(folder, vocab, hidden, heads, kv_heads, bos, eos):
    cfg = transformers.LlamaConfig(vocab_size=vocab, hidden_size=hidden, intermediate_size=2 * hidden,
                                   num_hidden_layers=2, num_attention_heads=heads,
                                   num_key_value_heads=kv_heads, max_position_embeddings=4096,
                                   rope_theta=10000.0, bos_token_id=bos, eos_token_id=eos,
                                   initializer_range=0.2)
    torch.manual_seed(0)
    model = transformers.AutoModelForCausalLM.from_config(cfg)
    model.save_pretrained(folder, safe_serialization=True)


@pytest.fixture(scope="module", params=["bytelevel", "llama2-sentencepiece"])
def model_dir(request, work_dir, fixtures_dir):
    mmlu = mmlu_dir(fixtures_dir)
    final = work_dir / f"eval_bench_{request.param}"
    if (final / "config.json").exists():
        return final
    # Built aside and renamed, so that a test file running at the same time never sees half.
    folder = work_dir / f"eval_bench_{request.param}.tmp{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if request.param == "bytelevel":
        from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(vocab_size=512, special_tokens=["<s>", "</s>"],
                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                      show_progress=False)
        texts = [" ".join(r) for s in SUBJECTS for split in ("dev", "test") for r in rows(mmlu, s, split)]
        tok.train_from_iterator(texts * 3, trainer)
        tok.save(str(folder / "tokenizer.json"))
        (folder / "tokenizer_config.json").write_text(json.dumps(
            {"bos_token": "<s>", "eos_token": "</s>", "tokenizer_class": "PreTrainedTokenizerFast"}))
        _llama(folder, 512, 64, 4, 2, 0, 1)
    else:
        source = fixtures_dir / "llama2-hf-tokenizer"
        for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
            (folder / name).write_bytes((source / name).read_bytes())
        _llama(folder, 32000, 16, 2, 1, 1, 2)
    try:
        os.rename(folder, final)
    except OSError:  # built meanwhile by another process
        shutil.rmtree(folder, ignore_errors=True)
    return final


