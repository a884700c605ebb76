"""The unselected Federal Register corpus (../shared/corpus/us_fr_all): read it, and draw the
labelled development sample from it.

Usage: python bench/frall.py sample [--draw first|second] [--out FILE]
       (prints the sample's ids, strata and splits)

The corpus holds 107,707 real FR documents of every agency, 2020–2026, chosen by no keyword. The
sample is drawn at random with a fixed seed, stratified so that the few thousand Commerce and
USITC notices among a hundred thousand others are well represented, with a purely random stratum
kept beside them so that the traps of the other agencies come in as they are:

- `remedy`: the title or abstract has a word of the trade-remedy family or an ITC title shape
  ("<product> From <country>"): a wide net, far wider than what the rules accept;
- `trade`: else, a word of trade in general (imports, exports, tariff, duty, customs, quota);
- `random`: all the other documents.

Each stratum's documents are shuffled with the seed; the first part of each is the tuning set and
the rest the hold-out, which is only measured, never read while changing rules. A second draw,
with its own seed, takes documents none of the labelled sets holds and keeps them all as a second
hold-out (`holdout_b`), labelled after the first hold-out had been measured many times. The
corpus is development data and stays out of the repository: where ../shared is absent, the
scripts that use it say so and stop.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tarfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "us_fr_all"
ARCHIVE = CORPUS / "deepseek_news_fr_posts_1beafff.tar.gz"


@dataclass(frozen=True)
class Draw:
    """One seeded draw: documents per stratum, and the share of them kept as hold-out."""

    seed: int
    counts: dict[str, int]
    holdout_share: float
    holdout_split: str = "holdout"


DRAWS = {
    "first": Draw(20261206, {"remedy": 1000, "trade": 650, "random": 600}, 0.35),
    "second": Draw(20261207, {"remedy": 300, "trade": 150, "random": 200}, 1.0, "holdout_b"),
}

for _path in (REPO, REPO / "bench"):  # run as a script or imported by bench/labelled_sets.py
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

_REMEDY_NET = re.compile(
    r"dumping|countervail|subsid|safeguard|circumvent|fair value|section 201|five-year review"
    r"|sunset review|international trade commission|\bimport relief\b", re.IGNORECASE)
_TRADE_NET = re.compile(r"\bimport|\bexport|tariff|\bdut(?:y|ies)\b|customs|quota|\btrade\b",
                        re.IGNORECASE)


_NUMBER_RE = re.compile(r"^item_id: federal_register:(\S+)", re.MULTILINE)
_ORIGIN_SHAPE = re.compile(  # an ITC/Commerce title's origin list: 'From Taiwan', 'From the PRC'
    r"\bFrom (?:the )?(?:People's Republic|Republic|Socialist Republic|Kingdom|Sultanate"
    r"|[A-Z][a-z]+(?:,|;|:| and | or |$))", re.MULTILINE)


@dataclass(frozen=True)
class Post:
    """One corpus post as stored: its FR document number, archive path and Markdown."""

    id: str
    path: str
    markdown: str

    @property
    def stratum(self) -> str:
        words = self.markdown.split("## Sources", 1)[0].split("\n---\n", 1)[-1]
        if _REMEDY_NET.search(words) or _ORIGIN_SHAPE.search(words):
            return "remedy"
        return "trade" if _TRADE_NET.search(words) else "random"

    def input(self) -> dict[str, Any]:
        """The post as an analyse input, exactly as bench/evaluate.py builds one."""
        from labelled_sets import post_input

        return post_input(self.markdown)


def require_corpus() -> None:
    """Stop with the reason when the shared corpus is not beside the repository."""
    if not ARCHIVE.exists():
        raise SystemExit(f"skipped: the development corpus {ARCHIVE} is not here (it lives in "
                         "../shared beside the repository, not in a clone)")


def posts(wanted: set[str] | None = None) -> Iterator[Post]:
    """Every distinct document of the corpus (the first post of a document number wins), or only
    those whose archive path is `wanted`."""
    require_corpus()
    seen: set[str] = set()
    with tarfile.open(ARCHIVE, "r:gz") as archive:
        for member in archive:
            if not member.isfile() or not member.name.endswith(".md"):
                continue
            if wanted is not None and member.name not in wanted:
                continue
            handle = archive.extractfile(member)
            if handle is None:
                continue
            markdown = handle.read().decode("utf-8")
            number = _NUMBER_RE.search(markdown)
            if number and number.group(1) not in seen:
                seen.add(number.group(1))
                yield Post(number.group(1), member.name, markdown)


def _already_labelled(with_sample: bool) -> set[str]:
    """Documents of the older labelled sets, which the rules were written against, and for a
    later draw those of the sample drawn before it (its labels file holds both)."""
    ids: set[str] = set()
    for path in (REPO / "tests" / "fixtures" / "labels").glob("fr_*.jsonl"):
        if path.name.startswith("fr_all") and not with_sample:
            continue
        ids.update(json.loads(line)["id"] for line in path.read_text("utf-8").splitlines()
                   if line.strip())
    return ids


def draw(docs: Sequence[Post], which: str = "first") -> list[dict[str, Any]]:
    """A seeded stratified sample: one row per document with its stratum and split."""
    plan = DRAWS[which]
    excluded = _already_labelled(with_sample=which != "first")
    strata: dict[str, list[Post]] = {name: [] for name in plan.counts}
    for doc in sorted(docs, key=lambda d: d.id):
        if doc.id not in excluded:
            strata[doc.stratum].append(doc)
    rows = []
    rng = random.Random(plan.seed)
    for name, count in plan.counts.items():
        chosen = rng.sample(strata[name], min(count, len(strata[name])))
        cut = round(len(chosen) * (1 - plan.holdout_share))
        for position, doc in enumerate(chosen):
            split = "tuning" if position < cut else plan.holdout_split
            rows.append({"id": doc.id, "stratum": name, "population": len(strata[name]),
                         "split": split, "path": doc.path})
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["sample"])
    parser.add_argument("--draw", choices=sorted(DRAWS), default="first",
                        help="which seeded draw (the second excludes the first's documents)")
    parser.add_argument("--out", type=Path, help="write the sample's rows (JSON lines) here")
    parser.add_argument("--with-text", action="store_true",
                        help="include each document's title and text (for reading)")
    args = parser.parse_args(argv)
    docs = list(posts())
    rows = draw(docs, args.draw)
    if args.with_text:
        by_id = {doc.id: doc for doc in docs}
        for row in rows:
            item = by_id[row["id"]].input()
            row.update(title=item["title"], text=item["text"], published=item["published"])
    lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if args.out:
        args.out.write_text(lines, encoding="utf-8")
    else:
        sys.stdout.write(lines)
    print(json.dumps({"documents": len(docs), "sampled": len(rows)}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
