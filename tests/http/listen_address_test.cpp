// parse_listen_address: the "host:port" of the HTTP servers' flags and keys.
#include "http/listen_address.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace fp::http {
namespace {

TEST(ListenAddress, ParsesHostAndPort) {
  std::string problem;
  auto a = parse_listen_address("127.0.0.1:8080", &problem);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  auto v6 = parse_listen_address("[::1]:0", &problem);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  EXPECT_TRUE(parse_listen_address("localhost:9000", &problem));
  for (std::string_view bad :
       {"8080", "127.0.0.1:", "127.0.0.1:65536", ":80", "example.org:80", "127.0.0.1:http"}) {
    EXPECT_FALSE(parse_listen_address(bad, &problem)) << bad;
    EXPECT_FALSE(problem.empty());
  }
}

}  // namespace
}  // namespace fp::http
