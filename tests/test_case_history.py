"""The historic US case lists: cleaning the real messy rows, merging the lists by case number,
storing the cases on both real databases (idempotent, never undoing what crawled notices
established), and `trews cases import` as an operator runs it."""

import csv
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from cli import main
from storage.cases import CaseLink, link_notice
from storage.database import transaction
from storage.history import BUNDLED, bundled_lists, import_history
from storage.history_cases import History, HistoryFileError
from storage.history_lists import read_list, read_lists
from storage.history_rows import commerce_number, itc_number, parse_day, wto_partners
from storage.models import Case, CaseNumber, Notice, Source

ACCESS = BUNDLED / "ita_access_case_list_2020.csv"
PETITIONS = BUNDLED / "syyunn_caselist_w_petition_date.csv"
ITC = BUNDLED / "usitc_adcvd_orders_list_2020.csv"
WTO = BUNDLED / "wto_itip_us_antidumping_measures_2020.csv"


@pytest.fixture(scope="module")
def history() -> History:
    return read_lists(bundled_lists())


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def case_by_number(session, number: str) -> Case:
    return session.scalars(select(Case).join(CaseNumber, CaseNumber.case_id == Case.id)
                           .where(CaseNumber.number == number)).one()


def table_sizes(sessions) -> tuple[int, int]:
    with sessions() as session:
        return (session.scalar(select(func.count(Case.id))) or 0,
                session.scalar(select(func.count(CaseNumber.id))) or 0)


# --- cleaning, on the notations the real lists use ---------------------------------------------

@pytest.mark.parametrize("text, day", [
    ("10/21/1977", date(1977, 10, 21)), ("2016/04/14", date(2016, 4, 14)),
    ("2011-10-26 00:00:00", date(2011, 10, 26)), ("  ", None),
])
def test_dates_in_every_notation_of_the_lists(text: str, day: date | None) -> None:
    assert parse_day(text) == day


@pytest.mark.parametrize("text", ["28-Aug", "04/062020", "10/0/2019"])
def test_unreadable_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="unreadable date"):
        parse_day(text)


@pytest.mark.parametrize("text, number", [
    ("A-552-802", "A-552-802"), ("A\u2013533\u2013883", "A-533-883"),
    ("C--552-826", "C-552-826"), ("A-60-2807", "A-602-807"), ("A122-855", "A-122-855"),
    ("\u00a0A-570-110\n", "A-570-110"), ("C-53-878", None), ("", None),
])
def test_commerce_numbers_in_several_notations(text: str, number: str | None) -> None:
    assert commerce_number(text) == number


@pytest.mark.parametrize("text, number", [
    ("A-1068", "731-TA-1068"), ("C-462", "701-TA-462"), ("A-457-B", "731-TA-457"),
    ("A1449", "731-TA-1449"), ("A\u20131414", "731-TA-1414"), ("701-TA-629", "701-TA-629"),
    ("AA-167", "AA1921-167"),
])
def test_itc_numbers_as_the_federal_register_writes_them(text: str, number: str) -> None:
    assert itc_number(text) == number


def test_wto_partner_lists_split_per_country_even_with_commas_in_names() -> None:
    assert wto_partners("Korea, Republic of, Viet Nam") == ["KR", "VN"]
    assert wto_partners("China, Chinese Taipei") == ["CN", "TW"]
    assert wto_partners("Moldova, Republic of") == ["MD"]


# --- the real lists, read and merged ------------------------------------------------------------

def test_every_record_of_every_list_is_read(history: History) -> None:
    read = {listed.name: listed.rows for listed in history.files}
    for path in (ACCESS, PETITIONS, ITC, WTO):
        records = [row for row in csv.reader(path.open(encoding="utf-8-sig", newline=""))
                   if row][1:]
        assert read[path.name] == len(records), path.name
    itc_lines = ITC.read_text(encoding="utf-8-sig").count("\n")
    assert read[ITC.name] < itc_lines  # quoted line breaks: fewer records than lines


def test_access_test_records_are_rejected_with_a_reason(history: History) -> None:
    rejected = {(i.file, i.line): i.reason for i in history.files[0].rejected
                if i.file == ACCESS.name}
    tests = [(line, row) for line, row in enumerate(rows_of(ACCESS), start=2)
             if row["Case Number"].startswith("A-000-") or re.search(r"\btest", row["Case Title"],
                                                                      re.I)]
    assert len(tests) >= 20
    for line, row in tests:
        reason = rejected[(ACCESS.name, line)]
        assert "is no Commerce country code" in reason and "test" in reason, row
    assert "000 is no Commerce country code" in rejected[(ACCESS.name, 2)]  # Shells From Seychelles
    assert rejected[(ACCESS.name, 3)].endswith("(a test record)")  # test From Iceland


