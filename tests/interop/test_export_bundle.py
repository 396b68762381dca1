"""`finetune-cli export`: the Ollama bundle, atomic writes and the model card.

- --format ollama writes a GGUF that gguf.GGUFReader reads back and a Modelfile whose TEMPLATE,
  filled (with a small renderer of the Go template subset the engine writes) for a two-turn
  conversation, equals transformers' apply_chat_template of the same conversation, for the real
  chat templates of SmolLM2 (chatml with a default system prompt), Qwen2, Llama 3 and Mistral;
- an existing target is refused (exit 2) and left as it was; --overwrite replaces it only once
  the new folder is complete; a write failing mid-way (RLIMIT_FSIZE standing in for a full disk)
  leaves the previous export intact and no temporary folder;
- every export carries a README.md with the Hugging Face front matter (base_model, library_name).
"""
import hashlib
import json
import pathlib
import re
import resource
import shutil
import signal
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from conftest import REPO, cli_json, cli_path, expect_bad_input, run_cli  # noqa: E402

gguf = pytest.importorskip("gguf")
transformers = pytest.importorskip("transformers")

# The chat templates as the models ship them (tokenizer_config.json / GGUF tokenizer.chat_template).
SMOLLM2 = ("{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
           "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging "
           "Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] "
           "+ '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}"
           "{% endif %}")
QWEN2 = ("{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
         "{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + "
         "message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
         "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")
LLAMA3 = ("{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
          "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + "
          "'<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
          "{{ content }}{% endfor %}{% if add_generation_prompt %}"
          "{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}")
MISTRAL = ("{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != "
           "(loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate "
           "user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}"
           "{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
           "{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant "
           "roles are supported!') }}{% endif %}{% endfor %}")
TEMPLATES = {"smollm2": (SMOLLM2, "chatml", "<|im_end|>"), "qwen2": (QWEN2, "chatml", "<|im_end|>"),
             "llama3": (LLAMA3, "llama-3", "<|eot_id|>"), "mistral": (MISTRAL, "mistral", "</s>")}
CONVERSATION = [{"role": "user", "content": "What is the capital of France?"},
                {"role": "assistant", "content": "Paris."},
                {"role": "user", "content": "And of Italy?"}]


def set_chat_template(model_dir, template):
    path = model_dir / "tokenizer_config.json"
    cfg = json.loads(path.read_text())
    cfg["chat_template"] = template
    path.write_text(json.dumps(cfg))


@pytest.fixture(scope="module")
def root(work_dir):
    d = work_dir / "export-bundle"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    return d


@pytest.fixture(scope="module")
def run(root, fixtures_dir):
    """A 3-step LoRA run (checkpoint-2 and final/) on a tiny Llama trained with the model's own
    (SmolLM2) chat template: (base model folder, run folder)."""
    from tiny_trainable import make
    model_dir, data = make(root, fixtures_dir / "datasets" / "alpaca_en_demo.json", rows=16)
    set_chat_template(model_dir, SMOLLM2)
    out = root / "run"
    cfg = {"model": str(model_dir), "data": str(data), "output_dir": str(out), "strategy": "lora",
           "template": "model", "cutoff_len": 1024, "logging_steps": 1, "save_steps": 2,
           "per_device_train_batch_size": 8, "gradient_accumulation_steps": 1, "max_steps": 3,
           "learning_rate": 1e-2,
           "lora": {"r": 4, "lora_alpha": 8, "lora_dropout": 0.0, "target_modules": "all-linear"}}
    (root / "run.json").write_text(json.dumps(cfg))
    run_cli("train", "--config", root / "run.json", timeout=300)
    return model_dir, out


def parse_modelfile(text):
    """{'FROM': [...], 'PARAMETER': [(name, value)], 'TEMPLATE': str, 'SYSTEM': str, ...}"""
    fields = {"PARAMETER": []}
    for m in re.finditer(r'^(FROM|ADAPTER|TEMPLATE|SYSTEM|PARAMETER) (?:"""(.*?)"""|([^\n]*))$', text, re.S | re.M):
        key, value = m.group(1), m.group(2) if m.group(2) is not None else m.group(3)
        if key == "PARAMETER":
            name, _, arg = value.partition(" ")
            fields["PARAMETER"].append((name, json.loads(arg) if arg.startswith('"') else arg))
        else:
            fields[key] = value
    return fields


