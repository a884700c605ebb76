"""The case list as files: CSV for Excel (UTF-8 with a byte-order mark, so Vietnamese shows
right when the file is double-clicked) and JSON for scripts."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from fastapi.responses import JSONResponse, Response

from storage.models import Case
from web.labels import PageLabels
from web.schemas import case_summary

BOM = "\ufeff"
CSV_COLUMNS = (
    "id", "numbers", "market", "market_name", "origin", "origin_name", "measure", "measure_name",
    "product", "sectors", "sector_names", "proceeding", "stage", "stage_name", "status",
    "opened_on", "last_event_on", "next_step", "next_step_name", "next_due", "ordered_on",
    "revoked_on", "hs_codes", "url",
)
# A cell starting with one of these is a formula to a spreadsheet: product names come from
# scraped titles, so such a cell is prefixed with an apostrophe (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def case_row(case: Case, sectors: Sequence[str], labels: PageLabels, public_url: str) -> list[str]:
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
        "next_due": case.next_due, "ordered_on": case.ordered_on, "revoked_on": case.revoked_on,
        "hs_codes": "; ".join(str(code) for code in case.hs_codes or []),
        "url": f"{public_url.rstrip('/')}/cases/{case.id}",
    }
    return [_cell(values[column]) for column in CSV_COLUMNS]


def cases_csv(cases: Sequence[Case], sectors: Mapping[int, Sequence[str]], labels: PageLabels,
              public_url: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for case in cases:
        writer.writerow(case_row(case, sectors.get(case.id, []), labels, public_url))
    return Response(BOM + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="trews-cases.csv"'})


def cases_json(cases: Sequence[Case], sectors: Mapping[int, Sequence[str]]) -> JSONResponse:
    return JSONResponse([case_summary(case, sectors.get(case.id, [])).model_dump(mode="json")
                         for case in cases],
                        headers={"Content-Disposition": 'inline; filename="trews-cases.json"'})