def test_the_itc_lists_typing_errors_are_corrected_and_said(history: History) -> None:
    itc = next(listed for listed in history.files if listed.name == ITC.name)
    said = " | ".join(issue.reason for issue in itc.corrected)
    for wrong, right in (("A-553-817", "A-552-817"), ("A-522-806", "A-552-806"),
                         ("A-552-813", "C-552-813"), ("C--552-826", "C-552-826")):
        assert f"{wrong}' read as {right}" in said or f"{wrong} read as {right}" in said
    cases = {case.number: case for case in history.cases}
    octg = cases["A-552-817"]
    assert octg.itc_numbers == ["731-TA-1223"] and octg.ordered_on == date(2014, 9, 10)
    towers = cases["C-552-826"]  # its country sits in 'Column2'
    assert (towers.origin, towers.ordered_on) == ("VN", date(2020, 8, 20))


def test_wto_rows_join_their_commerce_case_with_dates_and_hs_codes(history: History) -> None:
    cases = {case.number: case for case in history.cases}
    fillets = cases["A-552-801"]
    assert fillets.initiated_on == date(2002, 7, 24)
    assert fillets.hs_codes == ["030429", "030462", "030559", "160419"]
    assert any(ref.startswith(WTO.name) for ref in fillets.rows)
    pipe = cases["A-552-820"]  # a withdrawn investigation: petition 2015-10-28, WTO 2015-11-25
    assert (pipe.initiated_on, pipe.revoked_on) == (date(2015, 11, 25), date(2016, 11, 18))
    assert pipe.step == ("investigation", "termination", "closed")


def test_every_vietnamese_row_of_the_lists_is_a_case_or_a_reported_rejection(
        history: History) -> None:
    """An independent count: the Commerce numbers with Vietnam's code 552 as a CSV scan finds
    them, and the ITC rows whose country is Vietnam, rebuilt from their AD/CVD column."""
    scanned = {row["Case Number"] for row in rows_of(ACCESS) if "-552-" in row["Case Number"]}
    scanned |= {row["case_number"] for row in rows_of(PETITIONS) if "-552-" in row["case_number"]}
    scanned |= {f"{row['AD/CVD']}-552-{row['DOC case No.'].strip()[-3:]}" for row in rows_of(ITC)
                if "Vietnam" in row["Country"] + row["Column2"]}
    imported = {case.number for case in history.cases if case.origin == "VN" and case.number}
    rejected = {number for listed in history.files for issue in listed.rejected
                for number in re.findall(r"[AC]-552-\d{3}", issue.reason)}
    assert rejected == {"A-552-988", "C-552-989"}  # the ACCESS solar placeholders
    assert imported == scanned - rejected
    wto_vietnam = [line for line, row in enumerate(rows_of(WTO), start=2)
                   if "Viet Nam" in row["Partner affected"]]
    refs = [ref for case in history.cases if case.origin == "VN" for ref in case.rows]
    assert sorted(int(ref.rsplit(":", 1)[1]) for ref in refs if ref.startswith(WTO.name)) \
        == wto_vietnam


# --- storing, on SQLite and PostgreSQL ----------------------------------------------------------

def test_the_vietnamese_cases_are_stored_with_their_stage(sessions) -> None:
    report = import_history(sessions, bundled_lists())
    with sessions() as session:
        shrimp = case_by_number(session, "A-552-802")
        assert (shrimp.origin, shrimp.measure, shrimp.vietnam) == ("VN", "AD", "subject")
        assert "shrimp" in shrimp.product
        assert shrimp.opened_on == date(2004, 1, 27)
        assert (shrimp.stage, shrimp.status) == ("continuation", "open")
        assert {n.number for n in shrimp.numbers} == {"A-552-802", "731-TA-1068"}
        fillets = case_by_number(session, "A-552-801")
        assert (fillets.origin, fillets.measure, fillets.product) == ("VN", "AD",
                                                                      "frozen fish fillet")
        assert (fillets.opened_on, fillets.ordered_on) == (date(2002, 7, 24), date(2003, 8, 12))
        assert fillets.stage == "continuation"
        vietnam = session.scalar(select(func.count(Case.id)).where(Case.origin == "VN"))
        assert vietnam == report.vietnam
        withdrawn = case_by_number(session, "A-552-822")
        assert (withdrawn.stage, withdrawn.status) == ("termination", "closed")
    assert report.outcomes["new"] == report.cases == table_sizes(sessions)[0]


def test_importing_again_changes_nothing(sessions) -> None:
    first = import_history(sessions, bundled_lists())
    sizes = table_sizes(sessions)
    again = import_history(sessions, bundled_lists())
    assert table_sizes(sessions) == sizes
    assert again.outcomes == {"unchanged": first.cases}


def crawled_notice(session, number: str, product: str, stage: str, published: date) -> Case:
    if session.get(Source, "us_fr_documents") is None:
        session.add(Source(id="us_fr_documents", market="US", authority="FR", kind="api",
                           url="https://www.federalregister.gov/api/v1/"))
        session.flush()
    notice = Notice(source_id="us_fr_documents", external_id=f"{number}-{published}",
                    market="US", url="https://www.federalregister.gov/d/x", title=number,
                    published=published, raw={}, content_hash=number)
    session.add(notice)
    session.flush()
    return link_notice(session, notice, CaseLink(
        market="US", origin="VN", measure="AD", product=product,
        numbers=(number,), vietnam="subject", proceeding="administrative_review", stage=stage,
        event_on=published))


