"""The tables of TREWS, as SQLAlchemy 2.0 typed models.

Times are stored in UTC; notice publication dates are the publisher's own calendar dates.
"""

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.timeutil import UtcDateTime, utcnow

VIETNAM_ROLES = ("subject", "circumvention", "diversion")
# Bounded columns the analysis fills with text it read (storage.cases fits them).
PRODUCT_CHARS = 300
CASE_NUMBER_CHARS = 60


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UtcDateTime}


class Source(Base):
    """A configured source and its health, updated after every crawl."""

    __tablename__ = "source"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    market: Mapped[str] = mapped_column(String(8))
    authority: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(String(500))
    last_run_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_status: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(Text)
    items_last_run: Mapped[int] = mapped_column(default=0)
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    consecutive_empty_runs: Mapped[int] = mapped_column(default=0)
    health: Mapped[str] = mapped_column(String(8), default="ok", server_default="ok")
    health_reason: Mapped[str | None] = mapped_column(Text)
    health_changed_at: Mapped[datetime | None]

    runs: Mapped[list["CrawlRun"]] = relationship(back_populates="source")


OPERATOR_ALERT_KINDS = ("failing", "degraded", "recovered", "job_failing", "job_recovered",
                        "outbox_backlog", "outbox_cleared", "quarantined")


class OperatorAlert(Base):
    """A message owed to the operator: a source broke or recovered, a job failed several times
    in a row or works again, the outbox backed up or cleared, notices were quarantined. One per
    change of state, not one per run, so a source down for a week sends two mails, not three
    hundred.

    ``kind`` (OPERATOR_ALERT_KINDS): "failing"/"degraded"/"recovered" are about ``source_id``;
    the others about ``job_id`` (the outbox ones: "outbox"; "quarantined": "analysis").
    ``since_at``: when the trouble began; ``count``: failures in a row ("job_failing"), mails due
    ("outbox_backlog") or notices newly quarantined ("quarantined", whose ``reason`` lists the
    latest errors).
    """

    __tablename__ = "operator_alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("source.id"), index=True)
    job_id: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    since_at: Mapped[datetime | None]
    count: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None]
    # Same status vocabulary and meaning as Delivery (the same sender drains both).
    next_attempt_at: Mapped[datetime | None]


class JobRun(Base):
    """One run of one service job: how it ended, and how many runs in a row have failed."""

    __tablename__ = "job_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(100), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(8))  # "ok" or "failed"
    error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    counts: Mapped[dict[str, Any] | None]  # the job's own figures (analysed, sent, ...)


class CrawlRun(Base):
    """One crawl of one source: what it fetched and how it ended."""

    __tablename__ = "crawl_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id"), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))
    since: Mapped[date | None]
    items_scraped: Mapped[int] = mapped_column(default=0)
    items_new: Mapped[int] = mapped_column(default=0)
    items_updated: Mapped[int] = mapped_column(default=0)
    http_errors: Mapped[int] = mapped_column(default=0)
    parse_errors: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)

    source: Mapped[Source] = relationship(back_populates="runs")


class Notice(Base):
    """A document as the source published it, stored once per (source, external id).

    The guid and URL are kept whole, whatever their length. A notice whose analysis failed is
    quarantined (``analysis_failed_at``, ``analysis_error``) and analysed again only when its
    content changes.
    """

    __tablename__ = "notice"
    __table_args__ = (UniqueConstraint("source_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id"))
    external_id: Mapped[str] = mapped_column(Text)
    market: Mapped[str] = mapped_column(String(8))
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    published: Mapped[date | None]
    body: Mapped[str] = mapped_column(Text, default="")
    raw: Mapped[dict[str, Any]]
    content_hash: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]
    analysed_at: Mapped[datetime | None] = mapped_column(index=True)
    analysis: Mapped[dict[str, Any] | None]
    trade_remedy: Mapped[bool | None]
    vietnam: Mapped[str | None] = mapped_column(String(16))
    severity: Mapped[str | None] = mapped_column(String(8))
    analysis_failed_at: Mapped[datetime | None]
    analysis_error: Mapped[str | None] = mapped_column(Text)


