// Reloads a running pipeline's roster and catalog on SIGHUP and when their files change.
#pragma once

#include <boost/asio/io_context.hpp>
#include <string>

#include "base/file_watcher.h"

namespace fp {
class ProcessingCore;
class PipelineProbe;
}  // namespace fp

namespace fp::app {

// A roster that loads with the same checks as at start is taken
// (ProcessingCore::update_roster: new villages and cadres count from the next
// batch, dropped ones stay as former). The catalog is checked the same way
// but only an unchanged one is taken: kinds and fields index every aggregate,
// so a changed catalog is refused until the next start. A refused file keeps
// the previous one in force, logs an error naming the file and the problem,
// and counts config_reloads_total{result="failed"}. Runs on the io_context's
// thread, which also runs the pipeline and serves HTTP.
class DataFileReload {
 public:
  DataFileReload(boost::asio::io_context& io, ProcessingCore& core, PipelineProbe& probe,
                 std::string roster_file, std::string catalog_file);

  void start() { watcher_.start(); }
  void stop() { watcher_.stop(); }

 private:
  void reload_roster();
  void reload_catalog();
  void reported(const std::string& file, const char* why, const std::string& problem);

  ProcessingCore& core_;
  PipelineProbe& probe_;
  std::string roster_file_;
  std::string catalog_file_;
  FileWatcher watcher_;
};

}  // namespace fp::app
