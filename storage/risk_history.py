"""The case history the risk watch learns from, as plain records (rules/risk_records.py): the
bundled US lists (read as `trews cases import` reads them), the Global Antidumping Database
workbook, and every case stored in the database, crawled ones included.

One case is one record: a workbook case joins the listed or stored case with its Commerce
number (else the numberless one of the same origin opened the same day) and gives it what it
lacks: its opening date, order, revocation and HS codes. A crawled case's HS codes are those its
notices' analyses found.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from functools import cache
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from rules.risk_records import CIRCUMVENTION, CaseRecord
from rules.text import folded_key
from storage.history import MARKET, bundled_lists
from storage.history_cases import HistoricCase
from storage.history_lists import read_lists
from storage.history_merge import product_words
from storage.history_ttbd import read_gad
from storage.models import Case, CaseEvent, Notice


def plausible_opening(opened: date | None, ordered: date | None) -> date | None:
    """An opening dated after the case's order is a later proceeding's (a list's mismatch, such
    as a review's initiation), not the investigation's: it is left out."""
    return None if opened and ordered and opened > ordered else opened


def listed_record(case: HistoricCase) -> CaseRecord:
    return CaseRecord(market=MARKET, origin=case.origin, measure=case.measure,
                      product=case.product, hs_codes=tuple(case.hs_codes),
                      opened_on=plausible_opening(case.opened_on, case.ordered_on),
                      ordered_on=case.ordered_on,
                      revoked_on=case.revoked_on, number=case.number,
                      ref=case.number or (case.rows[0] if case.rows else ""))


def join_gad(records: Sequence[CaseRecord], gad: Iterable[CaseRecord]) -> list[CaseRecord]:
    """`records` completed by the workbook's cases, and the workbook's cases they lack."""
    joined = list(records)
    by_number = {r.number: i for i, r in enumerate(joined) if r.number}
    by_day: dict[tuple[str, str | None, date | None], int] = {
        (r.market, r.origin, r.opened_on): i for i, r in enumerate(joined)
        if not r.number and r.opened_on}
    for case in gad:
        at = by_number.get(case.number) if case.number else None
        if at is not None and not _same_case(joined[at], case):
            at = None
        if at is None:
            at = by_day.get((case.market, case.origin, case.opened_on))
        if at is None:
            joined.append(case)
            continue
        known = joined[at]
        joined[at] = replace(
            known, opened_on=known.opened_on or case.opened_on,
            ordered_on=known.ordered_on or case.ordered_on,
            revoked_on=known.revoked_on or case.revoked_on,
            number=known.number or case.number,
            hs_codes=known.hs_codes + tuple(c for c in case.hs_codes if c not in known.hs_codes),
            product=known.product or case.product)
    return joined


def _same_case(listed: CaseRecord, workbook: CaseRecord) -> bool:
    """A workbook case with a listed case's number is that case only on the same origin and
    product: the workbook has typing slips (its Ukrainian OCTG case carries Belgium's citric
    acid number), which would put one product's codes under the other."""
    return listed.origin == workbook.origin and (
        not listed.product or not workbook.product
        or bool(product_words(listed.product) & product_words(workbook.product)))


def share_codes(records: Sequence[CaseRecord]) -> list[CaseRecord]:
    """A case without HS codes takes those of the cases of its market named the same product
    (the CVD twin of an AD case, the same product from another origin): the lists name the
    product, only some give its codes. Only from cases known by the same day, so no case is
    placed under a heading by what a later case said."""
    codes: dict[tuple[str, str], list[str]] = {}
    shared: dict[int, tuple[str, ...]] = {}
    order = sorted(range(len(records)), key=lambda i: records[i].known_on or date.max)
    for day, group in groupby(order, key=lambda i: records[i].known_on or date.max):
        members = list(group)
        for i in members:
            known = codes.setdefault((records[i].market, folded_key(records[i].product)), [])
            known += [c for c in records[i].hs_codes if c not in known]
        for i in members:
            if not records[i].hs_codes and records[i].product and day != date.max:
                shared[i] = tuple(codes[(records[i].market, folded_key(records[i].product))])
    return [replace(r, hs_codes=shared[i]) if shared.get(i) else r
            for i, r in enumerate(records)]


@cache
def _workbook() -> tuple[CaseRecord, ...]:
    """The bundled workbook's cases, read once per process (the file does not change under it)."""
    return tuple(read_gad().records)


@cache
def _bundled() -> tuple[CaseRecord, ...]:
    listed = [listed_record(case) for case in read_lists(bundled_lists()).cases]
    return tuple(share_codes(join_gad(listed, _workbook())))


def bundled_records() -> list[CaseRecord]:
    """The bundled history alone, with no database: what bench/risk.py backtests."""
    return list(_bundled())


def _notice_codes(session: Session) -> dict[int, list[str]]:
    """The HS codes the analyses of each case's notices found."""
    codes: dict[int, list[str]] = {}
    rows = session.execute(select(CaseEvent.case_id, Notice.analysis)
                           .join(Notice, Notice.id == CaseEvent.notice_id))
    for case_id, analysis in rows:
        for code in (analysis or {}).get("hs_codes") or []:
            digits = str(code).replace(".", "").replace(" ", "")
            if digits not in codes.setdefault(case_id, []):
                codes[case_id].append(digits)
    return codes


def stored_record(case: Case, notice_codes: Sequence[str]) -> CaseRecord:
    circumvention = CIRCUMVENTION in (case.proceeding, case.opened_by)
    codes = [str(c).replace(".", "") for c in case.hs_codes or []]
    codes += [c for c in notice_codes if c not in codes]
    number = next((n.number for n in case.numbers if n.number.startswith(("A-", "C-"))), None)
    return CaseRecord(
        market=case.market, origin=case.origin,
        measure=CIRCUMVENTION if circumvention else (case.measure or "AD"),
        product=case.product, hs_codes=tuple(codes),
        opened_on=plausible_opening(case.opened_on, case.ordered_on),
        ordered_on=case.ordered_on, revoked_on=case.revoked_on, number=number,
        ref=number or f"TREWS case {case.id}",
        targets=("VN",) if case.vietnam == "circumvention" else ())


def stored_records(session: Session) -> list[CaseRecord]:
    """Every stored case (imported lists and crawled), completed by the workbook."""
    codes = _notice_codes(session)
    cases = session.scalars(select(Case).order_by(Case.id))
    return share_codes(join_gad([stored_record(case, codes.get(case.id, [])) for case in cases],
                                _workbook()))
