"""EU trade-defence cases (anti-dumping, anti-subsidy, safeguard, reviews) from the European
Commission's TRON API: the list of ongoing cases, and each case's details where TRON has them."""

import json
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import scrapy
from scrapy.http import Response

from crawlers.items import Notice
from crawlers.spiders.base import SourceSpider

BRUSSELS = ZoneInfo("Europe/Brussels")
LIST_FIELDS = (
    "id", "caseNumber", "shortName", "initDate", "caseCountries", "caseType", "articleOfToc",
    "hasDetailPage", "parentId",
)


def decode_json(response: Response) -> Any:
    """The body as JSON, decoded strictly in the response's encoding (TRON sends UTF-8), so a
    body in another encoding is an error naming the URL instead of silently mangled names."""
    encoding = getattr(response, "encoding", None) or "utf-8"
    try:
        return json.loads(response.body.decode(encoding))
    except (UnicodeDecodeError, LookupError) as exc:
        raise ValueError(f"{response.url}: body is not valid {encoding} (wrong encoding?): "
                         f"{exc}") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"{response.url}: not JSON (truncated or not the TRON API?): "
                         f"{exc}") from exc


def parse_case_list(response: Response) -> list[dict[str, Any]]:
    """The cases of a TRON list response: a JSON array of case objects (possibly empty)."""
    cases = decode_json(response)
    if not isinstance(cases, list):
        raise ValueError(f"{response.url}: expected a JSON array of cases, got "
                         f"{type(cases).__name__} (API changed?)")
    for index, case in enumerate(cases):
        if not isinstance(case, dict):
            raise ValueError(f"{response.url}: case {index} is a {type(case).__name__}, "
                             "not an object (API changed?)")
    return cases


def parse_case_details(response: Response) -> dict[str, Any]:
    """One case's details: a JSON object."""
    details = decode_json(response)
    if not isinstance(details, dict):
        raise ValueError(f"{response.url}: expected a case details object, got "
                         f"{type(details).__name__} (API changed?)")
    return details


def text(value: Any) -> str:
    """A field as trimmed text (TRON's short names carry trailing spaces and tabs)."""
    return value.strip() if isinstance(value, str) else ""


def country_names(case: dict[str, Any]) -> list[str]:
    countries = case.get("caseCountries")
    if not isinstance(countries, list):
        return []
    names = (text(country.get("countryName")) for country in countries
             if isinstance(country, dict))
    return [name for name in names if name]


def joined(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C': how the Official Journal lists origins."""
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def epoch_ms_date(value: Any, zone: ZoneInfo) -> date | None:
    """TRON dates are epoch milliseconds; the day is the Commission's (Brussels) day."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, zone).date()
    except (OverflowError, OSError, ValueError):
        return None


def case_title(case: dict[str, Any]) -> str | None:
    """'Copper tubes originating in Mexico, ... and Vietnam (AD750, Initial Investigation)', from
    the case's own fields; no title without TRON's short name."""
    name = text(case.get("shortName"))
    if not name:
        return None
    countries = country_names(case)
    origin = f" originating in {joined(countries)}" if countries else ""
    reference = ", ".join(part for part in (text(case.get("caseNumber")),
                                            text(case.get("caseType"))) if part)
    return f"{name}{origin}" + (f" ({reference})" if reference else "")


def case_body(case: dict[str, Any]) -> str:
    """The text TRON's list gives about a case: product, countries (with TRON's notes on them),
    case number and type."""
    lines = [text(case.get("shortName"))]
    countries = case.get("caseCountries")
    for country in countries if isinstance(countries, list) else []:
        if isinstance(country, dict) and text(country.get("countryName")):
            note = text(country.get("extraInformation"))
            lines.append(f"Country concerned: {text(country.get('countryName'))}"
                         + (f" ({note})" if note else ""))
    lines.append(f"Case {text(case.get('caseNumber'))}: {text(case.get('caseType'))}")
    return "\n".join(line for line in lines if line.strip(": "))


def details_lines(details: dict[str, Any]) -> list[str]:
    """What a case's details add about its product: description and tariff codes."""
    lines = [text(details.get("productDescription"))]
    for label, key in (("CN codes", "cnCodes"), ("TARIC codes", "taricCodes")):
        codes = details.get(key)
        if isinstance(codes, list):
            lines.append(f"{label}: " + ", ".join(str(code) for code in codes))
    return lines


def case_documents(details: dict[str, Any]) -> list[dict[str, Any]]:
    """The case's published documents: `publications` (the field name a public client of the
    live API reads; see replay/recordings/eu_tron/PROVENANCE.md), each in the shape of a
    `documents` entry, and `documents` (the shape first inferred)."""
    found = []
    for key in ("publications", "documents"):
        entries = details.get(key)
        if isinstance(entries, list):
            found += [publication_document(entry) if key == "publications" else entry
                      for entry in entries if isinstance(entry, dict)]
    return found


