#include "common/pipeline.hpp"

#include <emg/errors.hpp>
#include <emg/io/text.hpp>
#include <emg/parallel.hpp>
#include <emg/processing.hpp>

#include <charconv>
#include <filesystem>

namespace cramplab {

std::vector<long> parse_columns(const std::string& text) {
  std::vector<long> out;
  if (text.empty()) return out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string field = text.substr(start, end - start);
    long v = 0;
    const auto res = std::from_chars(field.data(), field.data() + field.size(), v);
    if (field.empty() || res.ec != std::errc() || res.ptr != field.data() + field.size() || v < 0) {
      throw UsageError("--columns: '" + text + "' must be a comma-separated list of column indices >= 0, e.g. 0,1,3");
    }
    out.push_back(v);
    start = end + 1;
  }
  return out;
}

void apply_general(const InputArgs& args) {
  if (args.threads < 0) throw UsageError("--threads=" + std::to_string(args.threads) + " must be >= 0 (0 = all cores)");
  emg::set_num_threads(args.threads);
}

emg::Recording load_input(const std::string& path, const InputArgs& args) {
  emg::io::TextReadOptions opt;
  opt.fs_hz = args.fs_hz;
  opt.columns = parse_columns(args.columns);
  opt.time_column = args.time_column;
  return emg::io::read_text(path, opt);
}

Preprocessed preprocess(const emg::Recording& rec, const PreprocessArgs& args, Progress& progress) {
  // Validate everything first so a bad mains option is not reported after a long band-pass.
  if (!args.no_bandpass) args.bandpass.validate(rec.fs_hz());
  if (!args.no_mains) args.mains.validate(rec.fs_hz());
  Preprocessed out{rec, std::nullopt};
  if (!args.no_bandpass) {
    progress.step("band-pass");
    out.recording = emg::bandpass(out.recording, args.bandpass);
  }
  if (!args.no_mains) {
    progress.step("mains removal");
    auto removal = emg::remove_mains(out.recording, args.mains);
    out.recording = std::move(removal.recording);
    out.mains = std::move(removal.report);
  }
  return out;
}

void check_output_parent(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path parent = fs::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty() && !fs::is_directory(parent, ec)) {
    throw emg::IoError("cannot write '" + path + "': directory '" + parent.string() + "' does not exist");
  }
}

void check_not_input(const std::string& input, const std::string& output) {
  std::error_code ec;
  if (std::filesystem::equivalent(input, output, ec) && !ec) {
    throw UsageError("output '" + output + "' is the input file; inputs are never overwritten, choose another -o");
  }
}

}  // namespace cramplab
