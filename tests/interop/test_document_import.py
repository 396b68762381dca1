"""Documents for continued pre-training from real PDF and DOCX writers.

DOCX files are written by python-docx (styles, runs, a table, tabs and breaks, Chinese) and the
imported text must equal python-docx's own reading of the same paragraphs. PDFs are written by
reportlab (a running header, a page-number footer, body lines with a word hyphenated at a line
end and a paragraph running across a page break) and the imported text must equal the source
paragraphs exactly; pypdf writes an encrypted copy, which is refused naming the file. The
document-level review's token total equals Hugging Face tokenizers' count of the same texts.
"""
import json

import pytest

from conftest import cli_json, expect_bad_input

docx = pytest.importorskip("docx")
pytest.importorskip("reportlab")
pypdf = pytest.importorskip("pypdf")
tokenizers = pytest.importorskip("tokenizers")

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

MODEL = "tiny-random-llama-2-hf"

# Each paragraph as the lines the PDF draws; a line ending in "-" continues the word.
PARAGRAPHS = [
    ["Aspirin lowers fever and eases the mild pain of a cold in most adults within",
     "an hour of the first dose, and the usual course of treat-",
     "ment lasts a few days; it is stopped when the symptoms have faded away."],
    ["Dosage"],
    ["Adults take one tablet of five hundred milligrams every six hours with a glass",
     "of water, never more than four tablets in a day, and children under twelve",
     "must not take it at all without a doctor who has examined them first and who",
     "knows their history of bleeding, asthma or stomach ulcers in the past years."],
    ["Side effects are rare at these doses but include a stomach upset, heartburn and,",
     "in people who are sensitive to it, a wheezing attack that needs medical care."],
]
LINES_PER_PAGE = 6  # page 2 starts a paragraph after a heading; paragraph 4 runs onto page 3


def write_pdf(path):
    lines = []
    for p, para in enumerate(PARAGRAPHS):
        lines += para
        if p + 1 < len(PARAGRAPHS):
            lines.append("")  # a gap between paragraphs
    pages = [lines[i:i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)]
    c = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    for number, page in enumerate(pages, start=1):
        c.setFont("Helvetica", 9)
        c.drawString(60, height - 40, "Journal of Clinical Notes - Volume 12, Issue 3")
        c.drawCentredString(width / 2, 30, f"Page {number} of {len(pages)}")
        c.setFont("Helvetica", 11)
        y = height - 90
        for line in page:
            if line:
                c.drawString(60, y, line)
            y -= 15 if line else 10
        c.showPage()
    c.save()
    return len(pages)


def expected_pdf_text():
    paragraphs = []
    for para in PARAGRAPHS:
        text = ""
        for line in para:
            if text.endswith("-"):
                text = text[:-1] + line
            else:
                text = f"{text} {line}" if text else line
        paragraphs.append(text)
    return "\n\n".join(paragraphs)


def write_docx(path):
    d = docx.Document()
    d.add_heading("Aspirin 阿司匹林", level=1)
    p = d.add_paragraph("Lowers ")
    p.add_run("fever").bold = True
    p.add_run(" & pain <fast>.\tDose:")
    p.add_run().add_break()
    p.add_run("500 mg every six hours.")
    d.add_paragraph("")  # empty paragraph: left out
    d.add_paragraph("患者服用后三天症状缓解。", style="List Bullet")
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "dose"
    table.rows[0].cells[1].text = "500 mg"
    d.add_paragraph("The end.")
    d.save(str(path))


def reference_docx_text(path):
    """python-docx's reading: body paragraphs and table cells in document order."""
    d = docx.Document(str(path))
    texts = []
    for block in d.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            texts.append(docx.text.paragraph.Paragraph(block, d).text)
        elif tag == "tbl":
            for row in docx.table.Table(block, d).rows:
                for cell in row.cells:
                    texts += [p.text for p in cell.paragraphs]
    return "\n\n".join(t.rstrip(" \t\n") for t in texts if t.strip(" \t\n"))


def rows_of(project, name):
    return cli_json("data", "rows", "--project", project, "--dataset", name, "--offset", 0,
                    "--limit", 100)["rows"]


@pytest.fixture()
def docs(work_dir):
    root = work_dir / "document-import"
    if root.exists():
        for f in sorted(root.rglob("*"), reverse=True):
            f.unlink() if f.is_file() else f.rmdir()
    (root / "docs").mkdir(parents=True)
    return root


