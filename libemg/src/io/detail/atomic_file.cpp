#include "io/detail/atomic_file.hpp"

#include <emg/errors.hpp>

#include <unistd.h>

#include <filesystem>
#include <random>
#include <system_error>

namespace emg::io::detail {

namespace fs = std::filesystem;

AtomicTarget::AtomicTarget(std::string target, bool overwrite, const std::string& function)
    : target_(std::move(target)), function_(function) {
  if (target_.empty()) throw IoError(function_ + ": path is empty");
  std::error_code ec;
  const fs::path p(target_);
  if (fs::is_directory(p, ec)) throw IoError(function_ + ": " + target_ + " is a directory");
  if (fs::exists(p, ec) && !overwrite) {
    throw IoError(function_ + ": " + target_ + " already exists (pass overwrite=true to replace it)");
  }
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec)) throw IoError(function_ + ": " + target_ + ": directory " + dir.string() + " does not exist");
  std::random_device rd;
  const auto r = (static_cast<unsigned long long>(rd()) << 32) ^ rd();
  temp_ = target_ + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(r % 100000000ULL);
}

AtomicTarget::~AtomicTarget() {
  if (!committed_) {
    std::error_code ec;
    fs::remove(temp_, ec);
  }
}

void AtomicTarget::commit() {
  std::error_code ec;
  fs::rename(temp_, target_, ec);
  if (ec) {
    const std::string why = ec.message();
    fs::remove(temp_, ec);
    throw IoError(function_ + ": cannot rename the temporary file onto " + target_ + ": " + why);
  }
  committed_ = true;
}

}  // namespace emg::io::detail
