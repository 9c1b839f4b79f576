// The roster loader: lookups, chains, counts, and every rule's error message.
#include "model/roster.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace fp {
namespace {

using ::testing::HasSubstr;

const char* const kMini = FP_TEST_DATA_DIR "/model/mini-roster.json";

// A valid roster, one line per entry, so substitutions below land on known lines.
std::string valid_json() {
  return R"({"version": 1,
"city": {"code": "4408", "name": "湛江市"},
"counties": [{"code": "440823", "name": "遂溪县"},
{"code": "440882", "name": "雷州市"}],
"towns": [{"code": "440823105", "name": "北坡镇", "county": "440823"}],
"villages": [{"code": "440823105201", "name": "北塘村", "town": "440823105"}],
"cadres": [{"cadre_id": "C0001", "name": "曾海裕", "tier": "section", "region": "440823105201", "round": 1}]}
)";
}

std::string replaced(std::string text, std::string_view from, std::string_view to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string error_of(const std::string& json) {
  try {
    Roster::parse(json, "roster.json");
  } catch (const DataFileError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Roster, ValidDocumentLoads) {
  const Roster r = Roster::parse(valid_json(), "roster.json");
  EXPECT_EQ(r.regions().size(), 5u);
  EXPECT_EQ(r.cadres().size(), 1u);
  EXPECT_EQ(r.region(r.city()).code, "4408");
}

TEST(Roster, LookupsByCodeAndId) {
  const Roster r = Roster::load(kMini);
  EXPECT_EQ(r.village_count(), 3u);
  const auto v = r.find_village("440823105201");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(r.region(*v).name, "北塘村");
  EXPECT_EQ(r.region(*v).level, Level::village);
  EXPECT_FALSE(r.find_village("440823105").has_value());  // a town, not a village
  ASSERT_TRUE(r.find_region("440823105").has_value());
  EXPECT_EQ(r.region(*r.find_region("440823105")).level, Level::town);
  EXPECT_FALSE(r.find_region("440823105999").has_value());
  const std::string_view id = std::string_view("xC0002x").substr(1, 5);
  const auto c = r.find_cadre(id);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(r.cadre(*c).name, "徐文学");
  EXPECT_EQ(r.cadre(*c).tier, Tier::division);
  EXPECT_EQ(r.cadre(*c).round, 2);
  EXPECT_EQ(r.region(r.cadre(*c).region).code, "440882112");
  EXPECT_FALSE(r.find_cadre("C9999").has_value());
}

TEST(Roster, LookupsMatchWholeCodesWhateverTheirLength) {
  std::string json =
      replaced(valid_json(), R"("cadre_id": "C0001")", R"("cadre_id": "CADRE-000001")");
  json = replaced(json, R"("tier": "section", "region": "440823105201", "round": 1}]})",
                  R"("tier": "section", "region": "440823105201", "round": 1},
{"cadre_id": "0001", "name": "李四", "tier": "section", "region": "440823105201", "round": 1},
{"cadre_id": "C01", "name": "王五", "tier": "section", "region": "440823105201", "round": 1}]})");
  const Roster r = Roster::parse(json, "roster.json");
  ASSERT_EQ(r.cadres().size(), 3u);
  EXPECT_EQ(r.find_cadre("CADRE-000001"), std::optional<CadreId>(0));  // longer than a key
  EXPECT_EQ(r.find_cadre("0001"), std::optional<CadreId>(1));          // all digits
  EXPECT_EQ(r.find_cadre("C01"), std::optional<CadreId>(2));
  for (const char* absent : {"001", "00001", "1", "CADRE-000002", "C010", "C0", ""}) {
    EXPECT_FALSE(r.find_cadre(absent).has_value()) << absent;
  }
  EXPECT_FALSE(r.find_cadre(std::string_view("C01\0", 4)).has_value());
  EXPECT_FALSE(r.find_region("0440823105201").has_value());  // a leading zero is another code
  EXPECT_FALSE(r.find_region("44082310520").has_value());
  EXPECT_FALSE(r.find_region("44088").has_value());
  EXPECT_TRUE(r.find_village("440823105201").has_value());
  EXPECT_EQ(r.find_region("440882"), std::optional<RegionId>(2));
}

TEST(Roster, ChainRunsFromCityToVillage) {
  const Roster r = Roster::load(kMini);
  const RegionId v = *r.find_village("440882112201");
  const Roster::Chain c = r.chain(v);
  EXPECT_EQ(c.city, r.city());
  EXPECT_EQ(r.region(c.county).code, "440882");
  EXPECT_EQ(r.region(c.town).code, "440882112");
  EXPECT_EQ(c.village, v);
}

