"""The `trews` command line as a user runs it: help everywhere, `analyse` on its public contract,
and the offline demo end to end: every kind of mail in its outbox, and every link in them
answering while `trews --demo web` serves it."""

import html
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from alerts.message import KIND_HEADER
from cli import main
from storage.database import make_engine
from storage.instance_lock import service_lock
from tests.conftest import FR_PAGE, ROOT
from tests.test_demo_serve import TREWS, free_port, wait_for

CONTRACT_KEYS = {"id", "trade_remedy", "market", "vietnam", "countries", "measures",
                 "proceeding", "stage", "new_case", "case_numbers", "hs_codes", "hs_inferred",
                 "event_date", "sectors",
                 "deadlines", "rates", "severity", "reasons"}
COMMANDS = [[], ["run"], ["demo"], ["crawl"], ["analyse"], ["sources"], ["status"], ["subscribers"],
            ["subscribers", "import"], ["match"], ["digest"], ["db"], ["db", "upgrade"],
            ["web"]]


def fr_page_as_jsonl(path: Path) -> Path:
    """The real 1,000-document FR page in the `trews analyse` input shape."""
    results = json.loads(FR_PAGE.read_text())["results"]
    lines = [
        json.dumps({
            "id": doc["document_number"], "market": "US", "source": "us_fr_documents",
            "title": doc["title"], "text": doc.get("abstract") or "",
            "published": doc["publication_date"], "url": doc["html_url"],
            "raw": {key: doc.get(key) for key in ("docket_ids", "action", "agencies", "type",
                                                  "dates", "abstract")},
        })
        for doc in results
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "trews")
def test_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def run_trews(*args: str, stdin: str | None = None, cwd: Path = ROOT,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", *args], input=stdin,
        capture_output=True, text=True, cwd=cwd, env=env, timeout=300, check=False,
    )


def test_analyse_follows_the_contract_on_the_real_fr_page(tmp_path: Path) -> None:
    source = fr_page_as_jsonl(tmp_path / "page.jsonl")
    started = time.monotonic()
    result = run_trews("analyse", str(source))
    elapsed = time.monotonic() - started

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    inputs = [json.loads(line) for line in source.read_text().splitlines()]
    assert [line["id"] for line in lines] == [line["id"] for line in inputs]
    assert all(set(line) == CONTRACT_KEYS for line in lines)
    on_vietnam = {line["id"] for line in lines if line["vietnam"] != "none"}
    assert on_vietnam == {"2023-28945", "2024-00396"}
    assert elapsed < 60


def test_analyse_reports_a_malformed_line_and_goes_on(tmp_path: Path) -> None:
    good = {"id": "x1", "market": "US", "source": "us_fr_documents",
            "title": "Certain Paper Shopping Bags From the Socialist Republic of Vietnam: "
                     "Preliminary Affirmative Determination of Sales at Less Than Fair Value",
            "text": "", "published": "2024-01-03", "url": "https://example.org/x1"}
    broken = '{"id": "broken", "title": '
    stdin = "\n".join([json.dumps(good), broken, json.dumps(good | {"id": "x3"})])

    result = run_trews("analyse", "-", stdin=stdin + "\n")

    assert result.returncode == 1
    assert "line 2" in result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["x1", "x3"]


@dataclass(frozen=True)
class DemoRun:
    """What one `trews demo` left: its output, outbox, environment and the web port its mails
    link to."""

    stdout: str
    outbox: Path
    env: dict[str, str]
    port: int

    def mails(self) -> list[tuple[Path, EmailMessage]]:
        return [(path, parse_eml(path)) for path in sorted(self.outbox.glob("*.eml"))]


