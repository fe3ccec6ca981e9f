"""The competitor as its users run it: Presidio's AnalyzerEngine with its default recognizers.

Shared by the detection benches so both measure the same thing. The only changes from a stock setup are the
ones needed to run offline at all: the spaCy model is named explicitly (the default ``en_core_web_lg`` would
be downloaded), the NER configuration is Presidio's own ``conf/default.yaml`` one, and tldextract uses its
bundled suffix list. German text runs through the same English model, as there is no German one to use.
"""

from __future__ import annotations

from pathlib import Path

import presidio_analyzer
import yaml
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider
from presidio_analyzer.recognizer_registry import RecognizerRegistryProvider

from maskgate.detection.offline import use_offline_domains
from maskgate.policy import DEFAULT_MODEL

LANGUAGES = ["en", "de"]


def plain_presidio(model: str = DEFAULT_MODEL) -> AnalyzerEngine:
    use_offline_domains()
    defaults = Path(presidio_analyzer.__file__).parent / "conf" / "default.yaml"
    ner_configuration = yaml.safe_load(defaults.read_text())["ner_model_configuration"]
    nlp_engine = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": language, "model_name": model} for language in LANGUAGES],
            "ner_model_configuration": ner_configuration,
        }
    ).create_engine()
    registry = RecognizerRegistryProvider(
        registry_configuration={"supported_languages": LANGUAGES}
    ).create_recognizer_registry()
    registry.add_nlp_recognizer(nlp_engine=nlp_engine)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=LANGUAGES)