TEST(Roster, ChainOfATownOrCountyRepeatsItBelow) {
  const Roster r = Roster::load(kMini);
  const RegionId town = *r.find_region("440823105");
  const RegionId county = *r.find_region("440823");
  const Roster::Chain t = r.chain(town);
  EXPECT_EQ(t.city, r.city());
  EXPECT_EQ(t.county, county);
  EXPECT_EQ(t.town, town);
  EXPECT_EQ(t.village, town);
  const Roster::Chain c = r.chain(county);
  EXPECT_EQ(c.county, county);
  EXPECT_EQ(c.town, county);
  EXPECT_EQ(c.village, county);
}

TEST(Roster, CadresWithinCountsAttachedAndBelow) {
  const Roster r = Roster::load(kMini);
  EXPECT_EQ(r.cadres_within(r.city()), 4u);
  EXPECT_EQ(r.cadres_within(*r.find_region("440823")), 3u);  // leader + two section cadres
  EXPECT_EQ(r.cadres_within(*r.find_region("440823105")), 2u);
  EXPECT_EQ(r.cadres_within(*r.find_region("440823105201")), 2u);
  EXPECT_EQ(r.cadres_within(*r.find_region("440823105202")), 0u);
  EXPECT_EQ(r.cadres_within(*r.find_region("440882")), 1u);
  EXPECT_EQ(r.cadres_within(*r.find_region("440882112201")), 0u);
}

TEST(Roster, IsWithinFollowsParents) {
  const Roster r = Roster::load(kMini);
  const RegionId village = *r.find_region("440823105201");
  EXPECT_TRUE(r.is_within(village, village));
  EXPECT_TRUE(r.is_within(village, *r.find_region("440823105")));
  EXPECT_TRUE(r.is_within(village, *r.find_region("440823")));
  EXPECT_TRUE(r.is_within(village, r.city()));
  EXPECT_FALSE(r.is_within(village, *r.find_region("440882")));
  EXPECT_FALSE(r.is_within(*r.find_region("440823"), village));
}

TEST(Roster, LevelAndTierNames) {
  for (Level l : {Level::city, Level::county, Level::town, Level::village, Level::cadre}) {
    EXPECT_EQ(level_from_string(to_string(l)), l);
  }
  EXPECT_EQ(to_string(Level::town), "town");
  EXPECT_FALSE(level_from_string("province").has_value());
  EXPECT_EQ(to_string(Tier::city_leader), "city_leader");
  EXPECT_EQ(to_string(Tier::division), "division");
  EXPECT_EQ(to_string(Tier::section), "section");
}

TEST(RosterErrors, VersionMustBeOne) {
  EXPECT_EQ(error_of(replaced(valid_json(), "\"version\": 1", "\"version\": 2")),
            "roster.json:1: key \"version\": must be 1");
  EXPECT_THAT(error_of(replaced(valid_json(), "\"version\": 1,", "")),
              HasSubstr("key \"version\": missing"));
}

TEST(RosterErrors, VillageWithUnknownTownNamesEntryKeyAndLine) {
  EXPECT_EQ(
      error_of(replaced(valid_json(), "\"town\": \"440823105\"", "\"town\": \"440823999\"")),
      "roster.json:6: villages[0] (code \"440823105201\"): key \"town\": \"440823999\" is not "
      "a town in the roster");
}

TEST(RosterErrors, TownWhoseCountyIsNotACounty) {
  EXPECT_THAT(error_of(replaced(valid_json(), "\"county\": \"440823\"", "\"county\": \"4408\"")),
              HasSubstr("roster.json:5: towns[0] (code \"440823105\"): key \"county\": \"4408\" is "
                        "not a county in the roster"));
}

TEST(RosterErrors, CodeMustStartWithParentCode) {
  EXPECT_THAT(
      error_of(replaced(valid_json(), "\"code\": \"440823105201\"", "\"code\": \"440882105201\"")),
      HasSubstr("villages[0] (code \"440882105201\"): key \"town\": code \"440882105201\" "
                "does not start with its town's code \"440823105\""));
  EXPECT_THAT(error_of(replaced(valid_json(), "\"code\": \"440882\"", "\"code\": \"440982\"")),
              HasSubstr("roster.json:4: counties[1] (code \"440982\"): key \"code\": code "
                        "\"440982\" does not start with its city's code \"4408\""));
}

TEST(RosterErrors, CodeMustHaveTheLevelsDigits) {
  EXPECT_THAT(error_of(replaced(valid_json(), "\"code\": \"440823105\"", "\"code\": \"44082310\"")),
              HasSubstr("roster.json:5: towns[0]: key \"code\": \"44082310\" is not 9 digits"));
  EXPECT_THAT(error_of(replaced(valid_json(), "\"code\": \"4408\"", "\"code\": \"44A8\"")),
              HasSubstr("city: key \"code\": \"44A8\" is not 4 digits"));
}

