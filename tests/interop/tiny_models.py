"""Tiny random models built with transformers and saved with save_pretrained: the references the
engine is compared against. Nothing is downloaded."""
import json
import pathlib

import torch
import transformers


def _config(kind, **overrides):
    common = dict(vocab_size=384, initializer_range=0.2)
    if kind == "gpt2":
        cfg = transformers.GPT2Config(n_embd=64, n_layer=2, n_head=4, n_positions=128,
                                      bos_token_id=0, eos_token_id=1, **common)
    elif kind == "llama":
        cfg = transformers.LlamaConfig(hidden_size=64, intermediate_size=160, num_hidden_layers=2,
                                       num_attention_heads=4, num_key_value_heads=2,
                                       max_position_embeddings=256, rope_theta=500000.0,
                                       bos_token_id=0, eos_token_id=1, **common)
    elif kind == "llama3-rope":
        cfg = transformers.LlamaConfig(hidden_size=64, intermediate_size=160, num_hidden_layers=2,
                                       num_attention_heads=4, num_key_value_heads=1,
                                       max_position_embeddings=256, tie_word_embeddings=True,
                                       rope_scaling={"rope_type": "llama3", "factor": 8.0,
                                                     "low_freq_factor": 1.0,
                                                     "high_freq_factor": 4.0,
                                                     "original_max_position_embeddings": 32},
                                       rope_theta=500000.0, bos_token_id=0, eos_token_id=1,
                                       **common)
    elif kind == "mistral":
        cfg = transformers.MistralConfig(hidden_size=64, intermediate_size=160,
                                         num_hidden_layers=2, num_attention_heads=4,
                                         num_key_value_heads=2, max_position_embeddings=256,
                                         bos_token_id=0, eos_token_id=1, **common)
    elif kind == "qwen2":
        cfg = transformers.Qwen2Config(hidden_size=64, intermediate_size=160, num_hidden_layers=2,
                                       num_attention_heads=4, num_key_value_heads=2,
                                       max_position_embeddings=256, tie_word_embeddings=True,
                                       rope_theta=1000000.0, bos_token_id=0, eos_token_id=1,
                                       **common)
    else:
        raise ValueError(kind)
    for key, value in overrides.items():
        setattr(cfg, key, value)
    return cfg


def build(kind, folder: pathlib.Path, *, dtype=torch.float32, max_shard_size=None, seed=0):
    """Saves a random `kind` model in `folder` (once) and returns it loaded in fp32, eval mode."""
    folder = pathlib.Path(folder)
    if not (folder / "config.json").exists():
        torch.manual_seed(seed)
        model = transformers.AutoModelForCausalLM.from_config(_config(kind))
        model = model.to(dtype)
        kwargs = {"max_shard_size": max_shard_size} if max_shard_size else {}
        model.save_pretrained(folder, safe_serialization=True, **kwargs)
    model = transformers.AutoModelForCausalLM.from_pretrained(folder, dtype=dtype)
    return model.float().eval()


def byte_bpe_tokenizer(folder, texts, **config):
    """A byte-level BPE tokenizer (384 ids) trained on `texts`, saved into the model folder;
    `config` adds tokenizer_config.json keys (e.g. chat_template)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=384, special_tokens=["<s>", "</s>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator(texts, trainer)
    tok.save(str(folder / "tokenizer.json"))
    (folder / "tokenizer_config.json").write_text(json.dumps(
        {"bos_token": "<s>", "eos_token": "</s>", "tokenizer_class": "PreTrainedTokenizerFast",
         **config}))
