"""The risk watch's opt-in warning: a subscriber who asked for it (a subscription with
``risk_warnings``) is warned once when a heading of their products enters the top of the list,
and not again until it has left the top and come back (state in ``risk_watch``, one row per
subscriber, market and heading). The headings that enter with one run share one mail.

A heading is the subscriber's when a subscription's HS codes or sectors cover it (a code at any
length: "73" covers 7326, "732620" is under it) and its markets (none: every market) include
the list's market. Checked against the latest run after each `trews risk update`; the warning
is a delivery of kind "risk" the service's outbox sends like any other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from rules.risk_records import heading_sectors
from storage.models import Delivery, Subscriber, Subscription
from storage.risk import latest_runs, run_scores
from storage.risk_models import RiskWatch

RISK = "risk"
TOP = 20


def watches(subscription: Subscription, market: str, heading: str,
            sector_hs: Mapping[str, Sequence[str]]) -> bool:
    """Whether an opted-in subscription covers the heading in that market."""
    if not subscription.risk_warnings:
        return False
    if subscription.markets and market not in subscription.markets:
        return False
    codes = [str(c).replace(".", "") for c in subscription.hs_codes or []]
    if any(code.startswith(heading) or heading.startswith(code) for code in codes):
        return True
    if subscription.all_sectors:
        return True
    return bool(set(subscription.sectors or []) & set(heading_sectors(heading, sector_hs)))


def _opted_in(session: Session) -> list[Subscriber]:
    return list(session.scalars(
        select(Subscriber).options(selectinload(Subscriber.subscriptions))
        .join(Subscription, Subscription.subscriber_id == Subscriber.id)
        .where(Subscription.risk_warnings.is_(True), Subscriber.confirmed.is_(True),
               Subscriber.unsubscribed_at.is_(None))
        .distinct().order_by(Subscriber.id)))


def queue_risk_warnings(session: Session, sector_hs: Mapping[str, Sequence[str]],
                        now: datetime, top: int = TOP) -> int:
    """Bring every opted-in subscriber's watched headings up to the latest run: mark those that
    left the top `top`, and queue one warning per subscriber naming every heading that entered
    it (a sector's first list may bring several at once); how many warnings were queued."""
    runs = latest_runs(session, 1)
    if not runs:
        return 0
    run = runs[0]
    ranked = {(s.market, s.heading): s.rank for s in run_scores(session, run, top=top)}
    queued = 0
    for subscriber in _opted_in(session):
        mine = {key: rank for key, rank in ranked.items()
                if any(watches(sub, key[0], key[1], sector_hs)
                       for sub in subscriber.subscriptions)}
        rows = {(w.market, w.heading): w for w in session.scalars(
            select(RiskWatch).where(RiskWatch.subscriber_id == subscriber.id))}
        for key, row in rows.items():
            if row.in_top and key not in mine:
                row.in_top, row.left_at, row.rank = False, now, None
        entered = []
        for (market, heading), rank in sorted(mine.items(), key=lambda item: item[1]):
            found = rows.get((market, heading))
            row = found if found is not None else RiskWatch(
                subscriber_id=subscriber.id, market=market, heading=heading, in_top=False,
                entries=0)
            session.add(row)
            row.rank, row.run_id = rank, run.id
            if row.in_top:
                continue
            row.in_top, row.entries = True, row.entries + 1
            row.entered_at, row.left_at = now, None
            entered.append(row)
        if entered:
            delivery = Delivery(subscriber_id=subscriber.id, kind=RISK, period=f"r{run.id}",
                                status="queued")
            session.add(delivery)
            session.flush()
            for row in entered:
                row.delivery_id = delivery.id
            queued += 1
    return queued


def watches_of(session: Session, delivery: Delivery) -> list[RiskWatch]:
    """The watched headings a "risk" delivery warns of, highest on the list first."""
    return list(session.scalars(
        select(RiskWatch).where(RiskWatch.delivery_id == delivery.id)
        .order_by(RiskWatch.rank, RiskWatch.market, RiskWatch.heading)))
