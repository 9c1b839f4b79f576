// `fieldpulse token add|revoke|list`: tokens shown once, only hashes stored, exit 2 on misuse.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ingest/gateway/token_store.h"
#include "tests/gateway/gateway_process.h"
#include "tests/support/temp_dir.h"

namespace fp::test {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string hex(const gateway::TokenHash& hash) {
  std::string out;
  char buf[3];
  for (const auto b : hash) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    out += buf;
  }
  return out;
}

TEST(TokenCommand, AddPrintsTheTokenOnceAndStoresOnlyItsHash) {
  TempDir dir;
  const std::string file = dir.file("tokens.tsv");
  const auto r = run_fieldpulse({"token", "add", "--tokens", file, "--cadre", "C0133"});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string token = r.out.substr(0, r.out.find('\n'));
  EXPECT_EQ(r.out, token + "\n");  // nothing else on stdout
  EXPECT_TRUE(token.starts_with("fpt_"));
  EXPECT_EQ(token.size(), 4u + 43u);
  const std::string text = read_file(file);
  EXPECT_EQ(text.find(token), std::string::npos);
  EXPECT_EQ(text.find(token.substr(4)), std::string::npos);
  EXPECT_NE(text.find("C0133-phone1\tC0133\t" + hex(gateway::sha256(token)) + "\tactive\t"),
            std::string::npos)
      << text;
  const auto list = run_fieldpulse({"token", "list", "--tokens", file});
  EXPECT_EQ(list.status, 0);
  EXPECT_NE(list.out.find("C0133-phone1\tC0133\tactive"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find(token), std::string::npos);
  EXPECT_EQ(list.out.find(hex(gateway::sha256(token))), std::string::npos);
}

TEST(TokenCommand, RevokeMarksTheDeviceRevokedAndTheTokenNoLongerAuthenticates) {
  TempDir dir;
  const std::string file = dir.file("tokens.tsv");
  const std::string first = issue_token(file, "C0133", "phone-a");
  const std::string second = issue_token(file, "C0134", "phone-b");
  const auto r = run_fieldpulse({"token", "revoke", "--tokens", file, "--device", "phone-a"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto list = run_fieldpulse({"token", "list", "--tokens", file});
  EXPECT_NE(list.out.find("phone-a\tC0133\trevoked"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("phone-b\tC0134\tactive"), std::string::npos) << list.out;
  const gateway::TokenStore store(gateway::TokenFile::load(file));
  EXPECT_EQ(store.authenticate(first), nullptr);
  ASSERT_NE(store.authenticate(second), nullptr);
  EXPECT_EQ(store.authenticate(second)->cadre_id, "C0134");
  // The device may get a new token once the old one is revoked.
  EXPECT_NO_THROW(issue_token(file, "C0133", "phone-a"));
}

TEST(TokenCommand, MisuseExits2WithAMessageNamingTheProblem) {
  TempDir dir;
  const std::string file = dir.file("tokens.tsv");
  issue_token(file, "C0133", "phone-a");
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"token", "add", "--tokens", file}, "--cadre"},
      {{"token", "add", "--cadre", "C0133"}, "--tokens"},
      {{"token", "add", "--tokens", file, "--cadre", "C0133", "--device", "phone-a"}, "phone-a"},
      {{"token", "add", "--tokens", file, "--cadre", "bad id"}, "cadre"},
      {{"token", "revoke", "--tokens", file, "--device", "nobody"}, "--device"},
      {{"token", "revoke", "--tokens", file}, "--device"},
      {{"token", "list", "--tokens", dir.file("absent")}, "--tokens"},
      {{"token", "frobnicate"}, "subcommand"},
  };
  for (const Case& c : cases) {
    const auto r = run_fieldpulse(c.args);
    EXPECT_EQ(r.status, 2) << c.says << ": " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
  }
  std::ofstream(dir.file("broken.tsv")) << "phone\tC1\tnot-a-hash\tactive\tx\n";
  const auto broken = run_fieldpulse({"token", "list", "--tokens", dir.file("broken.tsv")});
  EXPECT_EQ(broken.status, 2);
  EXPECT_NE(broken.err.find("broken.tsv:1: hash"), std::string::npos) << broken.err;
}

}  // namespace
}  // namespace fp::test
