"""Per-route modes: the route config picks them (here by the ``x-test-mode`` header), the processor obeys."""

from __future__ import annotations

import anthropic
import openai
import pytest

from tests.extproc.conftest import NAME, PROMPT, TEST_MODE_HEADER, assert_provider_saw_no_originals

pytestmark = pytest.mark.e2e


def test_block_mode_answers_in_openai_error_format_and_sends_nothing_upstream(openai_client, provider):
    with pytest.raises(openai.BadRequestError) as raised:
        openai_client.chat.completions.create(
            model="gpt-test",
            messages=[{"role": "user", "content": PROMPT}],
            extra_headers={TEST_MODE_HEADER: "block"},
        )
    error = raised.value.body
    assert error["code"] == "pii_detected" and error["type"] == "invalid_request_error"
    assert "PERSON" in error["message"] and NAME not in error["message"]
    assert raised.value.response.headers["x-maskgate-mode"] == "block"
    assert provider.requests == []


def test_block_mode_answers_in_anthropic_error_format(anthropic_client, provider):
    with pytest.raises(anthropic.BadRequestError) as raised:
        anthropic_client.messages.create(
            model="claude-test",
            max_tokens=64,
            messages=[{"role": "user", "content": PROMPT}],
            extra_headers={TEST_MODE_HEADER: "block"},
        )
    body = raised.value.body
    assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error"
    assert NAME not in body["error"]["message"]
    assert provider.requests == []


def test_block_mode_forwards_requests_without_personal_data(openai_client, provider):
    completion = openai_client.chat.completions.create(
        model="gpt-test",
        messages=[{"role": "user", "content": "Explain how photosynthesis works."}],
        extra_headers={TEST_MODE_HEADER: "block"},
    )
    assert completion.choices[0].message.content == "You said: Explain how photosynthesis works."
    assert len(provider.requests) == 1


def test_detect_mode_reports_in_headers_and_leaves_the_body_alone(openai_client, provider):
    raw = openai_client.chat.completions.with_raw_response.create(
        model="gpt-test",
        messages=[{"role": "user", "content": PROMPT}],
        extra_headers={TEST_MODE_HEADER: "detect"},
    )
    assert raw.parse().choices[0].message.content == f"You said: {PROMPT}"
    assert raw.headers["x-maskgate-mode"] == "detect"
    assert raw.headers["x-maskgate-pii-detected"] == "true"
    assert raw.headers["x-maskgate-pii-masked"] == "0"
    assert "PERSON" in raw.headers["x-maskgate-entities"]
    assert PROMPT in provider.requests[-1].json()["messages"][0]["content"]


def test_route_mode_sends_requests_with_personal_data_to_the_local_model(
    openai_client, provider, local_model
):
    raw = openai_client.chat.completions.with_raw_response.create(
        model="gpt-test",
        messages=[{"role": "user", "content": PROMPT}],
        extra_headers={TEST_MODE_HEADER: "route"},
    )
    assert raw.parse().choices[0].message.content == f"You said: {PROMPT}"
    assert raw.headers["x-maskgate-mode"] == "route"
    assert provider.requests == []
    assert len(local_model.requests) == 1
    assert "x-maskgate-route" not in local_model.requests[0].headers  # marked for routing only


def test_route_mode_sends_requests_without_personal_data_to_the_provider(
    openai_client, provider, local_model
):
    completion = openai_client.chat.completions.create(
        model="gpt-test",
        messages=[{"role": "user", "content": "Name three rivers."}],
        extra_headers={TEST_MODE_HEADER: "route"},
    )
    assert completion.choices[0].message.content == "You said: Name three rivers."
    assert len(provider.requests) == 1 and local_model.requests == []


def test_default_route_masks(openai_client, provider):
    openai_client.chat.completions.create(model="gpt-test", messages=[{"role": "user", "content": PROMPT}])
    assert_provider_saw_no_originals(provider)


def test_a_route_with_an_unknown_mode_fails_closed(openai_client, provider):
    with pytest.raises(openai.InternalServerError) as raised:
        openai_client.chat.completions.create(
            model="gpt-test",
            messages=[{"role": "user", "content": PROMPT}],
            extra_headers={TEST_MODE_HEADER: "typo"},
        )
    assert raised.value.body["code"] == "invalid_route_mode"
    assert provider.requests == []
