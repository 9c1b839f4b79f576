// Configuration: defaults, file < flags < environment, errors naming key and source,
// librdkafka pass-through, --print-config, and the reference in docs/configuration.md.
#include "app/config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "app/secrets.h"

namespace fp::app {
namespace {

// Parses `args` as a subcommand with the run flags bound.
ConfigFlags parse_flags(std::vector<std::string> args) {
  CLI::App root;
  auto* run = root.add_subcommand("run");
  ConfigFlags flags;
  add_config_flags(*run, flags);
  args.insert(args.begin(), "run");
  std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector
  root.parse(args);
  return flags;
}

// The ConfigError `fn` throws (fails the test when it does not throw).
template <typename Fn>
ConfigError error_of(Fn fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "no ConfigError";
  return ConfigError("", "", "");
}

TEST(Config, DefaultsAreTheDeclaredOnes) {
  const Config c = Config::defaults();
  EXPECT_TRUE(c.kafka.brokers.empty());
  EXPECT_EQ(c.kafka.group, "fieldpulse");
  EXPECT_EQ(c.kafka.topics.reports, "field-reports");
  EXPECT_EQ(c.components.text("kafka.topics.dlq"), "field-reports.dlq");
  EXPECT_EQ(c.components.text("kafka.topics.progress"), "field-progress");
  EXPECT_EQ(c.kafka.topics.state, "fieldpulse.state");
  EXPECT_EQ(c.roster, FP_DATA_DIR "/zhanjiang-roster.json");
  EXPECT_EQ(c.catalog, FP_DATA_DIR "/catalog.toml");
  EXPECT_EQ(c.http.listen, "127.0.0.1:8080");
  EXPECT_TRUE(c.components.boolean("sinks.progress.enabled"));
  EXPECT_EQ(c.components.integer("sinks.progress.flush_interval_ms"), 500);
  const std::vector<std::string> every_level{"city", "county", "town", "village", "cadre"};
  EXPECT_EQ(c.components.list("sinks.progress.levels"), every_level);
  EXPECT_EQ(c.components.text("sinks.jsonl.path"), "");
  EXPECT_EQ(c.components.list("sinks.jsonl.levels"), every_level);
  EXPECT_EQ(c.components.text("sinks.postgres.uri"), "");
  EXPECT_EQ(c.validation.future_skew_hours, 24);
  EXPECT_EQ(c.dedupe.horizon_days, 0);  // no horizon: ids remembered for life
  EXPECT_EQ(c.log.level, "info");
  const CoreOptions core = c.core_options();
  EXPECT_EQ(core.programme_start_ms, CoreOptions{}.programme_start_ms);
  EXPECT_EQ(core.future_skew_ms, CoreOptions{}.future_skew_ms);
  EXPECT_EQ(core.dedupe_horizon_days, CoreOptions{}.dedupe_horizon_days);
  EXPECT_EQ(c.origin("kafka.group"), "default");
}

TEST(Config, EveryKeyHasAUniqueEnvironmentVariable) {
  std::vector<std::string> seen;
  for (const ConfigKey& k : config_keys()) {
    const std::string env = env_name(k.name);
    EXPECT_EQ(std::count(seen.begin(), seen.end(), env), 0) << env;
    EXPECT_FALSE(env.starts_with(kEnvPropertyPrefix)) << env;
    seen.push_back(env);
    EXPECT_FALSE(k.description.empty()) << k.name;
  }
  EXPECT_EQ(env_name("kafka.brokers"), "FIELDPULSE_KAFKA_BROKERS");
  EXPECT_EQ(env_name("http.listen"), "FIELDPULSE_HTTP_LISTEN");
}

constexpr std::string_view kFile = R"toml(# a deployment
roster = "/etc/fieldpulse/roster.json"

[kafka]
brokers = ["k1:9092", "k2:9092"]
group = "from-file"

[kafka.topics]
dlq = "dead-letters"

[http]
listen = "0.0.0.0:9000"

[sinks.progress]
flush_interval_ms = 250
enabled = false
)toml";

TEST(Config, FileThenFlagsThenEnvironment) {
  const ConfigFlags flags =
      parse_flags({"--group", "from-flag", "--http", "127.0.0.1:9001", "--jsonl", "/tmp/rows.jsonl",
                   "--set", "checkpoint.interval_ms=2500"});
  const Environment env = {{"FIELDPULSE_HTTP_LISTEN", "127.0.0.1:9002"},
                           {"FIELDPULSE_SINKS_PROGRESS_ENABLED", "true"}};
  const Config c = load_config_text(kFile, "fp.toml", flags, env);
  EXPECT_EQ(c.kafka.brokers, (std::vector<std::string>{"k1:9092", "k2:9092"}));
  EXPECT_EQ(c.origin("kafka.brokers"), "fp.toml:5");
  EXPECT_EQ(c.kafka.group, "from-flag");  // flag over file
  EXPECT_EQ(c.origin("kafka.group"), "flag --group");
  EXPECT_EQ(c.components.text("kafka.topics.dlq"), "dead-letters");
  EXPECT_EQ(c.kafka.topics.reports, "field-reports");  // untouched default
  EXPECT_EQ(c.http.listen, "127.0.0.1:9002");          // environment over flag over file
  EXPECT_EQ(c.origin("http.listen"), "env FIELDPULSE_HTTP_LISTEN");
  EXPECT_EQ(c.components.integer("sinks.progress.flush_interval_ms"), 250);
  EXPECT_TRUE(c.components.boolean("sinks.progress.enabled"));  // environment over file
  EXPECT_EQ(c.components.text("sinks.jsonl.path"), "/tmp/rows.jsonl");
  EXPECT_EQ(c.checkpoint.interval_ms, 2500);
  EXPECT_EQ(c.origin("checkpoint.interval_ms"), "flag --set");
  EXPECT_EQ(c.roster, "/etc/fieldpulse/roster.json");
}

TEST(Config, BrokersFlagTakesACommaSeparatedList) {
  const Config c = load_config_text("", "empty.toml", parse_flags({"--brokers", "a:1, b:2"}), {});
  EXPECT_EQ(c.kafka.brokers, (std::vector<std::string>{"a:1", "b:2"}));
  const Config from_env =
      load_config_text("", "empty.toml", {}, {{"FIELDPULSE_KAFKA_BROKERS", "c:3"}});
  EXPECT_EQ(from_env.kafka.brokers, (std::vector<std::string>{"c:3"}));
}

TEST(Config, UnknownKeyInFileNamesKeyAndLine) {
  const ConfigError e = error_of(
      [] { load_config_text("[kafka]\ngroup = \"g\"\nbrokerz = \"x:1\"\n", "fp.toml", {}, {}); });
  EXPECT_EQ(e.key(), "kafka.brokerz");
  EXPECT_EQ(e.source(), "fp.toml:3");
  EXPECT_NE(std::string(e.what()).find("fp.toml:3: kafka.brokerz"), std::string::npos) << e.what();

  const ConfigError table =
      error_of([] { load_config_text("[kafak]\ngroup = 1\n", "fp.toml", {}, {}); });
  EXPECT_EQ(table.key(), "kafak");
}

TEST(Config, MalformedValuesNameKeyAndSource) {
  const ConfigError wrong_type = error_of(
      [] { load_config_text("\n[checkpoint]\ninterval_ms = \"soon\"\n", "fp.toml", {}, {}); });
  EXPECT_EQ(wrong_type.key(), "checkpoint.interval_ms");
  EXPECT_EQ(wrong_type.source(), "fp.toml:3");

  const ConfigError range =
      error_of([] { load_config_text("[dedupe]\nhorizon_days = -1\n", "fp.toml", {}, {}); });
  EXPECT_EQ(range.key(), "dedupe.horizon_days");

  const ConfigError listen = error_of([] {
    load_config_text("", "fp.toml", parse_flags({"--http", "8080"}), {});
  });
  EXPECT_EQ(listen.key(), "http.listen");
  EXPECT_EQ(listen.source(), "flag --http");

  const ConfigError flag_int = error_of([] {
    load_config_text("", "fp.toml", parse_flags({"--set", "checkpoint.interval_ms=10s"}), {});
  });
  EXPECT_EQ(flag_int.key(), "checkpoint.interval_ms");
  EXPECT_EQ(flag_int.source(), "flag --set");

  const ConfigError env_bool = error_of([] {
    load_config_text("", "fp.toml", {}, {{"FIELDPULSE_SINKS_PROGRESS_ENABLED", "maybe"}});
  });
  EXPECT_EQ(env_bool.key(), "sinks.progress.enabled");
  EXPECT_EQ(env_bool.source(), "env FIELDPULSE_SINKS_PROGRESS_ENABLED");

  const ConfigError timestamp = error_of([] {
    load_config_text("[validation]\nprogramme_start = \"2018-05-01\"\n", "fp.toml", {}, {});
  });
  EXPECT_EQ(timestamp.key(), "validation.programme_start");

  const ConfigError level = error_of([] {
    load_config_text("", "fp.toml", {}, {{"FIELDPULSE_LOG_LEVEL", "loud"}});
  });
  EXPECT_EQ(level.key(), "log.level");

  const ConfigError list =
      error_of([] { load_config_text("[kafka]\nbrokers = [\"a:1\", 2]\n", "fp.toml", {}, {}); });
  EXPECT_EQ(list.key(), "kafka.brokers");

  const ConfigError syntax = error_of([] { load_config_text("a = \n", "fp.toml", {}, {}); });
  EXPECT_EQ(syntax.source(), "fp.toml:1");
}

TEST(Config, LevelsAreListsOfKnownLevelsSetApartPerSink) {
  const Config c =
      load_config_text("[sinks.progress]\nlevels = [\"city\", \"county\"]\n", "fp.toml",
                       parse_flags({"--set", "sinks.jsonl.levels=cadre"}), {});
  EXPECT_EQ(c.components.list("sinks.progress.levels"),
            (std::vector<std::string>{"city", "county"}));
  EXPECT_EQ(c.components.list("sinks.jsonl.levels"), (std::vector<std::string>{"cadre"}));

  const ConfigError unknown = error_of([] {
    load_config_text("[sinks.progress]\nlevels = [\"city\", \"province\"]\n", "fp.toml", {}, {});
  });
  EXPECT_EQ(unknown.key(), "sinks.progress.levels");
  EXPECT_EQ(unknown.source(), "fp.toml:2");
  EXPECT_NE(std::string(unknown.what()).find("province"), std::string::npos);

  const ConfigError env = error_of([] {
    load_config_text("", "fp.toml", {}, {{"FIELDPULSE_SINKS_JSONL_LEVELS", "village,County"}});
  });
  EXPECT_EQ(env.key(), "sinks.jsonl.levels");

  const ConfigError none = error_of([] {
    load_config_text("", "fp.toml", parse_flags({"--set", "sinks.progress.levels="}), {});
  });
  EXPECT_EQ(none.key(), "sinks.progress.levels");
  EXPECT_EQ(none.source(), "flag --set");
}

TEST(Config, UnknownSetKeyAndUnknownEnvironmentVariable) {
  const ConfigError set = error_of([] {
    load_config_text("", "fp.toml", parse_flags({"--set", "http.port=80"}), {});
  });
  EXPECT_EQ(set.key(), "http.port");
  EXPECT_EQ(set.source(), "flag --set");

  const ConfigError env = error_of([] {
    load_config_text("", "fp.toml", {}, {{"FIELDPULSE_HTTP_PORT", "80"}});
  });
  EXPECT_EQ(env.key(), "FIELDPULSE_HTTP_PORT");
  EXPECT_NE(std::string(env.what()).find("FIELDPULSE_HTTP_PORT"), std::string::npos);

  // Other variables are not ours to judge.
  EXPECT_NO_THROW(load_config_text("", "fp.toml", {}, {{"FP_OTHER", "1"}, {"HOME", "/root"}}));

  // --set without '=' is a usage error of the flag itself.
  EXPECT_THROW(parse_flags({"--set", "kafka.group"}), CLI::ParseError);
}

TEST(Config, KafkaPropertiesPassThroughInOrder) {
  constexpr std::string_view file = R"toml(
[kafka.properties]
"security.protocol" = "SASL_SSL"
"sasl.mechanism" = "PLAIN"
"socket.keepalive.enable" = true
"message.max.bytes" = 2000000
"client.id" = "fieldpulse-test"
)toml";
  const Config c = load_config_text(
      file, "fp.toml", parse_flags({"--set", "kafka.properties.sasl.username=fieldpulse"}),
      {{"FIELDPULSE_KAFKA_PROPERTY_SASL_PASSWORD", "s3cret"},
       {"FIELDPULSE_KAFKA_PROPERTY_SASL_MECHANISM", "SCRAM-SHA-512"}});
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(c.kafka.properties, (std::vector<P>{{"security.protocol", "SASL_SSL"},
                                                {"sasl.mechanism", "SCRAM-SHA-512"},
                                                {"socket.keepalive.enable", "true"},
                                                {"message.max.bytes", "2000000"},
                                                {"client.id", "fieldpulse-test"},
                                                {"sasl.username", "fieldpulse"},
                                                {"sasl.password", "s3cret"}}));
  EXPECT_EQ(c.origin("kafka.properties.security.protocol"), "fp.toml:3");
  EXPECT_EQ(c.origin("kafka.properties.sasl.mechanism"),
            "env FIELDPULSE_KAFKA_PROPERTY_SASL_MECHANISM");

