"""Text sentiment from the VADER lexicon (package vaderSentiment)."""

from __future__ import annotations

import threading

from clarifai_grpc.grpc.api import resources_pb2
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from ingest.localapi.models.base import LocalModel, PredictionError

# VADER's score keys, in the order of the concepts this model returns.
SCORE_KEYS = {"positive": "pos", "negative": "neg", "neutral": "neu"}


class SentimentModel(LocalModel):
    """Returns concepts positive, negative and neutral whose values sum to 1."""

    model_id = "sentiment-analysis"
    name = "Sentiment (VADER)"
    description = "Positive, negative and neutral scores from the VADER sentiment lexicon"
    model_type_id = "text-classifier"
    input_field = "text"
    concepts = tuple(SCORE_KEYS)

    def __init__(self) -> None:
        self._analyzer: SentimentIntensityAnalyzer | None = None
        self._lock = threading.Lock()

    def _get_analyzer(self) -> SentimentIntensityAnalyzer:
        with self._lock:
            if self._analyzer is None:
                self._analyzer = SentimentIntensityAnalyzer()
            return self._analyzer

    def predict(self, content: bytes | str) -> resources_pb2.Data:
        if not isinstance(content, str):
            raise PredictionError("the sentiment model needs a text input")
        scores = self._get_analyzer().polarity_scores(content)
        data = resources_pb2.Data()
        ranked = sorted(SCORE_KEYS.items(), key=lambda item: scores[item[1]], reverse=True)
        for concept_id, key in ranked:
            data.concepts.add(id=concept_id, name=concept_id, value=float(scores[key]))
        return data
