"""Runs the engine's training code through tests/unit/tst_train_interop.cpp (a Qt Test executable
that carries out one JSON job when FT_TRAIN_JOB names it) and reads back what it wrote."""
import json
import os
import pathlib
import subprocess

import pytest
from safetensors.torch import load_file

from conftest import REPO


def driver_path():
    path = os.environ.get("FT_TRAIN_DRIVER")
    if not path:
        cli = os.environ.get("FT_CLI")
        build = pathlib.Path(cli).parents[1] if cli else REPO / "build"
        path = str(build / "tests" / "tst_train_interop")
    if not pathlib.Path(path).exists():
        pytest.fail(f"tst_train_interop not found at {path} (build it, or set FT_TRAIN_DRIVER)")
    return path


def run_job(work_dir, name, job, timeout=300):
    """Returns (result.json as a dict, {name: tensor} from tensors.safetensors)."""
    folder = pathlib.Path(work_dir) / "train-jobs" / name
    folder.mkdir(parents=True, exist_ok=True)
    job = {key: (str(value) if isinstance(value, pathlib.Path) else value)
           for key, value in job.items()}
    job["out"] = str(folder / "out")
    job_file = folder / "job.json"
    job_file.write_text(json.dumps(job, indent=2))
    proc = subprocess.run([driver_path()], env={**os.environ, "FT_TRAIN_JOB": str(job_file)},
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"train job {name} failed ({proc.returncode}):\n{proc.stdout}\n"
                             f"{proc.stderr}")
    out = folder / "out"
    return json.loads((out / "result.json").read_text()), load_file(str(out / "tensors.safetensors"))


def test_driver_skips_without_a_job():
    """Run alone (as ctest runs it) the driver does nothing and passes."""
    env = {k: v for k, v in os.environ.items() if k != "FT_TRAIN_JOB"}
    proc = subprocess.run([driver_path()], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SKIP" in proc.stdout