  const auto consumer = c.kafka_consumer_properties();
  ASSERT_GE(consumer.size(), 4u);
  EXPECT_EQ(consumer[0], P("bootstrap.servers", ""));
  EXPECT_EQ(consumer[1], P("group.id", "fieldpulse"));
  EXPECT_EQ(consumer[2], P("queued.min.messages", "100000"));
  EXPECT_EQ(consumer.back(), P("sasl.password", "s3cret"));  // pass-through comes last
  EXPECT_EQ(c.kafka_client_properties().size(), c.kafka.properties.size() + 1);

  const ConfigError nested =
      error_of([] { load_config_text("[kafka.properties]\n\"a\" = [1]\n", "fp.toml", {}, {}); });
  EXPECT_EQ(nested.key(), "kafka.properties.a");
}

TEST(Config, BrokersAreHostPortWithAPortFrom1To65535) {
  for (const std::string bad :
       {"host:notaport", "host", ":9092", "host:0", "host:65536", "host:"}) {
    const ConfigError flag = error_of([&] {
      load_config_text("", "fp.toml", parse_flags({"--brokers", "k1:9092," + bad}), {});
    });
    EXPECT_EQ(flag.key(), "kafka.brokers") << bad;
    EXPECT_EQ(flag.source(), "flag --brokers") << bad;
    EXPECT_NE(std::string(flag.what()).find(bad), std::string::npos) << flag.what();
  }
  const ConfigError file = error_of([] {
    load_config_text("[kafka]\nbrokers = [\"k1:9092\", \"k2:90920\"]\n", "fp.toml", {}, {});
  });
  EXPECT_EQ(file.key(), "kafka.brokers");
  EXPECT_EQ(file.source(), "fp.toml:2");
  const ConfigError env = error_of([] {
    load_config_text("", "fp.toml", {}, {{"FIELDPULSE_KAFKA_BROKERS", "k1:x"}});
  });
  EXPECT_EQ(env.source(), "env FIELDPULSE_KAFKA_BROKERS");

  const Config good = load_config_text(
      "", "fp.toml", parse_flags({"--brokers", "k1:1,[::1]:9092,kafka.internal:65535"}), {});
  EXPECT_EQ(good.kafka.brokers.size(), 3u);
}

