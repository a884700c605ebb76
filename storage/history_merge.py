"""Joining the historic lists' parts into cases: a WTO row's part joins the anti-dumping case of its
origin whose order date is its 'In force' date, else whose petition came 0-60 days before its
initiation, else the only case of that origin with the same product, else the undated ACCESS case
whose product shares at least half its words; parts alike are merged."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from rules.cases import product_key
from rules.text import folded_key
from storage.history_cases import HistoricCase, Issue, ListFile

PETITION_TO_INITIATION = timedelta(days=60)
SIMILAR_PRODUCT = 0.5
_STOP_WORDS = frozenset({"certain", "and", "or", "of", "the", "for", "from", "with", "in", "other",
                         "product", "thereof", "part", "whether", "not"})


def drop_shared_itc_numbers(cases: Iterable[HistoricCase], files: list[ListFile]) -> None:
    """An ITC number the list gives to two DOC numbers identifies neither."""
    owners: dict[str, list[HistoricCase]] = defaultdict(list)
    for case in cases:
        for number in case.itc_numbers:
            owners[number].append(case)
    itc_files = {f.name: f for f in files if f.kind == "itc_orders"}
    for number, holders in owners.items():
        if len(holders) < 2:
            continue
        for case in holders:
            case.itc_numbers.remove(number)
            for ref in case.rows:
                file, line = ref.rsplit(":", 1)
                if file in itc_files:
                    itc_files[file].corrected.append(Issue(file, int(line), (
                        f"ITC number {number} left out: the list gives it to "
                        f"{', '.join(sorted(str(h.number) for h in holders))}")))


def product_words(product: str) -> set[str]:
    """A listed product name's words that tell products apart (folded, fillers left out)."""
    return set(folded_key(product).split()) - _STOP_WORDS


def attach_wto(parts: list[HistoricCase], cases: list[HistoricCase]) -> list[HistoricCase]:
    """Join each WTO part to its AD case (strongest test first over all parts, one part per
    case); return the parts that joined none, as cases of their own."""
    pool: dict[str, list[HistoricCase]] = defaultdict(list)
    for case in cases:
        if case.measure == "AD":
            pool[case.origin].append(case)
    taken: set[int] = set()
    left = list(parts)
    for test in (_same_order_day, _petition_before, _same_product):
        still = []
        for part in left:
            free = [c for c in pool[part.origin] if id(c) not in taken]
            match = test(part, free)
            if match is None:
                still.append(part)
                continue
            taken.add(id(match))
            match.fill(part)
        left = still
    left = _join_similar(left, [c for c in cases if c.measure == "AD" and id(c) not in taken
                                and c.last_event_on is None])
    return _merge_alike(left)


def _merge_alike(parts: list[HistoricCase]) -> list[HistoricCase]:
    """Parts on one origin and product opened the same day are one case (stored as one)."""
    alike: dict[tuple[Any, ...], HistoricCase] = {}
    for part in parts:
        key = (part.origin, case_product(part), part.opened_on)
        if key in alike:
            alike[key].fill(part)
        else:
            alike[key] = part
    return list(alike.values())


def _similarity(a: HistoricCase, b: HistoricCase) -> float:
    """Shared product words over all their words (Jaccard): 'Citric Acid and Certain Citrate
    Salts' and 'Citric Acid And Citrate Salt' are 1.0."""
    words_a, words_b = product_words(a.product), product_words(b.product)
    return len(words_a & words_b) / len(words_a | words_b) if words_a | words_b else 0.0


def _join_similar(parts: list[HistoricCase], undated: list[HistoricCase]) -> list[HistoricCase]:
    """Last test: a part joins an undated case of its origin (an ACCESS number with no date in
    any list) with at least half its product words shared, most similar pairs first; a part with
    two equally similar cases joins neither."""
    pairs = []
    for i, part in enumerate(parts):
        scored = sorted(((_similarity(part, c), c.number or "", c) for c in undated
                         if c.origin == part.origin), key=lambda item: item[:2], reverse=True)
        scored = [item for item in scored if item[0] >= SIMILAR_PRODUCT]
        if scored and (len(scored) == 1 or scored[0][0] > scored[1][0]):
            pairs.append((scored[0][0], i, scored[0][2]))
    joined: set[int] = set()
    used: set[int] = set()
    for _score, i, case in sorted(pairs, key=lambda pair: (-pair[0], pair[1])):
        if id(case) not in used:
            case.fill(parts[i])
            joined.add(i)
            used.add(id(case))
    return [part for i, part in enumerate(parts) if i not in joined]


def _best_overlap(part: HistoricCase, candidates: list[HistoricCase]) -> HistoricCase | None:
    words = product_words(part.product)
    scored = [(len(words & product_words(c.product)), c) for c in candidates]
    scored = [item for item in scored if item[0] > 0]
    if not scored:
        return None
    best = max(score for score, _ in scored)
    top = [c for score, c in scored if score == best]
    return top[0] if len(top) == 1 else None


def _same_order_day(part: HistoricCase, free: list[HistoricCase]) -> HistoricCase | None:
    if part.ordered_on is None:
        return None
    return _best_overlap(part, [c for c in free if c.ordered_on == part.ordered_on])


def _petition_before(part: HistoricCase, free: list[HistoricCase]) -> HistoricCase | None:
    start = part.initiated_on
    if start is None:
        return None
    near = [c for c in free if c.petition_on and
            start - PETITION_TO_INITIATION <= c.petition_on <= start]
    return _best_overlap(part, near)


def case_product(case: HistoricCase) -> str:
    """The product key crawled notices are linked by, from the 'product From country' form."""
    return product_key(f"{case.product} From {case.origin}")


def _same_product(part: HistoricCase, free: list[HistoricCase]) -> HistoricCase | None:
    same = [c for c in free if case_product(c) == case_product(part)]
    return same[0] if len(same) == 1 else None
