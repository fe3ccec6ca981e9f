"""``maskgate mask`` and ``maskgate restore``: stdin in, stdout out, round trips, clear errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from maskgate import ApiFormat
from maskgate.cli import main
from tests.core.conftest import RegexDetector
from tests.core.wire_support import (
    assemble,
    fixture_ledger,
    load_bytes,
    load_json,
    originals_in,
    restore_stream,
)


@pytest.fixture
def regex_detector(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI builds its own Gate; give it the deterministic test detector instead of loading spaCy."""
    monkeypatch.setattr("maskgate.detection.Detector", lambda policy: RegexDetector())


def run_cli(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: bytes) -> tuple[int, bytes, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    stdout, stderr = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.setattr(sys, "stderr", stderr)
    code = main(argv)
    stdout.flush()
    return code, stdout.buffer.getvalue(), stderr.getvalue()


@pytest.mark.usefixtures("regex_detector")
def test_mask_tells_the_format_and_prints_body_and_ledger(monkeypatch: pytest.MonkeyPatch) -> None:
    request = load_bytes("anthropic_request.json")
    code, out, _ = run_cli(monkeypatch, ["mask"], request)
    assert code == 0
    result = json.loads(out)
    assert result["format"] == "anthropic_messages"
    assert result["body"]["messages"][0]["content"] == "Pay <<PERSON_2>> from <<IBAN_CODE_1>>."
    assert result["entities"]["PERSON"] >= 2
    assert ["PERSON", 1, "Max Mustermann", False] in result["ledger"]["entries"]
    assert originals_in(json.dumps(result["body"]).encode()) == []


@pytest.mark.usefixtures("regex_detector")
def test_mask_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run_cli(monkeypatch, ["mask"], "Grüße von Anna Schmidt, anna.schmidt@firma.de\n".encode())
    result = json.loads(out)
    assert code == 0 and result["format"] == "text"
    assert result["text"] == "Grüße von <<PERSON_1>>, <<EMAIL_ADDRESS_1>>\n"
    assert result["entities"] == {"EMAIL_ADDRESS": 1, "PERSON": 1}


@pytest.mark.usefixtures("regex_detector")
def test_mask_with_an_explicit_format_and_unknown_shapes(monkeypatch: pytest.MonkeyPatch) -> None:
    body = b'{"model": "m", "input": "Max Mustermann"}'
    code, out, _ = run_cli(monkeypatch, ["mask", "--format", "embeddings"], body)
    assert code == 0 and json.loads(out)["body"]["input"] == "<<PERSON_1>>"
    code, out, err = run_cli(monkeypatch, ["mask"], b'{"model": "m", "whatever": "Max Mustermann"}')
    assert code == 2 and out == b"" and "--format" in err and "Mustermann" not in err
    code, _, err = run_cli(monkeypatch, ["mask", "--format", "openai_chat"], b"Max Mustermann")
    assert code == 2 and "not a JSON" in err and "Mustermann" not in err


@pytest.mark.usefixtures("regex_detector")
def test_mask_reports_a_bad_policy_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("mode: shout\n")
    code, _, err = run_cli(monkeypatch, ["mask", "--policy", str(policy)], b"hello")
    assert code == 2 and "mode" in err


def _ledger_file(tmp_path: Path, whole_output: bool) -> str:
    ledger = json.loads(fixture_ledger().to_json())
    path = tmp_path / "masked.json"
    path.write_text(json.dumps({"body": {}, "ledger": ledger} if whole_output else ledger))
    return str(path)


@pytest.mark.parametrize("whole_output", [True, False])
def test_restore_a_response_body(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, whole_output: bool) -> None:
    ledger = _ledger_file(tmp_path, whole_output)
    code, out, err = run_cli(
        monkeypatch, ["restore", "--ledger", ledger, "--stats"], load_bytes("anthropic_response.json")
    )
    assert code == 0 and "restored=" in err
    assert json.loads(out)["content"][2]["text"] == (
        "I will pay Anna Schmidt from DE89370400440532013000 and tell Max Mustermann."
    )


def test_restore_a_stream_tells_its_format(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ledger = _ledger_file(tmp_path, True)
    for name, fmt in [
        ("anthropic_stream.sse", ApiFormat.ANTHROPIC_MESSAGES),
        ("openai_chat_stream_text.sse", ApiFormat.OPENAI_CHAT),  # Azure's format-less first chunk
        ("openai_responses_stream.sse", ApiFormat.OPENAI_RESPONSES),
        ("completions_stream.sse", ApiFormat.COMPLETIONS),
    ]:
        raw = load_bytes(name)
        code, out, _ = run_cli(monkeypatch, ["restore", "--ledger", ledger], raw)
        assert code == 0
        assert out == restore_stream(fmt, fixture_ledger(), [raw])
        assert assemble(fmt, out) != assemble(fmt, raw)


def test_restore_plain_text_and_unknown_json(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ledger = _ledger_file(tmp_path, False)
    code, out, _ = run_cli(monkeypatch, ["restore", "--ledger", ledger], b"Dear [[PERSON_1]],\nbye")
    assert code == 0 and out == b"Dear Max Mustermann,\nbye"
    code, out, _ = run_cli(monkeypatch, ["restore", "--ledger", ledger], b'{"note": ["<<PERSON_2>>"]}')
    assert json.loads(out) == {"note": ["Anna Schmidt"]}


def test_restore_refuses_a_bad_ledger_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = tmp_path / "ledger.json"
    bad.write_text('{"entries": [["PERSON", 1, "Max Mustermann"]]}')
    code, out, err = run_cli(monkeypatch, ["restore", "--ledger", str(bad)], b"<<PERSON_1>>")
    assert code == 2 and out == b"" and "not a maskgate ledger" in err and "Mustermann" not in err
    code, _, err = run_cli(monkeypatch, ["restore", "--ledger", str(tmp_path / "missing.json")], b"")
    assert code == 2 and "missing.json" in err


def test_mask_then_restore_with_the_real_commands(tmp_path: Path) -> None:
    """The installed entry point, the real detector, files and pipes: what a user runs."""
    maskgate = str(Path(sys.executable).parent / "maskgate")
    request = load_json("openai_chat_request.json")
    question = "Please write to Max Mustermann about IBAN DE89370400440532013000."
    request["messages"] = [*request["messages"][:2], {"role": "user", "content": question}]
    body = json.dumps(request).encode()
    masked = subprocess.run([maskgate, "mask"], input=body, capture_output=True, timeout=240)
    assert masked.returncode == 0, masked.stderr.decode()
    result = json.loads(masked.stdout)
    assert result["format"] == "openai_chat"
    sent = json.dumps(result["body"]).encode()
    assert b"Max Mustermann" not in sent and b"DE89370400440532013000" not in sent
    (tmp_path / "masked.json").write_bytes(masked.stdout)
    # the provider answers with the tokens it was given; the client gets the originals back
    echo = result["body"]["messages"][2]["content"]
    answer = {"choices": [{"index": 0, "message": {"role": "assistant", "content": echo}}]}
    restored = subprocess.run(
        [maskgate, "restore", "--ledger", str(tmp_path / "masked.json")],
        input=json.dumps(answer).encode(), capture_output=True, timeout=120,
    )
    assert restored.returncode == 0, restored.stderr.decode()
    assert json.loads(restored.stdout)["choices"][0]["message"]["content"] == question