TEST(Config, TopicNamesAndPostgresUriAreChecked) {
  const ConfigError topic = error_of([] {
    load_config_text("", "fp.toml", parse_flags({"--set", "kafka.topics.state=my state"}), {});
  });
  EXPECT_EQ(topic.key(), "kafka.topics.state");
  const ConfigError postgres = error_of([] {
    load_config_text("", "fp.toml", parse_flags({"--postgres", "db.internal/fieldpulse"}), {});
  });
  EXPECT_EQ(postgres.key(), "sinks.postgres.uri");
  EXPECT_EQ(postgres.source(), "flag --postgres");
  EXPECT_NO_THROW(load_config_text("", "fp.toml",
                                   parse_flags({"--postgres", "host=db dbname=fieldpulse"}), {}));
}

TEST(Config, PathsThatMustExistNameTheKeyAndSource) {
  const Config defaults = load_config_text("", "fp.toml", {}, {});
  EXPECT_NO_THROW(check_paths(defaults));
  const Config roster =
      load_config_text("roster = \"/nonexistent/roster.json\"\n", "fp.toml", {}, {});
  const ConfigError missing = error_of([&] { check_paths(roster); });
  EXPECT_EQ(missing.key(), "roster");
  EXPECT_EQ(missing.source(), "fp.toml:1");
  const Config jsonl =
      load_config_text("", "fp.toml", parse_flags({"--jsonl", "/nonexistent/dir/rows.jsonl"}), {});
  const ConfigError directory = error_of([&] { check_paths(jsonl); });
  EXPECT_EQ(directory.key(), "sinks.jsonl.path");
  EXPECT_EQ(directory.source(), "flag --jsonl");
}

