"""Rule engine: decides whether a notice is a trade remedy, what it covers and how much it matters.

Deterministic and explainable: every decision appends a human-readable reason. Imports only `config`
and the standard library.
"""

from rules.analyse import analyse
from rules.cases import split_cases
from rules.jsonlines import analyse_lines
from rules.matching import Match, Subscription, match
from rules.notice import Analysis, CaseEntry, Deadline, Notice, NoticeError
from rules.sectors import SectorIndex

__all__ = [
    "Analysis",
    "CaseEntry",
    "Deadline",
    "Match",
    "Notice",
    "NoticeError",
    "SectorIndex",
    "Subscription",
    "analyse",
    "analyse_lines",
    "match",
    "split_cases",
]
