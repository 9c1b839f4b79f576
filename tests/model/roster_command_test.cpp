// `fieldpulse roster`: converts the shipped CSVs, and a bad cell exits 2 naming file:line:column.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

using ::testing::HasSubstr;

const std::string kData = FP_DATA_DIR;

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Runs the command line through the shell; returns the exit status.
int run(const std::string& args) {
  const int status = std::system((std::string(FP_BINARY) + " " + args).c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class RosterCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("fieldpulse-roster-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(RosterCommand, ConvertsTheShippedCsvsToTheShippedJson) {
  const auto out = dir_ / "roster.json";
  ASSERT_EQ(run("roster --regions " + kData + "/zhanjiang/regions.csv --cadres " + kData +
                "/zhanjiang/cadres.csv --out " + out.string()),
            0);
  EXPECT_TRUE(read_text(out) == read_text(kData + "/zhanjiang-roster.json"));
}

TEST_F(RosterCommand, WritesToStdoutByDefault) {
  write_text(dir_ / "r.csv", "level,code,name,parent\ncity,4408,湛江市,\n");
  write_text(dir_ / "c.csv", "cadre_id,name,tier,region,round\n");
  const auto out = dir_ / "stdout.json";
  ASSERT_EQ(run("roster --regions " + (dir_ / "r.csv").string() + " --cadres " +
                (dir_ / "c.csv").string() + " > " + out.string()),
            0);
  EXPECT_THAT(read_text(out), HasSubstr("\"city\": {\"code\": \"4408\", \"name\": \"湛江市\"}"));
}

TEST_F(RosterCommand, BadCellExitsTwoNamingFileLineAndColumn) {
  const auto regions = dir_ / "r.csv";
  write_text(regions,
             "level,code,name,parent\ncity,4408,湛江市,\ncounty,440823,遂溪县,\n"
             "town,440823105,北坡镇,440899\n");
  write_text(dir_ / "c.csv", "cadre_id,name,tier,region,round\n");
  const auto err = dir_ / "stderr.txt";
  const auto out = dir_ / "never.json";
  EXPECT_EQ(run("roster --regions " + regions.string() + " --cadres " + (dir_ / "c.csv").string() +
                " --out " + out.string() + " 2> " + err.string()),
            2);
  EXPECT_THAT(read_text(err), HasSubstr(regions.string() +
                                        ":4:4: town \"440823105\": column \"parent\": \"440899\" "
                                        "is not a county in the roster"));
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(RosterCommand, MissingFlagIsAUsageError) {
  EXPECT_EQ(run("roster --regions x.csv 2> /dev/null"), 2);
}

}  // namespace
