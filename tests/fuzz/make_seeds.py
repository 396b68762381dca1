#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/): small valid inputs of each
format and the hostile inputs found so far (issue 16), so that every one of them replays as a
test. Deterministic; run it again after changing it:  .venv/bin/python tests/fuzz/make_seeds.py
Needs the reference venv (gguf, safetensors, numpy, tokenizers)."""
import json
import os
import sqlite3
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def put(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def templates():
    t = "fuzz_template"
    put(t, "chatml", "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
                     "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
    put(t, "llama2", "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'user' %}[INST] {{ m['content'] | trim }}"
                     " [/INST]{% elif m['role'] == 'assistant' %} {{ m['content'] | trim }} {{ eos_token }}{% endif %}{% endfor %}")
    put(t, "generation", "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}"
                         "{% endgeneration %}{% else %}{{ m.content }}{% endif %}{% endfor %}")
    put(t, "macros", "{% macro f(x, y=2) %}{{ x * y }}{% endmacro %}{% set ns = namespace(n=0) %}"
                     "{% for i in range(5) %}{% set ns.n = ns.n + i %}{% endfor %}{{ f(ns.n) }}{{ messages|tojson }}")
    min_int = "(-9223372036854775807 - 1)"
    put(t, "sigfpe-mod", "{{ %s %% -1 }}" % min_int)
    put(t, "sigfpe-floordiv", "{{ %s // -1 }}" % min_int)
    put(t, "sigfpe-divisibleby", "{{ %s is divisibleby(-1) }}" % min_int)
    put(t, "overflow-add", "{{ 9223372036854775807 + 1 }}")
    put(t, "overflow-pow", "{{ 2 ** 64 }}")
    put(t, "nan-int", "{{ 'nan'|float|int }}{{ 'inf'|float|int }}")
    put(t, "chain-plus", "{{ 1" + " + 1" * 20000 + " }}")
    put(t, "chain-filter", "{{ 'a'" + "|string" * 20000 + " }}")
    put(t, "chain-attr", "{{ messages" + ".x" * 20000 + " }}")
    put(t, "chain-item", "{{ messages" + "[0]" * 20000 + " }}")
    put(t, "doubling", "{% set ns = namespace(s='x') %}{% for i in range(80) %}{% set ns.s = ns.s + ns.s %}{% endfor %}")
    put(t, "tojson-indent", "{{ messages|tojson(indent=1000000000) }}")
    put(t, "center-huge", "{{ 'a'|center(9223372036854775807) }}")
    put(t, "indent-negative", "{{ 'a\\nb'|indent(-5) }}")


def records():
    t = "fuzz_records"
    json_kind, jsonl_kind, csv_kind, tsv_kind, text_kind = b"\x00", b"\x01", b"\x02", b"\x03", b"\x04"
    put(t, "alpaca.json", json_kind + json.dumps([{"instruction": "a", "input": "", "output": "b"}] * 3).encode())
    put(t, "object-of-lists.json", json_kind + b'{"train": [{"text": "a"}], "meta": 5}')
    put(t, "stray-brace-hang.json", json_kind + b'[{"instruction":"a","output":"b"}}]')
    put(t, "leading-junk.json", json_kind + b'[,},{"text":"x"}]')
    put(t, "deep.json", json_kind + b'[{"text": ' + b"[" * 100000 + b"]" * 100000 + b"}]")
    put(t, "utf16-bom.json", json_kind + "[{\"text\": \"x\"}]".encode("utf-16"))
    put(t, "messages.jsonl", jsonl_kind + b'{"messages": [{"role": "user", "content": "hi"}]}\n{"text": 1}\n')
    put(t, "deep.jsonl", jsonl_kind + b'{"a": ' + b"{\"b\": " * 50000 + b"1" + b"}" * 50000 + b"}\n")
    put(t, "cr-only.jsonl", jsonl_kind + b'{"text": "a"}\r{"text": "b"}\r')
    put(t, "newlines.jsonl", jsonl_kind + b"\n" * 1000)
    put(t, "quoted.csv", csv_kind + b'instruction,output\n"a, ""b""","line\nbreak"\n')
    put(t, "cr-only.csv", csv_kind + b"a,b,c,d,e\r1,2,3,4,5\r")
    put(t, "dup-header.csv", csv_kind + b"a,a\n1,2\n")
    put(t, "empty-header.csv", csv_kind + b"\n\n\n")
    put(t, "plain.tsv", tsv_kind + b"question\tanswer\nq\ta\n")
    put(t, "text.txt", text_kind + "第一行\nsecond line\n".encode())


