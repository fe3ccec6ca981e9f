"""PERSON in German and English: names found with and without context, German nouns never taken for names."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from presidio_analyzer import RecognizerResult

from maskgate.detection import Detector
from maskgate.detection.recognizers import names
from maskgate.detection.recognizers.names import find_names, result_filters

DATA = Path(names.__file__).resolve().parent.parent / "data"


def persons(detector: Detector, text: str, language: str) -> list[str]:
    return [text[e.start : e.end] for e in detector.detect(text, language) if e.type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sehr geehrter Herr Dr. Klaus Meier,\n\nvielen Dank für Ihre Nachricht.", ["Klaus Meier"]),
        ("Frau Schneider hat gestern angerufen und bittet um Rückruf.", ["Schneider"]),
        ("Herr Koch und Frau Bauer sind heute nicht im Büro.", ["Koch", "Bauer"]),
        ("Ansprechpartner: Frank Zimmermann, Tel. 030 1234567", ["Frank Zimmermann"]),
        ("Mein Name ist Jürgen Weber, Kundennummer 4711.", ["Jürgen Weber"]),
        ("Ihr Geburtsname ist Hoffmann.", ["Hoffmann"]),
        ("Liebe Anna, danke für die Blumen!", ["Anna"]),
        ("Viele Grüße aus München, eure Lena", ["Lena"]),
        ("Bitte schicken Sie die Rechnung an Familie Nguyen.", ["Nguyen"]),
        ("Mit freundlichen Grüßen\n\nThomas Becker\nVertriebsleiter", ["Thomas Becker"]),
        ("Herzliche Grüße\nIhre Maria-Theresia von Bülow", ["Maria-Theresia von Bülow"]),
        ("Ich heiße Mustafa Yılmaz und bin neu hier.", ["Mustafa Yılmaz"]),
        (
            "Vorname: Anna\nNachname: Schmidt-Lüdenscheidt\nGeburtsort: Wuppertal",
            ["Anna", "Schmidt-Lüdenscheidt"],
        ),
        ("Kontoinhaber: Krzysztof Wiśniewski\nIBAN: DE89 3704 0044 0532 0130 00", ["Krzysztof Wiśniewski"]),
    ],
)
def test_german_names_with_context(detector: Detector, text: str, expected: list[str]) -> None:
    assert persons(detector, text, "de") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bitte überweisen Sie an Jürgen Weber.", ["Jürgen Weber"]),
        ("Das Paket kommt von Sabine Hoffmann aus Köln.", ["Sabine Hoffmann"]),
        ("Gestern hat Dieter Krause die Unterlagen abgeholt.", ["Dieter Krause"]),
        ("Rose Müller hat sich beschwert, weil ihr Konto gesperrt wurde.", ["Rose Müller"]),
        ("Der Vertrag läuft auf Wolfgang Schäuble-Neumann.", ["Wolfgang Schäuble-Neumann"]),
        ("„Das ist mein Platz“, sagte Elsbeth zu Agathe.", ["Elsbeth", "Agathe"]),
        # a first name that is also a noun (the heather) with a surname no list knows
        ("Erika Mustermann hat angerufen.", ["Erika Mustermann"]),
        ("Bitte schreib an Erika Musterfrau wegen des Termins.", ["Erika Musterfrau"]),
    ],
)
def test_german_names_without_cue(detector: Detector, text: str, expected: list[str]) -> None:
    assert persons(detector, text, "de") == expected


@pytest.mark.parametrize(
    "text",
    [
        "Könnten Sie mir bitte die Depotübersicht für mein Konto schicken?",
        "Sehr geehrte Damen und Herren, mein Konto ist gesperrt.",
        "Konto, Depot und Kreditkarte sind betroffen. Können Sie das prüfen?",
        "Weisheit und Disziplin sind keine Namen. Hoffnung auch nicht.",
        "Senden Sie das Formular zurück. Lesen Sie vorher die Anleitung.",
        "Die Rose blüht. Essen ist fertig. Bitte kommen Sie pünktlich.",
        "Die Erika blüht im Garten neben der Gartenpflege.",
        "Meine Frau und ich möchten ein Gemeinschaftskonto eröffnen.",
        "Sehr geehrte Frau Ministerin, sehr geehrter Herr Präsident, hallo Team!",
        "Wir nutzen Python, Docker und Kubernetes in der Cloud.",
        "Am Montag fliege ich nach Mallorca. In Hamburg regnet es.",
        "Mit freundlichen Grüßen\n\nIhr Kundenservice",
        "Gemäß Paragraph 5 des Vertrags haftet der Auftragnehmer für Mängel.",
    ],
)
def test_german_nouns_and_polite_forms_are_not_names(detector: Detector, text: str) -> None:
    assert persons(detector, text, "de") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Please call John Smith tomorrow about the contract.", ["John Smith"]),
        ("Dear Ms. Johnson,\n\nthank you for your order.", ["Johnson"]),
        ("Regards,\nEmily Clarke\nHead of Sales", ["Emily Clarke"]),
        ("Hi Priya, can you review the pull request?", ["Priya"]),
        ("The meeting with Oluwaseun Adeyemi is moved to Monday.", ["Oluwaseun Adeyemi"]),
        ("Send the invoice to Acme Corp, attention: Sarah O'Connor.", ["Sarah O'Connor"]),
        ("Follow up with Czcibor Kaczmarek in a couple of months.", ["Czcibor Kaczmarek"]),
        ("The film was directed by Juan Lopez and starred Lopez himself.", ["Juan Lopez", "Lopez"]),
    ],
)
def test_english_names_are_still_found(detector: Detector, text: str, expected: list[str]) -> None:
    assert persons(detector, text, "en") == expected


@pytest.mark.parametrize(
    "text",
    [
        "Will you send the report by Friday? Grace periods apply.",
        "Capitalized Words Like Security And Patience Are Not Names In Titles.",
        "The Swedish Border Force has detained a tennis player over visa disputes.",
        "Here's my ticket number: 4711.",
        "Please update the Jira ticket and notify the payments channel.",
    ],
)
def test_english_words_are_not_names(detector: Detector, text: str) -> None:
    assert persons(detector, text, "en") == []


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Wir wohnen in der Karl-Marx-Allee 12 in Berlin.", "de"),
        ("Die Rechnung geht an die Lehmann GmbH & Co. KG.", "de"),
        ("Ask the driver to stop at 45 Morris Street.", "en"),
        ("General American Investors Company Inc. reported a loss.", "en"),
    ],
)
def test_streets_and_companies_are_not_persons(detector: Detector, text: str, language: str) -> None:
    assert persons(detector, text, language) == []


def test_lowercase_chat_still_finds_names() -> None:
    text = "hallo zusammen, lisa otto hier. bitte ruft mich zurück"
    assert [text[s:e] for s, e, _ in find_names(text, "de")] == ["lisa otto"]


GERMAN_PROSE = """Sehr geehrte Damen und Herren,

