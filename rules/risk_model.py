"""The risk model: a logistic regression (scikit-learn) on the counts of rules/risk_features.py,
small enough to read: one weight per count, and each score explained by the counts that raised
it, with the cases behind them.

Trained on (heading, date) examples whose outcome was known when it is used: whether a case on
Vietnam opened on that heading within the horizon after that date. When the examples hold no
such case yet (too early in the history), the model falls back to equal weights (a plain sum of
the counts) and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import exp

from rules.risk_features import FEATURES, HeadingFeatures
from rules.risk_records import CaseRecord

# Regularisation, chosen on the tuning quarters only: `bench/risk.py --tune` tried 0.1, 1 and 10
# (precision at 20 on the 43 tuning quarters: 0.051, 0.042, 0.041).
C = 0.1
REASON_CASES = 3


@dataclass(frozen=True)
class Reason:
    """One count that raised a score: its name, how much it added (log-odds), its cases."""

    feature: str
    count: float
    weight: float
    cases: tuple[CaseRecord, ...]


@dataclass(frozen=True)
class Scored:
    """One (market, heading) on the ranked list."""

    market: str
    heading: str
    score: float
    rank: int
    counts: dict[str, float]
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class RiskModel:
    """Weights per feature; `fallback` when no case on Vietnam was there to learn from."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    intercept: float
    examples: int
    positives: int
    fallback: bool = False

    @classmethod
    def fit(cls, examples: Sequence[tuple[HeadingFeatures, bool]],
            names: Sequence[str] = FEATURES, c: float = C) -> RiskModel:
        x = [features.vector(names) for features, _ in examples]
        y = [int(label) for _, label in examples]
        positives = sum(y)
        if positives == 0 or positives == len(y):
            return cls(tuple(names), tuple(1.0 for _ in names), 0.0, len(y), positives, True)
        # Imported here: scikit-learn (and SciPy) load only where a model is trained, not in
        # every process that reads a stored list (the web app, the sender, the digests).
        from sklearn.linear_model import LogisticRegression

        fitted = LogisticRegression(C=c, max_iter=2000).fit(x, y)
        return cls(tuple(names), tuple(float(w) for w in fitted.coef_[0]),
                   float(fitted.intercept_[0]), len(y), positives)

    def log_odds(self, features: HeadingFeatures) -> float:
        return self.intercept + sum(w * v for w, v in zip(self.weights, features.vector(self.names),
                                                          strict=True))

    def score(self, features: HeadingFeatures) -> float:
        """The probability the model gives (with the fallback: the plain sum, not a probability)."""
        z = self.log_odds(features)
        return z if self.fallback else 1.0 / (1.0 + exp(-z))

    def reasons(self, features: HeadingFeatures) -> tuple[Reason, ...]:
        """The counts that raised the score, largest first, each with its newest cases."""
        found = []
        for name, weight, value in zip(self.names, self.weights, features.vector(self.names),
                                       strict=True):
            if weight * value > 0:
                found.append(Reason(name, features.counts.get(name, 0.0), weight * value,
                                    features.evidence.get(name, ())[:REASON_CASES]))
        return tuple(sorted(found, key=lambda r: (-r.weight, r.feature)))

    def rank(self, candidates: Sequence[HeadingFeatures]) -> list[Scored]:
        """Every candidate scored and ranked within its market (ties: more cases, then code)."""
        def key(item: tuple[float, HeadingFeatures]) -> tuple[str, float, float, str]:
            score, features = item
            return (features.market, -score, -sum(features.counts.values()), features.heading)

        ranked: list[Scored] = []
        position: dict[str, int] = {}
        for score, features in sorted(((self.score(f), f) for f in candidates), key=key):
            position[features.market] = position.get(features.market, 0) + 1
            ranked.append(Scored(features.market, features.heading, score,
                                 position[features.market], dict(features.counts),
                                 self.reasons(features)))
        return ranked
