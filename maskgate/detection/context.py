"""Context-word score boosting, as Presidio does it, at a fraction of the cost.

Presidio's ``LemmaContextAwareEnhancer`` deep-copies every result (with its explanation object) on every call
and finds each match's token by a linear scan, checking context candidates against a list: for a 2 KB prompt
that is several milliseconds, more than all our regex recognizers together. This subclass keeps its rule
exactly (the match's own token plus the ``context_prefix_count`` preceding and ``context_suffix_count``
following non-stop-word tokens are compared with the recognizer's context words; a hit adds
``context_similarity_factor``, with ``min_score_with_context_similarity`` as the floor) and changes only the
bookkeeping: results are updated in place (the analyzer built them for this call alone), the token is found
by bisection, candidates are checked against a set.
"""

from __future__ import annotations

import bisect

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts


class FastContextEnhancer(LemmaContextAwareEnhancer):
    def enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        if nlp_artifacts is None or not nlp_artifacts.tokens:
            return raw_results
        by_id = {recognizer.id: recognizer for recognizer in recognizers if recognizer.context}
        if not by_id:
            return raw_results
        keywords = set(nlp_artifacts.keywords)
        extra = [word.lower() for word in context or ()]
        for result in raw_results:
            metadata = result.recognition_metadata or {}
            recognizer = by_id.get(metadata.get(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY))
            if recognizer is None or metadata.get(RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY):
                continue
            surrounding = self._surrounding_keywords(nlp_artifacts, keywords, result.start)
            word = self._find_supportive_word_in_context(
                surrounding + extra, recognizer.context, self.context_matching_mode
            )
            if word:
                boosted = result.score + self.context_similarity_factor
                result.score = min(max(boosted, self.min_score_with_context_similarity), self.MAX_SCORE)
                if result.analysis_explanation is not None:
                    result.analysis_explanation.set_supportive_context_word(word)
                    result.analysis_explanation.set_improved_score(result.score)
        return raw_results

    def _surrounding_keywords(self, artifacts: NlpArtifacts, keywords: set[str], start: int) -> list[str]:
        """The lemmas Presidio would collect around the token containing ``start``."""
        indices = artifacts.tokens_indices
        lemmas = artifacts.lemmas
        index = max(0, bisect.bisect_right(indices, start) - 1)
        if start >= indices[index] + len(artifacts.tokens[index]) and index + 1 < len(indices):
            index += 1  # ``start`` lies in the whitespace after a token: Presidio takes the next one
        words: list[str] = []
        for step, budget in ((-1, self.context_prefix_count + 1), (1, self.context_suffix_count + 1)):
            i = index
            while 0 <= i < len(lemmas) and budget > 0:
                lemma = lemmas[i].lower()
                if lemma in keywords:
                    words.append(lemma)
                    budget -= 1
                i += step
        return words