class Subscriber(Base):
    """A person or organisation that receives alerts, in their language and time zone."""

    __tablename__ = "subscriber"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="exporter")
    language: Mapped[str] = mapped_column(String(2), default="vi")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    confirmed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set by a one-click unsubscribe; such a subscriber gets nothing until they subscribe again.
    unsubscribed_at: Mapped[datetime | None]

    subscriptions: Mapped[list["Subscription"]] = relationship(
        back_populates="subscriber", cascade="all, delete-orphan"
    )


class Subscription(Base):
    """What a subscriber wants to hear about: products (sectors, HS codes at any length, keywords),
    markets, measures, Vietnam's roles, and the lowest severity worth a mail."""

    __tablename__ = "subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscriber.id"), index=True)
    sectors: Mapped[list[Any]]
    all_sectors: Mapped[bool] = mapped_column(default=False, server_default=false())
    hs_codes: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    keywords: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    markets: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    measures: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    vietnam_roles: Mapped[list[Any]] = mapped_column(
        default=lambda: list(VIETNAM_ROLES), server_default=json.dumps(list(VIETNAM_ROLES))
    )
    min_severity: Mapped[str] = mapped_column(String(8), default="low")
    frequency: Mapped[str] = mapped_column(String(16), default="immediate")
    # A digest of a period with nothing new is skipped unless the subscriber asked for a line.
    digest_when_empty: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Opted in to the risk watch's warning (storage/risk_watch.py): a watched heading entered
    # the top of the list. A forecast, so never sent without this choice.
    risk_warnings: Mapped[bool] = mapped_column(default=False, server_default=false())

    subscriber: Mapped[Subscriber] = relationship(back_populates="subscriptions")


class Match(Base):
    """Why a notice concerns a subscription: its severity and reasons, each stored as
    ``rules.match_reasons.Reason.stored`` gives it (code, English sentence, facts), or, in rows
    from before reasons had facts, as the sentence alone."""

    __tablename__ = "match"
    __table_args__ = (UniqueConstraint("notice_id", "subscription_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscription.id"))
    severity: Mapped[str] = mapped_column(String(8))
    reasons: Mapped[list[Any]]
    # Digests select a period's matches by this time (when TREWS learned of the notice).
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


DELIVERY_KINDS = ("alert", "daily", "weekly", "confirmation", "reminder", "follow", "risk")
# Claimed by a sender: sent a first time, or again because an earlier try may have arrived.
CLAIMED_STATUSES = ("sending", "resending")
# Still owed a send: waiting for its turn or backoff, or claimed (due again once the claim expires).
WAITING_STATUSES = ("queued", "uncertain", *CLAIMED_STATUSES)
DELIVERY_STATUSES = (*WAITING_STATUSES, "sent", "failed")


class Delivery(Base):
    """One e-mail owed to one subscriber: the outbox row the sender drains.

    ``kind`` "alert" is about one notice (unique per subscriber and notice); a digest ("daily",
    "weekly") is about one period ("2026-11-23", "2026-W47"), a "confirmation" is the opt-in
    request (period "once") and a "follow" the follow link a case page's form asks for (period
    "c<case id>"): unique per (subscriber, kind, period), so a late or repeated
    scheduler run never mails a period twice. (NULLs are distinct, so alerts, whose period is
    NULL, and digests, whose notice is NULL, do not collide.)

    ``status`` (DELIVERY_STATUSES): "queued" (to send), "sending" or "resending" (claimed by a
    sender and committed before the message goes out; "resending" when an earlier try may have
    arrived; still claimed after ``next_attempt_at`` means that sender died mid-send),
    "uncertain" (the server may have it: no answer after DATA), "sent", "failed" (refused with a
    5xx, or given up). ``next_attempt_at``: the earliest next try (backoff), or for a claimed row
    the moment the claim expires.
    """

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "notice_id"),
        UniqueConstraint("subscriber_id", "kind", "period",
                         name="uq_delivery_subscriber_kind_period"),
        Index("ix_delivery_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscriber.id"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id"))
    kind: Mapped[str] = mapped_column(String(16), default="alert", server_default="alert")
    period: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]


