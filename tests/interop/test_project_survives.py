"""The project survives (issue 16): kill -9 at seeded random moments during import, review, split,
status changes and edits leaves a project that opens, passes SQLite's integrity check, and holds
every change either whole or not at all; a full disk (a file-size limit standing in for it)
during an import ends with exit 2 and leaves the project as it was."""
import json
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import time

import pytest

from conftest import cli_json, cli_path, run_cli

ROWS = 100000


@pytest.fixture(scope="module")
def root(work_dir):
    path = work_dir / "project_survives"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _write_rows(path, n, tag):
    with path.open("w") as f:
        for i in range(n):
            f.write(json.dumps({"instruction": f"{tag} question {i} " + "x" * 60, "input": "",
                                "output": f"answer {i % 97} " + "y" * 60}) + "\n")


def _consistent(project):
    """The project opens in SQLite and in the CLI, and every dataset is whole."""
    con = sqlite3.connect(project)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    counted = dict(con.execute("SELECT d.name, count(r.id) FROM datasets d LEFT JOIN rows r "
                               "ON r.dataset_id = d.id GROUP BY d.id").fetchall())
    split = dict(con.execute("SELECT d.name, count(s.row_id) FROM datasets d JOIN rows r ON r.dataset_id = d.id "
                             "LEFT JOIN splits s ON s.row_id = r.id GROUP BY d.id").fetchall())
    con.close()
    listed = {d["name"]: d["rows"] for d in cli_json("data", "list", "--project", project)}
    assert listed == counted
    for name, rows in counted.items():
        assert split.get(name, 0) in (0, rows), (name, split.get(name), rows)  # a split is all or nothing
    return listed


def test_kill_at_random_moments(root):
    project = root / "p.ftproj"
    base = root / "base.jsonl"
    _write_rows(base, ROWS, "base")
    cli_json("data", "import", base, "--project", project, "--name", "base")
    rng = random.Random(16)
    operations = [
        lambda i: ["data", "import", str(base), "--project", str(project), "--name", f"copy{i}",
                   "--allow-duplicate"],
        lambda i: ["data", "review", "--project", str(project), "--dataset", "base"],
        lambda i: ["data", "split", "--project", str(project), "--dataset", "base", "--seed", str(i)],
        lambda i: ["data", "set-status", "excluded", "--project", str(project), "--dataset", "base",
                   "--rows", f"1-{ROWS // 2}"],
    ]
    killed = 0
    for i in range(8):
        args = operations[i % len(operations)](i)
        proc = subprocess.Popen([cli_path(), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.1, 1.5))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait()
        listed = _consistent(project)
        assert listed["base"] == ROWS
        for name, rows in listed.items():
            assert rows == ROWS, (name, rows)  # a killed import leaves nothing, a finished one all
        # Status changes are all or nothing too.
        con = sqlite3.connect(project)
        excluded = con.execute("SELECT count(*) FROM rows r JOIN datasets d ON d.id = r.dataset_id "
                               "WHERE d.name = 'base' AND r.status = 'excluded'").fetchone()[0]
        con.close()
        assert excluded in (0, ROWS // 2)
    assert killed >= 2, "too few operations were still running when killed: raise ROWS"
    # And the project still takes writes.
    small = root / "small.jsonl"
    _write_rows(small, 5, "small")
    [res] = cli_json("data", "import", small, "--project", project, "--name", "after")
    assert res["rows"] == 5


def _limit_file_size(limit):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_full_disk_during_import_keeps_the_project(root):
    project = root / "full.ftproj"
    small = root / "small5.jsonl"
    _write_rows(small, 5, "small")
    cli_json("data", "import", small, "--project", project, "--name", "before")
    big = root / "big.jsonl"
    _write_rows(big, ROWS, "big")
    limit = project.stat().st_size + (1 << 20)
    proc = subprocess.run([cli_path(), "data", "import", str(big), "--project", str(project), "--name", "big"],
                          capture_output=True, text=True, preexec_fn=_limit_file_size(limit), timeout=300)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    message = proc.stderr.replace("\r", "\n").strip().splitlines()[-1]  # after the progress line
    assert message.startswith("error: ") and "full.ftproj" in message and "disk" in message, message
    assert _consistent(project) == {"before": 5}
