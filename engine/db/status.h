// engine/db/status.h — the result of every DB host call.
#pragma once

#include "engine/sync/sync.h"

TLSM_BEGIN
namespace db {

enum class Code {
  kOk = 0,
  kNotFound,         // Get: no such key (or deleted)
  kInvalidArgument,  // unknown column family, name taken, foreign handle
  kDropped,          // the column family was dropped
  kClosed,           // the DB is closed, or closing (use during close)
};

class Status {
 public:
  Status() = default;
  static Status OK() { return Status(); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status InvalidArgument(std::string m) {
    return Status(Code::kInvalidArgument, std::move(m));
  }
  static Status Dropped(std::string m) { return Status(Code::kDropped, std::move(m)); }
  static Status Closed(std::string m) { return Status(Code::kClosed, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsDropped() const { return code_ == Code::kDropped; }
  bool IsClosed() const { return code_ == Code::kClosed; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const {
    static constexpr const char* kNames[] = {"OK", "NotFound", "InvalidArgument",
                                             "Dropped", "Closed"};
    std::string s = kNames[static_cast<int>(code_)];
    if (!message_.empty()) s += ": " + message_;
    return s;
  }

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace db
TLSM_END
