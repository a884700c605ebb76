"""The case list as files: CSV for Excel (UTF-8 with a byte-order mark, so Vietnamese shows
right when the file is double-clicked) and JSON for scripts."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from fastapi.responses import JSONResponse, Response

from alerts.content import N_
from storage.models import Case
from web.case_facts import CaseFacts
from web.labels import PageLabels
from web.schemas import case_summary

BOM = "\ufeff"
CSV_COLUMNS = (
    "id", "numbers", "market", "market_name", "origin", "origin_name", "measure", "measure_name",
    "product", "sectors", "sector_names", "proceeding", "stage", "stage_name", "status",
    "opened_by", "opened_on", "last_event_on", "next_step", "next_step_name", "next_due",
    "next_deadline", "next_deadline_name", "rates", "ordered_on", "revoked_on", "hs_codes", "url",
)
# The header row, in the reader's language (the JSON export keeps the codes as keys).
CSV_HEADERS = {
    "id": N_("Case id"), "numbers": N_("Case numbers"), "market": N_("Market code"),
    "market_name": N_("Market"), "origin": N_("Origin code"), "origin_name": N_("Origin"),
    "measure": N_("Measure code"), "measure_name": N_("Measure"), "product": N_("Product"),
    "sectors": N_("Sector ids"), "sector_names": N_("Sectors"),
    "proceeding": N_("Proceeding code"), "stage": N_("Stage code"), "stage_name": N_("Stage"),
    "status": N_("Status"), "opened_by": N_("Opened by"), "opened_on": N_("Opened on"),
    "last_event_on": N_("Last step on"), "next_step": N_("Next step code"),
    "next_step_name": N_("Next expected step"), "next_due": N_("Next step expected by"),
    "next_deadline": N_("Next stated deadline"), "next_deadline_name": N_("Deadline"),
    "rates": N_("Rates stated"), "ordered_on": N_("Measure imposed on"),
    "revoked_on": N_("Revoked on"), "hs_codes": N_("HS codes"), "url": N_("Link"),
}
# A cell starting with one of these is a formula to a spreadsheet: product names come from
# scraped titles, so such a cell is prefixed with an apostrophe (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def case_row(case: Case, sectors: Sequence[str], labels: PageLabels, public_url: str,
             facts: CaseFacts | None = None) -> list[str]:
    facts = facts or CaseFacts()
    deadline = facts.next_deadline
    values = {
        "id": case.id, "numbers": "; ".join(n.number for n in case.numbers),
        "market": case.market, "market_name": labels.country(case.market),
        "origin": case.origin, "origin_name": labels.country(case.origin),
        "measure": case.measure, "measure_name": labels.measure(case.measure),
        "product": case.product, "sectors": "; ".join(sectors),
        "sector_names": "; ".join(labels.sector(s) for s in sectors),
        "proceeding": case.proceeding, "stage": case.stage,
        "stage_name": labels.stage(case.stage, case.proceeding, case.market), "status": case.status,
        "opened_on": case.opened_on, "last_event_on": case.last_event_on,
        "next_step": case.next_step,
        "next_step_name": labels.next_step(case.next_step) if case.next_step else "",
        "next_due": case.next_due,
        "opened_by": labels.opening(case.opened_by, case.first_stage),
        "next_deadline": deadline[0] if deadline else "",
        "next_deadline_name": labels.deadline(deadline[1]) if deadline else "",
        "rates": "; ".join(f"{labels.rate_holder(r.company)}: {labels.rate_kind(r.kind)} "
                           f"{labels.rate_value(r.value, r.unit)}" for r in facts.rates),
        "ordered_on": case.ordered_on, "revoked_on": case.revoked_on,
        "hs_codes": "; ".join(str(code) for code in case.hs_codes or []),
        "url": f"{public_url.rstrip('/')}/cases/{case.id}",
    }
    return [_cell(values[column]) for column in CSV_COLUMNS]


def cases_csv(cases: Sequence[Case], sectors: Mapping[int, Sequence[str]], labels: PageLabels,
              public_url: str, facts: Mapping[int, CaseFacts] | None = None) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([labels._(CSV_HEADERS[column]) for column in CSV_COLUMNS])
    for case in cases:
        writer.writerow(case_row(case, sectors.get(case.id, []), labels, public_url,
                                 (facts or {}).get(case.id)))
    return Response(BOM + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="trews-cases.csv"'})


def cases_json(cases: Sequence[Case], sectors: Mapping[int, Sequence[str]]) -> JSONResponse:
    return JSONResponse([case_summary(case, sectors.get(case.id, [])).model_dump(mode="json")
                         for case in cases],
                        headers={"Content-Disposition": 'inline; filename="trews-cases.json"'})
