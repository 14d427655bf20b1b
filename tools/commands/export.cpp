// cramplab export: write a recording (any importable file) as EDF/BDF, CSV/TSV or CrampLab HDF5,
// saying how much precision each channel lost.
#include "common/cli.hpp"
#include "common/commands.hpp"
#include "common/options.hpp"
#include "common/pipeline.hpp"

#include <emg/errors.hpp>
#include <emg/io/formats.hpp>
#include <emg/io/text.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>

namespace cramplab {

namespace {

struct Target {
  emg::io::Format format = emg::io::Format::Auto;
  char delimiter = 0;
  std::string extension;  ///< used when -o is a directory
};

Target parse_target(const std::string& name) {
  if (name == "auto") return {};
  if (name == "edf") return {emg::io::Format::Edf, 0, ".edf"};
  if (name == "bdf") return {emg::io::Format::Bdf, 0, ".bdf"};
  if (name == "csv") return {emg::io::Format::Text, ',', ".csv"};
  if (name == "tsv") return {emg::io::Format::Text, '\t', ".tsv"};
  if (name == "h5" || name == "cramplab") return {emg::io::Format::Cramplab, 0, ".h5"};
  throw UsageError("--format='" + name + "' must be auto (from the extension of -o), edf, bdf, csv, tsv or h5");
}

}  // namespace

int run_export(const std::vector<std::string>& args) {
  const CommandSpec spec{
      "export", "cramplab export FILE -o OUT [--format edf|bdf|csv|tsv|h5] [options]",
      "Export FILE (any importable format, usually a CrampLab .h5) to EDF/EDF+, BDF/BDF+, CSV, TSV or\n"
      "CrampLab HDF5. The format comes from --format or the extension of OUT (.edf, .bdf, .csv, .tsv,\n"
      ".txt, .h5). Prints, per channel, the largest absolute difference between the exported and the\n"
      "original samples in channel units (EDF stores 16-bit and BDF 24-bit integers, so some precision\n"
      "may be lost; text and HDF5 are exact), and warns on stderr about anything the format cannot\n"
      "hold (e.g. stimulation tables in EDF). The write is atomic and an existing OUT is kept unless\n"
      "--overwrite. NWB export lives in Python (cramplab.export_file).",
      "  cramplab export imported/3Asen.h5 -o 3Asen.edf\n"
      "  cramplab export imported/3Asen.h5 --format csv -o exported/\n"
      "  cramplab export datasets/real/myonset-rt-task/example_data.edf -o example.h5\n"};
  InputArgs in;
  std::string format = "auto";
  bool overwrite = false;
  int digital_bits = 0;
  po::options_description out_opts = general_options(in, "output file, or an existing directory (then <stem>.<ext>; needs --format)");
  out_opts.add_options()
      ("format", po::value<std::string>(&format)->default_value("auto"),
       "output format: auto (from the extension of -o), edf, bdf, csv, tsv, h5")
      ("overwrite", po::bool_switch(&overwrite), "replace an existing OUT (default: refuse)")
      ("edf-digital-bits", po::value<int>(&digital_bits)->default_value(0),
       "EDF/BDF sample width: 0 = the format's own (16 for EDF, 24 for BDF)");
  // --format names the output format here, so the reader is forced with --input-format.
  po::options_description read_opts = import_options(in, "Input (how to read FILE)", "input-format");
  po::variables_map vm;
  if (!parse_command(spec, args, {read_opts, out_opts}, vm)) return kExitOk;
  if (in.output.empty()) throw UsageError("export: missing -o/--output (see 'cramplab export --help')");
  const Target target = parse_target(format);
  const emg::io::ImportOptions import_opts = to_import_options(in);
  apply_general(in);

  const std::string input = vm["input"].as<std::string>();
  std::string output = in.output;
  if (std::filesystem::is_directory(output)) {
    if (target.format == emg::io::Format::Auto) {
      throw UsageError("export: -o '" + output + "' is a directory; give a file name or --format edf|bdf|csv|tsv|h5");
    }
    output = (std::filesystem::path(output) / (std::filesystem::path(input).stem().string() + target.extension)).string();
  }
  check_output_parent(output);
  check_not_input(input, output);

  emg::io::ExportOptions opt;
  opt.format = target.format;
  opt.delimiter = target.delimiter;
  opt.overwrite = overwrite;
  opt.edf_digital_bits = digital_bits;

  Progress progress("export", 2, in.quiet);
  progress.step("reading " + input);
  const LoadedInput loaded = load_any(input, import_opts);
  const emg::Recording& rec = loaded.recording;
  progress.step("writing " + output);
  const emg::io::ExportReport report = emg::io::export_file(rec, output, opt);

  for (const auto& w : report.warnings) print_error("warning: " + w);
  if (!in.quiet) {
    std::cout << "wrote " << output << " (" << report.format << "): " << rec.n_channels() << " channels x "
              << rec.n_samples() << " samples, fs " << emg::io::format_double(rec.fs_hz()) << " Hz\n";
    std::size_t width = 7;
    for (const auto& c : rec.channels()) width = std::max(width, c.name.size());
    std::cout << "  " << std::string("channel") + std::string(width - 7, ' ') << "  units     max_abs_error\n";
    for (std::size_t c = 0; c < rec.channels().size(); ++c) {
      const auto& info = rec.channels()[c];
      const double err = c < report.max_abs_error.size() ? report.max_abs_error[c] : 0.0;
      std::string units = info.units;
      if (units.size() < 8) units += std::string(8 - units.size(), ' ');
      std::cout << "  " << info.name << std::string(width - info.name.size(), ' ') << "  " << units << "  "
                << emg::io::format_double(err) << (err == 0.0 ? " (exact)" : "") << "\n";
    }
  }
  return kExitOk;
}

}  // namespace cramplab
