// The catalog loader: the shipped file, metric names, and every rule's error message.
#include "model/catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace fp {
namespace {

using ::testing::HasSubstr;

std::string error_of(std::string_view text) {
  try {
    Catalog::parse(text, "cat.toml");
  } catch (const DataFileError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Catalog, ShippedFileHasTheContractKinds) {
  const Catalog catalog = Catalog::load(FP_DATA_DIR "/catalog.toml");
  ASSERT_EQ(catalog.kinds().size(), 13u);
  const auto produce = catalog.find("produce_sold");
  ASSERT_TRUE(produce.has_value());
  const Kind& kind = catalog.kind(*produce);
  EXPECT_EQ(kind.label, "帮助销售滞销农产品");
  ASSERT_EQ(kind.fields.size(), 2u);
  EXPECT_EQ(kind.fields[0].name, "jin");
  EXPECT_EQ(kind.fields[1].name, "yuan");
  EXPECT_EQ(kind.fields[1].default_value, Decimal{0});
  const Kind& raised = catalog.kind(*catalog.find("funds_raised"));
  ASSERT_EQ(raised.fields.size(), 1u);
  EXPECT_FALSE(raised.fields[0].default_value.has_value());
  const Kind& visit = catalog.kind(*catalog.find("household_visit"));
  EXPECT_EQ(visit.fields[0].default_value, Decimal{1000});
  EXPECT_EQ(catalog.kind(*catalog.find("infrastructure")).fields.size(), 3u);
  EXPECT_FALSE(catalog.find("unknown").has_value());
}

TEST(Catalog, MetricNamesFollowFileOrder) {
  const Catalog catalog = Catalog::parse(R"(
[[kind]]
name = "b_kind"
label = "B"
fields = [{ name = "x", default = "0.5" }, { name = "y" }]
[[kind]]
name = "a_kind"
label = "A"
fields = [{ name = "z", default = 3 }]
)",
                                         "t.toml");
  EXPECT_EQ(catalog.metric_names(),
            (std::vector<std::string>{"b_kind.count", "b_kind.x", "b_kind.y", "a_kind.count",
                                      "a_kind.z"}));
  EXPECT_EQ(catalog.kind(0).fields[0].default_value, Decimal{500});
  EXPECT_EQ(catalog.kind(1).fields[0].default_value, Decimal{3000});
  EXPECT_EQ(catalog.find("a_kind"), KindId{1});
}

TEST(Catalog, BadDefaultNamesFileLineKindAndField) {
  EXPECT_EQ(error_of("[[kind]]\nname = \"produce_sold\"\nlabel = \"x\"\n"
                     "fields = [\n  { name = \"jin\", default = \"x\" },\n]\n"),
            "cat.toml:5: kind \"produce_sold\": field \"jin\": default \"x\" is not a decimal (is "
            "not a plain decimal number)");
}

TEST(Catalog, NegativeOrOverPreciseDefaultIsRejected) {
  EXPECT_THAT(
      error_of("[[kind]]\nname = \"k\"\nlabel = \"x\"\nfields = [{ name = \"f\", default = -1 }]"),
      HasSubstr("cat.toml:4: kind \"k\": field \"f\": default \"-1\" is not a decimal"));
  EXPECT_THAT(error_of("[[kind]]\nname = \"k\"\nlabel = \"x\"\nfields = [{ name = \"f\", default = "
                       "\"0.0001\" }]"),
              HasSubstr("field \"f\": default \"0.0001\" is not a decimal"));
}

TEST(Catalog, FloatDefaultIsRejectedAsInexact) {
  EXPECT_THAT(
      error_of("[[kind]]\nname = \"k\"\nlabel = \"x\"\nfields = [{ name = \"f\", default = 0.5 }]"),
      HasSubstr("cat.toml:4: kind \"k\": field \"f\": default must be written as a string"));
}

TEST(Catalog, KindNameMustBeLowercaseIdentifier) {
  EXPECT_THAT(error_of("[[kind]]\nname = \"Produce\"\nlabel = \"x\"\nfields = [{ name = \"f\" }]"),
              HasSubstr("cat.toml:2: kind[0]: name \"Produce\" must match [a-z_]+"));
}

TEST(Catalog, DuplicateKindNameIsRejected) {
  EXPECT_THAT(error_of("[[kind]]\nname = \"k\"\nlabel = \"x\"\nfields = [{ name = \"f\" }]\n"
                       "[[kind]]\nname = \"k\"\nlabel = \"y\"\nfields = [{ name = \"g\" }]\n"),
              HasSubstr("cat.toml:6: kind \"k\": duplicate kind name"));
}

TEST(Catalog, FieldNameMustBeLowercaseIdentifier) {
  EXPECT_THAT(error_of("[[kind]]\nname = \"k\"\nlabel = \"x\"\nfields = [{ name = \"canal-km\" }]"),
              HasSubstr("cat.toml:4: kind \"k\": fields[0]: name \"canal-km\" must match [a-z_]+"));
}

TEST(Catalog, DuplicateFieldNameIsRejected) {
  EXPECT_THAT(error_of("[[kind]]\nname = \"k\"\nlabel = \"x\"\n"
                       "fields = [\n{ name = \"f\" },\n{ name = \"f\" }]"),
              HasSubstr("cat.toml:6: kind \"k\": field \"f\": duplicate field name"));
}

TEST(Catalog, FieldCountMustBeOneToMax) {
  EXPECT_THAT(error_of("[[kind]]\nname = \"k\"\nlabel = \"x\"\nfields = []"),
              HasSubstr("cat.toml:4: kind \"k\": must have 1 to 4 fields, has 0"));
  EXPECT_THAT(error_of("[[kind]]\nname = \"k\"\nlabel = \"x\"\nfields = [{ name = \"a\" }, "
                       "{ name = \"b\" }, { name = \"c\" }, { name = \"d\" }, { name = \"e\" }]"),
              HasSubstr("cat.toml:4: kind \"k\": must have 1 to 4 fields, has 5"));
}

TEST(Catalog, MissingKeysAreNamed) {
  EXPECT_THAT(error_of("[[kind]]\nlabel = \"x\"\nfields = [{ name = \"f\" }]"),
              HasSubstr("kind[0]: missing key \"name\""));
  EXPECT_THAT(error_of("[[kind]]\nname = \"k\"\nfields = [{ name = \"f\" }]"),
              HasSubstr("kind \"k\": missing key \"label\""));
  EXPECT_THAT(error_of("[[kind]]\nname = \"k\"\nlabel = \"x\""),
              HasSubstr("kind \"k\": missing key \"fields\""));
  EXPECT_THAT(error_of("[[kind]]\nname = \"k\"\nlabel = \"x\"\nfields = [{ default = \"1\" }]"),
              HasSubstr("kind \"k\": fields[0]: missing key \"name\""));
}

TEST(Catalog, UnknownKeysAreRejectedToCatchTypos) {
  EXPECT_THAT(
      error_of(
          "[[kind]]\nname = \"k\"\nlabel = \"x\"\nfields = [{ name = \"f\", defualt = \"1\" }]"),
      HasSubstr("cat.toml:4: kind \"k\": field \"f\": unknown key \"defualt\""));
  EXPECT_THAT(error_of("kinds = 1\n"), HasSubstr("cat.toml:1: unknown key \"kinds\""));
}

TEST(Catalog, TomlSyntaxErrorNamesTheLine) {
  EXPECT_THAT(error_of("[[kind]]\nname = \"k\"\nlabel = \n"), HasSubstr("cat.toml:3: "));
}

TEST(Catalog, MissingFileIsAnError) {
  EXPECT_THROW(Catalog::load("/nonexistent/catalog.toml"), DataFileError);
}

}  // namespace
}  // namespace fp
