"""Bad model files give one clear line on stderr naming the file and the problem, exit code 2,
and never a crash. Nothing from a model folder is executed (pickled .bin files are refused)."""
import json
import shutil
import struct

import pytest

from conftest import expect_bad_input, run_cli
from tiny_models import build


@pytest.fixture(scope="module")
def good_model(work_dir):
    folder = work_dir / "models" / "llama"
    build("llama", folder)
    return folder


def copy_model(good_model, tmp_path):
    target = tmp_path / "model"
    shutil.copytree(good_model, target)
    return target


def test_truncated_safetensors(good_model, tmp_path):
    folder = copy_model(good_model, tmp_path)
    weights = folder / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) // 2])
    expect_bad_input("logits", "--model", folder, "--prompt-ids", "1,2",
                     mentions=["model.safetensors", "truncated"])


def test_header_length_beyond_file(good_model, tmp_path):
    folder = copy_model(good_model, tmp_path)
    weights = folder / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[0:8] = struct.pack("<Q", len(data) * 4)
    weights.write_bytes(bytes(data))
    expect_bad_input("info", "--model", folder, mentions=["model.safetensors", "header length"])


def test_header_offsets_lie(good_model, tmp_path):
    folder = copy_model(good_model, tmp_path)
    weights = folder / "model.safetensors"
    data = weights.read_bytes()
    size = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + size])
    name = next(k for k in header if k != "__metadata__")
    header[name]["data_offsets"][1] += 10_000_000
    raw = json.dumps(header).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    weights.write_bytes(struct.pack("<Q", len(raw)) + raw + data[8 + size:])
    expect_bad_input("info", "--model", folder, mentions=["model.safetensors", name])


def test_corrupt_header_json(good_model, tmp_path):
    folder = copy_model(good_model, tmp_path)
    weights = folder / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[8:12] = b"@@@@"
    weights.write_bytes(bytes(data))
    expect_bad_input("info", "--model", folder, mentions=["model.safetensors", "JSON"])


def test_unknown_architecture(good_model, tmp_path):
    folder = copy_model(good_model, tmp_path)
    config = json.loads((folder / "config.json").read_text())
    config["model_type"] = "mamba"
    (folder / "config.json").write_text(json.dumps(config))
    expect_bad_input("info", "--model", folder, mentions=["config.json", "mamba"])


@pytest.mark.parametrize("field", ["hidden_size", "num_hidden_layers", "vocab_size"])
def test_config_missing_field(good_model, tmp_path, field):
    folder = copy_model(good_model, tmp_path)
    config = json.loads((folder / "config.json").read_text())
    del config[field]
    (folder / "config.json").write_text(json.dumps(config))
    expect_bad_input("info", "--model", folder, mentions=["config.json", field])


def test_config_not_json(good_model, tmp_path):
    folder = copy_model(good_model, tmp_path)
    (folder / "config.json").write_text("{ not json")
    expect_bad_input("info", "--model", folder, mentions=["config.json"])


def test_missing_tensor(good_model, tmp_path):
    folder = copy_model(good_model, tmp_path)
    from safetensors.torch import load_file, save_file
    tensors = load_file(folder / "model.safetensors")
    del tensors["model.layers.1.mlp.up_proj.weight"]
    save_file(tensors, folder / "model.safetensors", metadata={"format": "pt"})
    expect_bad_input("info", "--model", folder,
                     mentions=["model.layers.1.mlp.up_proj.weight", "missing"])


def test_missing_tokenizer_for_text(good_model):
    expect_bad_input("generate", "--model", good_model, "--prompt", "hello",
                     mentions=["tokenizer"])


def test_pickle_weights_are_never_loaded(good_model, tmp_path):
    folder = copy_model(good_model, tmp_path)
    (folder / "model.safetensors").unlink()
    (folder / "pytorch_model.bin").write_bytes(b"\x80\x04not really a pickle")
    expect_bad_input("info", "--model", folder, mentions=["safetensors"])


def test_missing_path(tmp_path):
    expect_bad_input("info", "--model", tmp_path / "nope", mentions=["nope"])


def test_folder_without_config(tmp_path):
    expect_bad_input("info", "--model", tmp_path, mentions=["config.json"])


@pytest.mark.parametrize("ids", ["1,x,3", "", "-4", "1,,2"])
def test_bad_prompt_ids(good_model, ids):
    proc = run_cli("logits", "--model", good_model, "--prompt-ids", ids, check=False)
    assert proc.returncode == 2, proc.stderr


def test_token_id_outside_vocabulary(good_model):
    expect_bad_input("logits", "--model", good_model, "--prompt-ids", "1,99999",
                     mentions=["99999", "vocabulary"])


def test_unknown_option_exits_2(good_model):
    proc = run_cli("info", "--model", good_model, "--frobnicate", check=False)
    assert proc.returncode == 2
