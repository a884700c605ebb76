"""Text folding, countries and Vietnam aliases, HS codes, case numbers (with hypothesis)."""

from hypothesis import given
from hypothesis import strategies as st

from rules import case_numbers
from rules.case_numbers import normalise_case_number, origin_of, parse_case_numbers
from rules.countries import (
    country_code,
    mentions_vietnam,
    names_vietnamese_firm,
    origins_after_from,
    third_countries,
)
from rules.hs_codes import extract_hs_codes, normalise_hs
from rules.text import fold, folded_key, may_say


def test_fold_strips_vietnamese_diacritics() -> None:
    assert fold("Việt Nam") == "viet nam"
    assert fold("Đồ gỗ nội thất") == "do go noi that"
    assert folded_key("Steel Nails") == folded_key("steel nail")
    assert folded_key("Mattresses") == folded_key("mattress")


def test_vietnam_aliases_in_several_languages() -> None:
    for text in ["the Socialist Republic of Vietnam", "Viet Nam", "Việt Nam", "Vietnã",
                 "Viêt Nam", "imports from the SRV", "hàng xuất khẩu của Việt Nam"]:
        assert mentions_vietnam(text), text
    assert country_code("Việt Nam") == "VN"
    assert country_code("the People's Republic of China") == "CN"
    assert country_code("Türkiye") == "TR"


def test_vietnam_negatives_are_not_mentions() -> None:
    assert not mentions_vietnam("Benefits for Vietnam veterans exposed to herbicides")
    assert not mentions_vietnam("Vietnam Era Veterans' Readjustment Assistance Act")
    assert not mentions_vietnam("a memorial to the Vietnam War")
    assert not mentions_vietnam("Surveys of SRVs")  # 'SRV' only as an upper-case word


def test_origin_lists_after_from() -> None:
    title = ("Certain Frozen Warmwater Shrimp From the People's Republic of China, India, "
             "Thailand, and the Socialist Republic of Vietnam: Continuation of Antidumping Duty "
             "Orders")
    assert origins_after_from(title) == ["CN", "IN", "TH", "VN"]
    assert origins_after_from("Tool Chests and Cabinets From China and Vietnam; Institution") == [
        "CN", "VN"]
    assert origins_after_from("Urea Ammonium Nitrate (UAN) Solutions From Russia and Trinidad "
                              "and Tobago Scheduling of the Final Phase") == ["RU", "TT"]
    # "Exports From" names a circumvention route, not an origin of the order.
    title = ("Stainless Steel Sheet and Strip From the People's Republic of China: Final Scope "
             "Ruling and Final Affirmative Determination of Circumvention for Exports From the "
             "Socialist Republic of Vietnam")
    assert origins_after_from(title) == ["CN"]
    assert third_countries(title) == ["VN"]
    assert origins_after_from("Vietnam veterans benefits from the programme") == []


def test_vietnamese_firm_names() -> None:
    assert names_vietnamese_firm("Nippon Steel and Sumikin Sales Vietnam Co., Ltd. (NSSVC)")
    assert not names_vietnamese_firm("paper bags from Vietnam are sold at LTFV")


def test_hs_code_forms() -> None:
    text = ("subheading 7306.30.1000, 7306.30.10.00 and 8541.42; also HTSUS 7306301000; "
            "EU: ex 7219 90")
    assert extract_hs_codes(text) == ["7306301000", "854142", "721990"]
    assert normalise_hs("7306.30.1000") == "7306301000"
    assert normalise_hs("ex 7219 90") == "721990"
    assert normalise_hs("7306.3") is None
    assert normalise_hs("abc") is None
    assert extract_hs_codes("on January 3, 2024 at 88 FR 12345, $1234.56") == []


def test_case_numbers_commerce_itc_eu() -> None:
    assert parse_case_numbers(["A-552-802, A-533-840, A-570-893, A-549-822"]) == [
        "A-552-802", "A-533-840", "A-570-893", "A-549-822"]
    ranged = "Investigation Nos. 701-TA-703 and 731-TA-1661-1663 (Preliminary)"
    assert parse_case_numbers([ranged]) == [
        "701-TA-703", "731-TA-1661", "731-TA-1662", "731-TA-1663"]
    assert parse_case_numbers(["Nos. 701-TA-598 and 731-TA-1408 and 1410 (Review)"]) == [
        "701-TA-598", "731-TA-1408", "731-TA-1410"]
    assert parse_case_numbers(["Inv. TA-201-75"]) == ["TA-201-75"]
    assert parse_case_numbers(["Investigation No. 337-TA-1385"]) == []
    assert parse_case_numbers(["case AD608 and review R756"], eu=True) == ["AD608", "R756"]
    assert parse_case_numbers(["AD 2024-01-05 airworthiness"], eu=True) == []
    assert [origin_of(n) for n in ["A-552-836", "C-570-151", "A-549-822", "731-TA-1"]] == [
        "VN", "CN", "TH", None]


@given(st.text())
def test_hs_normaliser_never_crashes_and_is_idempotent(text: str) -> None:
    code = normalise_hs(text)
    if code is not None:
        assert normalise_hs(code) == code
        assert code.isdigit() and len(code) % 2 == 0
    for found in extract_hs_codes(text):
        assert normalise_hs(found) == found


@given(st.from_regex(r"[0-9]{4}(\.[0-9]{2}){0,3}", fullmatch=True))
def test_hs_dotted_codes_round_trip(text: str) -> None:
    code = normalise_hs(text)
    assert code == text.replace(".", "")
    assert normalise_hs(code) == code


@given(st.text())
def test_case_number_parser_never_crashes_and_is_idempotent(text: str) -> None:
    for number in parse_case_numbers([text], eu=True):
        assert normalise_case_number(number) == number


@given(st.from_regex(
    r"[AC]-[0-9]{3}-[0-9]{3}|(701|731)-TA-[1-9][0-9]{0,3}|TA-201-[1-9][0-9]{0,2}", fullmatch=True))
def test_case_numbers_round_trip(text: str) -> None:
    assert normalise_case_number(text) == text


def test_may_say_is_case_blind_and_never_wrong_on_odd_letters() -> None:
    assert may_say("Notice of the CBSA", ("cbsa",))
    assert not may_say("Notice of the Agency", ("cbsa",))
    assert may_say("Notice of the ſima", ("sima",))  # a case-insensitive regex reads ſ as s


_HINTS = [(case_numbers._AU_HINT_RE, case_numbers._AU_HINT_WORDS),
          (case_numbers._IN_HINT_RE, case_numbers._IN_HINT_WORDS),
          (case_numbers._CA_HINT_RE, case_numbers._CA_HINT_WORDS)]


def test_every_hint_phrase_holds_one_of_its_words() -> None:
    for pattern, words in _HINTS:
        for phrase in pattern.pattern.split("|"):
            assert any(w in phrase.replace("\\b", "").lower() for w in words), phrase


@given(st.text(alphabet="adnsimtgrcbADNSIMTGRCB -\u0130\u0131\u017f\u212a", max_size=12))
def test_a_hint_found_is_a_hint_said(text: str) -> None:
    for pattern, words in _HINTS:
        if pattern.search(text):
            assert may_say(text, words)
