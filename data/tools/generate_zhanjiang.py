#!/usr/bin/env python3
"""Writes the demo roster of Zhanjiang as data/zhanjiang/regions.csv and cadres.csv.

The city, its nine county-level divisions (real codes) and the town and street
names are real; the places and people named by the Southern Daily article of
2019-07-30 are placed where it says; every other village, town code and cadre
is generated, deterministically (fixed seed, own PRNG), so reruns give the same
files. Convert to JSON with:

    fieldpulse roster --regions data/zhanjiang/regions.csv \
        --cadres data/zhanjiang/cadres.csv --out data/zhanjiang-roster.json
"""

import csv
import os
import sys

SEED = 20180501
TOTAL_VILLAGES = 1600
CITY_LEADERS = 22
DIVISION_CADRES = 110
TOTAL_CADRES = 1235  # 22 + 110 + 1,103: "1,100+" section-level cadres

CITY = ("4408", "湛江市")

# County code, name, streets (街道) then towns (镇/乡), in the order their codes are given.
COUNTIES = [
    ("440802", "赤坎区", ["中华街道", "寸金街道", "民主街道", "中山街道", "沙湾街道", "调顺街道",
                         "南桥街道", "北桥街道"], []),
    ("440803", "霞山区", ["解放街道", "爱国街道", "工农街道", "友谊街道", "新兴街道", "海滨街道",
                         "建设街道", "东新街道", "新园街道", "海头街道", "泉庄街道", "乐华街道"], []),
    ("440804", "坡头区", ["南调街道", "麻斜街道"], ["南三镇", "坡头镇", "乾塘镇", "龙头镇", "官渡镇"]),
    ("440811", "麻章区", ["东山街道", "东简街道", "民安街道"], ["麻章镇", "太平镇", "湖光镇", "硇洲镇"]),
    ("440823", "遂溪县", [], ["遂城镇", "黄略镇", "洋青镇", "界炮镇", "乐民镇", "北坡镇", "江洪镇",
                              "杨柑镇", "城月镇", "乌塘镇", "建新镇", "岭北镇", "港门镇", "草潭镇",
                              "河头镇"]),
    ("440825", "徐闻县", ["徐城街道"], ["下桥镇", "龙塘镇", "下洋镇", "锦和镇", "和安镇", "新寮镇",
                                        "前山镇", "西连镇", "南山镇", "海安镇", "曲界镇", "迈陈镇",
                                        "角尾乡", "城北乡"]),
    ("440881", "廉江市", ["罗州街道", "城南街道", "城北街道"],
     ["车板镇", "高桥镇", "石岭镇", "雅塘镇", "石颈镇", "长山镇", "塘蓬镇", "和寮镇", "新民镇",
      "吉水镇", "河唇镇", "石角镇", "良垌镇", "横山镇", "安铺镇", "营仔镇", "青平镇"]),
    ("440882", "雷州市", ["雷城街道", "西湖街道", "新城街道"],
     ["白沙镇", "沈塘镇", "客路镇", "杨家镇", "唐家镇", "企水镇", "纪家镇", "松竹镇", "南兴镇",
      "雷高镇", "东里镇", "调风镇", "龙门镇", "英利镇", "北和镇", "乌石镇", "覃斗镇", "附城镇"]),
    ("440883", "吴川市", ["梅菉街道", "博铺街道", "海滨街道", "塘尾街道", "大山江街道"],
     ["浅水镇", "长岐镇", "覃巴镇", "王村港镇", "振文镇", "樟铺镇", "吴阳镇", "塘缀镇", "黄坡镇",
      "兰石镇"]),
]

# Villages the article names, by (county code, town name); each is the town's first village.
NAMED_VILLAGES = {
    ("440823", "北坡镇"): "北塘村",
    ("440883", "黄坡镇"): "岭头村",
    ("440882", "杨家镇"): "少榄村",
    ("440881", "长山镇"): "那凌村",
}
# 徐文学 "walked all 28 administrative villages" of 纪家镇 in half a month.
FIXED_VILLAGE_COUNTS = {("440882", "纪家镇"): 28}

