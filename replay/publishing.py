"""New Federal Register notices derived from real recorded ones, for the demo and the benches.

A source publishing is what the service exists to notice; offline, the replay server
(ReplayServer.publish) plays that part with documents made from real recordings: the same text
and fields under a document number no recording uses, dated now.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from replay.manifest import DEFAULT_MANIFEST

RECORDINGS = DEFAULT_MANIFEST.parent
FR_ZONE = ZoneInfo("America/New_York")

# The public-inspection desk the service reads, and the real filing new ones are derived from:
# 2020-17631, "Antidumping or Countervailing Duty Investigations, Orders, or Reviews: Passenger
# Vehicle and Light Truck Tires from the Socialist Republic of Vietnam" (ITA), on the desk
# recorded about 2020-08-11 (replay/recordings/us_fr_public_inspection/PROVENANCE.md).
DESK_PATH = "/api/v1/public-inspection-documents/current.json"
DESK_FILE = RECORDINGS / "us_fr_public_inspection" / "fr_public_inspection_current_2020-08-11.json"
DESK_FILING = "2020-17631"
# The FR documents search page the service reads first, and the real document new ones are
# derived from: 2023-28945, "Certain Paper Shopping Bags From the Socialist Republic of Vietnam:
# Preliminary Affirmative Determination of Sales at Less Than Fair Value" (ITA, 2024-01-03), on
# the recorded page of 2024-01-02..17 (replay/recordings/PROVENANCE.md).
SEARCH_PATH = "/api/v1/documents.json"
SEARCH_QUERY: dict[str, str | None] = {"page": None}
SEARCH_FILE = RECORDINGS / "us" / "fr_api_documents_2024-01-02_to_2024-01-17_page1_all_fields.json"
SEARCH_DOCUMENT = "2023-28945"


def recorded_document(path: Path, number: str) -> dict[str, Any]:
    """One document of a recorded FR API page, by its document number."""
    results = json.loads(path.read_bytes())["results"]
    return next(doc for doc in results if doc.get("document_number") == number)


def fresh_number(n: int, now: datetime) -> str:
    """An FR-style document number (YYYY-NNNNN) no recording uses: 9xxxx of the current year."""
    return f"{now.year}-{90000 + n:05d}"


def renumbered(document: dict[str, Any], number: str) -> dict[str, Any]:
    """The document under a new number, in every field that names it (its URLs, file names)."""
    old = document["document_number"]
    return {key: value.replace(old, number) if isinstance(value, str) else value
            for key, value in document.items()}


def new_filing(recorded: dict[str, Any], n: int, now: datetime) -> dict[str, Any]:
    """A filing going on the desk now, for tomorrow's issue, derived from a recorded one."""
    filed = now.astimezone(FR_ZONE)
    return renumbered(recorded, fresh_number(n, now)) | {
        "filed_at": filed.isoformat(timespec="milliseconds"),
        "pdf_updated_at": filed.isoformat(timespec="milliseconds"),
        "publication_date": (filed.date() + timedelta(days=1)).isoformat(),
    }


def new_document(recorded: dict[str, Any], n: int, now: datetime) -> dict[str, Any]:
    """A document published today, derived from a recorded one."""
    return renumbered(recorded, fresh_number(n, now)) | {
        "publication_date": now.astimezone(FR_ZONE).date().isoformat(),
    }