def render_go(template, system, messages):
    """Go's text/template for the subset the Modelfile uses, filled as Ollama fills it."""
    tokens = re.split(r"(\{\{.*?\}\})", template)
    pos = 0

    def block(scope, emit, out):
        nonlocal pos
        while pos < len(tokens):
            tok = tokens[pos]
            if not tok.startswith("{{"):
                if emit:
                    out.append(tok)
                pos += 1
                continue
            action = tok[2:-2].strip()
            if action == "end" or action == "else" or action.startswith("else if "):
                return action
            pos += 1
            if action == "range .Messages":
                start = pos
                for m in (messages if emit else [None]):
                    pos = start
                    assert block(m, emit and m is not None, out) == "end"
                pos += 1
            elif action.startswith("if "):
                cond, taken = action[3:], False
                while True:
                    now = emit and not taken and test(cond, scope)
                    stop = block(scope, now, out)
                    taken = taken or now
                    pos += 1
                    if stop == "end":
                        break
                    cond = "true" if stop == "else" else stop[len("else if "):]
            elif emit:
                out.append({".System": system, ".Role": scope and scope["role"],
                            ".Content": scope and scope["content"]}[action])
        return None

    def test(cond, scope):
        if cond == "true":
            return True
        if cond == ".System":
            return bool(system)
        m = re.fullmatch(r'eq \.Role "(\w+)"', cond)
        assert m, cond
        return scope["role"] == m.group(1)

    out = []
    assert block(None, True, out) is None
    return "".join(out)


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_ollama_modelfile_renders_like_apply_chat_template(run, root, name):
    model_dir, out = run
    template, family, stop = TEMPLATES[name]
    set_chat_template(model_dir, template)
    try:
        dest = root / f"ollama-{name}"
        res = cli_json("export", "--run", out, "--format", "ollama", "--out", dest)
    finally:
        set_chat_template(model_dir, SMOLLM2)
    assert res["warnings"] == [] and res["gguf_type"] == "Q8_0"
    assert sorted(res["files"]) == ["Modelfile", "README.md", "model-Q8_0.gguf"]
    modelfile = parse_modelfile((dest / "Modelfile").read_text())
    assert modelfile["FROM"] == "./model-Q8_0.gguf" and "ADAPTER" not in modelfile
    assert f"Translated from the {family} chat template" in (dest / "Modelfile").read_text()
    assert ("stop", stop) in modelfile["PARAMETER"]
    assert not any(p == "temperature" for p, _ in modelfile["PARAMETER"])

    tok = transformers.AutoTokenizer.from_pretrained(str(model_dir))
    tok.chat_template = template
    want = tok.apply_chat_template(CONVERSATION, tokenize=False, add_generation_prompt=True)
    if tok.bos_token and want.startswith(tok.bos_token):
        want = want[len(tok.bos_token):]  # llama.cpp adds BOS when it tokenizes
    system = modelfile.get("SYSTEM", "")
    assert render_go(modelfile["TEMPLATE"], system, CONVERSATION) == want

    if name != "mistral":  # a system message as Ollama passes it: .System and a message
        with_system = [{"role": "system", "content": "Answer in one word."}] + CONVERSATION
        want = tok.apply_chat_template(with_system, tokenize=False, add_generation_prompt=True)
        if tok.bos_token and want.startswith(tok.bos_token):
            want = want[len(tok.bos_token):]
        assert render_go(modelfile["TEMPLATE"], "Answer in one word.", with_system) == want

    r = gguf.GGUFReader(str(dest / "model-Q8_0.gguf"))
    assert r.fields["general.architecture"].contents() == "llama"
    assert r.fields["general.file_type"].contents() == 7  # MOSTLY_Q8_0
    assert r.fields["tokenizer.chat_template"].contents() == template


def test_ollama_system_and_temperature_from_the_user(run, root):
    _, out = run
    dest = root / "ollama-system"
    cli_json("export", "--run", out, "--format", "ollama", "--type", "F32", "--system",
             "You answer in French.", "--temperature", "0.2", "--out", dest)
    modelfile = parse_modelfile((dest / "Modelfile").read_text())
    assert modelfile["FROM"] == "./model-F32.gguf"
    assert modelfile["SYSTEM"] == "You answer in French."
    assert ("temperature", "0.2") in modelfile["PARAMETER"]


def test_ollama_bundle_with_lora_adapter(run, root):
    """--lora-adapter: the base model as GGUF (FROM) and llama.cpp's LoRA GGUF (ADAPTER)."""
    model_dir, out = run
    dest = root / "ollama-adapter"
    res = cli_json("export", "--run", out, "--format", "ollama", "--lora-adapter", "--type", "F16",
                   "--out", dest)
    assert sorted(res["files"]) == ["Modelfile", "README.md", "adapter-lora-F32.gguf", "base-F16.gguf"]
    assert "LoRA tensors" in res["read_back"]["note"] and res["read_back"]["relative_error"] <= 1e-2
    modelfile = parse_modelfile((dest / "Modelfile").read_text())
    assert modelfile["FROM"] == "./base-F16.gguf" and modelfile["ADAPTER"] == "./adapter-lora-F32.gguf"
    base = gguf.GGUFReader(str(dest / "base-F16.gguf"))
    assert base.fields["general.name"].contents() == model_dir.name
    adapter = gguf.GGUFReader(str(dest / "adapter-lora-F32.gguf"))
    assert adapter.fields["general.type"].contents() == "adapter"
    assert adapter.fields["adapter.lora.alpha"].contents() == pytest.approx(8.0)
    expect_bad_input("export", "--run", out, "--format", "gguf", "--lora-adapter", "--out",
                     root / "never", mentions=["--lora-adapter", "ollama"])


