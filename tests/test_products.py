"""Product identity from the HS nomenclature (rules/products.py): a product named in no word list
and no fixture gets its HS heading and sector from the nomenclature itself, in English and in
Vietnamese, with or without diacritics; the analysis says which code it inferred and why."""

import os
from pathlib import Path

import pytest
import yaml

from config import load_sectors
from rules.analyse import analyse
from rules.products import chemical_name, classify_product, product_index

SECTORS = load_sectors()
ROOT = Path(__file__).resolve().parent.parent
# Products named nowhere in config/sectors.yaml, rules/vocab/ or the test fixtures (checked below),
# so only the nomenclature can name them.
UNSEEN = [
    ("potassium permanganate", "2841", "chemicals"),
    ("ceramic sinks", "6910", "ceramics_glass"),
    ("chậu rửa bằng sứ", "6910", "ceramics_glass"),
    ("búp bê", "9503", "other"),
    ("bup be", "9503", "other"),
    ("wallpaper", "4814", "paper"),
    ("giấy dán tường", "4814", "paper"),
]
# Press headlines (no case grammar) naming products of no list and no fixture either.
UNSEEN_IN_PRESS = [
    ("Brazil áp thuế chống bán phá giá vòi nước từ Việt Nam", "vòi nước", "8481", "machinery"),
    ("Brazil imposes anti-dumping duties on water taps from Vietnam", "water taps", "8481",
     "machinery"),
    ("Ấn Độ điều tra chống bán phá giá quạt trần từ Việt Nam", "quạt trần", "8414", "machinery"),
    ("Hair dryers from Vietnam: India opens anti-dumping inquiry", "hair dryers", "8516",
     "machinery"),
    ("Mexico điều tra chống bán phá giá dao cạo râu từ Việt Nam", "dao cạo râu", "8212", "other"),
    ("Razor blades from Vietnam: Mexico opens anti-dumping inquiry", "razor blades", "8212",
     "other"),
]


def _everywhere() -> str:
    texts = [p.read_text("utf-8") for p in (ROOT / "config").glob("*.yaml")]
    texts += [p.read_text("utf-8") for p in (ROOT / "rules" / "vocab").glob("*.yaml")]
    fixtures = (ROOT / "tests" / "fixtures").rglob("*")
    texts += [p.read_text("utf-8", errors="ignore") for p in fixtures
              if p.is_file() and p.suffix in {".jsonl", ".json", ".md", ".csv", ".txt"}]
    return "\n".join(texts).lower()


def test_the_unseen_products_are_in_no_list_and_no_fixture() -> None:
    everything = _everywhere()
    for phrase in [p for p, _, _ in UNSEEN] + [p for _, p, _, _ in UNSEEN_IN_PRESS]:
        assert phrase.lower() not in everything, phrase


@pytest.mark.parametrize(("phrase", "heading", "sector"), UNSEEN)
def test_an_unseen_product_gets_its_heading_and_sector_from_the_nomenclature(
        phrase: str, heading: str, sector: str) -> None:
    from rules.notice import Notice
    from rules.notice_sectors import notice_sectors
    from rules.sectors import index_for

    found = classify_product([phrase])
    assert found is not None and found.heading == heading, found
    assert f"HS {heading} inferred from '{phrase}'" in found.reason()
    notice = Notice("x", f"{phrase} From the Socialist Republic of Vietnam: Final Results")
    got, why = notice_sectors(index_for(SECTORS), notice, "", "", [], inferred=found)
    assert got == [sector], why


def test_an_unseen_product_gets_its_sector_in_an_english_notice() -> None:
    result = analyse({"id": "x", "market": "US", "source": "us_fr_documents",
                      "title": "Potassium Permanganate From the Socialist Republic of Vietnam: "
                               "Initiation of Less-Than-Fair-Value Investigation",
                      "published": "2026-11-20"}, SECTORS).to_dict()
    assert result["sectors"] == ["chemicals"]
    assert result["hs_inferred"] == ["284161"] and result["hs_codes"] == []
    assert any("HS 2841 inferred from 'Potassium Permanganate'" in r for r in result["reasons"])


def test_an_unseen_product_gets_its_sector_in_vietnamese_news() -> None:
    result = analyse({"id": "x", "market": "VN", "source": "vn_trav",
                      "title": "Ấn Độ khởi xướng điều tra chống bán phá giá đối với chậu rửa bằng "
                               "sứ nhập khẩu từ Việt Nam",
                      "published": "2026-11-20"}, SECTORS).to_dict()
    assert (result["market"], result["vietnam"], result["sectors"]) == (
        "IN", "subject", ["ceramics_glass"])
    assert result["hs_inferred"] and result["hs_inferred"][0].startswith("6910")