struct BadProperties {
  std::string toml;    // the [kafka.properties] entries, from line 2 of the file
  std::string blamed;  // the property the error must name
  std::string line;    // "fp.toml:N"
};

// librdkafka's own checks, run at load: an unknown property, a value it
// refuses, settings it cannot build a client from.
TEST(Config, KafkaPropertyErrorsNameThePropertyFileAndLine) {
  const std::vector<BadProperties> cases = {
      {"\"secutiry.protocol\" = \"SSL\"\n", "secutiry.protocol", "fp.toml:2"},
      {"\"security.protocol\" = \"SASL_PLAINTEXT\"\n\"sasl.mechanism\" = \"MD5\"\n",
       "sasl.mechanism", "fp.toml:3"},
      {"\"client.id\" = \"x\"\n\"security.protocol\" = \"SASL_SSL\"\n", "security.protocol",
       "fp.toml:3"},
      {"\"security.protocol\" = \"SASL_SSL\"\n\"sasl.mechanism\" = \"SCRAM-SHA-512\"\n",
       "sasl.mechanism", "fp.toml:3"},
      {"\"security.protocol\" = \"SSL\"\n\"ssl.ca.location\" = \"/nonexistent/ca.pem\"\n",
       "ssl.ca.location", "fp.toml:3"},
      {"\"acks\" = \"1\"\n", "acks", "fp.toml:2"},  // fieldpulse's producers are idempotent
  };
  for (const BadProperties& c : cases) {
    const ConfigError e =
        error_of([&] { load_config_text("[kafka.properties]\n" + c.toml, "fp.toml", {}, {}); });
    EXPECT_EQ(e.key(), "kafka.properties." + c.blamed) << c.toml << e.what();
    EXPECT_EQ(e.source(), c.line) << c.toml << e.what();
  }
  const ConfigError env = error_of([] {
    load_config_text("", "fp.toml", {}, {{"FIELDPULSE_KAFKA_PROPERTY_SECURITY_PROTOCOL", "TLS"}});
  });
  EXPECT_EQ(env.key(), "kafka.properties.security.protocol");
  EXPECT_EQ(env.source(), "env FIELDPULSE_KAFKA_PROPERTY_SECURITY_PROTOCOL");
}

