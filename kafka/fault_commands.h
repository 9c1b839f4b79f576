// Fault injection for the embedded broker: one text command per line ("down 2 5000",
// "rtt 1 500 3000", "leader field-reports 0 3", ...) applied to a MockCluster.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "kafka/mock_cluster.h"

namespace fp::kafka {

// What a command did: a reply line for whoever sent it and, for a fault with
// a duration, what undoes it and when.
struct FaultOutcome {
  bool ok = false;
  std::string reply;  // "ok <command>" or "error: <why>"
  struct Undo {
    std::chrono::milliseconds after{0};
    std::function<void()> action;
    std::string description;  // e.g. "up 2"
  };
  std::optional<Undo> undo;
};

// The commands, one per line (also printed by `fieldpulse broker --help`).
extern const char* const kFaultCommandHelp;

// Parses and applies one command. Never throws: a bad command or a refused
// one is an outcome with ok == false.
FaultOutcome apply_fault_command(MockCluster& cluster, std::string_view line);

}  // namespace fp::kafka
