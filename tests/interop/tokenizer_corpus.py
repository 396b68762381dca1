"""Shared material for the tokenizer parity tests: a corpus of hard strings and small byte-level
BPE tokenizers in the Llama-3 and Qwen2 layouts, trained here with the `tokenizers` library (no
downloads). Imported by test_tokenizer_parity.py."""

import json
import os
from pathlib import Path

LLAMA3_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
QWEN2_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)


def fixtures_dir():
    env = os.environ.get("FT_FIXTURES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "fixtures"


def hard_strings():
    """Strings that exercise the pre-tokenizers, byte fallback and added tokens."""
    return [
        "Hello world",
        " Hello world",
        "  leading spaces",
        "trailing spaces   ",
        "Hello\nworld\n\n\nagain",
        "tabs\tand\t\tmore\ttabs",
        "CRLF line\r\nnext line\r\n",
        "   \n\t  \r\n ",
        " ",
        "",
        "The quick brown fox jumps over the lazy dog.",
        "I'm sure you've seen they'll do it, ISN'T it? We'D",
        "Numbers: 0 1 12 123 1234 12345 3.14159 -42 1,000,000 2024-06-01",
        "Prices $19.99 and €5,00; 50% off!!!",
        "中文分词测试：你好，世界！我们今天学习机器学习。",
        "日本語のテキストとカタカナ、ひらがな。",
        "한국어 텍스트도 있습니다.",
        "Emoji: 🦙🚀👍🏽 👨‍👩‍👧‍👦 ❤️ 🇫🇷",
        "Accented: café naïve résumé Zürich Ångström São Paulo",
        "Greek αβγ δέλτα and Cyrillic Привет мир",
        "Arabic مرحبا بالعالم and Hebrew שלום",
        "Math: ∑_{i=1}^{n} x_i² ≤ ∞ ± √2",
        "def foo(x):\n    return x * 2  # comment\n\nprint(foo(21))\n",
        "for (int i = 0; i < n; ++i) { sum += a[i]; }\n",
        '{"key": [1, 2, 3], "nested": {"a": null}}',
        "<html><body class=\"x\">Text &amp; more</body></html>",
        "URL https://example.com/path?q=1&r=2#frag mail me@example.org",
        "multiple     spaces      between",
        "word\u00a0nbsp\u2003emspace\u3000ideographic",
        "line\u2028separator\u0085nel",
        "zero\u200bwidth\u200djoiner",
        "ALL CAPS TEXT AND MiXeD CaSe",
        "snake_case_identifier and camelCaseIdentifier",
        "....,,,;;;!!!???---___***",
        "a" * 300,
        "supercalifragilisticexpialidocious antidisestablishmentarianism",
        "<s> special in text </s> and <unk>",
        "<|endoftext|> after <|endoftext|>",
        "text<|endoftext|>glued<|endoftext|>",
        "<|begin_of_text|>hi<|eot_id|>",
        "<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n",
        "  <think>  reasoning </think>  answer",
        "\u0001 control \u0007 chars \u001b[31m",  # (argv cannot carry NUL)
        "Mixed 中文 and English 混合 text 123 🦙",
        "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３",
        "e\u0301 combining acute vs é precomposed",
    ]


def training_texts(limit_bytes=1_500_000):
    """Plain text from the dataset fixtures, to train the small tokenizers on."""
    base = fixtures_dir() / "datasets"
    texts = []
    for name in ("alpaca_en_demo.json", "alpaca_zh_demo.json"):
        path = base / name
        if path.exists():
            for row in json.loads(path.read_text(encoding="utf-8")):
                texts.append("\n".join(str(row.get(k, "")) for k in ("instruction", "input", "output")))
    wiki = base / "wiki_demo.txt"
    if wiki.exists():
        texts.extend(wiki.read_text(encoding="utf-8").splitlines())
    texts.extend(hard_strings())
    out, total = [], 0
    for t in texts:
        out.append(t)
        total += len(t.encode("utf-8"))
        if total > limit_bytes:
            break
    return out


def _train(texts, split_regex, specials, vocab_size, ignore_merges, normalizer=None):
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE(ignore_merges=ignore_merges))
    if normalizer is not None:
        tok.normalizer = normalizer
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(split_regex), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer)
    return tok


def build_llama3_style(folder: Path):
    """Llama-3 layout: Split(Llama-3 regex) + ByteLevel, ignore_merges, BOS by TemplateProcessing."""
    from tokenizers import AddedToken, processors

    specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"]
    tok = _train(training_texts(), LLAMA3_SPLIT, specials, 3000, ignore_merges=True)
    tok.add_special_tokens([AddedToken("<|reserved_special_token_0|>", lstrip=True, rstrip=True, normalized=False)])
    bos = tok.token_to_id("<|begin_of_text|>")
    tok.post_processor = processors.Sequence(
        [
            processors.ByteLevel(trim_offsets=False),
            processors.TemplateProcessing(
                single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|> $B",
                special_tokens=[("<|begin_of_text|>", bos)],
            ),
        ]
    )
    folder.mkdir(parents=True, exist_ok=True)
    tok.save(str(folder / "tokenizer.json"))
    return folder / "tokenizer.json"


def build_qwen2_style(folder: Path):
    """Qwen2 layout: NFC + Split(Qwen2 regex) + ByteLevel, no BOS, a non-special added token."""
    from tokenizers import AddedToken, normalizers, processors

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tok = _train(training_texts(), QWEN2_SPLIT, specials, 3000, ignore_merges=False, normalizer=normalizers.NFC())
    tok.add_tokens([AddedToken("<think>", normalized=False, special=False),
                    AddedToken("</think>", normalized=False, special=False)])
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    folder.mkdir(parents=True, exist_ok=True)
    tok.save(str(folder / "tokenizer.json"))
    return folder / "tokenizer.json"


def build_metaspace_llama(source_json: Path, folder: Path):
    """The Llama-2 vocabulary in transformers 5's layout: Metaspace(prepend_scheme first) instead of
    the legacy Prepend/Replace normalizer."""
    from tokenizers import Tokenizer, pre_tokenizers

    tok = Tokenizer.from_file(str(source_json))
    tok.normalizer = None
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="first", split=False)
    folder.mkdir(parents=True, exist_ok=True)
    tok.save(str(folder / "tokenizer.json"))
    return folder / "tokenizer.json"