TEST(Config, PrintConfigRedactsSecrets) {
  constexpr std::string_view file = R"toml(
[sinks.postgres]
uri = "postgresql://fieldpulse:pg-secret@db.internal/fieldpulse?sslpassword=pg-key-secret"

[kafka.properties]
"security.protocol" = "SASL_PLAINTEXT"
"sasl.mechanism" = "SCRAM-SHA-512"
"sasl.username" = "fieldpulse"
"sasl.password" = "kafka-secret"
"ssl.key.password" = "key-secret"
"ssl.keystore.password" = "keystore-secret"
"sasl.oauthbearer.config" = "principal=fp extension_token=oauth-secret"
"ssl.key.pem" = "-----BEGIN PRIVATE KEY-----pem-secret"
)toml";
  const Config c = load_config_text(file, "fp.toml", {}, {});
  const std::string text = render_config(c);
  for (const char* secret : {"pg-secret", "pg-key-secret", "kafka-secret", "key-secret",
                             "keystore-secret", "oauth-secret", "pem-secret"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in:\n" << text;
  }
  EXPECT_NE(text.find("uri = \"postgresql://fieldpulse:<redacted>@db.internal/"
                      "fieldpulse?sslpassword=<redacted>\"  # fp.toml:3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\"sasl.password\" = \"<redacted>\"  # fp.toml:9\n"), std::string::npos);
  EXPECT_NE(text.find("\"sasl.username\" = \"fieldpulse\"  # fp.toml:8\n"), std::string::npos);
}

TEST(Config, PostgresPasswordsAreRedactedInEitherForm) {
  EXPECT_EQ(redact_postgres_uri("postgresql://u:secret@host/db"),
            "postgresql://u:<redacted>@host/db");
  EXPECT_EQ(redact_postgres_uri("postgres://u:se:cret@h1:5432,h2/db?password=x&application_name=a"),
            "postgres://u:<redacted>@h1:5432,h2/db?password=<redacted>&application_name=a");
  EXPECT_EQ(redact_postgres_uri("postgresql://u@host/db"), "postgresql://u@host/db");
  EXPECT_EQ(redact_postgres_uri("postgresql://host:5432/db"), "postgresql://host:5432/db");
  EXPECT_EQ(redact_postgres_uri("host=db password='se cret\\' x' user=u"),
            "host=db password=<redacted> user=u");
  EXPECT_EQ(redact_postgres_uri("host=db password = secret"), "host=db password = <redacted>");
  EXPECT_EQ(redact_postgres_uri(""), "");
  EXPECT_TRUE(is_secret_property("sasl.password"));
  EXPECT_TRUE(is_secret_property("sasl.oauthbearer.client.secret"));
  EXPECT_TRUE(is_secret_property("ssl.key.pem"));
  EXPECT_FALSE(is_secret_property("ssl.certificate.pem"));
  EXPECT_FALSE(is_secret_property("sasl.username"));
}