def gguf_seed():
    import numpy as np
    import gguf
    path = os.path.join(CORPUS, "fuzz_gguf", "tiny.gguf")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    w = gguf.GGUFWriter(path, "llama")
    w.add_context_length(32)
    w.add_embedding_length(8)
    w.add_block_count(1)
    w.add_head_count(2)
    w.add_tokenizer_model("gpt2")
    w.add_token_list(["a", "b", "ab"])
    w.add_tensor("token_embd.weight", np.arange(24, dtype=np.float32).reshape(3, 8))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    # The header alone, and a claim of 2^40 tensors.
    data = open(path, "rb").read()
    put("fuzz_gguf", "truncated.gguf", data[:64])
    put("fuzz_gguf", "many-tensors.gguf", data[:8] + struct.pack("<QQ", 1 << 40, 0))


def safetensors_seed():
    import numpy as np
    from safetensors.numpy import save
    t = "fuzz_safetensors"
    put(t, "tiny.safetensors", save({"w": np.ones((2, 3), dtype=np.float32)}, metadata={"format": "pt"}))
    header = b'{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "x": ' + b"[" * 100000 + b"]" * 100000 + b"}"
    put(t, "deep-header.safetensors", struct.pack("<Q", len(header)) + header + b"\0" * 4)
    header = b'{"w": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 4]}}'
    put(t, "huge-shape.safetensors", struct.pack("<Q", len(header)) + header + b"\0" * 4)


def tokenizer_seed():
    from tokenizers import Tokenizer, models, pre_tokenizers, decoders
    vocab = {c: i for i, c in enumerate(["<s>", "</s>", "H", "e", "l", "o", "He", "ll", "llo", "Hello"])}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[("H", "e"), ("l", "l"), ("ll", "o"), ("He", "llo")]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    put("fuzz_tokenizer_json", "bpe.json", tok.to_str())
    put("fuzz_tokenizer_json", "deep.json", '{"model": ' + "[" * 100000 + "]" * 100000 + "}")


def _varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def _field(number, wire, payload):
    key = _varint(number << 3 | wire)
    if wire == 2:
        return key + _varint(len(payload)) + payload
    return key + payload


def sentencepiece_seed():
    """A SentencePiece BPE ModelProto written field by field (the wire format our reader parses):
    pieces with scores and types, the trainer spec's model type and special ids, the normalizer's
    add_dummy_prefix; plus byte-fallback pieces and a truncated copy."""
    pieces = [("<unk>", 0.0, 2), ("<s>", 0.0, 3), ("</s>", 0.0, 3), ("<0x0A>", 0.0, 6), ("\u2581", -1.0, 1),
              ("h", -2.0, 1), ("i", -3.0, 1), ("\u2581h", -4.0, 1), ("\u2581hi", -5.0, 1), ("a", -6.0, 1)]
    body = b""
    for text, score, kind in pieces:
        body += _field(1, 2, _field(1, 2, text.encode()) + _field(2, 5, struct.pack("<f", score))
                       + _field(3, 0, _varint(kind)))
    trainer = _field(3, 0, _varint(2)) + _field(35, 0, _varint(1)) + _field(40, 0, _varint(0)) \
        + _field(41, 0, _varint(1)) + _field(42, 0, _varint(2)) + _field(43, 0, _varint(0xFFFFFFFF))
    model = body + _field(2, 2, trainer) + _field(3, 2, _field(3, 0, _varint(1)))
    put("fuzz_sentencepiece", "bpe.model", model)
    put("fuzz_sentencepiece", "unigram.model", body + _field(2, 2, _field(3, 0, _varint(1))))
    put("fuzz_sentencepiece", "truncated.model", model[:-7])
    put("fuzz_sentencepiece", "huge-length.model", b"\x0a" + _varint(1 << 62) + b"x")


def tokenizer_configs():
    t = "fuzz_tokenizer_config"
    chatml = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
              "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
    put(t, "chatml.json", json.dumps({"bos_token": "<s>", "eos_token": "</s>", "add_bos_token": True,
                                      "add_eos_token": False, "chat_template": chatml}))
    put(t, "added-tokens.json", json.dumps({
        "added_tokens_decoder": {"8": {"content": "<|im_start|>", "special": True, "lstrip": False,
                                       "rstrip": False, "normalized": False, "single_word": False}},
        "additional_special_tokens": ["<|im_start|>"], "eos_token": {"content": "</s>", "__type": "AddedToken"},
        "chat_template": [{"name": "default", "template": "{{ messages[0]['content'] }}"}]}))
    put(t, "bad-types.json", json.dumps({"bos_token": 5, "add_bos_token": "yes", "chat_template": 3,
                                         "added_tokens_decoder": {"x": {"content": None}}}))
    put(t, "deep.json", '{"chat_template": ' + "[" * 100000 + "]" * 100000 + "}")


