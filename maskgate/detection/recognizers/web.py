"""EMAIL_ADDRESS, URL, IP_ADDRESS: addresses on the internet, found in one cheap pass each.

Presidio's e-mail, URL and IP recognizers cost about 3.5 ms per 2 KB prompt (the URL pattern alternates
over hundreds of top-level domains, and every match of the e-mail pattern is checked by tldextract), and its
URL recognizer reports every e-mail domain a second time. Here each kind has a pre-filter (no "@": no
e-mail; no "." or ":": nothing at all) and a tight pattern; candidates are validated, not scored by hope:

- e-mail: ``local@domain`` whose domain ends in a public suffix (tldextract's bundled list, offline);
- URL: anything with a scheme (``https://``, ``ftp://``) or ``www.``; a bare domain (``example.com/x``) only
  with a public suffix that is not also a common file extension (``setup.py``, ``README.md``, ``run.sh``)
  and never inside an e-mail address;
- IP: IPv4 with every octet 0-255 and not part of a longer dotted number (versions, OIDs); IPv6 as accepted
  by ``ipaddress`` (so ``12:30:45`` or ``std::map`` never qualify).

Trailing sentence punctuation is not part of a URL; a closing bracket is only when the URL opened one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

import regex
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from maskgate.detection.offline import DOMAINS

EMAIL = "EMAIL_ADDRESS"
URL = "URL"
IP = "IP_ADDRESS"

EMAIL_SCORE = 1.0
SCHEME_URL_SCORE = 0.9
BARE_DOMAIN_SCORE = 0.5
IP_SCORE = 1.0  # validated by ipaddress, as Presidio scores a validated match

_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_DOMAIN_END = r"(?![\w-]|\.[^\W_])"
_URL_CHARS = r"[^\s<>\"'`{}|\\^\[\]]"
# Every pattern is anchored where a pre-filter found a seed ("@", "://", "www.", a dot between two letters or
# digits): scanning 2 KB with unanchored patterns costs more than everything they find.
_EMAIL_DOMAIN = regex.compile(rf"(?:{_LABEL}\.)+{_LABEL}{_DOMAIN_END}")
_URL_REST = regex.compile(rf"{_URL_CHARS}+")
_BARE_DOMAIN = regex.compile(
    rf"(?P<domain>(?:{_LABEL}\.)+[a-z]{{2,63}}){_DOMAIN_END}(?!@)(?:/{_URL_CHARS}*)?"
)
_IPV4 = regex.compile(r"(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)")
_IPV6 = regex.compile(
    r"(?i)(?<![\w:.])(?:[0-9a-f]{0,4}:){2,7}(?:[0-9a-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])"
)

_LOCAL_PART_SYMBOLS = frozenset(".!#$%&'*+/=?^_`{|}~-")
_HOST_SYMBOLS = frozenset(".-_")
_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "sftp", "ws", "wss"})
_TRAILING = ".,;:!?'\""
_FILE_EXTENSION_SUFFIXES = frozenset(
    {"py", "md", "sh", "rs", "pl", "pm", "ps", "cc", "cs", "so", "sc", "zip", "mov", "exe", "bat", "txt",
     "rb", "ts", "jar", "gz", "tar", "csv", "json", "yaml", "yml", "ini", "cfg", "log", "png", "jpg", "gif",
     "pdf"}
)
"""Public suffixes that are more often a file name's extension; a bare ``name.py`` is not a URL."""

Span = tuple[int, int]