# People the article names: (name, tier, county code, town name, village name or None).
ARTICLE_CADRES = [
    ("曾海裕", "section", "440823", "北坡镇", "北塘村"),
    ("欧伟兰", "section", "440883", "黄坡镇", "岭头村"),
    ("林楠濠", "section", "440882", "杨家镇", "少榄村"),
    ("钟军", "section", "440881", "长山镇", "那凌村"),
    ("徐文学", "division", "440882", "纪家镇", None),
]

# Place-name parts common in western Guangdong (那, 迈, 调 are Zhuang-origin prefixes).
VILLAGE_FIRST = list("那迈调东西南北上下新旧龙大高长青白黄石禄英洪乐陈林李谢吴杨许冯何梁庞莫邓"
                     "田山水沙湾港塘坡岭和平安福文丰富兴隆盛德仁义礼智信金银铜")
VILLAGE_SECOND = list("塘坡岭田山湾港头尾仔园和平安福文丰兴隆盛埠墩屋寮坑溪洋井桥门坎角边背寨围"
                      "岸堡朗垌")
COMMUNITY_FIRST = list("中东西南北新华光明和平建设人民解放友谊胜利文明幸福兴隆海滨金沙")
COMMUNITY_SECOND = list("山华安兴和平明新城港湾园苑德乐康宁")

SURNAMES = list("陈李黄林吴梁王张杨邓何庞莫谢许钟苏劳冯周蔡郑彭叶全揭沈符詹刘罗朱唐潘戚麦"
                "龚宋韩欧柯卢")
GIVEN = list("海伟兰文学军明华建国强志勇杰平芳丽娟敏静秀英玲燕红霞春梅桂兴永德清宏成振"
             "俊锋斌辉琳婷雪晓东南光荣广昌盛泉生福康宁安家宇浩涛鹏")


