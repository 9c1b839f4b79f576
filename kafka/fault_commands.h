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
inline constexpr const char* kFaultCommandHelp =
    "  down BROKER [MS]             disconnect broker BROKER (1..N) and refuse connections;\n"
    "                               with MS, bring it up again after MS milliseconds\n"
    "  up BROKER                    accept connections again\n"
    "  rtt BROKER MS [FOR_MS]       delay every response of BROKER by MS milliseconds;\n"
    "                               with FOR_MS, back to 0 after FOR_MS milliseconds\n"
    "  leader TOPIC PARTITION BROKER  move the partition's leader (-1: no leader)\n"
    "  coordinator GROUP BROKER     make BROKER the coordinator of consumer group GROUP\n"
    "  errors API COUNT ERROR       fail the next COUNT requests of API (a name such as\n"
    "                               fetch, produce, listoffsets, or its number) with\n"
    "                               ERROR (a name such as NOT_LEADER_FOR_PARTITION, or\n"
    "                               its number)\n"
    "  clear API                    forget the errors still pending for API\n";

// Parses and applies one command. Never throws: a bad command or a refused
// one is an outcome with ok == false.
FaultOutcome apply_fault_command(MockCluster& cluster, std::string_view line);

}  // namespace fp::kafka