def runconfigs():
    t = "fuzz_runconfig"
    base = {"model": "m", "data": "d.jsonl", "output_dir": "out", "strategy": "lora",
            "lora": {"r": 8, "lora_alpha": 16, "target_modules": ["q_proj", "v_proj"]}}
    put(t, "lora.json", json.dumps(base))
    put(t, "huge-r.json", json.dumps(dict(base, lora={"r": 1e9})))
    put(t, "huge-r-float.json", json.dumps(dict(base, lora={"r": 1e300})))
    put(t, "grad-norm.json", json.dumps(dict(base, max_grad_norm=1e300)))
    put(t, "virtual-tokens.json", json.dumps(dict(base, strategy="prompt_tuning", prompt_tuning={"num_virtual_tokens": 1e9})))
    put(t, "backtracking-freeze.json", json.dumps(dict(base, strategy="freeze", freeze={"patterns": "(.*.*.*.*.*.*.*.*.*.*)*x"})))
    put(t, "deep.json", '{"model": ' + "[" * 100000 + "]" * 100000 + "}")


def dataset_infos():
    t = "fuzz_dataset_info"
    for name, ranking in [("null", None), ("number", 3), ("string", "yes"), ("list", [1])]:
        put(t, "ranking-" + name + ".json",
            json.dumps({"d": {"file_name": "missing.json", "ranking": ranking}, "e": {"hf_hub_url": "x/y"}}))
    put(t, "not-object.json", "[1, 2]")
    put(t, "entry-types.json", json.dumps({"a": 1, "b": {"file_name": 5}, "c": {"columns": "x", "tags": [1]}}))


def projects():
    """A project made by the engine's CLI (FT_CLI), then damaged copies of it."""
    cli = os.environ.get("FT_CLI")
    if not cli:
        print("FT_CLI not set: fuzz_project seeds left as they are", file=sys.stderr)
        return
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "d.jsonl")
        with open(data, "w") as f:
            for i in range(5):
                f.write(json.dumps({"instruction": "q%d" % i, "output": "a%d" % i}) + "\n")
        proj = os.path.join(tmp, "p.ftproj")
        subprocess.run([cli, "data", "import", "--project", proj, data], check=True, capture_output=True)
        con = sqlite3.connect(proj)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("PRAGMA journal_mode=DELETE")
        con.close()
        good = open(proj, "rb").read()
        put("fuzz_project", "valid.ftproj", good)
        put("fuzz_project", "truncated.ftproj", good[: len(good) // 2])
        damaged = bytearray(good)
        for off in range(100, len(damaged), 997):
            damaged[off] ^= 0x5A
        put("fuzz_project", "flipped.ftproj", bytes(damaged))
        con = sqlite3.connect(proj)
        con.execute("DROP TABLE schema_version")
        con.commit()
        con.close()
        put("fuzz_project", "no-version.ftproj", open(proj, "rb").read())


def documents():
    """A tiny DOCX (deflated and stored entries), a one-page PDF and '\f'-separated pages."""
    import io
    import zipfile
    xml = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="w"><w:body>'
           '<w:p><w:r><w:t>Dose</w:t><w:tab/><w:t xml:space="preserve">500 mg &amp; more</w:t></w:r></w:p>'
           '<w:p><w:r><w:t>line</w:t><w:br/><w:t>&#x4E2D;</w:t></w:r></w:p></w:body></w:document>')
    for name, method in (("deflated.docx", zipfile.ZIP_DEFLATED), ("stored.docx", zipfile.ZIP_STORED)):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", method) as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("word/document.xml", xml)
        put("fuzz_documents", name, buf.getvalue())
    content = b"BT /F1 11 Tf 60 760 Td (Running head 1) Tj 0 -40 Td (The treat-) Tj 0 -14 Td (ment works.) Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
               b"/Contents 5 0 R >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"]
    pdf, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    put("fuzz_documents", "page.pdf", pdf)
    put("fuzz_documents", "pages.txt", "Head 1\nThe treat-\nment works.\n1\fHead 2\n第二页。\n2\f")


if __name__ == "__main__":
    templates()
    records()
    gguf_seed()
    safetensors_seed()
    tokenizer_seed()
    sentencepiece_seed()
    tokenizer_configs()
    runconfigs()
    dataset_infos()
    projects()
    documents()