@pytest.mark.parametrize(("title", "phrase", "heading", "sector"), UNSEEN_IN_PRESS)
def test_an_unseen_product_in_a_press_headline_gets_its_heading_and_sector(
        title: str, phrase: str, heading: str, sector: str) -> None:
    """A press headline has no case grammar: its product is what its markets, procedure words
    and figures leave, and the nomenclature names it."""
    result = analyse({"id": "x", "market": None, "source": "news", "title": title,
                      "text": f"{title}.", "published": "2026-11-20"}, SECTORS).to_dict()
    assert result["trade_remedy"] and result["sectors"] == [sector], result["reasons"]
    assert result["hs_inferred"] and result["hs_inferred"][0][:4] == heading
    assert any(f"inferred from '{phrase}'" in reason.lower() for reason in result["reasons"])


def test_a_stated_code_wins_over_the_name() -> None:
    result = analyse({"id": "x", "market": "US", "source": "us_fr_documents",
                      "title": "Ceramic Sinks From China: Final Results",
                      "text": "The merchandise is classified under HTSUS 6910.10.0010.",
                      "published": "2026-11-20"}, SECTORS).to_dict()
    assert result["hs_codes"] == ["6910100010"] and result["hs_inferred"] == []


def test_the_same_product_in_two_languages_has_one_heading() -> None:
    english = classify_product(["aluminum extrusions"])
    vietnamese = classify_product(["nhôm định hình"])
    assert english is not None and vietnamese is not None
    assert english.heading == vietnamese.heading == "7604"


def test_nothing_is_inferred_from_words_the_nomenclature_does_not_know() -> None:
    assert classify_product(["zzzz qqqq"]) is None
    assert product_index().rank("") == []


def test_a_chemical_name_is_known_by_its_ending_only_when_it_is_one_word() -> None:
    assert chemical_name("Erythritol") == "ol"
    assert chemical_name("L-Lysine") == "ine"
    assert chemical_name("Steel Nails") is None
    assert chemical_name("Magnesium") is None


def test_trade_names_map_only_to_words_of_the_nomenclature() -> None:
    """Every word a trade name adds is a word the nomenclature uses: the list bridges trade
    language to the HS, it does not name products of its own."""
    from rules.product_words import TRADE_NAMES_FILE, query_tokens

    names = yaml.safe_load(TRADE_NAMES_FILE.read_text("utf-8"))["trade_names"]
    known = product_index().postings
    for name, words in names.items():
        missing = [w for w in query_tokens(str(words)) if "_" not in w and w not in known]
        assert not missing, (name, missing)


def test_a_subscription_on_a_heading_matches_news_that_names_no_code() -> None:
    """The product identity feeds matching: HS 7604 matches a Vietnamese news item on 'nhôm
    định hình' that states no code, and the reason says the code was inferred, in both
    languages."""
    from alerts.labels import Labels
    from alerts.reasons import why_lines
    from rules.matching import match
    from rules.subscriptions import Subscription

    analysis = analyse({"id": "n1", "market": "VN", "source": "vn_trav",
                        "title": "Úc khởi xướng điều tra chống bán phá giá đối với nhôm định hình "
                                 "nhập khẩu từ Việt Nam",
                        "published": "2026-11-20"}, SECTORS).to_dict()
    assert analysis["hs_codes"] == [] and analysis["hs_inferred"][0].startswith("7604")
    [found] = match(analysis, [Subscription("s1", hs_codes=["7604"])], title="", text="")
    assert any("inferred from the product's name" in str(r) for r in found.reasons)
    names = {s.id: s.name for s in SECTORS}
    for lang, words in (("en", "by the HS nomenclature"), ("vi", "theo Danh mục HS")):
        lines = why_lines(found.reasons, Labels(lang, names))
        assert any(words in line and "7604" in line for line in lines), lines


