"""Atom feeds of trade-remedy notices per sector and per market, for feed readers and for
associations that republish them. Newest first; every entry links to its notice page.

Notices of every origin are included: in a sector feed, a case on another origin is the
trade-diversion warning the sector's exporters want; each entry says Vietnam's role.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import Response
from feedgen.feed import FeedGenerator

from storage.models import Notice
from storage.timeutil import utcnow
from web.deps import LabelsDep, SessionDep
from web.labels import PageLabels
from web.queries import NoticeFilters, known_markets, search_notices

router = APIRouter(include_in_schema=False)

FEED_SIZE = 50
ATOM = "application/atom+xml; charset=utf-8"
Code = Annotated[str, Path(pattern=r"^[A-Za-z0-9_]{1,32}$")]


@router.get("/feeds/sectors/{sector}.atom")
def sector_feed(request: Request, sector: Code, session: SessionDep,
                labels: LabelsDep) -> Response:
    if sector not in request.app.state.sector_names:
        raise HTTPException(status_code=404, detail="unknown sector")
    title = labels._("TREWS: trade remedy notices, sector %(sector)s") % {
        "sector": labels.sector(sector)}
    return _feed(request, title, labels, search_notices(
        session, NoticeFilters(sector=sector), limit=FEED_SIZE)[1])


@router.get("/feeds/markets/{market}.atom")
def market_feed(request: Request, market: Code, session: SessionDep,
                labels: LabelsDep) -> Response:
    code = market.upper()
    if code not in known_markets(session):
        raise HTTPException(status_code=404, detail="unknown market")
    title = labels._("TREWS: trade remedy notices, market %(market)s") % {
        "market": labels.country(code)}
    return _feed(request, title, labels, search_notices(
        session, NoticeFilters(market=code), limit=FEED_SIZE)[1])


def _feed(request: Request, title: str, labels: PageLabels, notices: list[Notice]) -> Response:
    base = request.app.state.settings.public_url.rstrip("/")
    feed = FeedGenerator()
    feed.id(base + request.url.path)
    feed.title(title)
    feed.author({"name": "TREWS"})
    feed.link(href=base + request.url.path, rel="self", type="application/atom+xml")
    feed.link(href=base + "/", rel="alternate", type="text/html")
    feed.language(labels.lang)
    feed.updated(max((n.fetched_at for n in notices), default=None) or utcnow())
    for notice in reversed(notices):  # feedgen puts the last added entry first
        _entry(feed, notice, labels, base)
    return Response(feed.atom_str(pretty=True), media_type=ATOM)


def _entry(feed: FeedGenerator, notice: Notice, labels: PageLabels, base: str) -> None:
    analysis = notice.analysis or {}
    measures = analysis.get("measures") or []
    entry = feed.add_entry()
    entry.id(f"{base}/notices/{notice.id}")
    entry.title(notice.title)
    # One link only: feedgen 1.0 writes no rel or type on entry links, so a second one (the
    # source) would be a second "alternate" link, which Atom forbids. The page links the source.
    entry.link(href=f"{base}/notices/{notice.id}", rel="alternate", type="text/html")
    # the notice's own date (the publisher's day), not when TREWS fetched it
    entry.published(datetime.combine(notice.published, time(12, 0), UTC)
                    if notice.published else notice.fetched_at)
    entry.updated(notice.updated_at or notice.fetched_at)
    entry.summary(" – ".join(part for part in (
        labels.severity(notice.severity), labels.country(analysis.get("market") or notice.market),
        labels.measures(measures), labels.stage(analysis.get("stage"), analysis.get("proceeding"),
                     analysis.get("market")),
        labels.role(analysis.get("vietnam"), measures), labels.day(notice.published)) if part))
    for sector in analysis.get("sectors") or []:
        entry.category(term=str(sector), label=labels.sector(sector))
