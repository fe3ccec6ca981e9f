from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from maskgate.cli.detect import serve
from maskgate.detection import Detector
from maskgate.policy import Policy

REPO = Path(__file__).resolve().parents[2]
MASKGATE = str(Path(sys.executable).parent / "maskgate")  # the installed console script, as users run it


def run_lines(detector: Detector, lines: list[bytes]) -> list[dict]:
    out = io.StringIO()
    serve(detector, io.BytesIO(b"".join(line + b"\n" for line in lines)), out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_answer_per_line_with_offsets(detector: Detector) -> None:
    text = "Bitte überweise 20 € an DE89 3704 0044 0532 0130 00 und schreib an max@example.com."
    replies = run_lines(detector, [json.dumps({"text": text}, ensure_ascii=False).encode()])
    assert len(replies) == 1
    assert replies[0]["language"] == "de"
    found = {(e["type"], text[e["start"] : e["end"]]) for e in replies[0]["entities"]}
    assert {("IBAN_CODE", "DE89 3704 0044 0532 0130 00"), ("EMAIL_ADDRESS", "max@example.com")} <= found
    assert all(set(e) == {"type", "start", "end", "score"} for e in replies[0]["entities"])


def test_offsets_are_code_points_even_with_escapes(detector: Detector) -> None:
    text = "😀😀 mail: a.b@example.org"
    line = json.dumps({"text": text}).encode()  # ensure_ascii: the emoji arrive as surrogate-pair escapes
    (reply,) = run_lines(detector, [line])
    (email,) = [e for e in reply["entities"] if e["type"] == "EMAIL_ADDRESS"]
    assert (email["start"], email["end"]) == (9, 24)
    assert text[9:24] == "a.b@example.org"


def test_language_field_is_used(detector: Detector) -> None:
    text = "Kontakt: 030 1234567"
    lines = [json.dumps({"text": text, "language": language}).encode() for language in ("en", "de")]
    english, german = run_lines(detector, lines)
    assert (english["language"], german["language"]) == ("en", "de")


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (b"not json at all", "invalid JSON"),
        (b"", "empty line"),
        (b'["text"]', "expected a JSON object"),
        (b'{"txt": "Max Mustermann"}', '"text" is missing or not a string'),
        (b'{"text": 42}', '"text" is missing or not a string'),
        (b'{"text": "Max Mustermann", "language": "fr"}', '"language" must be one of: en, de'),
        (b'{"text": "Max \xff Mustermann"}', "not valid UTF-8"),
    ],
)
def test_bad_lines_get_an_error_without_their_content(detector: Detector, line: bytes, error: str) -> None:
    before, bad, after = run_lines(detector, [b'{"text": "ok"}', line, b'{"text": "mail x@example.com"}'])
    assert before == {"entities": [], "language": "en"}
    assert set(bad) == {"error"} and error in bad["error"]
    assert "Mustermann" not in bad["error"]
    assert [e["type"] for e in after["entities"]] == ["EMAIL_ADDRESS"]


def test_overlong_line_is_refused() -> None:
    detector = Detector(Policy.from_dict({"limits": {"max_body_bytes": 64}}))
    short, long = run_lines(detector, [b'{"text": "short"}', json.dumps({"text": "x" * 100}).encode()])
    assert short["entities"] == []
    assert "longer than limits.max_body_bytes (64 bytes)" in long["error"]


def test_command_answers_line_by_line_and_survives_bad_input(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("deny_list: [Project Falcon]\n", encoding="utf-8")
    process = subprocess.Popen(
        [MASKGATE, "detect", "--policy", str(policy)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert process.stdin and process.stdout and process.stderr

    def reply() -> dict:
        line = process.stdout.readline()
        if not line:
            pytest.fail(f"maskgate detect ended early: {process.stderr.read().decode()[-2000:]}")
        return json.loads(line)

    # Each answer arrives before the next line is written: output is flushed per line.
    process.stdin.write(b'{"text": "Status of Project Falcon?", "language": "en"}\n')
    process.stdin.flush()
    assert reply()["entities"] == [{"type": "SENSITIVE", "start": 10, "end": 24, "score": 1.0}]
    process.stdin.write(b"{broken\n")
    process.stdin.flush()
    assert "invalid JSON" in reply()["error"]
    process.stdin.write(b'{"text": "Hallo, bitte an max@example.com schicken."}\n')
    process.stdin.close()
    last = reply()
    assert last["language"] == "de" and [e["type"] for e in last["entities"]] == ["EMAIL_ADDRESS"]
    assert process.stdout.read() == b""
    assert process.wait(timeout=60) == 0


def test_bad_policy_stops_the_command_with_the_key_named(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("entities:\n  PERSON: {threshold: 2}\n", encoding="utf-8")
    result = subprocess.run(
        [MASKGATE, "detect", "--policy", str(policy)],
        input=b"",
        capture_output=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 2
    assert f"{policy}: entities.PERSON.threshold: must be a number between 0 and 1" in result.stderr.decode()
    assert result.stdout == b""
