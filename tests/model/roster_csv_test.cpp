// The CSV roster form: parsing (RFC 4180), conversion, and errors at file:line:column.
#include "model/roster_csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "model/catalog.h"
#include "model/csv_table.h"
#include "model/roster.h"

namespace fp {
namespace {

using ::testing::HasSubstr;

const std::string kRegions =
    "level,code,name,parent\n"
    "city,4408,湛江市,\n"
    "county,440823,遂溪县,4408\n"
    "county,440882,雷州市,\n"
    "town,440823105,北坡镇,440823\n"
    "village,440823105201,北塘村,440823105\n"
    "village,440823105202,\"新村, 东\",440823105\n";
const std::string kCadres =
    "cadre_id,name,tier,region,round,village\n"
    "C0001,曾海裕,section,440823105201,1,\n"
    "C0002,李明,city_leader,440823,2,440823105202\n";

std::string convert(const std::string& regions, const std::string& cadres) {
  return roster_json_from_csv({regions, "regions.csv", cadres, "cadres.csv"});
}

std::string error_of(const std::string& regions, const std::string& cadres) {
  try {
    convert(regions, cadres);
  } catch (const DataFileError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string replaced(std::string text, std::string_view from, std::string_view to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(CsvTable, QuotedCellsHoldCommasQuotesAndLineBreaks) {
  const CsvTable t = CsvTable::parse(
      "\xEF\xBB\xBF"
      "a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\r\n\"two\nlines\",z\n3,\n",
      "t.csv");
  EXPECT_EQ(t.header(), (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(t.rows().size(), 3u);
  EXPECT_EQ(t.rows()[0].cells, (std::vector<std::string>{"x, y", "say \"hi\""}));
  EXPECT_EQ(t.rows()[0].line, 2u);
  EXPECT_EQ(t.rows()[1].cells, (std::vector<std::string>{"two\nlines", "z"}));
  EXPECT_EQ(t.rows()[1].line, 4u);
  EXPECT_EQ(t.rows()[2].cells, (std::vector<std::string>{"3", ""}));
  EXPECT_EQ(t.rows()[2].line, 6u);
  EXPECT_EQ(t.column("b"), std::size_t{1});
  EXPECT_FALSE(t.column("c").has_value());
}

TEST(CsvTable, SyntaxErrorsNameLineAndColumn) {
  auto error = [](std::string_view text) {
    try {
      CsvTable::parse(text, "t.csv");
    } catch (const DataFileError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(error("a,b\n1,x\"y\n"),
            "t.csv:2:2: a quote inside an unquoted cell (quote the whole cell)");
  EXPECT_EQ(error("a,b\n1,2\n\"open,3\n"), "t.csv:3:1: quoted cell is never closed");
  EXPECT_EQ(error("a,b\n\"x\"y,2\n"), "t.csv:2:1: unexpected character after a closing quote");
  EXPECT_EQ(error("a,b\n1,2,3\n"), "t.csv:2:3: row has 3 cells, the header has 2");
  EXPECT_EQ(error("a,b\n1\n"), "t.csv:2:2: row has 1 cells, the header has 2");
  EXPECT_EQ(error("a,a\n"), "t.csv:1:2: column \"a\" appears twice");
  EXPECT_EQ(error("a,\n"), "t.csv:1:2: empty column name in the header");
  EXPECT_EQ(error("a,b\n1,\xFF\n"), "t.csv:2:2: cell is not valid UTF-8");
  EXPECT_EQ(error(""), "t.csv:1:1: empty file (expected a header row)");
}

TEST(RosterCsv, ConvertsToARosterThatLoads) {
  const std::string json = convert(kRegions, kCadres);
  const Roster r = Roster::parse(json, "out.json");
  EXPECT_EQ(r.regions().size(), 6u);
  EXPECT_EQ(r.region(*r.find_village("440823105202")).name, "新村, 东");
  ASSERT_TRUE(r.find_cadre("C0002").has_value());
  const Cadre& leader = r.cadre(*r.find_cadre("C0002"));
  EXPECT_EQ(leader.tier, Tier::city_leader);
  EXPECT_EQ(leader.round, 2);
  EXPECT_EQ(r.region(leader.region).code, "440823");
  // Extra columns are copied as string keys when the cell is not empty.
  EXPECT_THAT(json, HasSubstr("\"round\": 2, \"village\": \"440823105202\"}"));
  EXPECT_THAT(json, HasSubstr("\"round\": 1}"));
}

TEST(RosterCsv, MissingColumnIsNamed) {
  EXPECT_EQ(error_of(replaced(kRegions, "level,code,name,parent", "level,code,name,up"), kCadres),
            "regions.csv:1:5: missing column \"parent\" in the header");
  EXPECT_THAT(error_of(kRegions, replaced(kCadres, ",round,", ",rnd,")),
              HasSubstr("cadres.csv:1:7: missing column \"round\""));
}

TEST(RosterCsv, UnknownLevelAndCityRules) {
  EXPECT_EQ(error_of(replaced(kRegions, "town,440823105", "township,440823105"), kCadres),
            "regions.csv:5:1: level \"township\" is not one of city, county, town, village");
  EXPECT_EQ(error_of(kRegions + "city,4409,茂名市,\n", kCadres),
            "regions.csv:8:1: a second city row (the first is on line 2)");
  EXPECT_EQ(error_of(replaced(kRegions, "city,4408,湛江市,", "county,440899,x,"), kCadres),
            "regions.csv:1:1: no row with level \"city\"");
  EXPECT_EQ(error_of(replaced(kRegions, "440882,雷州市,", "440882,雷州市,4409"), kCadres),
            "regions.csv:4:4: parent \"4409\" of a county must be the city \"4408\" (or empty)");
}

TEST(RosterCsv, RosterRuleErrorsPointAtTheCell) {
  EXPECT_EQ(error_of(replaced(kRegions, "北塘村,440823105", "北塘村,440823999"), kCadres),
            "regions.csv:6:4: village \"440823105201\": column \"parent\": \"440823999\" is not a "
            "town in the roster");
  EXPECT_THAT(
      error_of(replaced(kRegions, "town,440823105,", "town,44082310,"), kCadres),
      HasSubstr("regions.csv:5:2: town \"44082310\": column \"code\": \"44082310\" is not 9 "
                "digits"));
  EXPECT_THAT(error_of(kRegions + "village,440823105201,重复村,440823105\n", kCadres),
              HasSubstr("regions.csv:8:2: village \"440823105201\": column \"code\": duplicate"));
  EXPECT_EQ(error_of(kRegions, replaced(kCadres, "section,440823105201", "division,440823105201")),
            "cadres.csv:2:4: cadre \"C0001\": column \"region\": \"440823105201\" is not a town in "
            "the roster (a division cadre is attached to a town)");
  EXPECT_THAT(
      error_of(kRegions, replaced(kCadres, "C0002", "C0001")),
      HasSubstr("cadres.csv:3:1: cadre \"C0001\": column \"cadre_id\": duplicate cadre_id"));
  EXPECT_EQ(
      error_of(kRegions, replaced(kCadres, "440823105201,1,", "440823105201,first,")),
      "cadres.csv:2:5: cadre \"C0001\": column \"round\": \"first\" is not a positive integer");
  EXPECT_THAT(
      error_of(kRegions, replaced(kCadres, ",section,", ",staff,")),
      HasSubstr("cadres.csv:2:3: cadre \"C0001\": column \"tier\": \"staff\" is not one of"));
  EXPECT_THAT(error_of(replaced(kRegions, ",北塘村,", ",,"), kCadres),
              HasSubstr("regions.csv:6:3: village \"440823105201\": column \"name\": must not be "
                        "empty"));
}

TEST(RosterCsv, UnreadableFileIsNamed) {
  EXPECT_THROW(roster_json_from_csv_files("/nonexistent/regions.csv", "/nonexistent/cadres.csv"),
               DataFileError);
}

}  // namespace
}  // namespace fp
