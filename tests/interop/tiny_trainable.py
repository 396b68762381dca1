"""A tiny random Llama with a byte-level BPE tokenizer trained on an Alpaca file's text, so that
every row tokenizes inside the model's vocabulary: what the GUI tests, the memory-estimate test,
the responsiveness benchmark and the screenshots train on. Nothing is downloaded.

    python tests/interop/tiny_trainable.py OUT_DIR --data alpaca.json [--rows 64]
        [--hidden 64] [--layers 2] [--intermediate 160] [--heads 4] [--kv-heads 2]
        [--vocab 384] [--model-name model]

Writes OUT_DIR/MODEL_NAME (config.json, model.safetensors, tokenizer.json) and OUT_DIR/data.json
(the first --rows rows)."""
import argparse
import json
import pathlib

import torch
import transformers
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

PREAMBLE = ("Below is an instruction that describes a task, paired with an input that provides "
            "further context. Write a response that appropriately completes the request.\n\n"
            "### Instruction:\n### Input:\n### Response:\n")


def make(out, data, rows=64, hidden=64, layers=2, intermediate=160, heads=4, kv_heads=2,
         vocab=384, seed=0, model_name="model"):
    out = pathlib.Path(out)
    model_dir = out / model_name
    model_dir.mkdir(parents=True, exist_ok=True)
    picked = json.loads(pathlib.Path(data).read_text())[:rows]
    (out / "data.json").write_text(json.dumps(picked))

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=["<s>", "</s>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    texts = [PREAMBLE] * 200 + [r.get("instruction", "") + "\n" + r.get("input", "") + "\n" +
                                r.get("output", "") for r in picked]
    tok.train_from_iterator(texts, trainer)
    tok.save(str(model_dir / "tokenizer.json"))
    (model_dir / "tokenizer_config.json").write_text(json.dumps(
        {"bos_token": "<s>", "eos_token": "</s>", "tokenizer_class": "PreTrainedTokenizerFast"}))

    cfg = transformers.LlamaConfig(vocab_size=vocab, hidden_size=hidden,
                                   intermediate_size=intermediate, num_hidden_layers=layers,
                                   num_attention_heads=heads, num_key_value_heads=kv_heads,
                                   max_position_embeddings=2048, rope_theta=10000.0,
                                   bos_token_id=0, eos_token_id=1, initializer_range=0.02)
    torch.manual_seed(seed)
    model = transformers.AutoModelForCausalLM.from_config(cfg)
    model.save_pretrained(model_dir, safe_serialization=True)
    return model_dir, out / "data.json"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out")
    p.add_argument("--data", required=True)
    for name, default in [("rows", 64), ("hidden", 64), ("layers", 2), ("intermediate", 160),
                          ("heads", 4), ("kv-heads", 2), ("vocab", 384)]:
        p.add_argument("--" + name, type=int, default=default)
    p.add_argument("--model-name", default="model")
    a = p.parse_args()
    model_dir, data = make(a.out, a.data, a.rows, a.hidden, a.layers, a.intermediate, a.heads,
                           a.kv_heads, a.vocab, model_name=a.model_name)
    print(model_dir)
    print(data)


if __name__ == "__main__":
    main()