def parse_eml(path: Path) -> EmailMessage:
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """One `trews demo` (a minute's work) for every test of it, on a web port of its own."""
    tmp = tmp_path_factory.mktemp("demo")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "TREWS_DATA_DIR": str(tmp / "var")}
    port = free_port()
    result = run_trews("demo", "--outbox", str(tmp / "outbox"), "--port", str(port), env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return DemoRun(result.stdout, (tmp / "outbox").resolve(), env, port)


def test_demo_fills_the_outbox_with_the_vietnamese_notices(demo_run: DemoRun) -> None:
    stdout = demo_run.stdout
    assert re.search(r"us_fr_documents +ok +1129 items", stdout), stdout
    for line in stdout.splitlines()[1:13]:  # one line per source, every one healthy
        assert " ok " in line, stdout
    mails = [mail for _path, mail in demo_run.mails()]
    assert mails, stdout
    titles = [mail.get_body(("plain",)).get_content() for mail in mails]
    assert any("Paper Shopping Bags" in text for text in titles)
    assert any("Warmwater Shrimp" in text for text in titles)
    assert f"outbox:                  {demo_run.outbox}" in stdout
    assert f"demo --serve --host 127.0.0.1 --port {demo_run.port} " in stdout
    assert f"--demo web --host 127.0.0.1 --port {demo_run.port} " in stdout


def test_demo_option_points_a_command_at_the_demo_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREWS_DATA_DIR", str(tmp_path / "var"))
    result = CliRunner().invoke(main, ["--demo", "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"sqlite:///{(tmp_path / 'var' / 'demo' / 'trews.db').resolve()}" in result.output


def test_demo_is_refused_while_a_service_holds_the_demo_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As `trews run` is refused beside a service: the running demo's folder is left whole."""
    monkeypatch.setenv("TREWS_DATA_DIR", str(tmp_path / "var"))
    database = tmp_path / "var" / "demo" / "trews.db"
    database.parent.mkdir(parents=True)
    database.write_bytes(b"the served demo's")
    with service_lock(make_engine(f"sqlite:///{database}")):
        result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 1, result.output
    assert "not started: another TREWS service is running" in result.output
    assert database.read_bytes() == b"the served demo's"


EVERY_KIND = {"alert", "diversion", "digest-daily", "digest-weekly", "digest-association",
              "digest-ministry", "confirmation", "reminder", "operator", "risk"}


def test_demo_outbox_holds_every_kind_of_mail_each_named_by_its_kind(demo_run: DemoRun
                                                                        ) -> None:
    kinds: dict[str, list[EmailMessage]] = {}
    for path, mail in demo_run.mails():
        kind = str(mail[KIND_HEADER])
        assert path.name.startswith(f"{kind}-"), path.name
        kinds.setdefault(kind, []).append(mail)
    assert set(kinds) == EVERY_KIND
    to = {kind: {str(mail["To"]) for mail in mails} for kind, mails in kinds.items()}
    assert any("canhbao@example.net" in address for address in to["digest-ministry"])
    assert any("hiephoi.thep@example.com" in address for address in to["digest-association"])
    assert len(kinds["operator"]) == 2  # a source's server went down, then came back
    # the risk watch ran after the crawl: its risers head the overview, its warning went to
    # the example subscriber who opted in and watches a heading in a top 20
    assert all("noithat@example.com" in address for address in to["risk"]), to["risk"]
    ministry = kinds["digest-ministry"][0].get_body(("plain",))
    assert ministry is not None and "NGUY CƠ GIA TĂNG" in ministry.get_content()
    counted = re.search(r"by kind: +(.+)", demo_run.stdout)
    assert counted is not None, demo_run.stdout
    assert counted.group(1) == ", ".join(f"{len(mails)} {kind}"
                                         for kind, mails in sorted(kinds.items()))


SITE_LINK = re.compile(r"https?://[^\s\"'<>]+")


def test_every_link_in_the_demo_mails_answers_while_the_demo_is_served(
        demo_run: DemoRun, tmp_path: Path) -> None:
    """`trews --demo web` on the port the demo's mails link to: every link to the site in
    every mail's text and HTML parts answers 200 (a GET; actions show their form)."""
    site = f"http://127.0.0.1:{demo_run.port}/"
    links = set()
    for _path, mail in demo_run.mails():
        for part in mail.walk():
            if part.get_content_type() in ("text/plain", "text/html"):
                text = html.unescape(part.get_content())
                links |= {url for url in SITE_LINK.findall(text) if url.startswith(site)}
    assert any("/cases/" in url for url in links) and any("/confirm/" in url for url in links)
    log = tmp_path / "web.log"
    with log.open("w") as output:
        web = subprocess.Popen([*TREWS, "--demo", "web", "--port", str(demo_run.port)],
                               cwd=ROOT, env=demo_run.env, stdout=output,
                               stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: status_of(site) == 200, 60, "web front end", log)
        failed = [(url, status) for url in sorted(links) if (status := status_of(url)) != 200]
    finally:
        web.terminate()
        web.wait(timeout=30)
    assert failed == [], f"{len(failed)} of {len(links)} links fail: {failed[:10]}"


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - our local server
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_match_gives_one_line_per_notice_and_subscription(tmp_path: Path) -> None:
    analysed = run_trews("analyse", str(fr_page_as_jsonl(tmp_path / "page.jsonl")))
    assert analysed.returncode == 0, analysed.stderr
    subscriptions = tmp_path / "subscriptions.jsonl"
    subscriptions.write_text("\n".join(json.dumps(line) for line in [
        {"id": "paper", "sectors": ["paper"]},
        {"id": "paper-eu", "hs_codes": ["4819"], "markets": ["EU"]},
        {"id": "ministry", "all_sectors": True, "vietnam_roles": ["subject"]},
        {"id": "shrimp-high", "sectors": ["shrimp"], "min_severity": "high"},
    ]) + "\n")

    result = run_trews("match", "-", "--subscriptions", str(subscriptions),
                       stdin=analysed.stdout)

    assert result.returncode == 0, result.stderr
    matches = [json.loads(line) for line in result.stdout.splitlines()]
    pairs = {(m["notice_id"], m["subscription_id"]) for m in matches}
    assert ("2023-28945", "paper") in pairs and ("2023-28945", "ministry") in pairs
    assert ("2024-00396", "ministry") in pairs
    assert not any(m["subscription_id"] == "paper-eu" for m in matches)  # a US case
    assert ("2024-00396", "shrimp-high") not in pairs  # a sunset step is below "high"
    assert all(m["reasons"] and m["severity"] in {"high", "medium", "low"} for m in matches)


def test_match_refuses_a_bad_subscriptions_file(tmp_path: Path) -> None:
    subscriptions = tmp_path / "subscriptions.jsonl"
    subscriptions.write_text('{"id": "x", "hs_codes": ["73O6"]}\n')
    result = run_trews("match", "-", "--subscriptions", str(subscriptions), stdin="")
    assert result.returncode == 2
    assert "73O6" in result.stderr and "line 1" in result.stderr


def test_analyse_reads_what_people_and_programs_write(tmp_path: Path) -> None:
    """A BOM before line 1 is no error; a line in another encoding or nested without end is its
    own error, said once per line, and the other lines are analysed."""
    good = {"id": "g", "market": "US", "source": "us_fr_documents", "published": "2024-01-03",
            "title": "Certain Paper Shopping Bags From the Socialist Republic of Vietnam: "
                     "Preliminary Affirmative Determination of Sales at Less Than Fair Value",
            "text": "", "url": "https://example.org/g"}
    lines = [b"\xef\xbb\xbf" + json.dumps(good).encode(),
             json.dumps(good | {"id": "latin", "title": "Tôm"},
                        ensure_ascii=False).encode("latin-1"),
             b"[" * 100_000 + b"]" * 100_000,
             json.dumps(good | {"id": "last"}).encode()]
    result = CliRunner().invoke(main, ["analyse", "-"], input=b"\n".join(lines) + b"\n")

    assert result.exit_code == 1
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["g", "last"]
    assert "line 2: not UTF-8 text" in result.stderr
    assert "line 3: invalid JSON: nested too deeply" in result.stderr
    assert "line 2: line 2" not in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(("analysis", "said"), [
    ({"severity": "critical"}, "'severity' must be one of"),
    ({"trade_remedy": "no"}, "'trade_remedy' must be true or false"),
    ({"sectors": ["spaceships"]}, "unknown sector id(s) spaceships"),
    ({"market": "Vietnam"}, "'market' must be an ISO alpha-2 code"),
])
def test_match_refuses_values_outside_the_contract(tmp_path: Path, analysis: dict, said: str
                                                   ) -> None:
    subscriptions = tmp_path / "subscriptions.jsonl"
    subscriptions.write_text('{"id": "s", "sectors": ["steel"]}\n')
    line = json.dumps({"id": "n1", "trade_remedy": True, "sectors": ["steel"]} | analysis)
    result = CliRunner().invoke(main, ["match", "-", "--subscriptions", str(subscriptions)],
                                input=line + "\n")
    assert result.exit_code == 1 and said in result.stderr, result.output


@pytest.mark.parametrize(("subscription", "said"), [
    ('{"id": "s"}', "watches no product"),
    ('{"id": "s", "sectors": ["spaceships"]}', "unknown sector id(s) spaceships"),
    ('{"id": "s", "sectors": ["steel"], "markets": ["Vietnam"]}', "ISO alpha-2"),
])
def test_match_refuses_a_subscription_that_cannot_match(tmp_path: Path, subscription: str,
                                                        said: str) -> None:
    subscriptions = tmp_path / "subscriptions.jsonl"
    subscriptions.write_text(subscription + "\n")
    result = CliRunner().invoke(main, ["match", "-", "--subscriptions", str(subscriptions)],
                                input="")
    assert result.exit_code == 2 and said in result.output, result.output
