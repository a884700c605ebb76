"""Benchmark of the indexed matcher against the naive per-subscription loop.

Generates (seeded, reproducible) a realistic population of subscriptions and analysed notices and
times, on every notice, `MatchIndex.match_groups` (the bulk interface: one group per distinct
reasons, what the outbox queues deliveries by) and `MatchIndex.match` (one `Match` per matched
subscription), and `naive_match` on a sample of the notices (it is slow by design; its per-notice
time is the sample's mean). On the sample, the groups expanded and `match` must both equal the
naive result exactly (subscription, severity and reasons). `notices_per_s` and `ratio` are those
of `match_groups`; `materialised_notices_per_s` is `match`'s. Both sides start from the analysis
dict (`notice_facts` included). The last printed line is one JSON object.
Run: `.venv/bin/python bench/match.py [--help]`.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config.sectors import Sector, load_sectors  # noqa: E402
from rules.index import MatchGroup, MatchIndex  # noqa: E402
from rules.matching import Match, naive_match  # noqa: E402
from rules.severity import assess  # noqa: E402
from rules.subscriptions import Subscription  # noqa: E402

# Who subscribes to what: exporters of these sectors are the many (weights, others get 2).
SECTOR_WEIGHTS = {"steel": 14, "seafood_other": 8, "wood_furniture": 11, "textiles_garments": 10,
                  "shrimp": 9, "pangasius": 7, "aluminium": 4, "plastics": 4, "solar": 3,
                  "footwear": 3, "yarn_fibres": 3, "paper": 3, "other": 0}
MARKETS = {"US": 40, "EU": 16, "IN": 9, "AU": 7, "CA": 6, "TR": 4, "MX": 3, "BR": 3, "ID": 2,
           "MY": 2, "KR": 2, "ZA": 1, "GB": 2, "PH": 1, "TH": 1, "AR": 1, "VN": 2}
OTHER_ORIGINS = {"CN": 50, "TH": 8, "KR": 8, "IN": 7, "ID": 6, "MY": 6, "TW": 5, "TR": 3,
                 "MX": 2, "BR": 2, "KH": 3, "JP": 2}
STAGES = {"initiation": 14, "petition": 4, "preliminary": 14, "final": 12, "order": 6,
          "review": 30, "sunset": 8, "scope": 5, "court": 3, "other": 4}
EXTRA_KEYWORDS = ["shrimp", "plywood", "wire rod", "tôm", "gỗ dán", "pangasius", "cá tra",
                  "steel wire", "nails", "hardwood plywood", "quartz", "honey", "thép"]
COUNTRY_NAMES = {"VN": "Vietnam", "CN": "the People's Republic of China", "TH": "Thailand",
                 "KR": "the Republic of Korea", "IN": "India", "ID": "Indonesia",
                 "MY": "Malaysia", "TW": "Taiwan", "TR": "Turkey", "MX": "Mexico", "BR": "Brazil",
                 "KH": "Cambodia", "JP": "Japan"}


def _weighted(rng: random.Random, table: dict[str, int], k: int = 1) -> list[str]:
    """k distinct keys drawn by weight."""
    keys, weights = list(table), list(table.values())
    out: list[str] = []
    while len(out) < min(k, sum(1 for w in weights if w)):
        pick = rng.choices(keys, weights)[0]
        if pick not in out:
            out.append(pick)
    return out


class Population:
    """Sector vocabulary turned into pools of plausible HS codes and product terms."""

    def __init__(self, sectors: Sequence[Sector], rng: random.Random) -> None:
        self.weights = {s.id: SECTOR_WEIGHTS.get(s.id, 2) for s in sectors}
        self.codes: dict[str, list[str]] = {}  # sector -> 10-digit national lines
        self.terms: dict[str, list[str]] = {}
        self.terms_vi: dict[str, list[str]] = {}
        for s in sectors:
            pool = []
            for prefix in s.hs:
                # a few headings per chapter, a few lines per heading: codes repeat, as in life
                for _ in range(3 if len(prefix) <= 2 else 1):
                    heading = prefix + "".join(rng.choice("0123456789")
                                               for _ in range(max(0, 4 - len(prefix))))
                    for _ in range(6):
                        pool.append(heading + "".join(rng.choice("0123456789")
                                                      for _ in range(10 - len(heading))))
            self.codes[s.id] = pool
            self.terms[s.id] = list(s.terms.en) or [s.name.en]
            self.terms_vi[s.id] = list(s.terms.vi) or [s.name.vi]

    def sectors(self, rng: random.Random, k: int) -> list[str]:
        return _weighted(rng, self.weights, k)

    def code(self, rng: random.Random, sector: str, lengths: Sequence[int],
             weights: Sequence[int]) -> str | None:
        pool = self.codes.get(sector)
        if not pool:
            return None
        return rng.choice(pool)[:rng.choices(lengths, weights)[0]]


def generate_subscriptions(n: int, seed: int = 1,
                           sectors: Sequence[Sector] | None = None) -> list[Subscription]:
    """n subscriptions: 1-3 sectors each (weighted), ~40% with HS codes, ~25% keywords, ~30%
    markets, ~10% measures, 0.1% all_sectors (the ministry), roles and severities mixed."""
    rng = random.Random(seed)
    pop = Population(sectors or load_sectors(), random.Random(seed * 7919))
    subs = []
    for i in range(n):
        if rng.random() < 0.001:
            subs.append(Subscription(f"s{i}", all_sectors=True))
            continue
        chosen = pop.sectors(rng, rng.choices((1, 2, 3), (60, 30, 10))[0])
        codes = []
        if rng.random() < 0.40:
            for _ in range(rng.randint(1, 5)):
                code = pop.code(rng, rng.choice(chosen), (4, 6, 8, 10), (35, 35, 20, 10))
                if code:
                    codes.append(code)
        keywords = []
        if rng.random() < 0.25:
            for _ in range(rng.randint(1, 3)):
                sector = rng.choice(chosen)
                pool = rng.choice((pop.terms[sector], pop.terms_vi[sector], EXTRA_KEYWORDS))
                keywords.append(rng.choice(pool))
        markets = _weighted(rng, MARKETS, rng.randint(1, 3)) if rng.random() < 0.30 else []
        markets = [m for m in markets if m != "VN"]
        measures = rng.sample(["AD", "CVD", "SG"], rng.randint(1, 2)) if rng.random() < 0.1 \
            else []
        roles = rng.choices(
            (("subject", "circumvention", "diversion"), ("subject",),
             ("subject", "circumvention")), (70, 12, 18))[0]
        subs.append(Subscription(
            f"s{i}", chosen, hs_codes=codes, keywords=keywords, markets=markets,
            measures=measures, vietnam_roles=roles,
            min_severity=rng.choices(("low", "medium", "high"), (45, 35, 20))[0]))
    return subs


def generate_notices(n: int, seed: int = 2,
                     sectors: Sequence[Sector] | None = None) -> list[dict[str, Any]]:
    """n analysed notices (the `trews analyse` shape plus title and text): most on other
    origins, ~20% with Vietnam subject, a few circumvention; 0-2 sectors, 0-6 HS codes."""
    rng = random.Random(seed)
    pop = Population(sectors or load_sectors(), random.Random(1 * 7919))
    out = []
    for i in range(n):
        trade_remedy = rng.random() < 0.9
        market = _weighted(rng, MARKETS)[0]
        roll = rng.random()
        vietnam = "subject" if roll < 0.2 else "circumvention" if roll < 0.23 else "none"
        origins = _weighted(rng, OTHER_ORIGINS, rng.choices((1, 2, 3), (60, 25, 15))[0])
        countries = (["VN"] + origins[:rng.randint(0, 2)]) if vietnam != "none" else origins
        measures = rng.choices((["AD"], ["CVD"], ["AD", "CVD"], ["SG"], []),
                               (55, 18, 15, 5, 7))[0]
        stage = _weighted(rng, STAGES)[0]
        proceeding = {"review": "review", "sunset": "sunset", "scope": "scope",
                      "court": "court"}.get(stage, "circumvention" if vietnam == "circumvention"
                                            else "investigation")
        new_case = stage in ("initiation", "petition") and rng.random() < 0.9
        chosen = pop.sectors(rng, rng.choices((0, 1, 2), (10, 75, 15))[0]) if trade_remedy \
            else []
        codes: list[str] = []
        for _ in range(rng.choices(range(7), (30, 25, 20, 10, 7, 5, 3))[0] if chosen else 0):
            code = pop.code(rng, rng.choice(chosen), (4, 6, 8, 10), (10, 30, 25, 35))
            if code and code not in codes:
                codes.append(code)
        severity, reason = assess(
            trade_remedy=trade_remedy, vietnam=vietnam, proceeding=proceeding, stage=stage,
            new_case=new_case, measures=measures, sectors=chosen, market=market, deadlines=[],
            published=None)
        vietnamese = rng.random() < 0.1
        products = [rng.choice((pop.terms_vi if vietnamese else pop.terms)[s]) for s in chosen]
        product = " and ".join(products) or "Certain Merchandise"
        names = ", ".join(COUNTRY_NAMES.get(c, c) for c in countries)
        if vietnamese:
            title = f"Điều tra chống bán phá giá đối với {product} nhập khẩu từ {names}"
            text = (f"Cơ quan điều tra thông báo về {product} có mã HS {', '.join(codes)}. "
                    "Các doanh nghiệp xuất khẩu cần đăng ký tham gia vụ việc.")
        else:
            title = f"{product.title()} From {names}: {stage.title()} Determination"
            text = (f"The Department of Commerce determines that {product} from {names} is "
                    f"being, or is likely to be, sold at less than fair value. The products are "
                    f"classified under subheadings {', '.join(codes) or 'of the HTSUS'}; the "
                    "written description of the scope is dispositive. Interested parties may "
                    "submit comments and request a hearing within 30 days.")
        out.append({
            "id": f"n{i}", "trade_remedy": trade_remedy, "market": market, "vietnam": vietnam,
            "countries": countries, "measures": measures, "proceeding": proceeding,
            "stage": stage, "new_case": new_case, "case_numbers": [], "hs_codes": codes,
            "sectors": chosen, "deadlines": [], "severity": severity, "reasons": [reason],
            "title": title, "text": text,
        })
    return out


Row = tuple[str, str, str, tuple[str, ...]]  # (notice, subscription, severity, reasons)


def _rows(notice_id: str, matches: list[Match]) -> list[Row]:
    return [(notice_id, m.subscription_id, m.severity, m.reasons) for m in matches]


def _expanded(notice_id: str, groups: list[MatchGroup]) -> list[Row]:
    """The matches a notice's groups stand for, in subscription order; checks that no
    subscription is in two groups and that no two groups share their reasons."""
    at: dict[int, Row] = {}
    for group in groups:
        for pos, sub_id in zip(group.positions(), group.ids(), strict=True):
            if pos in at:
                raise SystemExit(f"notice {notice_id}: subscription {sub_id} in two groups")
            at[pos] = (notice_id, sub_id, group.severity, group.reasons)
    if len({g.reasons for g in groups}) != len(groups):
        raise SystemExit(f"notice {notice_id}: two groups with the same reasons")
    return [at[pos] for pos in sorted(at)]


def run(n_subs: int, n_notices: int, sample: int, seed: int,
        repeat: int = 3) -> dict[str, Any]:
    sectors = load_sectors()
    t0 = time.perf_counter()
    subs = generate_subscriptions(n_subs, seed, sectors)
    notices = generate_notices(n_notices, seed + 1, sectors)
    print(f"generated {len(subs)} subscriptions and {len(notices)} notices "
          f"in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    index = MatchIndex.build(subs)
    build_s = time.perf_counter() - t0
    print(f"index build: {build_s:.2f} s")

    gc.collect()
    gc.freeze()  # the long-lived population out of the collector's way, as a service would do

    t0 = time.perf_counter()
    counted = sum(index.count(n) for n in notices)
    count_s = time.perf_counter() - t0
    print(f"index lookups only (count: no groups, no reasons): "
          f"{len(notices) / count_s:.0f} notices/s")

    step = max(1, len(notices) // sample)
    picked = list(range(0, len(notices), step))[:sample]
    wanted = set(picked)
    # results on the naive sample are kept for the check; the others are dropped at once, as
    # a service would after queuing them
    kept_groups: dict[int, list[MatchGroup]] = {}
    passes = []
    for _ in range(repeat):  # the median pass: a steady service, not the machine's hiccups
        n_groups = most_groups = 0
        t0 = time.perf_counter()
        for i, notice in enumerate(notices):
            groups = index.match_groups(notice)
            n_groups += len(groups)
            most_groups = max(most_groups, len(groups))
            if i in wanted:
                kept_groups[i] = groups
        passes.append(time.perf_counter() - t0)
    grouped_s = statistics.median(passes)
    per_notice = grouped_s / len(notices)

    kept: dict[int, list[Match]] = {}
    matches = most = 0
    t0 = time.perf_counter()
    for i, notice in enumerate(notices):
        found = index.match(notice)
        matches += len(found)
        most = max(most, len(found))
        if i in wanted:
            kept[i] = found
    materialised_s = time.perf_counter() - t0
    assert counted == matches
    print(f"match_groups (median of {repeat} passes: "
          f"{', '.join(f'{p:.3f}' for p in passes)} s): {grouped_s:.3f} s for "
          f"{len(notices)} notices = "
          f"{len(notices) / grouped_s:.0f} notices/s ({per_notice * 1e3:.3f} ms/notice); "
          f"{n_groups} groups (mean {n_groups / len(notices):.0f}, max {most_groups} per "
          f"notice) standing for {matches} matches (mean {matches / len(notices):.0f}, max "
          f"{most} per notice)")
    print(f"match (one Match object per matched subscription): {materialised_s:.3f} s = "
          f"{len(notices) / materialised_s:.0f} notices/s "
          f"({materialised_s / len(notices) * 1e3:.3f} ms/notice; "
          f"{matches / materialised_s / 1e6:.2f} M matches/s)")

    naive_s = 0.0
    for i in picked:
        t0 = time.perf_counter()
        expected = naive_match(notices[i], subscriptions=subs)
        naive_s += time.perf_counter() - t0
        notice_id = notices[i]["id"]
        rows = _rows(notice_id, expected)
        if _expanded(notice_id, kept_groups[i]) != rows or _rows(notice_id, kept[i]) != rows:
            raise SystemExit(f"MISMATCH on notice {notice_id}: groups stand for "
                             f"{len(_expanded(notice_id, kept_groups[i]))} matches, match "
                             f"gave {len(kept[i])}, naive {len(expected)}")
    naive_per_notice = naive_s / len(picked)
    sampled = "" if len(picked) == len(notices) else \
        f" (naive run on {len(picked)} of {len(notices)} notices, every {step}th: its mean " \
        "per-notice time stands for all)"
    print(f"naive: {naive_per_notice * 1e3:.1f} ms/notice{sampled}; groups expanded == match "
          f"== naive on every sampled notice (subscription, severity and reasons)")
    ratio = naive_per_notice / per_notice
    materialised_ratio = naive_per_notice / (materialised_s / len(notices))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"ratio naive/match_groups: {ratio:.0f}x; naive/match: {materialised_ratio:.0f}x; "
          f"peak RSS {peak_mb:.0f} MB")
    return {"notices_per_s": round(len(notices) / grouped_s, 1), "ratio": round(ratio, 1),
            "subscriptions": len(subs), "notices": len(notices), "matches": matches,
            "groups": n_groups,
            "materialised_notices_per_s": round(len(notices) / materialised_s, 1),
            "materialised_ratio": round(materialised_ratio, 1),
            "build_s": round(build_s, 3), "grouped_passes": len(passes),
            "grouped_ms_per_notice": round(per_notice * 1e3, 4),
            "naive_ms_per_notice": round(naive_per_notice * 1e3, 3),
            "naive_sample": len(picked), "peak_rss_mb": round(peak_mb), "seed": seed,
            "count_only_notices_per_s": round(len(notices) / count_s, 1),
            "matches_per_notice": round(matches / len(notices), 1)}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--notices", type=int, default=1_000)
    parser.add_argument("--naive-sample", type=int, default=100,
                        help="notices the naive loop runs on (it is slow by design)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3,
                        help="passes of match_groups over the notices; the median one counts")
    args = parser.parse_args(argv)
    figures = run(args.subscriptions, args.notices, args.naive_sample, args.seed, args.repeat)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