def test_a_case_crawled_notices_moved_later_keeps_their_stage(sessions) -> None:
    with transaction(sessions) as session:
        crawled_notice(session, "A-552-802", "frozen warmwater shrimp", "results",
                       date(2024, 3, 1))
        crawled_notice(session, "A-552-801", "frozen fish fillet", "results", date(2010, 3, 1))
    import_history(sessions, bundled_lists())
    with sessions() as session:
        shrimp = case_by_number(session, "A-552-802")
        assert (shrimp.stage, shrimp.last_event_on) == ("results", date(2024, 3, 1))
        assert shrimp.opened_on == date(2004, 1, 27)  # the lists add what the notices lacked
        assert shrimp.ordered_on == date(2005, 2, 1)
        assert "731-TA-1068" in {n.number for n in shrimp.numbers}
        assert len(shrimp.events) == 1
        fillets = case_by_number(session, "A-552-801")  # the lists know a later step (2014)
        assert (fillets.stage, fillets.last_event_on) == ("continuation", date(2014, 11, 28))
    again = import_history(sessions, bundled_lists())
    assert set(again.outcomes) == {"unchanged"}


def test_an_unreadable_file_is_named_with_its_line_and_nothing_is_stored(
        sessions, tmp_path: Path) -> None:
    broken = tmp_path / "synthetic_access_unclosed_quote.csv"  # ACCESS columns, quote left open
    broken.write_text('Case Number,Case Title\nA-552-802,Frozen Warmwater Shrimp From Vietnam\n'
                      'A-552-801,"Frozen Fish Fillets From Vietnam\nA-552-803,Innerspring\n',
                      encoding="utf-8")
    with pytest.raises(HistoryFileError) as error:
        import_history(sessions, [*bundled_lists(), broken])
    assert (error.value.file, error.value.line) == (broken, 3)
    assert table_sizes(sessions) == (0, 0)


def test_a_file_that_is_no_case_list_is_named(tmp_path: Path) -> None:
    other = tmp_path / "synthetic_not_a_case_list.csv"
    other.write_text("email,name\na@example.org,A\n", encoding="utf-8")
    with pytest.raises(HistoryFileError, match=r"synthetic_not_a_case_list.csv:1: not a known"):
        read_lists([other])
    latin = tmp_path / "synthetic_latin1.csv"
    latin.write_bytes(b"Case Number,Case Title\nA-552-802,Shrimp From Vi\xeat Nam\n")
    with pytest.raises(HistoryFileError, match=r"synthetic_latin1.csv:2: not UTF-8"):
        read_lists([latin])


def test_an_orders_api_answer_with_wrong_shapes_is_rejected_row_by_row(tmp_path: Path) -> None:
    answer = tmp_path / "synthetic_orders_api.json"
    answer.write_text('{"results": [{"case_number": "A-552-802", "country": "Vietnam", '
                      '"product": "Shrimp", "hts_numbers": 5}, {"case_number": "A-552-801", '
                      '"country": "Vietnam", "product": "Fish fillets", "hts_numbers": '
                      '["0304.62"]}]}', encoding="utf-8")
    listed = read_list(answer)
    assert [case.number for case in listed.cases] == ["A-552-801"]
    assert "hts_numbers must be a list" in listed.rejected[0].reason
    deep = tmp_path / "synthetic_deep.json"
    deep.write_text('{"results": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(HistoryFileError, match=r"synthetic_deep.json:1: broken JSON"):
        read_list(deep)


# --- the command ---------------------------------------------------------------------------------

def test_trews_cases_import_reports_per_file_and_writes_the_rejected(tmp_path: Path) -> None:
    env = {"TREWS_DATA_DIR": str(tmp_path / "var")}
    out = tmp_path / "rejected.csv"
    result = CliRunner().invoke(main, ["cases", "import", "--rejected", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert re.search(rf"{ACCESS.name}: 994 rows read, \d+ rejected", result.output)
    assert re.search(r"historic cases: \d+ \(29 on Vietnam\): \d+ new", result.output)
    assert f"{ACCESS.name}:2: A-000-000" in result.output
    written = list(csv.DictReader(out.open(encoding="utf-8")))
    count = int(re.search(r"rejected: (\d+)", result.output).group(1))
    assert sum(row["kind"] == "rejected" for row in written) == count > 20
    again = CliRunner().invoke(main, ["cases", "import"], env=env)
    assert re.search(r"historic cases: \d+ \(29 on Vietnam\): 0 new, 0 updated", again.output)


def test_trews_cases_import_exits_2_on_an_unreadable_file(tmp_path: Path) -> None:
    broken = tmp_path / "synthetic_petitions_unclosed_quote.csv"
    broken.write_text('"case_number","case_title","petition_date"\n'
                      'A-552-811,"Pipe From Vietnam,2011-10-26 00:00:00\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["cases", "import", str(broken)],
                                env={"TREWS_DATA_DIR": str(tmp_path / "var")})
    assert result.exit_code == 2
    assert f"{broken}:2: broken CSV" in result.output
    assert "nothing imported" in result.output
    assert CliRunner().invoke(main, ["cases", "import", "--help"]).exit_code == 0
