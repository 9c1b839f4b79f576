// Reads an NDJSON file (or stdin) in large chunks and hands out batches of raw messages.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "processors/raw_message.h"

namespace fp {

// Each non-empty line is one message: partition 0, offset = the line's number
// counted from 0 over every line (so offsets point back into the file), topic =
// the path as given. An empty line (also "\r" alone) is not a message and is
// skipped; a trailing "\r" is dropped; the last line may lack a newline.
//
// The file is never loaded whole: lines are cut from a buffer refilled in big
// reads; the buffer grows only for a line longer than itself.
class FileSource {
 public:
  // "-" reads stdin. Throws std::runtime_error naming the file when it cannot be opened.
  explicit FileSource(const std::string& path, std::size_t chunk_bytes = 4 << 20);
  ~FileSource();
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  // Replaces `batch` with up to `max_messages` messages whose views stay valid
  // until the next call. false (and an empty batch) at the end of the input.
  // Throws std::runtime_error on a read error.
  bool next(std::vector<RawMessage>& batch, std::size_t max_messages);

  [[nodiscard]] std::uint64_t bytes_consumed() const { return consumed_; }
  // The file's size when known (not for stdin or pipes).
  [[nodiscard]] std::optional<std::uint64_t> size() const { return size_; }

 private:
  void fill();  // moves the unread tail to the front and reads until full or EOF

  std::string path_;
  std::FILE* file_ = nullptr;
  bool owns_file_ = false;
  bool eof_ = false;
  std::vector<char> buffer_;
  std::size_t begin_ = 0, end_ = 0;  // unread bytes: [begin_, end_)
  std::int64_t next_line_ = 0;
  std::uint64_t consumed_ = 0;
  std::optional<std::uint64_t> size_;
};

}  // namespace fp