TEST(RosterErrors, DuplicateCodeIsRejected) {
  EXPECT_THAT(error_of(replaced(valid_json(), "\"code\": \"440882\"", "\"code\": \"440823\"")),
              HasSubstr("roster.json:4: counties[1] (code \"440823\"): key \"code\": duplicate "
                        "code"));
}

TEST(RosterErrors, DuplicateCadreIdIsRejected) {
  const std::string two_cadres =
      replaced(valid_json(), "\"round\": 1}]",
               "\"round\": 1},\n{\"cadre_id\": \"C0001\", \"name\": \"王\", \"tier\": \"section\", "
               "\"region\": \"440823105201\", \"round\": 2}]");
  EXPECT_THAT(error_of(two_cadres),
              HasSubstr("roster.json:8: cadres[1] (cadre_id \"C0001\"): key \"cadre_id\": "
                        "duplicate cadre_id"));
}

TEST(RosterErrors, TierMustBeKnown) {
  EXPECT_THAT(error_of(replaced(valid_json(), "\"section\"", "\"village_head\"")),
              HasSubstr("roster.json:7: cadres[0] (cadre_id \"C0001\"): key \"tier\": "
                        "\"village_head\" is not one of city_leader, division, section"));
}

TEST(RosterErrors, RegionMustMatchTier) {
  EXPECT_THAT(error_of(replaced(valid_json(), "\"section\"", "\"division\"")),
              HasSubstr("cadres[0] (cadre_id \"C0001\"): key \"region\": \"440823105201\" is not a "
                        "town in the roster"));
  EXPECT_THAT(error_of(replaced(valid_json(), "\"section\"", "\"city_leader\"")),
              HasSubstr("key \"region\": \"440823105201\" is not a county in the roster"));
  EXPECT_THAT(error_of(replaced(valid_json(), "\"region\": \"440823105201\"",
                                "\"region\": \"440823105299\"")),
              HasSubstr("key \"region\": \"440823105299\" is not a village in the roster"));
}

TEST(RosterErrors, RoundMustBePositiveInteger) {
  for (const char* bad : {"0", "-1", "1.5", "\"1\"", "1e2"}) {
    EXPECT_THAT(error_of(replaced(valid_json(), "\"round\": 1", std::string("\"round\": ") + bad)),
                HasSubstr("cadres[0] (cadre_id \"C0001\"): key \"round\": "))
        << bad;
  }
  EXPECT_THAT(error_of(replaced(valid_json(), ", \"round\": 1", "")),
              HasSubstr("key \"round\": missing"));
}

TEST(RosterErrors, CadreIdMustBeSafe) {
  EXPECT_THAT(error_of(replaced(valid_json(), "\"C0001\"", "\"C|1\"")),
              HasSubstr("key \"cadre_id\": must be 1-64 characters"));
}

TEST(RosterErrors, MissingOrMistypedKeysAreNamed) {
  EXPECT_THAT(error_of(replaced(valid_json(), "\"name\": \"北塘村\", ", "")),
              HasSubstr("villages[0] (code \"440823105201\"): key \"name\": missing"));
  EXPECT_THAT(error_of(replaced(valid_json(), "\"code\": \"440823\"", "\"code\": 440823")),
              HasSubstr("counties[0]: key \"code\": must be a string"));
  const std::string json = valid_json();
  EXPECT_THAT(error_of(json.substr(0, json.find("\"cadres\"")) + "\"cadres\": {}}"),
              HasSubstr("roster.json:7: key \"cadres\": must be an array"));
  EXPECT_THAT(error_of(replaced(valid_json(), "\"towns\"", "\"townz\"")),
              HasSubstr("key \"towns\": missing"));
}

TEST(RosterErrors, SyntaxErrorsAreDataFileErrors) {
  EXPECT_THAT(error_of("{\"version\": 1,"), HasSubstr("roster.json:"));
  EXPECT_THAT(error_of("[1, 2]"), HasSubstr("must be a JSON object"));
  EXPECT_THAT(error_of(valid_json() + "{}"), HasSubstr("roster.json:8: unexpected content"));
  EXPECT_THROW(Roster::load("/nonexistent/roster.json"), DataFileError);
}

TEST(RosterErrors, EntryErrorCarriesItsParts) {
  try {
    Roster::parse(replaced(valid_json(), "\"town\": \"440823105\"", "\"town\": \"440823999\""),
                  "r.json");
    FAIL() << "no error";
  } catch (const RosterEntryError& e) {
    EXPECT_EQ(e.section(), "villages");
    EXPECT_EQ(e.index(), 0u);
    EXPECT_EQ(e.key(), "town");
    EXPECT_EQ(e.problem(), "\"440823999\" is not a town in the roster");
  }
}

}  // namespace
}  // namespace fp