@pytest.mark.parametrize(("title", "product"), [
    # procedure words and parties are no product; the product follows the remedy or a cue
    ("Úc xem xét lại quyết định về thép góc Việt Nam", "thép góc"),
    ("Bộ Công Thương phản đối mức thuế của Canada với ván sàn Việt Nam", "ván sàn"),
    # folded, 'tự' (self-) is 'từ' (from) and 'bi' (ball) is 'bị' (passive): not here
    ("Peru điều tra chống bán phá giá đinh tự khoan từ Việt Nam", "đinh tự khoan"),
    ("Ai Cập áp thuế chống bán phá giá vòng bi Việt Nam", "vòng bi"),
    # English words are fillers of English headlines only ('in' is a Vietnamese word)
    ("Mỹ điều tra chống bán phá giá giấy in ảnh từ Việt Nam", "giấy in ảnh"),
    ("Chile imposes anti-dumping duty on Vietnamese and Thai ceiling fans", "ceiling fans"),
    ("Mexico opens probe into water taps from Vietnam", "water taps"),
    # the goods before the parties that make or ship them, not the verb of the headline
    ("Vietnamese sofa exporters see lower duties after review", "sofa"),
    ("India drops Thai makers from wall clock dumping probe", "wall clock"),
    ("Mỹ điều tra chống lẩn tránh đối với một số nhà sản xuất", ""),
    # the proceeding named after its remedy, and the importer, are no goods
    ("EU closes anti-circumvention case against Vietnamese plywood", "plywood"),
    ("Egypt imposes provisional safeguard on ferromanganese", "ferromanganese"),
    ("CBP kết luận nhà nhập khẩu trốn thuế với nệm Trung Quốc", "nệm"),
    # a country after 'đối với (hàng)' is the origin: the product comes before it
    ("Úc chấm dứt điều tra chống bán phá giá thép cuộn đối với hàng Việt Nam", "thép cuộn"),
    # 'làm từ' (made from) names the material, not the origin
    ("Bộ Công Thương điều tra chống bán phá giá đối với tấm lót làm từ cao su",
     "tấm lót làm từ cao su"),
])
def test_a_press_headline_names_its_product(title: str, product: str) -> None:
    from rules.notice_sectors import headline_product

    assert headline_product(title) == product


def _document(code: str) -> dict[str, float]:
    from rules.nomenclature import subheadings

    return dict(next(doc for doc in subheadings() if doc.code == code).terms)


def test_the_unnumbered_lines_of_the_national_nomenclature_are_read() -> None:
    """'Cốc (ly) bằng thủy tinh khác' heads 7013.33 and 7013.37 in Vietnam's nomenclature
    without a code of its own: its words belong to the lines under it, not to the next heading."""
    assert "cốc" in _document("701337") and "cốc" not in _document("701090")


def test_a_chapter_lends_its_material_to_headings_that_leave_it_out() -> None:
    """76.12 ('Thùng phuy, thùng hình trống, lon, hộp ...') never says 'nhôm' in Vietnamese:
    chapter 76 does, in nearly all its headings."""
    assert "nhôm" in _document("761290") and "nhôm" not in _document("731021")


def test_head_nouns_are_the_goods_a_line_lists_not_what_it_mentions() -> None:
    from rules.product_words import HEAD, heads

    listed = heads("Thùng phuy, thùng hình trống, lon, hộp và các loại đồ chứa tương tự")
    assert {f"{HEAD}thùng", f"{HEAD}lon", f"{HEAD}hộp"} <= set(listed)
    assert f"{HEAD}lon" not in heads("Nắp của hộp (lon) nhôm")  # a parenthesis names no good
    assert heads("Từ xơ staple tổng hợp") == []  # what a good is made from
    assert heads("Aluminium casks, drums, cans")[-1] == f"{HEAD}can"
    assert f"{HEAD}lá" in heads("Nhôm lá mỏng", material_first={"nhôm"})


@pytest.mark.parametrize(("phrase", "chapter"), [
    ("bồn cầu sứ", "69"),  # the material follows the good, with no 'bằng'
    ("porcelain toilet bowls", "69"),  # the material comes first in English
    ("khay nhôm", "76"),
    # 'nhựa' is the nomenclature's 'plastic', the material chapter 39's title begins with
    ("móc treo quần áo bằng nhựa", "39"),
    ("cửa sổ nhựa Việt Nam", "39"),
])
def test_what_a_good_is_made_of_places_it(phrase: str, chapter: str) -> None:
    found = classify_product([phrase], group=lambda code: code[:2])
    assert found is not None and found.code[:2] == chapter, found


