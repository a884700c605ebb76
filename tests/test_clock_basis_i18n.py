"""The statutory clock's basis ("Căn cứ") in the reader's language: every sentence of
rules/data/clock.yaml has a reviewed Vietnamese entry, a postponement is said in both languages,
and a case page shows the basis in the language it is read in (the real shrimp order's case on
the database the real FR notices fill)."""

from __future__ import annotations

from datetime import date
from html import unescape

from babel.messages.pofile import read_po
from sqlalchemy import select

from alerts.content import POSTPONED_BASIS, basis_text
from alerts.i18n import catalogue_path, translations
from rules.clock import clock_rules, next_step, read_basis
from storage.models import Case, CaseNumber
from tests.web_data import WebData


def basis_sentences() -> list[str]:
    return sorted({rule.basis for rules in clock_rules().values() for rule in rules})


def test_every_basis_of_the_clock_has_a_reviewed_vietnamese_entry() -> None:
    with catalogue_path("vi").open("rb") as po_file:
        catalog = read_po(po_file, locale="vi")
    wanted = [*basis_sentences(), POSTPONED_BASIS]
    assert len(wanted) > 20
    missing = [s for s in wanted if s not in catalog or not catalog[s].string]
    assert missing == []
    assert [s for s in wanted if catalog[s].fuzzy] == []
    vi = translations("vi").gettext
    assert all(vi(s) != s for s in wanted)


def test_a_postponed_step_says_so_in_both_languages() -> None:
    step = next_step("US", "investigation", "preliminary", ["AD"], date(2024, 1, 3),
                     postponed=True)
    assert step is not None
    sentence, postponed = read_basis(step.basis)
    assert postponed and sentence == ("Commerce's final determination is due 75 days after the "
                                      "preliminary (extendable to 135)")
    assert basis_text(step.basis, translations("en").gettext) == step.basis
    assert basis_text(step.basis, translations("vi").gettext) == (
        "Bộ Thương mại Hoa Kỳ ban hành kết luận cuối cùng trong vòng 75 ngày kể từ ngày ban hành "
        "kết luận sơ bộ (có thể gia hạn đến 135 ngày) (được gia hạn theo thông báo này)")


def test_a_sentence_the_catalogue_does_not_know_stays_readable() -> None:
    assert basis_text("an older clock rule", translations("vi").gettext) == "an older clock rule"
    assert basis_text("", translations("vi").gettext) == ""


def test_the_case_page_shows_the_basis_in_the_readers_language(web: WebData) -> None:
    with web.service.sessions() as session:
        case = session.scalars(select(Case).join(CaseNumber).where(
            CaseNumber.number == "A-552-802")).one()
    english = "a continued order comes up for its next five-year (sunset) review"
    assert case.next_basis == english
    vietnamese = unescape(web.client().get(f"/cases/{case.id}").text)
    assert ("Căn cứ: lệnh áp thuế được tiếp tục áp dụng sẽ đến hạn rà soát cuối kỳ (5 năm) lần "
            "tiếp theo") in vietnamese
    assert english not in vietnamese
    assert f"Basis: {english}" in unescape(web.client().get(f"/cases/{case.id}?lang=en").text)
