// cramplab filter: band-pass and mains removal of a text recording, written as TSV.
#include "common/cli.hpp"
#include "common/commands.hpp"
#include "common/options.hpp"
#include "common/pipeline.hpp"

#include <emg/io/text.hpp>

#include <filesystem>
#include <iostream>

namespace cramplab {

int run_filter(const std::vector<std::string>& args) {
  const CommandSpec spec{
      "filter", "cramplab filter INPUT -o OUTPUT [options]",
      "Band-pass filter (default 20-450 Hz, 4th-order Butterworth, zero-phase) and remove mains\n"
      "interference (default 50 Hz and harmonics, spectrum interpolation), then write the filtered\n"
      "channels as TSV: a header of channel names, one row per sample, full double precision.",
      "  cramplab filter datasets/real/biosppy-examples/emg_1.txt -o emg_1_filtered.tsv\n"
      "  cramplab filter 3Asen.txt --fs-hz 1000 --columns 0,1,2,3 --no-mains -o out.tsv\n"};
  InputArgs in;
  PreprocessArgs pre;
  bool with_time = false;
  po::options_description out_opts = general_options(in, "output TSV file, or a directory (then <stem>_filtered.tsv); required");
  out_opts.add_options()("with-time", po::bool_switch(&with_time), "add a first column time_s (start time + n / fs_hz)");
  po::variables_map vm;
  if (!parse_command(spec, args, {input_options(in), preprocess_options(pre), out_opts}, vm)) return kExitOk;
  if (in.output.empty()) throw UsageError("filter: missing -o/--output (see 'cramplab filter --help')");
  finish(pre);
  apply_general(in);

  const std::string input = vm["input"].as<std::string>();
  std::string output = in.output;
  if (std::filesystem::is_directory(output)) {
    output = (std::filesystem::path(output) / (std::filesystem::path(input).stem().string() + "_filtered.tsv")).string();
  }
  check_output_parent(output);
  check_not_input(input, output);

  Progress progress("filter", 4, in.quiet);
  progress.step("reading " + input);
  const emg::Recording rec = load_input(input, in);
  const Preprocessed pp = preprocess(rec, pre, progress);
  progress.step("writing " + output);

  const auto& y = pp.recording;
  std::vector<std::string> header;
  std::vector<const double*> columns;
  Eigen::VectorXd t;
  if (with_time) {
    t = Eigen::VectorXd::LinSpaced(y.n_samples(), 0.0, static_cast<double>(y.n_samples() - 1)) / y.fs_hz();
    t.array() += y.start_time_s();
    header.push_back("time_s");
    columns.push_back(t.data());
  }
  for (long c = 0; c < y.n_channels(); ++c) {
    header.push_back(y.channels()[static_cast<std::size_t>(c)].name);
    columns.push_back(y.data().row(c).data());
  }
  emg::io::write_tsv_columns(output, header, columns, y.n_samples());
  if (!in.quiet) {
    std::cout << "wrote " << output << " (" << y.n_channels() << " channels x " << y.n_samples() << " samples, fs "
              << emg::io::format_double(y.fs_hz()) << " Hz)\n";
  }
  return kExitOk;
}

}  // namespace cramplab