class Case(Base):
    """One proceeding of one market on one origin and measure, followed across its notices."""

    __tablename__ = "trade_case"
    __table_args__ = (Index("ix_trade_case_product", "market", "product", "origin", "measure"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    market: Mapped[str] = mapped_column(String(8))
    origin: Mapped[str | None] = mapped_column(String(3))
    measure: Mapped[str | None] = mapped_column(String(4))
    product: Mapped[str] = mapped_column(String(PRODUCT_CHARS))
    vietnam: Mapped[str] = mapped_column(String(16), default="none", index=True)
    proceeding: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(8), default="open")
    opened_on: Mapped[date | None]
    last_event_on: Mapped[date | None]
    next_step: Mapped[str | None] = mapped_column(String(40))
    next_due: Mapped[date | None]
    next_basis: Mapped[str | None] = mapped_column(Text)
    # What opened the case (rules.case_identity.OPENINGS) and the stage of its first known step.
    opened_by: Mapped[str | None] = mapped_column(String(16), index=True)
    first_stage: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # From the historic case lists (storage/history.py): the order and its revocation (or the
    # withdrawal of the case), the HS codes the lists give, and the 'file:line' of each row read.
    ordered_on: Mapped[date | None]
    revoked_on: Mapped[date | None]
    hs_codes: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    history_rows: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")

    numbers: Mapped[list["CaseNumber"]] = relationship(cascade="all, delete-orphan")
    events: Mapped[list["CaseEvent"]] = relationship(cascade="all, delete-orphan",
                                                     order_by="CaseEvent.event_on")


class CaseNumber(Base):
    """A case number as the market writes it; one number belongs to one case."""

    __tablename__ = "case_number"
    __table_args__ = (UniqueConstraint("market", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("trade_case.id"), index=True)
    market: Mapped[str] = mapped_column(String(8))
    number: Mapped[str] = mapped_column(String(CASE_NUMBER_CHARS))


class CaseEvent(Base):
    """A step of a case's timeline: which notice, which step, on which date."""

    __tablename__ = "case_event"
    __table_args__ = (UniqueConstraint("case_id", "notice_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("trade_case.id"))
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    proceeding: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(32))
    event_on: Mapped[date | None]


USER_ROLES = ("operator", "ministry")


class User(Base):
    """Someone who signs in to the operator pages (/admin): the operator, or the ministry, which
    may look but not act. Only an argon2 hash of the password is kept."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="operator")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Counted up at each logout: it ends every session the user had open (web.auth).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")


class CaseFollow(Base):
    """A subscriber following a case: reminders before each deadline its notices state.

    One row per (subscriber, case); unfollowing sets ``unfollowed_at``, following again clears
    it."""

    __tablename__ = "case_follow"
    __table_args__ = (UniqueConstraint("subscriber_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscriber.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("trade_case.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    unfollowed_at: Mapped[datetime | None]


class Reminder(Base):
    """One reminder owed: `days_before` a deadline (`deadline_on`, its `kind`) of a followed case.

    Unique per (subscriber, case, deadline, kind, window), so a scheduler run repeated, late or
    after a restart never reminds twice; ``delivery_id`` is its outbox row (kind "reminder",
    period "r<id>")."""

    __tablename__ = "reminder"
    __table_args__ = (UniqueConstraint("subscriber_id", "case_id", "deadline_on", "kind",
                                       "days_before", name="uq_reminder_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscriber.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("trade_case.id"))
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"))
    deadline_on: Mapped[date]
    kind: Mapped[str] = mapped_column(String(32))
    days_before: Mapped[int]
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("delivery.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

