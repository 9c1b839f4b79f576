// The report intake: each refusal is decided before anything is forwarded.
#include "ingest/gateway/report_intake.h"

#include <boost/beast/core/string.hpp>
#include <memory>

#include "ingest/gateway/ndjson_lines.h"
#include "ingest/gateway/receipts.h"

namespace fp::gateway {

namespace bhttp = boost::beast::http;

namespace {

std::string_view media_type(const http::Request& request) {
  const auto value = request[bhttp::field::content_type];
  std::string_view type(value.data(), value.size());
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return type;
}

http::Response unauthorized() {
  http::Response r = http::error_response(401, "missing, unknown or revoked token");
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

http::Response with_retry_after(http::Response r, std::chrono::seconds after) {
  r.headers.emplace_back("Retry-After", std::to_string(std::max<std::int64_t>(1, after.count())));
  return r;
}

}  // namespace

std::optional<TokenEntry> bearer_entry(const http::Request& request, const TokenStore& tokens) {
  const auto header = request[bhttp::field::authorization];
  std::string_view value(header.data(), header.size());
  constexpr std::string_view kScheme = "Bearer ";
  if (value.size() <= kScheme.size() ||
      !boost::beast::iequals(boost::beast::string_view(value.data(), kScheme.size()),
                             boost::beast::string_view(kScheme.data(), kScheme.size()))) {
    return std::nullopt;
  }
  const TokenEntry* entry = tokens.authenticate(value.substr(kScheme.size()));
  if (entry == nullptr) return std::nullopt;
  return *entry;
}

void ReportIntake::handle(const http::Request& request, const http::Reply& reply) {
  const auto started = std::chrono::steady_clock::now();
  auto answer = [this, started, reply](http::Response r) {
    probe_.answered(r.status, std::chrono::steady_clock::now() - started);
    reply(std::move(r));
  };
  const auto entry = bearer_entry(request, tokens_());
  if (!entry) return answer(unauthorized());
  const auto wait = limiter_.take(entry->device, started);
  if (wait > RateLimiter::Clock::duration::zero()) {
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(wait);
    return answer(with_retry_after(
        http::error_response(429, "rate limit of this device's token reached"), seconds));
  }

  const std::string_view type = media_type(request);
  const std::string_view body = request.body();
  std::vector<BodyLine> lines;
  if (type == "application/json") {
    if (body.find_first_not_of(" \t\r\n") != std::string_view::npos) lines.push_back({1, body});
  } else if (type == "application/x-ndjson" || type == "application/ndjson") {
    lines = split_ndjson(body, limits_.max_lines);
  } else {
    return answer(
        http::error_response(415, "Content-Type must be application/json or application/x-ndjson"));
  }
  if (lines.empty()) return answer(http::error_response(400, "no reports in the body"));
  if (lines.size() > limits_.max_lines) {
    return answer(http::error_response(
        413, "more than " + std::to_string(limits_.max_lines) + " reports in one request"));
  }

  auto verdicts = std::make_shared<std::vector<LineVerdict>>();
  verdicts->reserve(lines.size());
  std::vector<OutgoingReport> outgoing;
  for (const BodyLine& line : lines) {
    LineVerdict v = checker_.check(line.number, line.text);
    if (!v.cadre_id.empty() && v.cadre_id != entry->cadre_id) {
      probe_.lines(LineFate::forbidden, lines.size());
      return answer(http::error_response(
          403, "line " + std::to_string(line.number) +
                   ": cadre_id is not the cadre this token belongs to; nothing was forwarded"));
    }
    verdicts->push_back(std::move(v));
  }
  // Built once the verdicts stay put: the keys are views of their strings.
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const LineVerdict& v = (*verdicts)[i];
    if (v.status == LineStatus::refused) continue;
    outgoing.push_back(
        {v.key ? std::optional<std::string_view>(*v.key) : std::nullopt, lines[i].text});
  }
  if (forwarder_.in_flight() + outgoing.size() > limits_.max_queued) {
    probe_.lines(LineFate::unacknowledged, lines.size());
    return answer(with_retry_after(
        http::error_response(503, "Kafka is not keeping up; nothing was forwarded"),
        limits_.retry_after_unavailable));
  }
  forwarder_.forward(outgoing, [this, verdicts, answer](bool acknowledged) {
    if (!acknowledged) {
      probe_.lines(LineFate::unacknowledged, verdicts->size());
      return answer(with_retry_after(
          http::error_response(503, "Kafka did not acknowledge the reports in time; resend them"),
          limits_.retry_after_unavailable));
    }
    for (const LineVerdict& v : *verdicts) probe_.line(v.status);
    answer(http::Response{202, "application/json", receipts_json(*verdicts), {}});
  });
}

}  // namespace fp::gateway