vielen Dank für Ihre schnelle Rückmeldung. Könnten Sie mir bitte die aktuelle Depotübersicht und den \
Kontoauszug für das letzte Quartal zusenden? Leider finde ich beides nicht mehr im Online-Banking. \
Mein Konto wurde im März umgestellt, seitdem fehlen einige Buchungen.

Außerdem habe ich eine Frage zur Abrechnung: Wann wird die Gebühr für die Kreditkarte belastet, und kann ich \
die Zahlung auf den Monatsanfang verschieben? Bitte teilen Sie mir auch mit, ob eine Überweisung ins Ausland \
zusätzliche Kosten verursacht. Falls ja, würde ich lieber einen Dauerauftrag einrichten.

Wie besprochen, schicke ich Ihnen die Unterlagen per Post. Die Kündigung des alten Vertrags liegt bei. \
Vielleicht können wir nächste Woche telefonieren, um die offenen Punkte zu klären. Ich bin werktags ab neun \
Uhr erreichbar, am Freitag allerdings nur vormittags.

Großgeschriebene Wörter wie Weisheit, Disziplin, Hoffnung und Geduld sind keine Namen. Auch Begriffe wie \
Sicherheit, Verantwortung, Gesellschaft oder Wissenschaft bezeichnen Dinge, keine Personen. Manchmal steht \
ein Verb am Satzanfang: Lesen Sie die Anleitung! Prüfen Sie die Angaben. Senden Sie das Formular zurück. \
Haben Sie noch Fragen? Gern helfe ich weiter.

Das Wetter war gestern schön, deshalb sind wir mit dem Fahrrad zum See gefahren. Am Ufer haben wir Kaffee \
getrunken und Kuchen gegessen. Später zog ein Gewitter auf, und wir mussten uns unter einem Baum \
unterstellen. Die Kinder fanden das spannend, die Eltern weniger.