class SplitMix64:
    """A tiny PRNG with a fixed algorithm, so output never depends on Python's version."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFFFFFFFFFF

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n

    def between(self, lo, hi):
        return lo + self.below(hi - lo + 1)

    def choice(self, items):
        return items[self.below(len(items))]

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


def build_regions(rng):
    """Returns (regions, towns): rows of level,code,name,parent and town records."""
    regions = [("city", CITY[0], CITY[1], "")]
    towns = []  # dicts: county, code, name, is_street, villages (list of (code, name))
    for county_code, county_name, streets, rural in COUNTIES:
        regions.append(("county", county_code, county_name, CITY[0]))
        for i, name in enumerate(streets):
            towns.append({"county": county_code, "code": f"{county_code}{i + 1:03d}",
                          "name": name, "is_street": True, "villages": []})
        for i, name in enumerate(rural):
            towns.append({"county": county_code, "code": f"{county_code}{100 + i:03d}",
                          "name": name, "is_street": False, "villages": []})

    # Village counts: streets hold a few communities, towns a dozen or more villages;
    # the last towns absorb the difference so the total is exactly TOTAL_VILLAGES.
    counts = []
    for t in towns:
        fixed = FIXED_VILLAGE_COUNTS.get((t["county"], t["name"]))
        counts.append(fixed if fixed else (rng.between(4, 9) if t["is_street"] else
                                           rng.between(9, 22)))
    adjustable = [i for i, t in enumerate(towns)
                  if not t["is_street"] and (t["county"], t["name"]) not in FIXED_VILLAGE_COUNTS]
    k = 0
    while sum(counts) != TOTAL_VILLAGES:
        i = adjustable[k % len(adjustable)]
        if sum(counts) < TOTAL_VILLAGES:
            counts[i] += 1
        elif counts[i] > 6:
            counts[i] -= 1
        k += 1

    for t, count in zip(towns, counts):
        used = set()
        named = NAMED_VILLAGES.get((t["county"], t["name"]))
        if named:
            used.add(named)
        names = [named] if named else []
        first, second, suffix = ((COMMUNITY_FIRST, COMMUNITY_SECOND, "社区") if t["is_street"]
                                 else (VILLAGE_FIRST, VILLAGE_SECOND, "村"))
        while len(names) < count:
            name = rng.choice(first) + rng.choice(second) + suffix
            if name not in used:
                used.add(name)
                names.append(name)
        # 村 codes start at 201, 社区 (urban communities) at 001, as in the statistical codes.
        base = 1 if t["is_street"] else 201
        t["villages"] = [(f"{t['code']}{base + i:03d}", n) for i, n in enumerate(names)]

    for t in towns:
        regions.append(("town", t["code"], t["name"], t["county"]))
    for t in towns:
        for code, name in t["villages"]:
            regions.append(("village", code, name, t["code"]))
    return regions, towns


def person_name(rng, used):
    while True:
        given = rng.choice(GIVEN) if rng.below(4) == 0 else rng.choice(GIVEN) + rng.choice(GIVEN)
        name = rng.choice(SURNAMES) + given
        if name not in used:
            used.add(name)
            return name


def build_cadres(rng, towns):
    """Returns rows of cadre_id,name,tier,region,round,village."""
    used_names = {c[0] for c in ARTICLE_CADRES}
    town_by_key = {(t["county"], t["name"]): t for t in towns}
    rows = []  # (name, tier, region, round, village)

    # City leaders: 22, spread over the nine counties, each also "hanging" one village.
    county_codes = [c[0] for c in COUNTIES]
    villages_by_county = {c: [v for t in towns if t["county"] == c for v, _ in t["villages"]]
                          for c in county_codes}
    for i in range(CITY_LEADERS):
        county = county_codes[i % len(county_codes)]
        rows.append((person_name(rng, used_names), "city_leader", county, 1,
                     rng.choice(villages_by_county[county])))

    # Division-level cadres: 110 home towns (one town each), 徐文学 in 纪家镇.
    article_towns = [town_by_key[(c, t)]["code"] for n, tier, c, t, v in ARTICLE_CADRES
                     if tier == "division"]
    other_towns = [t["code"] for t in towns if t["code"] not in article_towns]
    rng.shuffle(other_towns)
    division_towns = other_towns[:DIVISION_CADRES - len(article_towns)]
    for name, tier, county, town, _ in ARTICLE_CADRES:
        if tier == "division":
            rows.append((name, "division", town_by_key[(county, town)]["code"], 1, ""))
    for code in division_towns:
        rows.append((person_name(rng, used_names), "division", code, 1 + rng.below(2), ""))

    # Section-level cadres: the rest, each stationed in a home village.
    section_count = TOTAL_CADRES - CITY_LEADERS - DIVISION_CADRES
    for name, tier, county, town, village in ARTICLE_CADRES:
        if tier == "section":
            t = town_by_key[(county, town)]
            code = next(c for c, n in t["villages"] if n == village)
            rows.append((name, "section", code, 1, ""))
    all_villages = [v for t in towns for v, _ in t["villages"]]
    while sum(1 for r in rows if r[1] == "section") < section_count:
        # About two thirds of the first round, the rest sent in the second.
        rows.append((person_name(rng, used_names), "section", rng.choice(all_villages),
                     1 if rng.below(3) < 2 else 2, ""))

    return [(f"C{i + 1:04d}",) + r for i, r in enumerate(rows)]


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "zhanjiang")
    rng = SplitMix64(SEED)
    regions, towns = build_regions(rng)
    cadres = build_cadres(rng, towns)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "regions.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["level", "code", "name", "parent"])
        w.writerows(regions)
    with open(os.path.join(out_dir, "cadres.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["cadre_id", "name", "tier", "region", "round", "village"])
        w.writerows(cadres)


if __name__ == "__main__":
    main()