def test_pdf_from_reportlab_is_cleaned_to_its_source_paragraphs(docs):
    pdf = docs / "docs" / "notes.pdf"
    pages = write_pdf(pdf)
    assert pages >= 3
    project = docs / "p.ftproj"
    out = cli_json("data", "import", pdf, "--project", project)
    assert out["format"] == "text" if "format" in out else True
    rows = rows_of(project, "notes")
    assert len(rows) == 1
    text = rows[0]["messages"][0]["content"]
    assert text == expected_pdf_text()
    original = rows[0]["original"]
    assert original["pages"] == [1, pages]
    assert len(original["page_starts"]) == pages
    # Each page start points at that page's first body line (byte offsets in UTF-8).
    raw = text.encode("utf-8")
    lines = [line for para in PARAGRAPHS for line in para + [""]]
    assert raw[original["page_starts"][1]:].decode("utf-8").startswith(lines[LINES_PER_PAGE][:20])


def test_docx_from_python_docx_matches_its_reading(docs):
    path = docs / "docs" / "leaflet.docx"
    write_docx(path)
    project = docs / "p.ftproj"
    cli_json("data", "import", path, "--project", project)
    rows = rows_of(project, "leaflet")
    assert len(rows) == 1
    expected = reference_docx_text(path)
    assert "Lowers fever & pain <fast>.\tDose:\n500 mg" in expected
    assert rows[0]["messages"][0]["content"] == expected


def test_encrypted_and_scanned_pdfs_are_refused_naming_the_file(docs):
    plain = docs / "plain.pdf"
    write_pdf(plain)
    writer = pypdf.PdfWriter(clone_from=str(plain))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    locked = docs / "locked.pdf"
    with open(locked, "wb") as f:
        writer.write(f)
    scanned = docs / "scanned.pdf"
    c = canvas.Canvas(str(scanned), pagesize=A4)
    c.rect(100, 100, 300, 400, fill=1)  # a picture-like page, no text
    c.showPage()
    c.save()
    project = docs / "p.ftproj"
    expect_bad_input("data", "import", locked, "--project", project, mentions=["locked.pdf", "encrypted"])
    expect_bad_input("data", "import", scanned, "--project", project,
                     mentions=["scanned.pdf", "no text layer (scanned?)"])


def test_document_review_counts_tokens_like_tokenizers(docs, fixtures_dir):
    folder = docs / "docs"
    write_pdf(folder / "a.pdf")
    write_docx(folder / "b.docx")
    (folder / "c.txt").write_text("The patient was seen in the morning and sent home with a note for the "
                                  "doctor.\n\nCopyright Clinic.\n", encoding="utf-8")
    (folder / "d.md").write_text("# Notes\n\nIt is the second visit of the week, and the fever is down.\n\n"
                                 "Copyright Clinic.\n", encoding="utf-8")
    (folder / "e.md").write_text("Le patient est rentré chez lui après une nuit calme à la clinique.\n\n"
                                 "Copyright Clinic.\n", encoding="utf-8")
    project = docs / "p.ftproj"
    cli_json("data", "import", folder, "--project", project)
    model = fixtures_dir / MODEL
    source = fixtures_dir / "llama2-hf-tokenizer" / "tokenizer.json"
    if not model.exists() or not source.exists():
        pytest.skip("tiny llama / llama2 tokenizer fixtures missing")
    result = cli_json("data", "review", "--project", project, "--dataset", "docs", "--model", model,
                      "--row-tokens")
    summary = result["report"]["documents"]
    assert summary["documents"] == 5
    assert summary["tokens"]["exact"] is True
    doc = json.loads(source.read_text(encoding="utf-8"))
    vocab = doc["model"]["vocab"]
    if vocab.get("") == 31353:  # that copy's quirk (see test_tokenizer_parity.py)
        del vocab[""]
        vocab["\u2028"] = 31353
    tok = tokenizers.Tokenizer.from_str(json.dumps(doc))
    texts = [r["messages"][0]["content"] for r in rows_of(project, "docs")]
    expected = [len(tok.encode(t).ids) for t in texts]
    assert result["row_tokens"] == expected
    assert summary["tokens"]["total"] == sum(expected)
    assert summary["boilerplate"]["lines"][0]["line"] == "Copyright Clinic."
    assert summary["boilerplate"]["lines"][0]["documents"] == 3
    assert summary["languages"] == {"en": 3, "zh+en": 1, "latin_other": 1}
