// Secrets in the configuration: which they are and how they are left out of printed output.
#include "app/secrets.h"

#include <algorithm>
#include <cctype>

namespace fp::app {
namespace {

bool is_password_keyword(std::string_view keyword) {
  return keyword == "password" || keyword == "sslpassword";
}

bool is_space(char ch) { return std::isspace(static_cast<unsigned char>(ch)) != 0; }

// "postgresql://user:secret@host/db?sslpassword=x" -> user:<redacted>@..., sslpassword=<redacted>
std::string redact_uri(std::string_view uri, std::size_t authority_begin) {
  std::string out(uri.substr(0, authority_begin));
  const std::size_t authority_end = std::min(uri.find_first_of("/?", authority_begin), uri.size());
  const std::string_view authority = uri.substr(authority_begin, authority_end - authority_begin);
  const std::size_t at = authority.rfind('@');
  const std::size_t colon = authority.find(':');
  if (at != std::string_view::npos && colon < at) {
    out.append(authority.substr(0, colon + 1)).append(kRedacted).append(authority.substr(at));
  } else {
    out.append(authority);
  }
  std::string_view rest = uri.substr(authority_end);
  const std::size_t query = rest.find('?');
  out.append(rest.substr(0, query));
  if (query == std::string_view::npos) return out;
  out += '?';
  rest.remove_prefix(query + 1);
  while (true) {
    const std::size_t amp = rest.find('&');
    const std::string_view param = rest.substr(0, amp);
    const std::size_t eq = param.find('=');
    if (eq != std::string_view::npos && is_password_keyword(param.substr(0, eq))) {
      out.append(param.substr(0, eq + 1)).append(kRedacted);
    } else {
      out.append(param);
    }
    if (amp == std::string_view::npos) return out;
    out += '&';
    rest.remove_prefix(amp + 1);
  }
}

// "host=db password='se cret'" -> "host=db password=<redacted>" (libpq's key=value form).
std::string redact_keywords(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t keyword_begin = i;
    while (i < text.size() && text[i] != '=' && !is_space(text[i])) ++i;
    const std::string_view keyword = text.substr(keyword_begin, i - keyword_begin);
    while (i < text.size() && (is_space(text[i]) || text[i] == '=')) ++i;
    const std::size_t value_begin = i;
    if (i < text.size() && text[i] == '\'') {
      for (++i; i < text.size() && text[i] != '\''; ++i) {
        if (text[i] == '\\') ++i;
      }
      i = std::min(i + 1, text.size());
    } else {
      for (; i < text.size() && !is_space(text[i]); ++i) {
        if (text[i] == '\\') ++i;
      }
      i = std::min(i, text.size());
    }
    out.append(text.substr(keyword_begin, value_begin - keyword_begin));
    out.append(is_password_keyword(keyword) ? kRedacted
                                            : text.substr(value_begin, i - value_begin));
    const std::size_t space_begin = i;
    while (i < text.size() && is_space(text[i])) ++i;
    out.append(text.substr(space_begin, i - space_begin));
  }
  return out;
}

}  // namespace

bool is_secret_property(std::string_view name) {
  return name.find("password") != std::string_view::npos ||
         name.find("secret") != std::string_view::npos || name == "ssl.key.pem" ||
         name == "sasl.oauthbearer.config";
}

std::string redact_postgres_uri(std::string_view uri) {
  for (const std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (uri.starts_with(scheme)) return redact_uri(uri, scheme.size());
  }
  return redact_keywords(uri);
}

}  // namespace fp::app
