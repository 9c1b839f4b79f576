// Kind frequencies, value magnitudes and note templates of the simulated cadres.
//
// Frequencies are reports per programme year. With them the simulator's yearly sums land
// near the article's figures: ~1,100 research reports, ~34,600 projects introduced (about
// five per report), ~450 landed, ~126 sage studios, ~7,100 policy answers, ~¥213 M
// mobilised and ~¥19 M raised, plus many household visits and diary entries.
#include "simulate/kind_profiles.h"

#include <span>

namespace fp::sim {
namespace {

Decimal whole(std::int64_t n) { return Decimal{n * Decimal::kScale}; }

// Yuan with at most two decimals: half rounded to ¥100, some to ¥1, the rest to the fen.
Decimal money(Prng& prng, std::int64_t lo_yuan, int octaves) {
  std::int64_t fen = prng.octaves(lo_yuan * 100, octaves);
  const std::uint64_t style = prng.below(10);
  if (style < 5) {
    fen -= fen % 10000;
  } else if (style < 8) {
    fen -= fen % 100;
  }
  return Decimal{fen * 10};
}

// 1 most of the time, sometimes a few more.
std::int64_t small_count(Prng& prng, std::uint32_t one_ppm, std::int64_t max) {
  if (prng.chance(one_ppm)) return 1;
  return prng.between(2, max);
}

bool mentions_crop(std::string_view note) { return note.find("{作物}") != std::string_view::npos; }

template <std::size_t N>
std::string_view pick(Prng& prng, const std::array<std::string_view, N>& items) {
  return items[prng.below(N)];
}

struct Crop {
  std::string_view name;
  std::int64_t fen_per_jin_lo, fen_per_jin_hi;
};

constexpr std::array<Crop, 10> kCrops = {{
    {"辣椒", 150, 400},
    {"菠萝", 60, 200},
    {"荔枝", 300, 1200},
    {"龙眼", 300, 800},
    {"火龙果", 300, 700},
    {"番薯", 80, 200},
    {"香蕉", 100, 300},
    {"红橙", 300, 800},
    {"百香果", 400, 900},
    {"番石榴", 200, 500},
}};

constexpr std::array<std::string_view, 8> kPlantedCrops = {"黄金百香果", "番石榴", "荔枝", "辣椒",
                                                           "菠萝",       "火龙果", "红橙", "番薯"};

void household_visit(Prng& prng, KindSample& s) {
  const std::uint64_t r = prng.below(100);
  s.set("households", whole(r < 45 ? 1 : r < 80 ? prng.between(2, 3) : prng.between(4, 10)));
  s.note =
      pick(prng, std::array<std::string_view, 5>{
                     "走访{村}贫困户，了解生产生活情况", "入户核实帮扶台账", "走家串户了解种植情况",
                     "慰问困难群众，宣传扶贫政策", "入户了解{作物}种植面积"});
  if (mentions_crop(s.note)) s.crop = kCrops[prng.below(kCrops.size())].name;
}

void research_report(Prng& prng, KindSample& s) {
  const std::uint64_t r = prng.below(100);
  s.set("villages", whole(r < 80 ? 1 : r < 95 ? prng.between(2, 5) : prng.between(6, 28)));
  s.note = pick(
      prng, std::array<std::string_view, 4>{"完成{村}脱贫攻坚调研报告", "调研村集体经济发展情况",
                                            "走访镇村干部形成调研报告", "调研{作物}产业滞销问题"});
  if (mentions_crop(s.note)) s.crop = kCrops[prng.below(kCrops.size())].name;
}

void diary_entry(Prng& prng, KindSample& s) {
  // The default (1) is often left out.
  if (prng.chance(600'000)) s.set("entries", whole(small_count(prng, 950'000, 3)));
  s.note = pick(
      prng, std::array<std::string_view, 5>{"驻点日记：参加村两委会议", "驻点日记：整理贫困户档案",
                                            "驻点日记：与驻村工作队交流",
                                            "驻点日记：同吃同住同劳动", "驻点日记：走访田间地头"});
}

void policy_answer(Prng& prng, KindSample& s) {
  s.set("people", whole(prng.chance(800'000) ? prng.between(1, 3) : prng.between(4, 12)));
  s.note =
      pick(prng, std::array<std::string_view, 4>{"解答扶贫政策问题", "在交流群解答扶贫牛处置政策",
                                                 "讲解教育扶贫补助政策", "解答危房改造政策"});
}

void funds_mobilized(Prng& prng, KindSample& s) {
  s.set("yuan", money(prng, 3000, 8));  // mean ~¥143k
  s.note = pick(prng, std::array<std::string_view, 3>{"协助推动各级投入农田水利建设",
                                                      "推动县级资金投入村道硬底化",
                                                      "协调省市资金支持{村}产业发展"});
}

void funds_raised(Prng& prng, KindSample& s) {
  s.set("yuan", money(prng, 2000, 7));  // mean ~¥54k
  s.note =
      pick(prng, std::array<std::string_view, 3>{"联系乡贤筹措扶贫资金", "发动在外乡亲捐资助学",
                                                 "筹措资金用于贫困户帮扶"});
}

void project_introduced(Prng& prng, KindSample& s) {
  const std::uint64_t r = prng.below(100);
  s.set("projects", whole(r < 50   ? prng.between(1, 3)
                          : r < 90 ? prng.between(4, 10)
                                   : prng.between(11, 20)));
  s.note =
      pick(prng, std::array<std::string_view, 3>{"引进{作物}生产加工线", "引进{作物}种植合作社",
                                                 "对接企业引进产业帮扶项目"});
  if (mentions_crop(s.note)) s.crop = kCrops[prng.below(kCrops.size())].name;
}

void project_landed(Prng& prng, KindSample& s) {
  s.set("projects", whole(small_count(prng, 900'000, 3)));
  s.note =
      pick(prng, std::array<std::string_view, 2>{"{作物}加工项目正式落地", "产业帮扶项目落地投产"});
  if (mentions_crop(s.note)) s.crop = kCrops[prng.below(kCrops.size())].name;
}

void sage_studio_founded(Prng& prng, KindSample& s) {
  s.set("studios", whole(1));
  s.note = pick(
      prng, std::array<std::string_view, 2>{"推动成立乡贤工作室", "联系村中乡贤组建乡贤工作室"});
}

void dispute_resolved(Prng& prng, KindSample& s) {
  s.set("disputes", whole(small_count(prng, 850'000, 3)));
  s.note = pick(prng, std::array<std::string_view, 3>{"调解宅基地纠纷", "化解土地承包纠纷",
                                                      "协调邻里矛盾，双方达成共识"});
}

void produce_sold(Prng& prng, KindSample& s) {
  const Crop& crop = kCrops[prng.below(kCrops.size())];
  const std::int64_t jin = prng.octaves(200, 9);  // 200 .. 102,399 jin
  const std::int64_t fen_per_jin = prng.between(crop.fen_per_jin_lo, crop.fen_per_jin_hi);
  s.set("jin", whole(jin));
  s.set("yuan", Decimal{jin * fen_per_jin * 10});
  s.crop = crop.name;
  s.note =
      pick(prng, std::array<std::string_view, 3>{"联系广州企业采购{作物}", "帮助果农销售滞销{作物}",
                                                 "对接深圳、佛山客商收购{作物}"});
}

void infrastructure(Prng& prng, KindSample& s) {
  const std::uint64_t what = prng.below(100);  // canal, road or both
  const bool explicit_zero = prng.chance(500'000);
  const auto km = [&](std::int64_t lo_m, std::int64_t hi_m) {
    return Decimal{prng.between(lo_m, hi_m)};  // metres are thousandths of a km
  };
  if (what < 80) {
    s.set("canal_km", prng.chance(950'000) ? km(100, 5000) : km(5000, 17000));
  } else if (explicit_zero) {
    s.set("canal_km", Decimal{});
  }
  if (what >= 45) {
    s.set("road_km", km(100, 2300));
  } else if (explicit_zero) {
    s.set("road_km", Decimal{});
  }
  s.set("yuan", money(prng, 20000, 6));
  s.note = pick(prng, std::array<std::string_view, 3>{"新建沟渠，完善农田水利", "建设机耕硬底化路",
                                                      "农田高标准改造建设"});
}

void land_planted(Prng& prng, KindSample& s) {
  s.set("mu", Decimal{prng.between(2, 100) * 500});  // 1 to 50 mu in half-mu steps
  s.crop = pick(prng, kPlantedCrops);
  s.note = pick(prng, std::array<std::string_view, 2>{"流转集体土地种植{作物}",
                                                      "引导利用集体坡地种植{作物}"});
}

constexpr std::array<KindProfile, 13> kProfiles = {{
    {"household_visit", 180000, household_visit},
    {"research_report", 1100, research_report},
    {"diary_entry", 150000, diary_entry},
    {"policy_answer", 2250, policy_answer},  // ~3.2 people each: ~7,100 answers
    {"funds_mobilized", 1500, funds_mobilized},
    {"funds_raised", 350, funds_raised},
    {"project_introduced", 6500, project_introduced},
    {"project_landed", 420, project_landed},
    {"sage_studio_founded", 126, sage_studio_founded},
    {"dispute_resolved", 4000, dispute_resolved},
    {"produce_sold", 3000, produce_sold},
    {"infrastructure", 600, infrastructure},
    {"land_planted", 1500, land_planted},
}};

}  // namespace

const KindProfile* find_kind_profile(std::string_view kind) {
  for (const KindProfile& p : kProfiles) {
    if (p.name == kind) return &p;
  }
  return nullptr;
}

void sample_generic(const Kind& kind, Prng& prng, KindSample& out) {
  for (const ValueField& f : kind.fields) {
    if (!f.default_value) out.set(f.name, whole(prng.between(1, 5)));
  }
  out.note = "工作记录";
}

void render_note(std::string_view note, std::string_view village_name, std::string_view crop,
                 std::string& out) {
  constexpr std::string_view kVillage = "{村}";
  constexpr std::string_view kCrop = "{作物}";
  while (!note.empty()) {
    const std::size_t brace = note.find('{');
    out.append(note.substr(0, brace));
    if (brace == std::string_view::npos) return;
    note.remove_prefix(brace);
    if (note.starts_with(kVillage)) {
      out.append(village_name);
      note.remove_prefix(kVillage.size());
    } else if (note.starts_with(kCrop)) {
      out.append(crop.empty() ? std::string_view("农产品") : crop);
      note.remove_prefix(kCrop.size());
    } else {
      out.push_back('{');
      note.remove_prefix(1);
    }
  }
}

}  // namespace fp::sim
