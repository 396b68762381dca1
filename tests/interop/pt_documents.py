"""The documents of the stage "pt" tests (test_train_pt.py on the CPU, test_train_device.py on
FT_TEST_DEVICE): the documents, a tiny Llama whose byte-level BPE is fit to them, and the
reference packing of them into cutoff_len rows."""
import json

from tiny_models import build, byte_bpe_tokenizer

CUTOFF = 48

DOCUMENTS = [
    "Aspirin inhibits cyclooxygenase and lowers the synthesis of prostaglandins.",
    "Insulin lowers blood glucose by moving glucose into muscle and fat cells.",
    "The liver stores glycogen and releases glucose between meals.",
    "Beta blockers slow the heart rate and lower blood pressure in hypertension.",
    "Penicillin blocks the cross-linking of the bacterial cell wall.",
    "Anaemia is a lack of red blood cells or of haemoglobin; iron deficiency is its most common "
    "cause, and a blood count with ferritin confirms it before iron is given by mouth.",
    "Asthma narrows the airways; inhaled steroids control it and beta agonists relieve attacks.",
    "Vitamin D helps the gut absorb calcium and keeps bones strong.",
    "The kidneys filter the blood, keep the salts in balance and make urine.",
]


def documents_jsonl(documents):
    """The documents as JSONL lines of {"text": ...}."""
    return "".join(json.dumps({"text": d}) + "\n" for d in documents)


def write_model_and_documents(root):
    """root/tiny-llama (a tiny random Llama, its tokenizer fit to DOCUMENTS) and root/docs.jsonl."""
    model = root / "tiny-llama"
    build("llama", model)
    byte_bpe_tokenizer(model, DOCUMENTS * 4)
    data = root / "docs.jsonl"
    data.write_text(documents_jsonl(DOCUMENTS))
    return model, data


def packed_row_count(stream_tokens, cutoff=CUTOFF):
    """How many cutoff-long rows the packed stream fills (the last one partly)."""
    return -(-stream_tokens // cutoff)


def packed_pieces(model_dir, documents, cutoff):
    """The reference packing: tokenizers' ids of each document (no special tokens) + EOS, end to
    end, cut every `cutoff` tokens; a row's pieces are split at the document boundaries."""
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    eos = tok.token_to_id("</s>")
    stream = []  # (token, document index)
    for d, text in enumerate(documents):
        ids = tok.encode(text, add_special_tokens=False).ids + [eos]
        stream += [(t, d) for t in ids]
    pieces = []
    for start in range(0, len(stream), cutoff):
        row = stream[start:start + cutoff]
        piece = [row[0][0]]
        for (t, d), (_, prev) in zip(row[1:], row[:-1]):
            if d != prev:
                pieces.append(piece)
                piece = []
            piece.append(t)
        pieces.append(piece)
    return pieces, len(stream)
