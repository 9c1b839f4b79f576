// Checks [kafka.properties] at load, so a misspelt or incomplete librdkafka
// setting is a configuration error naming the property and where it was set.
#pragma once

#include "app/config.h"

namespace fp::app {

// Sets every [kafka.properties] entry on a scratch librdkafka configuration,
// checks that the files its `*.location` properties name exist, then creates
// (and destroys, without connecting) a scratch consumer and producer set up as
// fieldpulse's own, each with the properties that apply to it, so librdkafka's
// consistency checks (SASL mechanism and credentials, TLS files, idempotence)
// run now. Throws ConfigError naming the property and its origin.
void check_kafka_properties(const Config& config);

}  // namespace fp::app