def tree_digest(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(parent):
    return [p.name for p in parent.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_existing_target_is_refused_and_kept(run, root):
    _, out = run
    dest = root / "keep"
    cli_json("export", "--run", out, "--format", "peft", "--out", dest)
    before = tree_digest(dest)
    expect_bad_input("export", "--run", out, "--format", "merged", "--out", dest,
                     mentions=[str(dest), "exists", "--overwrite"])
    assert tree_digest(dest) == before and not leftovers(root)


def test_overwrite_replaces_only_when_complete(run, root):
    _, out = run
    dest = root / "replaced"
    cli_json("export", "--run", out, "--format", "gguf", "--type", "F32", "--out", dest)
    res = cli_json("export", "--run", out, "--format", "gguf", "--type", "Q8_0", "--out", dest,
                   "--overwrite")
    assert sorted(p.name for p in dest.iterdir()) == ["README.md", "model-Q8_0.gguf"]
    assert res["read_back"]["checked"] and res["read_back"]["relative_error"] <= 5e-2
    assert not leftovers(root)


def _limit_file_size(limit):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.parametrize("fmt", ["gguf", "merged", "ollama"])
def test_full_disk_keeps_the_previous_export(run, root, fmt):
    _, out = run
    dest = root / f"full-{fmt}"
    shutil.rmtree(dest, ignore_errors=True)
    cli_json("export", "--run", out, "--format", fmt, "--out", dest)
    before = tree_digest(dest)
    proc = subprocess.run([cli_path(), "export", "--run", str(out), "--format", fmt, "--out", str(dest),
                           "--overwrite", "--json"], capture_output=True, text=True,
                          preexec_fn=_limit_file_size(64 << 10), timeout=300)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    message = proc.stderr.strip().splitlines()[-1]
    assert message.startswith("error: ") and str(dest) in message, message
    assert "File too large" in message or "disk" in message, message
    assert tree_digest(dest) == before and not leftovers(root)


def test_model_card_in_every_export(run, root):
    model_dir, out = run
    (out / "eval_demo.json").write_text(json.dumps({"metrics": {"accuracy": 0.5, "n": 12}}))
    for fmt, library in [("peft", "peft"), ("merged", "transformers"), ("gguf-lora", None)]:
        dest = root / f"card-{fmt}"
        cli_json("export", "--run", out, "--format", fmt, "--out", dest)
        card = (dest / "README.md").read_text()
        front = card.split("---\n")[1]
        assert f'base_model: "{model_dir.name}"' in front
        assert (f"library_name: {library}" in front) == (library is not None)
        assert "lora" in front and "## Strategy and hyper-parameters" in card
        assert "| learning_rate | `0.01` |" in card and "final training loss" in card
        assert "| eval_demo.json | accuracy | 0.5 |" in card and "| eval_demo.json | n | 12 |" in card
    if (peft := pytest.importorskip("peft")):
        cfg = peft.PeftConfig.from_pretrained(str(root / "card-peft"))
        assert cfg.peft_type == "LORA"


def test_checkpoint_export_and_bad_runs(run, root):
    model_dir, out = run
    res = cli_json("export", "--run", out, "--checkpoint", "checkpoint-2", "--format", "merged",
                   "--out", root / "from-checkpoint")
    assert res["read_back"]["checked"]
    assert "from checkpoint-2" in (root / "from-checkpoint" / "README.md").read_text()
    expect_bad_input("export", "--run", out, "--checkpoint", "checkpoint-9", "--format", "peft",
                     "--out", root / "never", mentions=["checkpoint-9", "no such checkpoint"])
    unfinished = root / "unfinished"
    unfinished.mkdir(exist_ok=True)
    shutil.copy(out / "training_config.json", unfinished / "training_config.json")
    expect_bad_input("export", "--run", unfinished, "--format", "peft", "--out", root / "never",
                     mentions=[str(unfinished), "final/", "not finished"])
    expect_bad_input("export", "--run", out, "--format", "onnx", "--out", root / "never",
                     mentions=["--format", "ollama", "onnx"])
    assert not (root / "never").exists() and not leftovers(root)