TEST(Config, PrintConfigRoundTripsWithOrigins) {
  const ConfigFlags flags = parse_flags({"--brokers", "k9:9092", "--print-config", "--set",
                                         "kafka.properties.security.protocol=SSL"});
  EXPECT_TRUE(flags.print_config);
  const Config c = load_config_text(kFile, "fp.toml", flags, {{"FIELDPULSE_LOG_LEVEL", "debug"}});
  const std::string text = render_config(c);
  EXPECT_NE(text.find("brokers = [\"k9:9092\"]  # flag --brokers\n"), std::string::npos) << text;
  EXPECT_NE(text.find("level = \"debug\"  # env FIELDPULSE_LOG_LEVEL\n"), std::string::npos);
  EXPECT_NE(text.find("dlq = \"dead-letters\"  # fp.toml:9\n"), std::string::npos);
  EXPECT_NE(text.find("state = \"fieldpulse.state\"  # default\n"), std::string::npos);
  EXPECT_NE(text.find("\"security.protocol\" = \"SSL\"  # flag --set\n"), std::string::npos);

  // The rendering is a valid configuration file describing the same values.
  const Config again = load_config_text(text, "printed.toml", {}, {});
  EXPECT_EQ(again.kafka.brokers, c.kafka.brokers);
  EXPECT_EQ(again.components, c.components);
  EXPECT_EQ(again.kafka.properties, c.kafka.properties);
  EXPECT_EQ(again.log.level, c.log.level);
  EXPECT_EQ(again.roster, c.roster);
  for (const ConfigKey& k : config_keys()) {
    EXPECT_EQ(again.origin(k.name).substr(0, 12), "printed.toml") << k.name;
  }
}

TEST(Config, ConfigFileFlagReadsTheFile) {
  const std::string path = ::testing::TempDir() + "fp-config-test.toml";
  std::ofstream(path) << kFile;
  const Config c = load_config(parse_flags({"--config", path}), {});
  EXPECT_EQ(c.kafka.group, "from-file");
  EXPECT_EQ(c.origin("kafka.group"), path + ":6");
  std::remove(path.c_str());
  EXPECT_THROW(parse_flags({"--config", path}), CLI::ParseError);  // no longer exists
}

// Under systemd the working directory is /, so a config file's relative paths
// are relative to the file; flags keep the working directory.
TEST(Config, RelativePathsInAConfigFileAreRelativeToIt) {
  const std::string dir = ::testing::TempDir() + "fp-config-paths";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/fieldpulse.toml";
  std::ofstream(path) << "roster = \"data/roster.json\"\ncatalog = \"/etc/catalog.toml\"\n"
                      << "[sinks.jsonl]\npath = \"../rows.jsonl\"\n";
  const std::string base = std::filesystem::absolute(dir).lexically_normal().string();
  const Config c = load_config(parse_flags({"--config", path}), {});
  EXPECT_EQ(c.roster, base + "/data/roster.json");
  EXPECT_EQ(c.catalog, "/etc/catalog.toml");
  EXPECT_EQ(c.components.text("sinks.jsonl.path"),
            std::filesystem::path(base).parent_path().string() + "/rows.jsonl");
  const Config flagged = load_config(parse_flags({"--config", path, "--roster", "mine.json"}), {});
  EXPECT_EQ(flagged.roster, "mine.json");
  EXPECT_EQ(Config::defaults().catalog, load_config(parse_flags({}), {}).catalog);
  std::filesystem::remove_all(dir);
}

TEST(Config, ReferenceDocumentListsEveryKey) {
  std::ifstream in(FP_DATA_DIR "/../docs/configuration.md");
  ASSERT_TRUE(in) << "docs/configuration.md is missing";
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The key table in the document is exactly the generated one.
  EXPECT_NE(doc.find(render_config_reference()), std::string::npos)
      << "regenerate the table in docs/configuration.md from render_config_reference():\n"
      << render_config_reference();
  for (const ConfigKey& k : config_keys()) {
    EXPECT_NE(doc.find("`" + std::string(k.name) + "`"), std::string::npos) << k.name;
  }
}

}  // namespace
}  // namespace fp::app
