// Which configuration values are secrets, and how --print-config shows them without the secret.
#pragma once

#include <string>
#include <string_view>

namespace fp::app {

// What --print-config prints in place of a secret.
inline constexpr std::string_view kRedacted = "<redacted>";

// A librdkafka property whose value is a secret: any *password* or *secret*
// (sasl.password, ssl.key.password, ssl.keystore.password,
// sasl.oauthbearer.client.secret), the private key ssl.key.pem, and
// sasl.oauthbearer.config (it may carry credentials).
bool is_secret_property(std::string_view name);

// A PostgreSQL connection string with its passwords replaced by kRedacted:
// the one in a URI's user info ("postgresql://u:secret@host/db"), password and
// sslpassword query parameters, and password/sslpassword keywords of the
// "key=value" form.
std::string redact_postgres_uri(std::string_view uri);

}  // namespace fp::app
