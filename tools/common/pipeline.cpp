#include "common/pipeline.hpp"

#include <emg/errors.hpp>
#include <emg/io/formats.hpp>
#include <emg/io/text.hpp>
#include <emg/parallel.hpp>
#include <emg/processing.hpp>

#include <charconv>
#include <filesystem>
#include <mutex>

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

emg::Recording load_input(const std::string& path, const ImportArgs& args) {
  return load_any(path, to_import_options(args)).recording;
}

namespace {
// EDFlib keeps its open files in a global table and matio is not documented as thread-safe.
std::mutex g_global_state_readers;
}  // namespace

LoadedInput load_any(const std::string& path, const emg::io::ImportOptions& options) {
  using emg::io::Format;
  std::error_code ec;
  if (options.format == Format::Auto && std::filesystem::is_regular_file(path, ec) &&
      std::filesystem::file_size(path, ec) == 0 && !ec) {
    throw emg::FormatError(path + ": file is empty");
  }
  const Format format = options.format == Format::Auto ? emg::io::detect_format(path) : options.format;
  if (format == Format::Cramplab) {
    emg::io::FileHeader header = emg::io::read_header(path);
    LoadedInput in{emg::io::read(path), emg::io::format_name(format), std::move(header)};
    if (options.min_fs_hz > 0.0 && in.recording.fs_hz() < options.min_fs_hz) {
      throw emg::FormatError(path + ": fs_hz=" + emg::io::format_double(in.recording.fs_hz()) +
                             " is below min_fs_hz=" + emg::io::format_double(options.min_fs_hz));
    }
    return in;
  }
  emg::io::ImportOptions opt = options;
  opt.format = format;
  if (format == Format::Edf || format == Format::Bdf || format == Format::Matlab) {
    const std::lock_guard<std::mutex> lock(g_global_state_readers);
    return {emg::io::import_file(path, opt), emg::io::format_name(format), std::nullopt};
  }
  return {emg::io::import_file(path, opt), emg::io::format_name(format), std::nullopt};
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