def publication_document(publication: dict[str, Any]) -> dict[str, Any]:
    """A `publications` entry (typeOfPublication, datePublication, urlTransformed or url, which
    TRON may give as "N/A", contents) as a document: its own fields kept, plus title,
    publicationDate and url."""
    links = (text(publication.get(name)) for name in ("urlTransformed", "url"))
    return {**publication, "title": text(publication.get("typeOfPublication")),
            "publicationDate": publication.get("datePublication"),
            "url": next((link for link in links if link and link.upper() != "N/A"), "")}


def document_key(document: dict[str, Any]) -> str:
    """A document's stable key within its case: its OJ reference, else its URL, else its title
    (with its publication date for a `publications` entry: several share a type)."""
    for field in ("ojReference", "url"):
        if text(document.get(field)):
            return text(document.get(field))
    title = text(document.get("title"))
    if title and document.get("datePublication") is not None:
        return f"{title} {document['datePublication']}"
    return title


class EuTronSpider(SourceSpider):
    """One notice per ongoing case, from the list, and one per document of a case, from its
    details (a new document is a case moving: provisional duties, a definitive regulation).

    TRON's list has no date filter: it is fetched whole each run and revalidated through the HTTP
    cache (unchanged: a 304), and storage keeps each case once. Details are fetched where TRON has
    a detail page (hasDetailPage) and the case is new since the last run (initDate >= since) or
    is named in options.detail_cases (cases followed closely, e.g. those on Vietnam); they are
    revalidated too. Case notices never depend on whether details were fetched, so a case that
    stops being new is not rewritten; a failed details request marks the source failing."""

    name = "eu_tron"
    publisher_zone = BRUSSELS

    def option(self, key: str) -> Any:
        value = self.source.options.get(key)
        if not value:
            raise ValueError(f"{self.name}: option '{key}' missing in the sources file")
        return value

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.revalidating_request(self.option("list_path"), self.parse)

    def parse(self, response: Response, /, *args: Any, **kwargs: Any
              ) -> Iterator[Notice | scrapy.Request]:
        for case in parse_case_list(response):
            yield self.case_notice(case)
            if self.wants_details(case):
                yield self.details_request(case)

    def wants_details(self, case: dict[str, Any]) -> bool:
        if case.get("hasDetailPage") is not True or case.get("id") is None:
            return False
        if text(case.get("caseNumber")) in set(self.source.options.get("detail_cases") or []):
            return True
        initiated = epoch_ms_date(case.get("initDate"), self.publisher_zone)
        return self.since is None or (initiated is not None and initiated >= self.since)

    def details_request(self, case: dict[str, Any]) -> scrapy.Request:
        path = str(self.option("details_path")).format(id=case["id"])
        request = self.revalidating_request(path, self.parse_details)
        return request.replace(cb_kwargs={"case": case})

    def parse_details(self, response: Response, case: dict[str, Any]) -> Iterator[Notice]:
        details = parse_case_details(response)
        for document in case_documents(details):
            yield self.document_notice(case, details, document)

    def case_page(self, case: dict[str, Any]) -> str | None:
        if case.get("id") is None:
            return None
        return self.on_configured_origin(str(self.option("case_page")).format(id=case["id"]))

    def document_url(self, document: dict[str, Any]) -> str | None:
        """The document's own URL as TRON gives it (the Official Journal on EUR-Lex); a relative
        one is read against the configured url, a malformed one is left out. Stored, never
        requested."""
        url = text(document.get("url"))
        try:
            return urljoin(self.base_url, url) if url else None
        except ValueError:  # e.g. "http://[" (an unclosed IPv6 host)
            return None

    def case_notice(self, case: dict[str, Any]) -> Notice:
        number, case_id = text(case.get("caseNumber")), case.get("id")
        return Notice(
            source=self.name,
            external_id=f"{number}/{case_id}" if number and case_id is not None else None,
            market=self.source.market,
            url=self.case_page(case),
            title=case_title(case),
            published=epoch_ms_date(case.get("initDate"), self.publisher_zone),
            body=case_body(case),
            raw={key: case[key] for key in LIST_FIELDS if key in case},
        )

    def document_notice(self, case: dict[str, Any], details: dict[str, Any],
                        document: dict[str, Any]) -> Notice:
        """One document of a case (notice of initiation, duty regulation, ...), with the case's
        product and countries as context."""
        case_notice = self.case_notice(case)
        key = document_key(document)
        reference = text(document.get("ojReference"))
        lines = [text(document.get("title")) + (f" ({reference})" if reference else ""),
                 text(document.get("contents")), case_notice["body"], *details_lines(details)]
        return Notice(
            source=self.name,
            external_id=f"{case_notice['external_id']}/{key}"
            if case_notice["external_id"] and key else None,
            market=self.source.market,
            url=self.document_url(document) or case_notice["url"],
            title=text(document.get("title")) or None,
            published=epoch_ms_date(document.get("publicationDate"), self.publisher_zone),
            body="\n".join(line for line in lines if line),
            raw={**document, "case": {k: v for k, v in details.items()
                                      if k not in ("documents", "publications")}},
        )
