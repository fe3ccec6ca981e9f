from __future__ import annotations

import pytest

from maskgate.detection.recognizers.web import WebIdentifierRecognizer

ALL = ["EMAIL_ADDRESS", "URL", "IP_ADDRESS"]


def found(text: str) -> list[tuple[str, str]]:
    results = WebIdentifierRecognizer("en").analyze(text, ALL)
    return sorted((r.entity_type, text[r.start : r.end]) for r in results)


IPV6 = "768e:2e84:e8b5:f983:7f8e:feba:af10:28c8"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mail a.b-c@sub.example.com, thanks", [("EMAIL_ADDRESS", "a.b-c@sub.example.com")]),
        ("an jürgen@müller.de schreiben", [("EMAIL_ADDRESS", "jürgen@müller.de")]),
        ("mailto:x@y.com.", [("EMAIL_ADDRESS", "x@y.com")]),
        ("see https://example.com/a_(b)). Next", [("URL", "https://example.com/a_(b)")]),
        ("(http://x.org/y).", [("URL", "http://x.org/y")]),
        ("visit www.test.de, or", [("URL", "www.test.de")]),
        ("at shop.example.co.uk/path?q=1.", [("URL", "shop.example.co.uk/path?q=1")]),
        ("from ftp://files.example.org/a.zip", [("URL", "ftp://files.example.org/a.zip")]),
        ("hosts 192.168.0.1 and 10.1.2.3:8080", [("IP_ADDRESS", "10.1.2.3"), ("IP_ADDRESS", "192.168.0.1")]),
        ("v6 fe80::1ff:fe23:4567 and ::1", [("IP_ADDRESS", "::1"), ("IP_ADDRESS", "fe80::1ff:fe23:4567")]),
        (f"ip {IPV6}.", [("IP_ADDRESS", IPV6)]),
    ],
)
def test_finds_whole_identifiers(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Run setup.py, read README.md and run.sh, then node.js.",
        "e.g. i.e. z.B. Hartungstr. 128, St.Gallen, Hofmann AG & Co.KG",
        "version 1.2.3.4.5 and 10.0.0.256 and OID 1.3.6.1.4.1",
        "at 12:30:45 call std::map::find",
        "user@localhost wrote it",
        "no dots or colons at all",
    ],
)
def test_ignores_look_alikes(text: str) -> None:
    assert found(text) == []


def test_the_domain_of_an_email_is_not_a_url() -> None:
    assert found("tom.brennan@bluewillow-consulting.com") == [
        ("EMAIL_ADDRESS", "tom.brennan@bluewillow-consulting.com")
    ]


def test_only_requested_types_are_returned() -> None:
    results = WebIdentifierRecognizer("de").analyze("max@example.com 1.2.3.4 https://x.de", ["URL"])
    assert [r.entity_type for r in results] == ["URL"]