Unser Team arbeitet an einer neuen Version der Software. Die Entwicklung dauert länger als geplant, weil die \
Tests noch nicht stabil laufen. Sobald das Update bereitsteht, informieren wir alle Kunden per Newsletter. \
Rückfragen beantwortet gern der Kundenservice.

Hallo zusammen, liebe Kolleginnen und Kollegen, bitte denkt an die Besprechung am Montag. Hallo Team, die \
Präsentation liegt im gemeinsamen Ordner. Sehr geehrte Frau Ministerin, sehr geehrter Herr Präsident, ich \
danke Ihnen für die Einladung.

Mit freundlichen Grüßen

Ihr Kundenservice
"""

ENGLISH_PROSE = """Dear Sir or Madam,

Thank you for your quick reply. Could you please send me the current portfolio overview and the account \
statement for the last quarter? Unfortunately I can no longer find either of them in online banking. My \
account was migrated in March, and since then some transactions have been missing.

I also have a question about billing: When will the card fee be charged, and can I move the payment to the \
beginning of the month? Please also let me know whether a transfer abroad incurs additional costs. If so, I \
would rather set up a standing order.

As discussed, I will send you the documents by mail. The termination of the old contract is enclosed. Maybe \
we can talk next week to clear up the open points. I am available on weekdays from nine, but only in the \
morning on Friday.

Capitalized words like Wisdom, Discipline, Hope and Patience are not names. Terms such as Security, \
Responsibility, Society or Science describe things, not people. Sometimes a verb starts a sentence: Read the \
manual! Check the details. Return the form. Will you have any questions? Grace periods apply to late \
payments. Mark the box if you agree.

The weather was nice yesterday, so we rode our bikes to the lake. On the shore we drank coffee and ate cake. \
Later a thunderstorm rolled in and we had to shelter under a tree. The kids found it exciting, the parents \
less so.

Our team is working on a new version of the software. Development is taking longer than planned because \
the tests are not yet stable. As soon as the update is ready, we will inform all customers through the \
newsletter. The Customer Service team is happy to answer questions.

Hi all, please remember the meeting on Monday. Hello Team, the presentation is in the shared folder. \
Thanks for your patience, and have a great weekend.

Best regards,

The Support Team
"""


def test_a_page_of_german_prose_has_no_person(detector: Detector) -> None:
    assert persons(detector, GERMAN_PROSE, "de") == []


def test_a_page_of_english_prose_has_no_person(detector: Detector) -> None:
    assert persons(detector, ENGLISH_PROSE, "en") == []


def _ner(text: str, value: str) -> RecognizerResult:
    start = text.index(value)
    return RecognizerResult(
        "PERSON", start, start + len(value), 0.85, recognition_metadata={"recognizer_name": "SpacyRecognizer"}
    )


def test_filter_drops_german_nouns_and_trims_greetings_from_ner_spans() -> None:
    text = "Könnten Sie die Depotübersicht prüfen? Hallo Herr Becker, danke."
    (keep_plausible,) = result_filters("de")
    kept = keep_plausible(
        text, [_ner(text, "Könnten Sie"), _ner(text, "Depotübersicht"), _ner(text, "Hallo Herr Becker")]
    )
    assert sorted(text[r.start : r.end] for r in kept) == ["Becker"]


def test_filter_keeps_plausible_ner_names_and_drops_persons_inside_addresses() -> None:
    text = "Ksenia Wróbel wohnt in der Karl-Marx-Allee 12."
    start = text.index("Karl-Marx-Allee 12")
    address = RecognizerResult(
        "LOCATION",
        start,
        start + 18,
        0.7,
        recognition_metadata={"recognizer_name": "MaskgateAddressRecognizer"},
    )
    (keep_plausible,) = result_filters("de")
    kept = keep_plausible(text, [_ner(text, "Ksenia Wróbel"), _ner(text, "Karl-Marx"), address])
    assert sorted((r.entity_type, text[r.start : r.end]) for r in kept) == [
        ("LOCATION", "Karl-Marx-Allee 12"),
        ("PERSON", "Ksenia Wróbel"),
    ]


def test_every_data_file_names_its_source_and_licence() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    files = sorted(p.name for p in DATA.glob("*.gz") if p.name.startswith(("names_", "locations_")))
    assert len(files) == 7
    for name in files:
        assert f"`{name}`" in readme
        with gzip.open(DATA / name, "rt", encoding="utf-8") as fh:
            header = "".join(line for line in fh if line.startswith("#"))
        assert re.search(r"Licen[cs]e|GNU Free Documentation License", header), name
        assert "tools/build_name_lists.py" in header, name
