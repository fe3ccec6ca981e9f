"""Secrets through Presidio's analyzer: every class with its exact span, no false positives on ordinary text.

Fake secrets are generated from a fixed seed in the shape of the real ones (prefix, alphabet, length): no
real key is in this file, and no literal that a secret scanner would flag either.
"""

from __future__ import annotations

import base64
import json
import random
import string
from pathlib import Path

import pytest
from presidio_analyzer import AnalyzerEngine, RecognizerResult

from maskgate.detection.recognizers import secrets
from maskgate.detection.recognizers.secrets import SECRET_ENTITIES
from tests.detection.conftest import pattern_analyzer

FIXTURES = Path(__file__).parent / "fixtures"
LANGUAGES = ("en", "de")
ALNUM = string.ascii_letters + string.digits
BASE64 = ALNUM + "+/"
URLSAFE = ALNUM + "_-"
HEX = "0123456789abcdef"
UPPER_ALNUM = string.ascii_uppercase + string.digits
_random = random.Random(20240315)


def fake(alphabet: str, length: int) -> str:
    return "".join(_random.choice(alphabet) for _ in range(length))


def b64url(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def fake_jwt() -> str:
    header, claims = b64url({"alg": "HS256", "typ": "JWT"}), b64url({"sub": "4711", "exp": 1900000000})
    return f"{header}.{claims}.{fake(URLSAFE, 43)}"


def pem_block(kind: str) -> str:
    body = "\n".join(fake(BASE64, 64) for _ in range(5))
    return f"-----BEGIN {kind}PRIVATE KEY-----\n{body}\n{fake(BASE64, 20)}==\n-----END {kind}PRIVATE KEY-----"


OPENAI_PROJECT = "sk-proj-" + fake(URLSAFE, 156)
OPENAI_LEGACY = "sk-" + fake(ALNUM, 48)
ANTHROPIC = "sk-ant-api03-" + fake(URLSAFE, 93) + "AA"
AWS_KEY_ID = "AKIA" + fake(string.ascii_uppercase + "234567", 16)
AWS_SESSION_KEY_ID = "ASIA" + fake(string.ascii_uppercase + "234567", 16)
AWS_SECRET = fake(BASE64, 40)
GITHUB_CLASSIC = "ghp_" + fake(ALNUM, 36)
GITHUB_APP = "ghs_" + fake(ALNUM, 36)
GITHUB_FINE_GRAINED = "github_pat_" + fake(ALNUM, 22) + "_" + fake(ALNUM, 59)
GITLAB = "glpat-" + fake(URLSAFE, 20)
SLACK_BOT = "xoxb-" + fake(string.digits, 12) + "-" + fake(string.digits, 13) + "-" + fake(ALNUM, 24)
SLACK_USER = "-".join(
    ["xoxp", fake(string.digits, 12), fake(string.digits, 12), fake(string.digits, 13), fake(HEX, 32)]
)
SLACK_HOOK_PATH = f"T{fake(UPPER_ALNUM, 8)}/B{fake(UPPER_ALNUM, 10)}/{fake(ALNUM, 24)}"
STRIPE_SECRET = "sk_live_" + fake(ALNUM, 24)
STRIPE_RESTRICTED = "rk_live_" + fake(ALNUM, 24)
STRIPE_PUBLISHABLE = "pk_test_" + fake(ALNUM, 24)
GOOGLE = "AIza" + fake(URLSAFE, 35)
AZURE_ACCOUNT_KEY = fake(BASE64, 86) + "=="
AZURE_SUBSCRIPTION = fake(HEX, 32)
AZURE_CLIENT_SECRET = fake(ALNUM, 3) + "8Q~" + fake(ALNUM + "_~.-", 34)
BEARER = fake(ALNUM + "._-", 48)
BASIC = base64.b64encode(b"svc-reporting:" + fake(ALNUM, 16).encode()).decode()
JWT_TOKEN = fake_jwt()
RSA_KEY = pem_block("RSA ")
OPENSSH_KEY = pem_block("OPENSSH ")
PKCS8_KEY = pem_block("")

# (expected type, text before, secret, text after): the secret must be found with exactly its span.
CASES = [
    ("OPENAI_API_KEY", "export OPENAI_API_KEY=", OPENAI_PROJECT, "\n"),
    ("OPENAI_API_KEY", "my key is ", OPENAI_LEGACY, ", please use it"),
    ("ANTHROPIC_API_KEY", 'client = Anthropic(api_key="', ANTHROPIC, '")'),
    ("AWS_ACCESS_KEY_ID", "aws_access_key_id = ", AWS_KEY_ID, "\n"),
    ("AWS_ACCESS_KEY_ID", "temporary credentials ", AWS_SESSION_KEY_ID, " expire at noon"),
    ("AWS_SECRET_ACCESS_KEY", "aws_secret_access_key = ", AWS_SECRET, "\n"),
    ("AWS_SECRET_ACCESS_KEY", "The access key goes with the secret ", AWS_SECRET, "."),
    ("GITHUB_TOKEN", "git remote set-url origin with token ", GITHUB_CLASSIC, " now"),
    ("GITHUB_TOKEN", "GITHUB_TOKEN: ", GITHUB_APP, "\n"),
    ("GITHUB_TOKEN", "token=", GITHUB_FINE_GRAINED, "&x=1"),
    ("GITLAB_TOKEN", "PRIVATE-TOKEN: ", GITLAB, "\n"),
    ("SLACK_TOKEN", "SLACK_BOT_TOKEN=", SLACK_BOT, "\n"),
    ("SLACK_TOKEN", "user token ", SLACK_USER, "."),
    ("SLACK_TOKEN", "post to https://hooks.slack.com/services/", SLACK_HOOK_PATH, " when done"),
    ("STRIPE_KEY", "Stripe.api_key = '", STRIPE_SECRET, "'"),
    ("STRIPE_KEY", "restricted key ", STRIPE_RESTRICTED, " for reports"),
    ("STRIPE_KEY", "publishable: ", STRIPE_PUBLISHABLE, "\n"),
    ("GOOGLE_API_KEY", "https://maps.googleapis.com/maps/api/geocode/json?key=", GOOGLE, "&address=x"),
    ("AZURE_KEY", "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=", AZURE_ACCOUNT_KEY,
     ";EndpointSuffix=core.windows.net"),
    ("AZURE_KEY", "Ocp-Apim-Subscription-Key: ", AZURE_SUBSCRIPTION, "\n"),
    ("AZURE_KEY", "client secret ", AZURE_CLIENT_SECRET, " (expires 2026)"),
    ("BEARER_TOKEN", "curl -H 'Authorization: Bearer ", BEARER, "' https://api.example.com/v1/me"),
    ("BEARER_TOKEN", "Authorization: Basic ", BASIC, "\n"),
    ("JWT", "Authorization: Bearer ", JWT_TOKEN, "\n"),
    ("JWT", "the session cookie was ", JWT_TOKEN, "; then it expired"),
    ("PRIVATE_KEY", "Here is the deploy key:\n", RSA_KEY, "\nThanks!"),
    ("PRIVATE_KEY", "", OPENSSH_KEY, "\n"),
    ("PRIVATE_KEY", '{"type": "service_account", "private_key": "', PKCS8_KEY.replace("\n", "\\n"), '\\n"}'),
    ("URL_CREDENTIALS", "DATABASE_URL=postgres://", "reporting:Zq8#vT2mWx", "@db.internal:5432/reports"),
    ("URL_CREDENTIALS", "clone https://", "max.mustermann:Sommer2024!", "@git.example.com/repo.git"),
    ("URL_CREDENTIALS", "redis://:", "9vKq2LmT7xRw", "@cache:6379/0"),
    ("PASSWORD", "Server=tcp:sql.example.net,1433;User ID=sa;Password=", "Tr0ub4dor&3", ";Encrypt=True;"),
    ("PASSWORD", "jdbc:mysql://db:3306/app?user=app&password=", "Sup3rS3cret", "&useSSL=true"),
    ("PASSWORD", "DB_PASSWORD=", "hunter", "\n"),
    ("PASSWORD", "database:\n  user: app\n  password: ", "n0t-s0-s3cret", "\n"),
    ("PASSWORD", '{"username": "max", "password": "', "Geheim 123!", '"}'),
    ("PASSWORD", "mysql.connect(host='db', password='", "S3cure_pw", "')"),
    ("PASSWORD", "btw my password is ", "hunter2", ". Thanks"),
    ("PASSWORD", "Mein Passwort ist ", "Sommer2024!", " und gilt bis Juni."),
    ("PASSWORD", "Kennwort: ", "Fr1tz!Box-7490", "\n"),
    ("PASSWORD", "pw: ", "abc12345", "\n"),
    ("PASSWORD", "Das Passwort für den Server lautet '", "Winter 2023", "'."),
    ("SECRET", "JWT_SECRET=", "Zx9fK2pQ7rT1vW8yLm3N", "\n"),
    ("SECRET", 'SECRET_KEY = "', "django-insecure-" + fake(ALNUM, 40), '"'),
    ("SECRET", "client_secret: ", fake(ALNUM, 32), "\n"),
]


@pytest.fixture(scope="module")
def analyzer() -> AnalyzerEngine:
    return pattern_analyzer(secrets.recognizers, LANGUAGES)


def found(analyzer: AnalyzerEngine, text: str, language: str = "en") -> list[tuple[str, str]]:
    results = analyzer.analyze(text, language=language)
    for result_filter in secrets.result_filters(language):
        results = result_filter(text, results)
    return sorted((r.entity_type, text[r.start : r.end]) for r in results)


@pytest.mark.parametrize(
    ("entity", "before", "secret", "after"), CASES, ids=[f"{case[0]}-{i}" for i, case in enumerate(CASES)]
)
def test_every_secret_class_with_its_whole_span(analyzer, entity, before, secret, after):
    text = before + secret + after
    assert entity in SECRET_ENTITIES
    assert found(analyzer, text) == [(entity, secret)]


def test_realistic_secrets_in_a_german_prompt(analyzer):
    parts = [
        ("", "Hallo Team,\n\nich komme mit dem Deployment nicht weiter. Hier die .env vom Staging:\n\n"),
        ("OPENAI_API_KEY", "OPENAI_API_KEY=", OPENAI_PROJECT, "\n"),
        ("ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY=", ANTHROPIC, "\n"),
        ("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID=", AWS_KEY_ID, "\n"),
        ("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY=", AWS_SECRET, "\n"),
        ("PASSWORD", "POSTGRES_PASSWORD=", "Pg!2024-staging", "\n"),
        ("STRIPE_KEY", "STRIPE_SECRET_KEY=", STRIPE_SECRET, "\n"),
        ("SLACK_TOKEN", "SLACK_WEBHOOK_URL=https://hooks.slack.com/services/", SLACK_HOOK_PATH, "\n"),
        ("", "\nDie Datenbank erreicht man über "),
        ("URL_CREDENTIALS", "postgres://", "app_user:Zq8#vT2mWx", "@10.0.3.12:5432/shop"),
        ("", ". Mein persönliches "),
        ("PASSWORD", "Passwort lautet ", "Herbst2023!", ", "),
        ("PASSWORD", "das Kennwort für das WLAN ist ", "Fritz!Box-7490", ". "),
        ("GITHUB_TOKEN", "Der GitHub-Token ist ", GITHUB_CLASSIC, ", "),
        ("GITLAB_TOKEN", "der GitLab-Token ", GITLAB, " und "),
        ("GOOGLE_API_KEY", "der Maps-Schlüssel ", GOOGLE, ".\n"),
        ("AZURE_KEY", "Azure: DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=",
         AZURE_ACCOUNT_KEY, ";EndpointSuffix=core.windows.net\n"),
        ("JWT", "Ein Token aus dem Log: ", JWT_TOKEN, "\n"),
        ("BEARER_TOKEN", "curl -H \"Authorization: Bearer ", BEARER, "\" https://api.example.com\n"),
        ("", "Und der Schlüssel für den Jump-Host:\n"),
        ("PRIVATE_KEY", "", OPENSSH_KEY, "\n"),
        ("", "\nKönnt ihr mir sagen, warum der Container nicht startet? Danke, Max"),
    ]
    text, expected = "", []
    for entity, *pieces in parts:
        if entity:
            before, secret, after = pieces
            expected.append((entity, secret))
            text += before + secret + after
        else:
            text += pieces[0]
    assert found(analyzer, text, "de") == sorted(expected)


@pytest.mark.parametrize("page", ["secrets_prose_en.txt", "secrets_prose_de.txt", "secrets_code.txt"])
def test_no_false_positives_on_ordinary_pages(analyzer, page):
    text = (FIXTURES / page).read_text(encoding="utf-8")
    for language in LANGUAGES:
        assert found(analyzer, text, language) == []


@pytest.mark.parametrize(
    "text",
    [
        "password = request.form['password']",
        "password=os.environ.get('DB_PASSWORD')",
        "self.password = password",
        "def login(user: str, password: str = None) -> bool:",
        "password: ${DB_PASSWORD}",
        'password: "{{ vault_db_password }}"',
        "Password: ********",
        "API_KEY=your-api-key-here",
        "token: <your token>",
        "Please change your password: go to settings.",
        "The password is required. Das Passwort ist abgelaufen.",
        "My password is 12 characters long.",
        "The password reset link is https://example.com/reset?user=max",
        "max_tokens = 1024\ntoken_type: bearer\nrefresh_interval: 3600",
        "csrf_token = '{{ csrf_token() }}'",
        "sk-" + "x" * 48,  # a documentation placeholder with the right prefix
        "ghp_" + "A" * 36,
        "The bearer of bad news arrived. Bearer responsibilities include everything.",
        "https://user@example.com/path and ssh://git@github.com/org/repo.git",
        "postgres://reporting:${POSTGRES_PASSWORD}@db:5432/reports",
        "commit 3f9a2b7c1d4e5f60718293a4b5c6d7e8f9012345 fixed the AWS secret rotation",
        "eyJub3QiOiJhIGp3dCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",  # three parts, but the header has no "alg"
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUV2kR\n-----END CERTIFICATE-----",
        # seen in real packages' source code and data files
        'password = secret.split(":", 1)[1]',
        "username, password = get_auth_from_url(proxy)",
        '{"username": username, "password": hashed_pw,}',
        'password: Final = str(form.get("password"))',
        "class Login(BaseModel):\n    password: SecretBytes\n",
        'password: "DataSource | None" = field(default=None)',
        "# Second pass: sanitize/disambiguate names",
        '"output_token": "nextPageToken",',
        "api_key: os.environ/OPENAI_API_KEY",
        "private_key: Ed25519PrivateKey | Ed448PrivateKey",
        "aws_session_token=s3_aws_session_token,",
        '"ChangeToken": "abcd12f2-46da-4fdb-b8d5-fbd4c466928f"',
        '"PurchaseToken": "eyJ2IjoiMSIsInMiOjEsImMiOi..."',
        '"placeholder": "-----BEGIN RSA PRIVATE KEY-----\\n...\\n-----END RSA PRIVATE KEY-----"',
        ":type credential: ~azure.core.credentials.TokenProvider",
    ],
)
def test_code_placeholders_and_prose_are_not_secrets(analyzer, text):
    assert found(analyzer, text) == []
    assert found(analyzer, text, "de") == []


def test_truncated_private_key_is_masked_up_to_where_it_stops(analyzer):
    block = RSA_KEY.rsplit("\n-----END", 1)[0]
    text = f"{block}\n\nsorry, the rest got cut off"
    assert found(analyzer, text) == [("PRIVATE_KEY", block)]


def test_the_most_specific_rule_wins_on_overlap(analyzer):
    url = f"https://x-access-token:{GITHUB_CLASSIC}@github.com/org/repo.git"
    assert found(analyzer, url) == [("GITHUB_TOKEN", GITHUB_CLASSIC)]
    header = f"Authorization: Bearer {OPENAI_LEGACY}"
    assert found(analyzer, header) == [("OPENAI_API_KEY", OPENAI_LEGACY)]
    assignment = f"aws_secret_access_key={AWS_SECRET}"
    assert found(analyzer, assignment) == [("AWS_SECRET_ACCESS_KEY", AWS_SECRET)]


def test_only_requested_types_are_reported(analyzer):
    text = f"password: hunter2\nOPENAI_API_KEY={OPENAI_LEGACY}"
    results = analyzer.analyze(text, language="en", entities=["PASSWORD"])
    assert [(r.entity_type, text[r.start : r.end]) for r in results] == [("PASSWORD", "hunter2")]


def test_other_results_inside_a_secret_are_dropped():
    text = f"key {OPENAI_LEGACY} call 030 1234567"
    start = text.index(OPENAI_LEGACY)
    secret = RecognizerResult("OPENAI_API_KEY", start, start + len(OPENAI_LEGACY), 0.95)
    inside = RecognizerResult("PHONE_NUMBER", start + 10, start + 20, 0.75)
    outside = RecognizerResult("PHONE_NUMBER", text.index("030"), len(text), 0.75)
    kept = secrets.drop_pii_inside_secrets(text, [inside, secret, outside])
    assert kept == [secret, outside]


def test_offsets_stay_exact_when_lowercasing_changes_the_length(analyzer):
    text = f"İstanbul ofisi: DB_PASSWORD=Kadik0y!2024 ve {GITHUB_CLASSIC}"
    assert found(analyzer, text) == [("GITHUB_TOKEN", GITHUB_CLASSIC), ("PASSWORD", "Kadik0y!2024")]
