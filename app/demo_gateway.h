// The demo's report gateway: on its own port, with a few demo device tokens, so a
// newcomer can submit a report from the field form and watch it on the dashboard.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "app/config.h"

namespace boost::asio {
class io_context;
}

namespace fp::app {

// Issues tokens for the roster's first three section-level cadres into a
// temporary token file, starts the gateway on `listen` and prints the form's
// address with each token. What it returns keeps the gateway running (and the
// file) until released. When the gateway cannot start, says why on stderr and
// returns nullptr: the rest of the demo runs on.
std::shared_ptr<void> start_demo_gateway(boost::asio::io_context& io, const Config& config,
                                         const std::string& brokers, const std::string& listen,
                                         std::ostream& out);

}  // namespace fp::app
