// Option groups shared by the subcommands. Each group binds to the library's params struct, so
// the option name is the C++ field name with its section prefix (--bandpass.low_hz) and the
// shown default is the struct's default.
#pragma once

#include "common/cli.hpp"

#include <emg/filters/mains.hpp>
#include <emg/processing.hpp>
#include <emg/spectral/fatigue.hpp>
#include <emg/spectral/spectra.hpp>

#include <string>

namespace cramplab {

/// INPUT and how to read it, plus the options every command has.
struct InputArgs {
  double fs_hz = 0.0;
  std::string columns;
  std::string time_column = "auto";
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

}  // namespace cramplab
