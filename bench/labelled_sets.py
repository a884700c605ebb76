"""The labelled sets of bench/evaluate.py: their documents, rebuilt from the real files in the
shape the service gives `trews analyse`, and their labels.

The inputs are rebuilt each time (never stored as a copy): the FR posts and the FR API page in
the repository, and the fr_all sample from the unselected corpus in ../shared (bench/frall.py),
read once per process however many of its sets are measured.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LABELS = REPO / "tests" / "fixtures" / "labels"
POSTS = REPO / "tests" / "fixtures" / "us_fr_posts" / "deepseek_news_posts"
FR_PAGE = (REPO / "replay" / "recordings" / "us"
           / "fr_api_documents_2024-01-02_to_2024-01-17_page1_all_fields.json")
SOURCE = "us_fr_documents"
NO_SUMMARY = "No summary provided."

for _path in (REPO, REPO / "bench"):  # run as a script (bench/ is sys.path[0]) or imported
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))


# --- inputs: rebuilt from the real files exactly as the service would see them ------------------

def _clean(value: Any) -> str:
    """The crawl pipeline's own normalisation, so titles and texts match what the service stores."""
    from crawlers.pipelines import clean_text

    return clean_text(value)


def _front_matter(markdown: str) -> dict[str, Any]:
    """The YAML block between the first two `---` lines of a Jekyll post."""
    import yaml

    match = re.match(r"---\n(.*?)\n---\n", markdown, re.S)
    return (yaml.safe_load(match.group(1)) or {}) if match else {}


def _section(markdown: str, heading: str) -> str:
    """The text under a `## heading` up to the next `## ` heading."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", markdown, re.S | re.M)
    return match.group(1).strip() if match else ""


def post_input(markdown: str) -> dict[str, Any]:
    """One mirrored FR post as an analyse input. The post's Summary is the FR abstract, and the
    mirror wrote "No summary provided." where the FR had none, so that becomes an empty text;
    posts carry no FR API fields, hence an empty raw."""
    meta = _front_matter(markdown)
    number = str(meta.get("item_id", "")).split(":", 1)[-1]
    summary = _section(markdown, "Summary")
    url = re.search(r"Primary source: \[[^\]]*\]\((\S+?)\)", markdown)
    return {
        "id": number, "market": "US", "source": SOURCE,
        "title": _clean(meta.get("title")),
        "text": "" if summary == NO_SUMMARY else _clean(summary),
        "published": str(meta.get("original_published", ""))[:10] or None,
        "url": url.group(1) if url else f"https://www.federalregister.gov/d/{number}",
        "raw": {},
    }


def inputs_from_posts(folder: Path = POSTS) -> list[dict[str, Any]]:
    """Every post of the folder, in file-name order (the order of the labels file)."""
    return [post_input(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.md"))]


def page_document_input(document: dict[str, Any]) -> dict[str, Any]:
    """One FR API document as the spider and pipelines turn it into a notice and the service
    into an analyse input (`raw` holds the same API fields the spider keeps)."""
    from crawlers.spiders.us_fr_documents import FIELDS

    return {
        "id": _clean(document.get("document_number")), "market": "US", "source": SOURCE,
        "title": _clean(document.get("title")), "text": _clean(document.get("abstract")),
        "published": str(document.get("publication_date") or "")[:10] or None,
        "url": _clean(document.get("html_url")),
        "raw": {key: document.get(key) for key in FIELDS if key in document},
    }


def inputs_from_fr_page(path: Path = FR_PAGE) -> list[dict[str, Any]]:
    """Every document of a saved FR API page, in the page's order."""
    page = json.loads(path.read_text(encoding="utf-8"))
    return [page_document_input(document) for document in page.get("results") or []]


@cache
def _fr_all_documents() -> dict[str, dict[str, Any]]:
    """Archive path -> analyse input of every labelled fr_all document: the archive is read once."""
    import frall

    paths = {lab["source_file"] for lab in load_labels(LABELS / "fr_all.jsonl")}
    return {post.path: post.input() for post in frall.posts(paths)}


def fr_all_inputs(split: str) -> Callable[[], list[dict[str, Any]]]:
    """The corpus documents of one split of the fr_all sample, in the labels' order."""
    def build() -> list[dict[str, Any]]:
        found = _fr_all_documents()
        return [found[lab["source_file"]] for lab in load_labels(LABELS / "fr_all.jsonl")
                if lab["split"] == split and lab["source_file"] in found]
    return build


def fr_all_available() -> str | None:
    """Why the fr_all sets cannot be measured here, or None when they can."""
    import frall

    if frall.ARCHIVE.exists():
        return None
    return f"the unselected FR corpus {frall.ARCHIVE} is absent (it is not part of a clone)"


@dataclass(frozen=True)
class LabelledSet:
    name: str
    labels: Path
    build_inputs: Callable[[], list[dict[str, Any]]]
    split: str | None = None  # fr_all: the labels of this split only
    unavailable: Callable[[], str | None] = lambda: None


SETS = {
    "fr_posts": LabelledSet("fr_posts", LABELS / "fr_posts.jsonl", inputs_from_posts),
    "fr_page_2024_01": LabelledSet(
        "fr_page_2024_01", LABELS / "fr_page_2024_01.jsonl", inputs_from_fr_page),
    "fr_all_tuning": LabelledSet("fr_all_tuning", LABELS / "fr_all.jsonl",
                                 fr_all_inputs("tuning"), "tuning", fr_all_available),
    "fr_all_holdout": LabelledSet("fr_all_holdout", LABELS / "fr_all.jsonl",
                                  fr_all_inputs("holdout"), "holdout", fr_all_available),
    "fr_all_holdout_b": LabelledSet("fr_all_holdout_b", LABELS / "fr_all.jsonl",
                                    fr_all_inputs("holdout_b"), "holdout_b", fr_all_available),
}
GROUPS = {"all": ["fr_posts", "fr_page_2024_01"],
          "development": ["fr_all_tuning", "fr_all_holdout", "fr_all_holdout_b"]}
# Sets only measured: their disagreements are never listed.
HOLDOUTS = frozenset({"fr_all_holdout", "fr_all_holdout_b"})


def load_labels(path: Path) -> list[dict[str, Any]]:
    """One label per non-empty line; a broken line stops the run with its number."""
    labels = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                labels.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{number}: {exc}") from exc
    return labels


def set_labels(labelled: LabelledSet) -> list[dict[str, Any]]:
    """The labels of a set (of its split, for the fr_all sample)."""
    labels = load_labels(labelled.labels)
    return [lab for lab in labels if labelled.split is None or lab["split"] == labelled.split]
