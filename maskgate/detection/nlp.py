"""The spaCy side of detection: load the NER model offline and run only what detection needs.

Presidio's ``SpacyNlpEngine`` runs the whole pipeline (tagger, parser, attribute ruler, lemmatizer) and, when
a model is missing, downloads one. Detection needs only named entities: the small English model's NER has its
own embedding layer, so running it alone gives the same entities in less than half the time (the parser's
sentence boundaries changed two ORGANIZATION spans in 1,000 evaluation sentences, a type we do not report by
default). Nothing here ever downloads: a model that is not installed is a configuration error.

There is no German NER model with its weights in a package, so German text runs through the same English
model; the recognizer families decide which of its German guesses to keep (see ``recognizers``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import spacy
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from spacy.lang.de.stop_words import STOP_WORDS as GERMAN_STOP_WORDS
from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH_STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

NER_ENTITIES: tuple[str, ...] = ("PERSON", "LOCATION", "DATE_TIME", "NRP", "ORGANIZATION")
"""The Presidio types the NER model contributes (the policy decides which of them are reported)."""

# Presidio's conf/default.yaml ner_model_configuration, spelled out so a Presidio upgrade cannot change what
# we report. ORGANIZATION is mapped, not ignored: it is off by default in the policy and can be switched on.
NER_CONFIGURATION = NerModelConfiguration(
    model_to_presidio_entity_mapping={
        "PER": "PERSON",
        "PERSON": "PERSON",
        "NORP": "NRP",
        "FAC": "LOCATION",
        "LOC": "LOCATION",
        "GPE": "LOCATION",
        "LOCATION": "LOCATION",
        "ORG": "ORGANIZATION",
        "ORGANIZATION": "ORGANIZATION",
        "DATE": "DATE_TIME",
        "TIME": "DATE_TIME",
    },
    low_confidence_score_multiplier=0.4,
    low_score_entity_names=[],
    labels_to_ignore=[
        "CARDINAL", "EVENT", "LANGUAGE", "LAW", "MONEY", "ORDINAL", "PERCENT", "PRODUCT", "QUANTITY",
        "WORK_OF_ART",
    ],
)

STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(ENGLISH_STOP_WORDS),
    "de": frozenset(GERMAN_STOP_WORDS),
}


class ModelError(RuntimeError):
    """The configured spaCy model cannot be loaded (not installed, not a model directory, no NER)."""


def load_ner_pipeline(model: str) -> Language:
    """Load ``model`` (an installed package or a model directory); only NER and what it listens to run."""
    if not (spacy.util.is_package(model) or Path(model).is_dir()):
        raise ModelError(f"spaCy model {model!r} is neither an installed package nor a model directory")
    try:
        nlp = spacy.load(model)
    except (OSError, ValueError) as exc:
        raise ModelError(f"spaCy model {model!r} cannot be loaded: {exc}") from None
    if "ner" not in nlp.pipe_names:
        raise ModelError(f"spaCy model {model!r} has no 'ner' component")
    needed = {"ner", *_upstream_components(nlp.get_pipe("ner"))}
    nlp.select_pipes(enable=[name for name in nlp.pipe_names if name in needed])
    return nlp


def _upstream_components(component: object) -> Iterable[str]:
    """Components whose output ``component`` reads (a shared tok2vec or transformer), found via listeners."""
    model = getattr(component, "model", None)
    if model is None:
        return ()
    return {node.upstream_name for node in model.walk() if getattr(node, "upstream_name", None)}


class NerOnlyNlpEngine(SpacyNlpEngine):
    """A Presidio NLP engine over one NER-only spaCy pipeline shared by all languages.

    Lemmas are the lowercased tokens (no lemmatizer runs); Presidio's context enhancement compares them with
    lowercase context words, which is what it needs. Stop words are the text language's own, so German
    articles do not fill the context window of a German match.
    """

    def __init__(self, model: str, languages: Iterable[str]) -> None:
        self.languages = tuple(languages)
        super().__init__(
            models=[{"lang_code": language, "model_name": model} for language in self.languages],
            ner_model_configuration=NER_CONFIGURATION,
        )
        self.model = model

    def load(self) -> None:
        pipeline = load_ner_pipeline(self.model)
        self.nlp = dict.fromkeys(self.languages, pipeline)

    def _doc_to_nlp_artifact(self, doc: Doc, language: str) -> NlpArtifacts:
        entities = self._get_entities(doc)
        entities, scores = self._get_updated_entities(entities, self._get_scores_for_entities(doc))
        return NlpArtifacts(
            entities=entities,
            tokens=doc,
            tokens_indices=[token.idx for token in doc],
            lemmas=[token.lower_ for token in doc],
            nlp_engine=self,
            language=language,
            scores=scores,
        )

    def is_stopword(self, word: str, language: str) -> bool:
        return word in STOP_WORDS[language]

    def is_punct(self, word: str, language: str) -> bool:
        return not any(char.isalnum() for char in word)
