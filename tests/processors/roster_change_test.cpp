// The core across roster changes: a reload that adds and drops cadres and
// villages, and a restore from a checkpoint naming ones the roster dropped.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core_fixture.h"

// Inside the fixture's namespace: its helpers by their own names.
namespace fp::core_test {
namespace {

// The fixture roster without cadre S002 and village 440881101201 (and its
// cadre S004), with a new village 440823106202 and a new cadre S005 on it.
std::string shrunk_roster_json() {
  std::string json(kRosterJson);
  const auto cut = [&json](const std::string& from, const std::string& to) {
    const auto at = json.find(from);
    json.erase(at, json.find(to, at) - at);
  };
  cut(R"({"cadre_id": "S002")", R"({"cadre_id": "S003")");
  cut(R"(,
            {"cadre_id": "S004")",
      "]}");
  cut(R"(,
              {"code": "440881101201")",
      "],\n \"cadres\"");
  json.replace(json.find(R"({"code": "440823106201")"), 0,
               R"({"code": "440823106202", "name": "新村", "town": "440823106"}, )");
  json.replace(
      json.find(R"({"cadre_id": "S003")"), 0,
      R"({"cadre_id": "S005", "name": "庚", "tier": "section", "region": "440823106202", "round": 2}, )");
  return json;
}

Roster shrunk_roster() { return Roster::parse(shrunk_roster_json(), "test/shrunk.json"); }

constexpr std::string_view kDay = "2019-07-28T10:00:00+08:00";
constexpr std::int32_t kDayNumber = 18105;  // 2019-07-28

std::vector<std::string> first_reports() {
  return {report("r1", "S001", "440823105201", "funds_raised", kDay, R"({"yuan":10})"),
          report("r2", "S002", "440823105202", "funds_raised", kDay, R"({"yuan":20})"),
          report("r3", "S004", "440881101201", "funds_raised", kDay, R"({"yuan":40})")};
}

void expect_history_kept(const ProcessingCore& core) {
  const MetricId yuan = metric(core, "funds_raised.yuan");
  EXPECT_EQ(str(value(core, Level::city, 0, yuan)), "70");
  EXPECT_EQ(str(value(core, Level::cadre, cadre(core, "S002"), yuan)), "20");
  EXPECT_EQ(str(value(core, Level::village, region(core, "440881101201"), yuan)), "40");
  EXPECT_TRUE(core.roster().cadre(cadre(core, "S002")).former);
  EXPECT_TRUE(core.roster().cadre(cadre(core, "S004")).former);
  EXPECT_TRUE(core.roster().region(region(core, "440881101201")).former);
  EXPECT_FALSE(core.roster().cadre(cadre(core, "S001")).former);
}

// Cadres and regions the figures name, minus the former ones.
void expect_current_denominators(const ProcessingCore& core) {
  const Summary s = core.summary();
  EXPECT_EQ(s.cadres_total, 5U);      // L001 D001 S001 S003 S005
  EXPECT_EQ(s.cadres_reporting, 1U);  // S001; S002 and S004 are former
  for (const SilentCadre& silent : core.silent_cadres(kNowMs, 30)) {
    EXPECT_FALSE(core.roster().cadre(silent.cadre).former) << silent.cadre;
  }
  EXPECT_EQ(core.silent_cadres(kNowMs, 30).size(), 4U);  // all but S001
  const auto towns = core.completeness(Level::town, kDayNumber);
  const auto town = [&](std::string_view code) {
    return *std::find_if(towns.begin(), towns.end(),
                         [&](const Completeness& c) { return c.region == region(core, code); });
  };
  EXPECT_EQ(town("440823105").reported, 1U);  // S001 (S002 is former)
  EXPECT_EQ(town("440823105").total, 2U);     // D001, S001
  EXPECT_EQ(town("440823106").total, 2U);     // S003, S005
  EXPECT_EQ(town("440881101").total, 0U);     // its village and cadre left
}

TEST(RosterChange, AReloadKeepsDroppedEntitiesAsFormerAndTakesNewOnes) {
  auto core = make_core();
  ASSERT_EQ(run(*core, first_reports()).accepted, 3U);
  const auto s002 = cadre(*core, "S002");
  core->update_roster(shrunk_roster());
  EXPECT_EQ(cadre(*core, "S002"), s002);  // ids never renumber
  expect_history_kept(*core);
  expect_current_denominators(*core);

  const BatchResult after =
      run(*core,
          {report("r4", "S005", "440823106202", "funds_raised", kDay, R"({"yuan":1})"),
           report("r5", "S002", "440823105202", "funds_raised", kDay, R"({"yuan":1})"),
           report("r6", "S001", "440881101201", "funds_raised", kDay, R"({"yuan":1})")},
          0, 3);
  EXPECT_EQ(after.accepted, 1U);
  EXPECT_EQ(after.rejected_by_reason[static_cast<std::size_t>(Reason::unknown_cadre)], 1U);
  EXPECT_EQ(after.rejected_by_reason[static_cast<std::size_t>(Reason::unknown_village)], 1U);
  EXPECT_EQ(str(value(*core, Level::city, 0, metric(*core, "funds_raised.yuan"))), "71");
}

TEST(RosterChange, AReloadThatBringsACadreBackMakesThemCurrentAgain) {
  auto core = make_core();
  run(*core, first_reports());
  core->update_roster(shrunk_roster());
  core->update_roster(*roster());
  EXPECT_FALSE(core->roster().cadre(cadre(*core, "S002")).former);
  EXPECT_EQ(core->summary().cadres_reporting, 3U);
  EXPECT_EQ(
      run(*core, {report("r5", "S002", "440823105202", "household_visit", kDay)}, 0, 3).accepted,
      1U);
}

TEST(RosterChange, ARosterForAnotherCityIsRefusedAndChangesNothing) {
  auto core = make_core();
  std::string json(kRosterJson);
  for (auto at = json.find("4408"); at != std::string::npos; at = json.find("4408", at)) {
    json.replace(at, 4, "4409");
  }
  EXPECT_THROW(core->update_roster(Roster::parse(json, "other.json")), DataFileError);
  EXPECT_EQ(core->summary().cadres_total, 6U);
  EXPECT_FALSE(core->roster().cadre(cadre(*core, "S002")).former);
}

TEST(RosterChange, ARestoreNamingDroppedEntitiesKeepsThemAsFormer) {
  auto before = make_core();
  run(*before, first_reports());
  const std::string snapshot = before->snapshot_partition(0);

  auto after =
      std::make_unique<ProcessingCore>(catalog(), std::make_shared<const Roster>(shrunk_roster()),
                                       CoreOptions{}, [] { return kNowMs; });
  after->restore_partition(0, snapshot);
  expect_history_kept(*after);
  expect_current_denominators(*after);
  EXPECT_EQ(after->summary().accepted, 3U);
  EXPECT_EQ(after->roster().cadre(cadre(*after, "S002")).name, "");  // not in any file now
  // The partition's next snapshot still names them, so the next restore keeps them too.
  auto again =
      std::make_unique<ProcessingCore>(catalog(), std::make_shared<const Roster>(shrunk_roster()),
                                       CoreOptions{}, [] { return kNowMs; });
  again->restore_partition(0, after->snapshot_partition(0));
  expect_history_kept(*again);
}

}  // namespace
}  // namespace fp::core_test
