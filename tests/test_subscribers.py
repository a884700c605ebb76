"""Subscriber import: good rows stored (once, however often imported), bad rows named by line."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session, sessionmaker

import alerts.subscribers as subscribers_module
from alerts.subscribers import RejectedRow, import_subscribers
from config import load_sectors
from config.settings import CONFIG_DIR
from storage.database import session_factory, transaction
from storage.models import Subscriber, Subscription
from storage.subscribers import SubscriberRecord, store_subscriber

SECTORS = {sector.id for sector in load_sectors(CONFIG_DIR / "sectors.yaml")}
HEADER = "email,name,organisation,kind,language,sectors,hs_codes,keywords,markets,measures,"\
         "frequency,min_severity\n"


def write(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "subscribers.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_example_file_imports_cleanly_and_twice_is_once(sessions) -> None:
    example = CONFIG_DIR / "subscribers.example.csv"
    assert import_subscribers(sessions, example, SECTORS).rejected == []
    assert import_subscribers(sessions, example, SECTORS).rejected == []
    with sessions() as session:
        assert session.scalar(select(func.count(Subscriber.id))) == 7
        assert session.scalar(select(func.count(Subscription.id))) == 7
        ministry = session.scalars(
            select(Subscriber).where(Subscriber.kind == "ministry")).one()
        paper = session.scalars(
            select(Subscriber).where(Subscriber.email == "export@example.org")).one()
        assert ministry.subscriptions[0].all_sectors
        subscription = paper.subscriptions[0]
        assert (subscription.hs_codes, subscription.markets, subscription.measures) == (
            ["481930"], ["US", "EU"], ["AD", "CVD"])
        assert paper.language == "en" and paper.confirmed


def test_bad_rows_are_rejected_with_their_line_and_the_good_ones_kept(
    sessions, tmp_path: Path
) -> None:
    path = write(tmp_path, "\n".join([
        "ok@example.com,A,B,exporter,vi,shrimp,,,,,immediate,low",
        "not-an-address,A,B,exporter,vi,shrimp,,,,,immediate,low",
        "x1@example.com,A,B,exporter,vi,shrimps,,,,,immediate,low",
        "x2@example.com,A,B,exporter,vi,steel,73O6,,,,immediate,low",
        "x3@example.com,A,B,exporter,vi,steel,,,USA,,immediate,low",
        "x4@example.com,A,B,exporter,vi,,,,,,immediate,low",
        "x5@example.com,A,B,trader,vi,steel,,,,,immediate,low",
    ]) + "\n")

    rejected = import_subscribers(sessions, path, SECTORS).rejected

    reasons = {row.line: row.reason for row in rejected}
    assert set(reasons) == {3, 4, 5, 6, 7, 8}
    assert reasons[3].startswith("email")
    assert "unknown sector(s) shrimps" in reasons[4]
    assert "'73O6' is not an HS code" in reasons[5]
    assert "unknown market(s) USA" in reasons[6]
    assert "give sectors, hs_codes or keywords" in reasons[7]
    assert reasons[8].startswith("kind")
    with sessions() as session:
        assert session.scalars(select(Subscriber.email)).all() == ["ok@example.com"]


def test_reimport_updates_the_subscription(sessions, tmp_path: Path) -> None:
    import_subscribers(sessions, write(tmp_path, "a@example.com,A,,exporter,vi,steel,,,,,"
                                       "immediate,low\n"), SECTORS)
    import_subscribers(sessions, write(tmp_path, "a@example.com,A,,exporter,en,steel;copper,"
                                       "7306,,US,,weekly,high\n"), SECTORS)
    with sessions() as session:
        subscriber = session.scalars(select(Subscriber)).one()
        subscription = subscriber.subscriptions[0]
        assert subscriber.language == "en"
        assert (subscription.sectors, subscription.hs_codes, subscription.frequency,
                subscription.min_severity) == (["steel", "copper"], ["7306"], "weekly", "high")


def sign_up_meanwhile(sessions: sessionmaker[Session]) -> int:
    """What another writer (a sign-up on /subscribe) sees in the middle of an import: it stores
    a subscriber without waiting long for a lock, and counts those committed so far."""
    url = sessions.kw["bind"].url
    other = create_engine(url, connect_args={"timeout": 1} if url.get_backend_name() == "sqlite"
                          else {})
    try:
        with transaction(session_factory(other)) as session:
            store_subscriber(session, SubscriberRecord("web@example.com", None, None, "exporter",
                                                       "vi", ("steel",), "daily"))
            return (session.scalar(select(func.count(Subscriber.id))) or 0) - 1
    finally:
        other.dispose()


def test_a_long_import_commits_in_batches_and_reports_every_row(
    sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(subscribers_module, "BATCH_ROWS", 10, raising=False)
    rows = [f"u{n}@example.com,U,,exporter,vi,steel,,,,,immediate,low" for n in range(25)]
    rows[12] = "not-an-address,U,,exporter,vi,steel,,,,,immediate,low"
    path = write(tmp_path, "\n".join(rows) + "\n")
    reading, seen = subscribers_module.read_subscribers, []

    def read_and_watch(*args: Any) -> Iterator[SubscriberRecord | RejectedRow]:
        for number, row in enumerate(reading(*args), start=1):
            if number == 21:  # 20 rows read: the first batch of 10 is stored, the next one not
                seen.append(sign_up_meanwhile(sessions))
            yield row

    monkeypatch.setattr(subscribers_module, "read_subscribers", read_and_watch)
    reports = [import_subscribers(sessions, path, SECTORS) for _ in range(2)]

    assert seen[0] == 10  # the first import, in its middle: one batch stored, a sign-up too
    for report in reports:  # the same report each time: importing again is harmless
        assert (report.read, report.imported) == (25, 24)
        assert [(row.line, row.reason.split(":")[0]) for row in report.rejected] == [(14, "email")]
    with sessions() as session:
        assert session.scalar(select(func.count(Subscriber.id))) == 25  # 24 + the sign-up


def test_a_file_saved_as_utf16_imports_and_one_in_another_encoding_is_named(
        sessions, tmp_path: Path) -> None:
    from alerts.subscribers import SubscribersFileError

    row = "lan@example.vn,Nguyễn Thị Lan,Hiệp hội Tôm,exporter,vi,shrimp,,,,,immediate,low\n"
    utf16 = tmp_path / "utf16.csv"
    utf16.write_text(HEADER + row, encoding="utf-16")
    assert import_subscribers(sessions, utf16, SECTORS).imported == 1
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "ok@example.vn,A,,exporter,vi,shrimp,,,,,immediate,low\n"
                       + row.replace("ễ", "e").replace("ệ", "e")).encode("utf-8")
                      + "x@example.vn,Tôm,,exporter,vi,shrimp,,,,,immediate,low\n"
                      .encode("latin-1"))
    with pytest.raises(SubscribersFileError, match=r"latin.csv:4: not UTF-8 text"):
        import_subscribers(sessions, latin, SECTORS)


def test_what_a_file_would_lose_is_said(sessions, tmp_path: Path) -> None:
    """A long name, a row with more cells than the header, an address given twice: each row is
    rejected with its reason (and stored nowhere half); a column the format does not know
    refuses the file."""
    from alerts.subscribers import SubscribersFileError

    path = write(tmp_path, "\n".join([
        "a@example.vn," + "N" * 250 + ",,exporter,vi,shrimp,,,,,immediate,low",
        "b@example.vn,B,,exporter,vi,shrimp,,,,,immediate,low,extra",
        "c@example.vn,C,,exporter,vi,shrimp,,,,,immediate,low",
        "C@example.vn,C again,,exporter,vi,steel,,,,,immediate,low",
    ]) + "\n")
    report = import_subscribers(sessions, path, SECTORS)
    reasons = {row.line: row.reason for row in report.rejected}
    assert reasons[2].startswith("name") and "13 cells" in reasons[3]
    assert reasons[5] == "c@example.vn is already on line 4" and report.imported == 1
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("email,phone\na@example.vn,123\n", encoding="utf-8")
    with pytest.raises(SubscribersFileError, match=r"unknown.csv:1: unknown column\(s\) phone"):
        import_subscribers(sessions, unknown, SECTORS)
