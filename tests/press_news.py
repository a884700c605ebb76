"""The analysis of one news item as a news publisher's notice (no market: the text names it),
for the tests of press wording."""

from typing import Any

from config import load_sectors
from rules.analyse import analyse

SECTORS = load_sectors()


def news(title: str, text: str, published: str = "2026-11-20") -> dict[str, Any]:
    return analyse({"id": "n", "market": None, "source": "news", "title": title, "text": text,
                    "published": published}, SECTORS).to_dict()
