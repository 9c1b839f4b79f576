#include "ingest/file_source.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace fp {

FileSource::FileSource(const std::string& path, std::size_t chunk_bytes)
    : path_(path), buffer_(std::max<std::size_t>(chunk_bytes, 64)) {
  if (path == "-") {
    file_ = stdin;
  } else {
    file_ = std::fopen(path.c_str(), "rb");
    if (file_ == nullptr) {
      throw std::runtime_error(path + ": cannot open: " + std::generic_category().message(errno));
    }
    owns_file_ = true;
  }
  struct stat st {};
  if (::fstat(::fileno(file_), &st) == 0 && S_ISREG(st.st_mode)) {
    size_ = static_cast<std::uint64_t>(st.st_size);
  }
}

FileSource::~FileSource() {
  if (owns_file_) std::fclose(file_);
}

void FileSource::fill() {
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);  // one line fills it all
  while (!eof_ && end_ < buffer_.size()) {
    const std::size_t n = std::fread(buffer_.data() + end_, 1, buffer_.size() - end_, file_);
    end_ += n;
    if (n == 0) {
      if (std::ferror(file_) != 0) throw std::runtime_error(path_ + ": read error");
      eof_ = true;
    }
  }
}

bool FileSource::next(std::vector<RawMessage>& batch, std::size_t max_messages) {
  batch.clear();
  // Views of earlier batches may point into the buffer, so it only moves here,
  // before this batch takes any view.
  while (batch.size() < max_messages) {
    const char* data = buffer_.data();
    const void* nl = std::memchr(data + begin_, '\n', end_ - begin_);
    std::size_t line_end;
    std::size_t next_begin;
    if (nl != nullptr) {
      line_end = static_cast<std::size_t>(static_cast<const char*>(nl) - data);
      next_begin = line_end + 1;
    } else if (!eof_) {
      if (!batch.empty()) break;  // hand out what we have; refill on the next call
      fill();
      continue;
    } else if (begin_ < end_) {
      line_end = end_;  // a last line without newline
      next_begin = end_;
    } else {
      break;  // end of input
    }
    std::size_t len = line_end - begin_;
    if (len > 0 && data[begin_ + len - 1] == '\r') --len;
    consumed_ += next_begin - begin_;
    if (len > 0) {
      RawMessage m;
      m.payload = std::string_view(data + begin_, len);
      m.topic = path_;
      m.partition = 0;
      m.offset = next_line_;
      batch.push_back(m);
    }
    ++next_line_;
    begin_ = next_begin;
  }
  return !batch.empty();
}

}  // namespace fp
