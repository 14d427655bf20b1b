// Atomic file replacement: write "<target>.tmp-<pid>-<random>" in the target's directory, then
// rename over the target, so a reader never sees a half-written file and a failed write leaves
// any existing target untouched.
#pragma once

#include <string>

namespace emg::io::detail {

class AtomicTarget {
 public:
  /// Checks the target (IoError if it exists and !overwrite, or is a directory, or its directory
  /// does not exist) and picks a temporary name; `function` prefixes messages.
  AtomicTarget(std::string target, bool overwrite, const std::string& function);
  AtomicTarget(const AtomicTarget&) = delete;
  AtomicTarget& operator=(const AtomicTarget&) = delete;
  /// Removes the temporary file unless commit() succeeded.
  ~AtomicTarget();

  const std::string& temp_path() const { return temp_; }
  const std::string& target() const { return target_; }
  /// Rename the temporary file over the target (IoError on failure, temp removed).
  void commit();

 private:
  std::string target_;
  std::string temp_;
  std::string function_;
  bool committed_ = false;
};

}  // namespace emg::io::detail