def test_a_group_holding_most_of_the_near_best_score_places_a_product(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two groups come close at the top; the one whose subheadings hold most of the near-best
    score places the product, and a split that no group dominates places nothing."""
    from rules import products
    from rules.nomenclature import Subheading

    monkeypatch.setattr(products, "MIN_SCORE", 0.0)  # a small index scores low

    def doc(code: str, *words: str) -> Subheading:
        return Subheading(code, code, tuple((w, 1.0) for w in words))

    filler = [doc(f"99{n:04d}", f"filler{n}", "other") for n in range(40)]
    # the short 47 document scores best; three 48 documents come close behind it
    index = products.ProductIndex([doc("470700", "paperboard"),
                                   doc("480100", "paperboard", "uncoated"),
                                   doc("480200", "paperboard", "coated"),
                                   doc("480300", "paperboard", "kraft"), *filler])
    assert index.rank("paperboard", limit=1)[0].code == "470700"
    found = index.classify("paperboard", group=lambda code: code[:2])
    assert found is not None and found.code.startswith("48")
    even = products.ProductIndex([doc("480100", "board"), doc("470700", "board"), *filler])
    assert even.classify("board", group=lambda code: code[:2]) is None


def test_a_trade_name_yields_to_a_compound_the_nomenclature_names() -> None:
    """'tủ' is the press's cabinet (furniture), but 'tủ lạnh' is the nomenclature's own
    refrigerator: the trade name does not pull it into furniture."""
    fridge = classify_product(["tủ lạnh"], group=lambda code: code[:2])
    cabinet = classify_product(["tủ bếp"], group=lambda code: code[:2])
    assert fridge is not None and fridge.heading == "8418", fridge
    assert cabinet is not None and cabinet.heading.startswith("94"), cabinet


def test_cement_is_placed_by_its_heading_not_by_a_term_of_another_scope() -> None:
    """Cement is HS 2523 (chapter 25), outside ceramics_glass's chapters 68-70: sector other."""
    for title, text, market, source in [
        ("Portland Cement From Japan; Institution of Five-Year Review", "", "US",
         "us_fr_documents"),
        ("Philippines áp thuế chống bán phá giá xi măng Việt Nam",
         "DTI áp thuế chống bán phá giá đối với xi măng poóc lăng nhập khẩu từ Việt Nam.", None,
         "news"),
    ]:
        result = analyse({"id": "c", "title": title, "text": text, "market": market,
                          "source": source, "published": "2026-11-20"}, SECTORS).to_dict()
        assert result["sectors"] == ["other"], result["reasons"]


@pytest.mark.parametrize(("phrase", "heading"), [
    ("sodium thiosulfate", "2832"),  # the nomenclature's 'thiosulphates'
    ("fiberboard", "4411"),  # its 'fibreboard'
    ("aluminum foil", "7607"),
])
def test_american_spelling_inside_a_word_finds_the_british_nomenclature(
        phrase: str, heading: str) -> None:
    found = classify_product([phrase])
    assert found is not None and found.heading == heading


def test_a_lone_y_or_i_of_vietnamese_is_one_spelling() -> None:
    """The press writes 'ắc quy', the national nomenclature 'ắc qui' (electric accumulators)."""
    from rules.product_words import words_of

    assert words_of("ắc quy, kỹ thuật") == words_of("ắc qui, kĩ thuật")
    assert words_of("dry ply") == ["dry", "ply"]  # English words keep their y
    found = classify_product(["ắc quy lithium"])
    assert found is not None and found.heading == "8507"


def test_canned_goods_are_the_nomenclatures_prepared_or_preserved_ones() -> None:
    for phrase, heading in [("canned pineapple", "2008"), ("cá ngừ đóng hộp", "1604")]:
        found = classify_product([phrase])
        assert found is not None and found.heading == heading, phrase


def test_the_chapter_words_are_the_same_whatever_the_hash_seed() -> None:
    """The chapter words are read as a line whose neighbours pair in the index: their order must
    not follow the order a set happens to iterate in (it changed the scores from run to run)."""
    import subprocess
    import sys

    script = ("from rules.nomenclature import _chapter_words, material_vocabulary; "
              "print(sorted(_chapter_words().items())); print(sorted(material_vocabulary()))")
    runs = {subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, text=True,
                           capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2", "3")}
    assert len(runs) == 1 and "thảm" in runs.pop()


def test_a_headline_led_by_its_topic_names_that_product() -> None:
    result = analyse({"id": "n", "market": None, "source": "news", "published": "2026-11-20",
                      "title": "Bàn chải đánh răng: Ấn Độ kết luận sơ bộ đối với một số nhà "
                               "xuất khẩu",
                      "text": "DGTR ban hành kết luận sơ bộ vụ điều tra chống bán phá giá bàn "
                              "chải đánh răng nhập khẩu từ Việt Nam."}, SECTORS).to_dict()
    assert result["hs_inferred"][0].startswith("9603")


@pytest.mark.parametrize(("phrase", "heading"), [
    ("giấy nhôm", "7607"),  # the press's 'paper' of aluminium is its foil
    ("màng BOPET", "3920"),  # the film trade's acronym for oriented PET film
])
def test_press_trade_names_find_the_nomenclatures_heading(phrase: str, heading: str) -> None:
    found = classify_product([phrase])
    assert found is not None and found.code.startswith(heading)
