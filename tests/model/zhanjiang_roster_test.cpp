// The shipped demo roster: it is exactly the conversion of its CSVs, and holds what the article
// names.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "model/roster.h"
#include "model/roster_csv.h"

namespace fp {
namespace {

const std::string kData = FP_DATA_DIR;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class ZhanjiangRoster : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    roster_ = new Roster(Roster::load(kData + "/zhanjiang-roster.json"));
  }
  static void TearDownTestSuite() {
    delete roster_;
    roster_ = nullptr;
  }
  static const Roster& roster() { return *roster_; }

  static std::size_t children(RegionId parent, Level level) {
    std::size_t n = 0;
    for (const Region& r : roster().regions()) n += r.level == level && r.parent == parent;
    return n;
  }

  static Roster* roster_;
};
Roster* ZhanjiangRoster::roster_ = nullptr;

TEST(ZhanjiangRosterFiles, JsonIsTheConversionOfTheCsvs) {
  const std::string converted =
      roster_json_from_csv_files(kData + "/zhanjiang/regions.csv", kData + "/zhanjiang/cadres.csv");
  const std::string shipped = read_text(kData + "/zhanjiang-roster.json");
  ASSERT_FALSE(shipped.empty());
  EXPECT_TRUE(converted == shipped)
      << "data/zhanjiang-roster.json differs from the conversion of data/zhanjiang/*.csv; "
         "regenerate it (data/README.md)";
}

TEST_F(ZhanjiangRoster, CityAndTheNineRealCounties) {
  EXPECT_EQ(roster().region(roster().city()).code, "4408");
  EXPECT_EQ(roster().region(roster().city()).name, "湛江市");
  const std::map<std::string, std::string> counties = {
      {"440802", "赤坎区"}, {"440803", "霞山区"}, {"440804", "坡头区"},
      {"440811", "麻章区"}, {"440823", "遂溪县"}, {"440825", "徐闻县"},
      {"440881", "廉江市"}, {"440882", "雷州市"}, {"440883", "吴川市"}};
  std::size_t found = 0;
  for (const Region& r : roster().regions()) {
    if (r.level != Level::county) continue;
    ++found;
    ASSERT_TRUE(counties.count(r.code)) << r.code;
    EXPECT_EQ(counties.at(r.code), r.name);
  }
  EXPECT_EQ(found, 9u);
}

TEST_F(ZhanjiangRoster, ArticlePlacesAreWhereItSays) {
  const auto beitang = roster().find_village("440823105201");
  ASSERT_TRUE(beitang.has_value());
  EXPECT_EQ(roster().region(*beitang).name, "北塘村");
  EXPECT_EQ(roster().region(roster().chain(*beitang).town).name, "北坡镇");
  auto village_in = [&](const char* county, const char* town, const char* village) {
    for (RegionId id = 0; id < roster().regions().size(); ++id) {
      const Region& r = roster().region(id);
      if (r.level != Level::village || r.name != village) continue;
      const auto c = roster().chain(id);
      if (roster().region(c.town).name == town && roster().region(c.county).name == county) {
        return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(village_in("吴川市", "黄坡镇", "岭头村"));
  EXPECT_TRUE(village_in("雷州市", "杨家镇", "少榄村"));
  EXPECT_TRUE(village_in("廉江市", "长山镇", "那凌村"));
}

TEST_F(ZhanjiangRoster, JijiaTownHas28Villages) {
  std::optional<RegionId> jijia;
  for (RegionId id = 0; id < roster().regions().size(); ++id) {
    const Region& r = roster().region(id);
    if (r.level == Level::town && r.name == "纪家镇") jijia = id;
  }
  ASSERT_TRUE(jijia.has_value());
  EXPECT_EQ(roster().region(*roster().region(*jijia).parent).name, "雷州市");
  EXPECT_EQ(children(*jijia, Level::village), 28u);
}

TEST_F(ZhanjiangRoster, AboutSixteenHundredVillagesAndTwelveHundredThirtyCadres) {
  EXPECT_GE(roster().village_count(), 1500u);
  EXPECT_LE(roster().village_count(), 1700u);
  std::map<Tier, std::size_t> tiers;
  for (const Cadre& c : roster().cadres()) {
    ++tiers[c.tier];
    EXPECT_TRUE(c.round == 1 || c.round == 2) << c.cadre_id;
  }
  EXPECT_EQ(tiers[Tier::city_leader], 22u);
  EXPECT_EQ(tiers[Tier::division], 110u);
  EXPECT_GE(tiers[Tier::section], 1100u);
  EXPECT_GE(roster().cadres().size(), 1200u);
  EXPECT_LE(roster().cadres().size(), 1260u);
  EXPECT_EQ(roster().cadres_within(roster().city()), roster().cadres().size());
  EXPECT_EQ(roster().cadre(0).cadre_id, "C0001");
}

TEST_F(ZhanjiangRoster, ArticleCadresAreAttachedWhereTheyWork) {
  auto cadre_named = [&](const char* name) -> const Cadre* {
    for (const Cadre& c : roster().cadres()) {
      if (c.name == name) return &c;
    }
    return nullptr;
  };
  const Cadre* zeng = cadre_named("曾海裕");
  ASSERT_NE(zeng, nullptr);
  EXPECT_EQ(zeng->tier, Tier::section);
  EXPECT_EQ(roster().region(roster().chain(zeng->region).town).name, "北坡镇");
  const Cadre* ou = cadre_named("欧伟兰");
  ASSERT_NE(ou, nullptr);
  EXPECT_EQ(roster().region(ou->region).name, "岭头村");
  const Cadre* xu = cadre_named("徐文学");
  ASSERT_NE(xu, nullptr);
  EXPECT_EQ(xu->tier, Tier::division);
  EXPECT_EQ(roster().region(xu->region).name, "纪家镇");
}

}  // namespace
}  // namespace fp
