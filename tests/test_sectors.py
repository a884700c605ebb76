"""sectors.yaml: the 24 sector ids of DOMAIN.md section 4, strict validation with file/key/line."""

from pathlib import Path

import pytest

from config import ConfigError, Sector, load_sectors
from config.sectors import DEFAULT_SECTORS_FILE

DOMAIN_IDS = [
    "shrimp", "pangasius", "seafood_other", "steel", "aluminium", "copper", "wood_furniture",
    "textiles_garments", "yarn_fibres", "footwear", "solar", "tyres", "plastics", "paper", "honey",
    "rice", "cashew", "pepper", "mattresses", "machinery", "chemicals", "ceramics_glass",
    "vehicles_parts", "other",
]

GOOD = """\
sectors:
  - id: steel
    name: {en: iron and steel, vi: sắt thép}
    hs: ["72", "73"]
    terms: {en: [nails], vi: [thép]}
  - id: paper
    name: {en: paper, vi: giấy}
    hs: ["48"]
    terms: {en: [paper], vi: [giấy]}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sectors.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_real_file_has_exactly_the_domain_ids() -> None:
    sectors = load_sectors(DEFAULT_SECTORS_FILE)
    assert [s.id for s in sectors] == DOMAIN_IDS
    assert all(isinstance(s, Sector) for s in sectors)


def test_real_file_hs_scopes_follow_domain_table() -> None:
    by_id = {s.id: s for s in load_sectors()}
    assert {"030616", "030617", "160521"} <= set(by_id["shrimp"].hs)
    assert {"72", "73"} <= set(by_id["steel"].hs)
    assert {"854142", "854143"} <= set(by_id["solar"].hs)
    assert {"854142", "854143"} <= set(by_id["machinery"].hs_exclude)
    assert {"5205", "5402", "5509"} <= set(by_id["textiles_garments"].hs_exclude)
    assert by_id["paper"].hs == ["48"]
    assert "9403" in by_id["wood_furniture"].hs
    assert "tool chests and cabinets" in by_id["wood_furniture"].terms.en
    assert "paper shopping bags" in by_id["paper"].terms.en
    assert "tôm" in by_id["shrimp"].terms.vi
    assert "VASEP" in by_id["pangasius"].associations
    for sector in by_id.values():
        assert sector.name.en and sector.name.vi
        assert sector.id == "other" or sector.terms.en, sector.id


def test_good_file_loads(tmp_path: Path) -> None:
    sectors = load_sectors(write(tmp_path, GOOD))
    assert [s.id for s in sectors] == ["steel", "paper"]
    assert sectors[0].hs_exclude == []


@pytest.mark.parametrize("bad", ['"7"', '"721"', '"7a"', '"72345678901"', "72"])
def test_bad_hs_code_names_key_and_line(tmp_path: Path, bad: str) -> None:
    path = write(tmp_path, GOOD.replace('hs: ["48"]', f"hs: [{bad}]"))
    with pytest.raises(ConfigError) as info:
        load_sectors(path)
    assert info.value.key == "sectors.1.hs.0"
    assert info.value.line == 8  # the paper sector's hs line
    assert info.value.file == str(path)


def test_duplicate_id_names_line_of_second(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("id: paper", "id: steel"))
    with pytest.raises(ConfigError) as info:
        load_sectors(path)
    assert info.value.key == "sectors.1.id"
    assert info.value.line == 6
    assert "duplicate" in info.value.reason


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("    hs: [\"48\"]", "    hs: [\"48\"]\n    colour: red"))
    with pytest.raises(ConfigError) as info:
        load_sectors(path)
    assert info.value.key == "sectors.1.colour"
    assert info.value.line == 9


@pytest.mark.parametrize(("product", "sector"), [
    # Vietnamese puts the head noun first: a term there decides.
    ("nhôm định hình làm khung pin mặt trời", "aluminium"),
    # An article no term names ('khung đỡ') is placed by its material after 'bằng'.
    ("khung đỡ tấm pin mặt trời bằng nhôm", "aluminium"),
    # English: what follows 'for' is the use, not the product.
    ("aluminium frames for solar panels", "aluminium"),
    # An article a material sector's term names, made of another material, is of that material
    # (plastic hangers are chapter 39, wooden ones chapter 44).
    ("móc treo quần áo bằng nhựa", "plastics"),
    ("móc treo quần áo bằng gỗ", "wood_furniture"),
    # 'đồ' (an article of) leads the head without being it: furniture of aluminium is furniture.
    ("đồ nội thất sân vườn bằng nhôm", "wood_furniture"),
    # A head no term names is qualified first by its material, then by its use.
    ("giá đỡ nhôm tấm pin mặt trời", "aluminium"),
])
def test_product_head_decides_between_sectors(product: str, sector: str) -> None:
    from rules.sectors import index_for

    index = index_for(load_sectors())
    assert len(index.by_terms(product)) == 2  # both sectors' terms are there
    assert [hit.sector for hit in index.by_head(product)] == [sector]


def test_fibre_is_named_by_the_nomenclatures_word_not_by_a_fastener() -> None:
    from rules.sectors import index_for

    # 'xơ staple' (staple fibre, HS 5503): 'staple' alone is also a steel fastener's term.
    index = index_for(load_sectors())
    assert [hit.sector for hit in index.by_head("xơ staple tổng hợp")] == ["yarn_fibres"]


@pytest.mark.parametrize(("product", "sector"), [
    ("khung giường kim loại", "wood_furniture"),  # HS 9403: furniture of any material
    ("tấm thạch cao", "ceramics_glass"),  # HS 6809: articles of plaster
    ("woven polypropylene sacks", "textiles_garments"),  # HS 6305: sacks and bags
])
def test_headings_words_name_their_sector(product: str, sector: str) -> None:
    from rules.sectors import index_for

    assert [hit.sector for hit in index_for(load_sectors()).by_head(product)] == [sector]
