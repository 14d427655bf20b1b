// Option groups shared by the subcommands. Each group binds to the library's params struct, so
// the option name is the C++ field name with its section prefix (--bandpass.low_hz) and the
// shown default is the struct's default.
#pragma once

#include "common/cli.hpp"

#include <emg/filters/mains.hpp>
#include <emg/io/formats.hpp>
#include <emg/io/store.hpp>
#include <emg/processing.hpp>
#include <emg/quality.hpp>
#include <emg/spectral/fatigue.hpp>
#include <emg/spectral/spectra.hpp>

#include <string>

namespace cramplab {

/// How to read an input file of any importable format (binds emg::io::ImportOptions): the text
/// options, --format, --wfdb.wraparound and --min-fs-hz.
struct ImportArgs {
  double fs_hz = 0.0;
  std::string columns;
  std::string time_column = "auto";
  std::string delimiter = "auto";
  std::string units;
  std::string format = "auto";
  std::string wfdb_wraparound = "error";
  double min_fs_hz = 0.0;
};
/// `format_option` names the reader option: "format", or "input-format" where --format names
/// the output format (export).
po::options_description import_options(ImportArgs& args, const std::string& title,
                                       const std::string& format_option = "format");
/// Check the values and convert; throws UsageError naming the option.
emg::io::ImportOptions to_import_options(const ImportArgs& args);

/// INPUT and how to read it, plus the options every command has.
struct InputArgs : ImportArgs {
  std::string output;
  bool quiet = false;
  int threads = 0;
};
po::options_description input_options(InputArgs& args);
po::options_description general_options(InputArgs& args, const std::string& output_help);

/// Band-pass and mains removal, each with a --no-<section> switch.
struct PreprocessArgs {
  emg::BandpassParams bandpass;
  bool no_bandpass = false;
  emg::filters::MainsParams mains;
  std::string mains_method = "interpolation";
  bool no_mains = false;
};
po::options_description preprocess_options(PreprocessArgs& args);
/// Convert the string-valued options (throws emg::InvalidArgument naming the option).
void finish(PreprocessArgs& args);

/// Welch PSD options (--psd.*), enums as text until finish().
struct PsdArgs {
  emg::spectral::WelchParams welch;
  std::string window = "hann", detrend = "constant", scaling = "density", average = "mean";
};
po::options_description psd_options(PsdArgs& args);
void finish(PsdArgs& args);

/// Fatigue-series options (--fatigue.*).
struct FatigueArgs {
  emg::spectral::FatigueParams fatigue;
  std::string detrend = "constant";
};
po::options_description fatigue_options(FatigueArgs& args);
void finish(FatigueArgs& args);

/// How `import` (and `export -o X.h5`) write the CrampLab HDF5 file (binds emg::io::WriteOptions).
struct WriteArgs {
  std::string sample_type = "auto";
  std::string compression = "auto";
  int deflate_level = 1;
  bool overwrite = false;
};
po::options_description write_options(WriteArgs& args);
emg::io::WriteOptions to_write_options(const WriteArgs& args);

/// Signal-quality summary options (--quality.*), bound to emg::QualityParams.
po::options_description quality_options(emg::QualityParams& params);

}  // namespace cramplab