class WebIdentifierRecognizer(EntityRecognizer):
    def __init__(self, supported_language: str) -> None:
        super().__init__(
            supported_entities=[EMAIL, URL, IP],
            name="WebIdentifierRecognizer",
            supported_language=supported_language,
        )

    def load(self) -> None:
        """Nothing to load: the patterns are compiled at import."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if "." not in text and ":" not in text:
            return []
        emails = _emails(text) if "@" in text else []
        dotted = _dotted_tokens(text)
        found: list[tuple[str, int, int, float]] = []
        if EMAIL in entities:
            found.extend((EMAIL, start, end, EMAIL_SCORE) for start, end in emails)
        if URL in entities:
            found.extend((URL, start, end, score) for start, end, score in _urls(text, emails, dotted))
        if IP in entities:
            found.extend((IP, start, end, IP_SCORE) for start, end in _ips(text, dotted))
        return [self._result(entity, start, end, score) for entity, start, end, score in found]

    def _result(self, entity: str, start: int, end: int, score: float) -> RecognizerResult:
        return RecognizerResult(
            entity_type=entity,
            start=start,
            end=end,
            score=score,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )


def _public_domain(domain: str) -> str | None:
    """The public suffix of ``domain`` if it has one and a registrable name before it."""
    parts = DOMAINS(domain)
    return parts.suffix if parts.suffix and parts.domain else None


def _is_local_part_char(char: str) -> bool:
    return char.isalnum() or char in _LOCAL_PART_SYMBOLS


def _is_host_char(char: str) -> bool:
    return char.isalnum() or char in _HOST_SYMBOLS


def _back(text: str, index: int, allowed: Callable[[str], bool]) -> int:
    """Start of the run of ``allowed`` characters that ends at ``index``."""
    while index > 0 and allowed(text[index - 1]):
        index -= 1
    return index


def _emails(text: str) -> list[Span]:
    found = []
    at = text.find("@")
    while at != -1:
        start = _back(text, at, _is_local_part_char)
        while start < at and text[start] == ".":
            start += 1
        domain = _EMAIL_DOMAIN.match(text, at + 1)
        if start < at and text[at - 1] != "." and domain and _public_domain(domain.group()):
            found.append((start, domain.end()))
        at = text.find("@", domain.end() if domain else at + 1)
    return found


def _dotted_tokens(text: str) -> list[Span]:
    """Runs of host characters with a dot between two letters or digits: where domains and IPv4s can be."""
    tokens = []
    dot = text.find(".")
    last_end = -1
    while dot != -1:
        if dot > last_end and 0 < dot < len(text) - 1 and text[dot - 1].isalnum() and text[dot + 1].isalnum():
            start = _back(text, dot, _is_host_char)
            end = dot + 1
            while end < len(text) and _is_host_char(text[end]):
                end += 1
            tokens.append((start, end))
            last_end = end
        dot = text.find(".", dot + 1)
    return tokens


def _urls(text: str, emails: list[Span], dotted: list[Span]) -> list[tuple[int, int, float]]:
    found = []
    taken = list(emails)
    lower = text.lower()
    for seed, width in (("://", 3), ("www.", 0)):
        at = lower.find(seed)
        while at != -1:
            start = _back(lower, at, str.isalpha) if width else at
            rest = _URL_REST.match(text, at + width) if not width or lower[start:at] in _SCHEMES else None
            if rest and (start == 0 or not text[start - 1].isalnum()) and not _inside(start, taken):
                end = _trim(text, start, rest.end())
                if end - at > width + 3:
                    found.append((start, end, SCHEME_URL_SCORE))
                    taken.append((start, end))
            at = lower.find(seed, at + 1)
    for start, _ in dotted:
        if _inside(start, taken) or text[start - 1 : start] in ("@", "/"):
            continue
        match = _BARE_DOMAIN.match(text, start)
        suffix = _public_domain(match["domain"]) if match else None
        if match and suffix and suffix not in _FILE_EXTENSION_SUFFIXES:
            found.append((start, _trim(text, start, match.end()), BARE_DOMAIN_SCORE))
    return found


def _inside(index: int, spans: list[Span]) -> bool:
    return any(start <= index < end for start, end in spans)


def _trim(text: str, start: int, end: int) -> int:
    """Drop sentence punctuation after a URL, and a closing bracket the URL did not open."""
    while end > start:
        last = text[end - 1]
        if last in _TRAILING or (last == ")" and text.count("(", start, end) < text.count(")", start, end)):
            end -= 1
        else:
            break
    return end


def _ips(text: str, dotted: list[Span]) -> list[Span]:
    found = []
    for start, _ in dotted:
        if text[start].isdigit() and text[start - 1 : start] not in (".", "-"):
            match = _IPV4.match(text, start)
            if match and all(int(octet) <= 255 for octet in match.group().split(".")):
                found.append(match.span())
    if text.count(":") >= 2:
        for match in _IPV6.finditer(text):
            candidate = match.group()
            if any(char.isalnum() for char in candidate):
                try:
                    ipaddress.IPv6Address(candidate)
                except ValueError:
                    continue
                found.append(match.span())
    return found


def recognizers(language: str) -> list[EntityRecognizer]:
    """E-mail addresses, URLs and IPs look the same in every language."""
    return [WebIdentifierRecognizer(language)]
