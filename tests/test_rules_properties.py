"""Property tests (hypothesis) of the parsers: no crash on any text, idempotent normalisers, and
round trips: a case number or a date written in any accepted way parses back to itself."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from config import load_sectors
from rules import analyse
from rules.case_numbers import normalise_case_number, parse_case_numbers
from rules.deadlines import find_deadlines
from rules.hs_codes import editions, extract_hs_codes, normalise_hs
from rules.markets import detect_market

SECTORS = load_sectors()
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
DASHES = ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014"]
VIETNAMESE = st.text(alphabet=st.sampled_from(list(
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
    " .,;:/()-0123456789ABCDĐVNHSQ")), max_size=300)


@given(st.text(max_size=400))
def test_hs_extraction_never_crashes_and_outputs_normal_codes(text: str) -> None:
    for code in extract_hs_codes(text):
        assert normalise_hs(code) == code and len(code) % 2 == 0
        assert all(e.isdigit() and len(e) == 6 for e in editions(code))


@given(st.from_regex(r"[0-9]{4}", fullmatch=True), st.lists(
    st.from_regex(r"[0-9]{2}", fullmatch=True), min_size=1, max_size=3),
    st.sampled_from([".", " ", ""]))
def test_hs_any_notation_normalises_to_digits(head: str, groups: list[str], sep: str) -> None:
    tail = "".join(sep + g for g in groups) if sep != " " else " " + "".join(groups)
    written = head + tail
    digits = head + "".join(groups)
    assert normalise_hs(written) == digits
    assert normalise_hs(normalise_hs(written) or "") == digits
    assert digits in extract_hs_codes(f"HS {written}") or len(digits) > 10


@given(st.text(max_size=300))
def test_case_number_parser_never_crashes_and_is_idempotent(text: str) -> None:
    for market in (None, "EU", "AU"):
        for number in parse_case_numbers([text], market=market):
            assert parse_case_numbers([number], market=market) == [number] or \
                normalise_case_number(number) == number


@given(st.sampled_from("AC"), st.integers(100, 999), st.integers(0, 999), st.sampled_from(DASHES),
       st.booleans(), st.sampled_from(["", "Case No. ", "docket ", "("]))
def test_us_case_number_round_trip(
    kind: str, country: int, serial: int, dash: str, spaced: bool, prefix: str
) -> None:
    sep = f" {dash} " if spaced else dash
    written = f"{prefix}{kind}{sep}{country}{sep}{serial:03d}"
    assert parse_case_numbers([written]) == [f"{kind}-{country}-{serial:03d}"]


@given(st.lists(st.tuples(st.sampled_from("AC"), st.integers(100, 999), st.integers(0, 999)),
                min_size=1, max_size=5, unique=True))
def test_comma_joined_docket_ids_split(numbers: list[tuple[str, int, int]]) -> None:
    canonical = [f"{k}-{c}-{s:03d}" for k, c, s in numbers]
    assert parse_case_numbers([", ".join(canonical)]) == canonical


@given(st.integers(1, 999), st.sampled_from(["701", "731"]))
def test_itc_number_round_trip(number: int, title: str) -> None:
    assert normalise_case_number(f"{title}-TA-{number}") == f"{title}-TA-{number}"


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
       st.sampled_from(["us", "day_month", "vi_slash", "vi_words", "vi_plain"]),
       st.sampled_from(["on or before", "no later than", "not later than", "by"]),
       st.sampled_from(["trước ngày", "chậm nhất ngày", "chậm nhất là ngày", "hạn chót là ngày",
                        "không muộn hơn ngày"]))
def test_absolute_dates_are_extracted(when: date, form: str, en: str, vi: str) -> None:
    if form == "us":
        text = f"Comments must be filed {en} {MONTHS[when.month - 1]} {when.day}, {when.year}."
    elif form == "day_month":
        text = f"Interested parties must register {en} {when.day} {MONTHS[when.month - 1]} " \
               f"{when.year}."
    elif form == "vi_slash":
        text = f"Doanh nghiệp đăng ký {vi} {when.day}/{when.month}/{when.year}."
    elif form == "vi_words":
        text = f"Doanh nghiệp gửi ý kiến {vi} {when.day} tháng {when.month} năm {when.year}."
    else:
        text = f"Doanh nghiep dang ky {vi} {when.day:02d}/{when.month:02d}/{when.year}."
    assert when in [d.date for d in find_deadlines(text, None)]


@given(st.integers(1, 365), st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
       st.sampled_from([
           "Case briefs are due within {n} days of publication of this notice.",
           "Submit comments no later than {n} days after the date of publication.",
           "Requests are due within {n} days of the publication of this notice.",
           "Các bên gửi bình luận trong vòng {n} ngày kể từ ngày ban hành thông báo.",
           "Cac ben dang ky trong thoi han {n} ngay ke tu ngay khoi xuong."]))
def test_relative_deadlines_count_from_publication(n: int, published: date, sentence: str) -> None:
    found = find_deadlines(sentence.format(n=n), published)
    assert [d.date for d in found] == [published + timedelta(days=n)]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300), VIETNAMESE, st.sampled_from(["VN", "WTO", "US", "EU", None, "xx"]))
def test_analyse_never_crashes(title: str, text: str, market: str | None) -> None:
    notice = {"id": "p", "title": title if title.strip() else "x", "text": text, "market": market,
              "published": "2024-01-02"}
    out = analyse(notice, SECTORS).to_dict()
    assert out["vietnam"] in ("subject", "circumvention", "none")
    assert out["market"] is None or isinstance(out["market"], str)
    assert (out["severity"] is None) == (not out["trade_remedy"])
    detect_market(title, text)
