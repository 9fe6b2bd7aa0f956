"""Messages a new user reads: each names the problem once and suggests a fix that applies."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.breakage.conftest import INGEST, Cli


def test_empty_text_file_advice(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "reviews"
    (folder / "pos").mkdir(parents=True)
    (folder / "pos" / "empty.txt").write_bytes(b"")
    (folder / "pos" / "good.txt").write_text("a fine film")
    upload = ["upload", "folder", str(folder), "--input-type", "text", "--app", "t", "--create"]
    cli.run(*upload, "--job-id", "j")
    (failure,) = [
        json.loads(line) for line in cli.run("report", "j", "--format", "jsonl").stdout.splitlines()
    ]
    assert "empty" in failure["description"]
    assert "--text-errors" not in failure["description"]


def test_duplicate_id_message_said_once(cli: Cli, tmp_path: Path) -> None:
    first = tmp_path / "first.csv"
    first.write_text("id,input,concepts\nx1,first text,pos\n")
    second = tmp_path / "second.csv"
    second.write_text("id,input,concepts\nx1,other text,neg\n")
    cli.run("upload", "csv", str(first), "--app", "dup", "--create")
    cli.run("upload", "csv", str(second), "--app", "dup", "--job-id", "j")
    report = cli.run("report", "j", "--format", "jsonl").stdout.splitlines()
    description = json.loads(report[0])["description"]
    assert description.lower().count("duplicate id") == 1


def test_rejected_key_names_the_variable(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("input,concepts\none,pos\n")
    env = cli.env() | {"CLARIFAI_PAT": "not-the-key"}
    result = subprocess.run(
        [INGEST, "upload", "csv", str(path), "--app", "a", "--create"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "  failed" not in result.stderr
    assert "CLARIFAI_PAT" in result.stderr
