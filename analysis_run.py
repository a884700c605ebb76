"""The analysis step of a cycle: stored notices through the rules, into cases and the outbox.

Each new or changed notice is analysed, linked into its cases, matched against the active
subscriptions and its deliveries queued, in a savepoint of its batch's transaction: an analysis
and its deliveries are never half-written, and a notice that fails is quarantined
(storage.quarantine) while the others of the batch go on.
"""

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from alerts.outbox import SubscriptionMatch, queue_matches
from config import Sector
from rules.analyse import analyse
from rules.cases import case_steps
from rules.index import MatchIndex
from rules.subscriptions import Subscription as RuleSubscription
from storage.cases import CaseLink, link_notice
from storage.database import transaction
from storage.models import Notice, Subscription
from storage.notices import notices_to_analyse, save_analysis
from storage.quarantine import quarantine, tell_operator
from storage.subscribers import active_subscriptions

if TYPE_CHECKING:
    from scheduler import Service

logger = logging.getLogger("trews")

# The database gone or locked: the run fails and the next cycle tries again. Any other error
# while analysing a notice is that notice's own.
UNAVAILABLE = (OperationalError, InterfaceError)


@dataclass(frozen=True)
class AnalyseReport:
    analysed: int = 0
    trade_remedy: int = 0
    vietnam: int = 0
    matches: int = 0
    queued: int = 0
    quarantined: int = 0


def notice_input(notice: Notice) -> dict[str, Any]:
    """A stored notice in the shape of the `trews analyse` input contract."""
    return {
        "id": f"{notice.source_id}:{notice.external_id}", "market": notice.market,
        "source": notice.source_id, "title": notice.title, "text": notice.body,
        "published": notice.published.isoformat() if notice.published else None,
        "url": notice.url, "raw": notice.raw,
    }


def rule_subscriptions(rows: Iterable[Subscription]) -> list[RuleSubscription]:
    """Stored subscriptions as the rule engine's plain ones (the id kept as text)."""
    return [
        RuleSubscription(
            str(row.id), row.sectors, hs_codes=row.hs_codes, keywords=row.keywords,
            markets=row.markets, measures=row.measures, vietnam_roles=row.vietnam_roles,
            min_severity=row.min_severity, all_sectors=row.all_sectors,
        )
        for row in rows
    ]


def link_cases(session: Session, notice: Notice, analysis: dict[str, Any]) -> None:
    """Put the notice on the timeline of every case it moves."""
    for step in case_steps(analysis, notice.title, notice.published):
        key, expected = step.key, step.next
        link_notice(session, notice, CaseLink(
            market=key.market, origin=key.origin, measure=key.measure, product=key.product,
            numbers=key.numbers, vietnam=key.vietnam, proceeding=step.proceeding,
            stage=step.stage, event_on=step.event_on,
            next_step=expected.step if expected else None,
            next_due=expected.due if expected else None,
            next_basis=expected.basis if expected else None, restates=step.restates,
        ))


def analyse_notice(session: Session, notice: Notice, sectors: list[Sector],
                   rows: Mapping[str, Subscription], index: MatchIndex) -> Counter[str]:
    """Analyse one notice, link it into its cases, record its matches and queue its deliveries;
    what it adds to the run's report."""
    analysis = analyse(notice_input(notice), sectors).to_dict()
    save_analysis(notice, analysis)
    link_cases(session, notice, analysis)
    found = [
        SubscriptionMatch(rows[hit.subscription_id], hit.severity, list(hit.reasons))
        for hit in index.match(analysis, notice.title, notice.body)
    ]
    return Counter(analysed=1, trade_remedy=int(bool(analysis["trade_remedy"])),
                   vietnam=int(analysis["vietnam"] != "none"), matches=len(found),
                   queued=queue_matches(session, notice, found))


def analyse_batch(session: Session, notices: list[Notice], sectors: list[Sector]
                  ) -> Counter[str]:
    """Analyse each notice in a savepoint of its own; quarantine the ones that fail, and tell
    the operator of them once."""
    totals: Counter[str] = Counter()
    rows = {str(row.id): row for row in active_subscriptions(session)}
    index = MatchIndex.build(rule_subscriptions(rows.values()))
    failed = []
    for notice in notices:
        try:
            with session.begin_nested():
                totals.update(analyse_notice(session, notice, sectors, rows, index))
        except UNAVAILABLE:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever a hostile notice raises is its own
            quarantine(notice, exc)
            failed.append(notice)
            logger.warning("notice %s:%s quarantined, its analysis failed: %s",
                           notice.source_id, notice.external_id, notice.analysis_error)
    tell_operator(session, failed)
    totals["quarantined"] += len(failed)
    return totals


def analyse_pending(service: "Service", batch: int = 500) -> AnalyseReport:
    """Analyse every new or changed notice, in batches of one transaction each."""
    totals: Counter[str] = Counter()
    while True:
        with transaction(service.sessions) as session:
            notices = notices_to_analyse(session, batch)
            if not notices:
                break
            totals.update(analyse_batch(session, notices, service.sectors))
    return AnalyseReport(**totals)
