// cramplab psd: Welch power spectral density of each channel, after optional preprocessing.
#include "common/cli.hpp"
#include "common/commands.hpp"
#include "common/options.hpp"
#include "common/pipeline.hpp"

#include <emg/io/text.hpp>
#include <emg/processing.hpp>
#include <emg/spectral/metrics.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace cramplab {

int run_psd(const std::vector<std::string>& args) {
  const CommandSpec spec{
      "psd", "cramplab psd INPUT [-o OUTPUT] [options]",
      "Welch power spectral density of every channel (scipy.signal.welch semantics), after the\n"
      "same band-pass and mains removal as 'filter' (disable with --no-bandpass / --no-mains).\n"
      "Writes freq_hz + one column per channel, and prints mean, median and peak frequency per\n"
      "channel (over the band-pass band when it is on, else the whole spectrum).",
      "  cramplab psd datasets/real/biosppy-examples/emg_1.txt -o psd.tsv --psd.nperseg 1024\n"};
  InputArgs in;
  PreprocessArgs pre;
  PsdArgs psd;
  po::variables_map vm;
  if (!parse_command(spec, args,
                     {input_options(in), preprocess_options(pre), psd_options(psd),
                      general_options(in, "output TSV file, or a directory (then <stem>_psd.tsv); optional")},
                     vm)) {
    return kExitOk;
  }
  finish(pre);
  finish(psd);
  apply_general(in);

  const std::string input = vm["input"].as<std::string>();
  std::string output = in.output;
  if (!output.empty() && std::filesystem::is_directory(output)) {
    output = (std::filesystem::path(output) / (std::filesystem::path(input).stem().string() + "_psd.tsv")).string();
  }
  if (!output.empty()) {
    check_output_parent(output);
    check_not_input(input, output);
  }

  Progress progress("psd", 5, in.quiet);
  progress.step("reading " + input);
  const emg::Recording rec = load_input(input, in);
  const Preprocessed pp = preprocess(rec, pre, progress);
  progress.step("Welch PSD");
  const emg::spectral::Psd p = emg::compute_psd(pp.recording, psd.welch);

  if (!output.empty()) {
    progress.step("writing " + output);
    std::vector<std::string> header{"freq_hz"};
    std::vector<const double*> columns{p.freqs_hz.data()};
    for (long c = 0; c < pp.recording.n_channels(); ++c) {
      header.push_back(pp.recording.channels()[static_cast<std::size_t>(c)].name);
      columns.push_back(p.power.row(c).data());
    }
    emg::io::write_tsv_columns(output, header, columns, static_cast<long>(p.freqs_hz.size()));
  }
  if (!in.quiet) {
    emg::spectral::Band band;
    if (!pre.no_bandpass) band = {pre.bandpass.low_hz, pre.bandpass.high_hz};
    const auto mnf = emg::spectral::mean_frequency(p.freqs_hz, p.power, band);
    const auto mdf = emg::spectral::median_frequency(p.freqs_hz, p.power, band);
    const auto peak = emg::spectral::peak_frequency(p.freqs_hz, p.power, band);
    std::printf("%s: fs %s Hz, %ld samples, %ld frequencies (df %s Hz)\n", input.c_str(),
                emg::io::format_double(rec.fs_hz()).c_str(), rec.n_samples(), static_cast<long>(p.freqs_hz.size()),
                p.freqs_hz.size() > 1 ? emg::io::format_double(p.freqs_hz[1] - p.freqs_hz[0]).c_str() : "-");
    std::printf("%-20s %10s %10s %10s\n", "channel", "MNF_Hz", "MDF_Hz", "peak_Hz");
    for (long c = 0; c < pp.recording.n_channels(); ++c) {
      std::printf("%-20s %10s %10s %10s\n", pp.recording.channels()[static_cast<std::size_t>(c)].name.c_str(),
                  fixed(mnf[c], 2).c_str(), fixed(mdf[c], 2).c_str(), fixed(peak[c], 2).c_str());
    }
    if (!output.empty()) std::printf("wrote %s\n", output.c_str());
  }
  return kExitOk;
}

}  // namespace cramplab
