"""Shared helpers for the interop tests: the CLI under test, scratch space, fixtures."""
import json
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def cli_path():
    path = os.environ.get("FT_CLI")
    if not path:
        candidate = REPO / "build" / "app" / "finetune-cli"
        path = str(candidate)
    if not pathlib.Path(path).exists():
        pytest.fail(f"finetune-cli not found at {path} (build it, or set FT_CLI)")
    return path


def train_device():
    """Where the device-aware interop tests train and run the engine's forward pass:
    FT_TEST_DEVICE (cpu or cuda; scripts/gpu-check.sh sets cuda). cpu by default."""
    return os.environ.get("FT_TEST_DEVICE", "cpu")


def run_cli(*args, check=True, timeout=600):
    """Runs finetune-cli; returns the CompletedProcess. check: expect exit code 0."""
    proc = subprocess.run([cli_path(), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"finetune-cli {' '.join(map(str, args))} exited "
                             f"{proc.returncode}: {proc.stderr.strip()}")
    return proc


def expect_bad_input(*args, mentions):
    """Runs finetune-cli expecting exit 2 and one stderr line that names every word in
    `mentions`; returns the message."""
    proc = run_cli(*args, check=False)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    message = proc.stderr.strip()
    assert message.startswith("error: ") and "\n" not in message, message
    for word in mentions:
        assert word in message, (word, message)
    return message


def cli_json(*args, timeout=600):
    proc = run_cli(*args, "--json", timeout=timeout)
    return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def work_dir():
    root = pathlib.Path(os.environ.get("FT_WORK", REPO / "build" / "interop-work"))
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture(scope="session")
def fixtures_dir():
    path = pathlib.Path(os.environ.get("FT_FIXTURES", REPO.parent / "shared" / "fixtures"))
    if not path.exists():
        if os.environ.get("FT_REQUIRE_FIXTURES") == "1":
            pytest.fail(f"fixtures folder {path} is missing (FT_REQUIRE_FIXTURES=1)")
        pytest.skip(f"fixtures folder {path} not found (set FT_FIXTURES)")
    return path
