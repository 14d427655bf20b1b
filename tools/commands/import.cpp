// cramplab import: convert lab files to CrampLab HDF5, one output per source, in parallel with
// --jobs; a failing file is reported and the others still run.
#include "common/cli.hpp"
#include "common/commands.hpp"
#include "common/options.hpp"
#include "common/pipeline.hpp"

#include <emg/errors.hpp>
#include <emg/io/store.hpp>
#include <emg/io/text.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <new>

namespace cramplab {

namespace {

namespace fs = std::filesystem;

struct Outcome {
  bool ok = false;
  std::string error;
  std::string format;
  long n_channels = 0;
  long n_samples = 0;
  double fs_hz = 0.0;
  double duration_s = 0.0;
  emg::io::WriteReport report;
};

Outcome import_one(const std::string& src, const std::string& dst, const emg::io::ImportOptions& in,
                   const emg::io::WriteOptions& out) {
  Outcome o;
  try {
    std::error_code ec;
    if (!out.overwrite && fs::exists(dst, ec)) {
      throw emg::IoError("'" + dst + "' exists; use --overwrite to replace it");
    }
    const LoadedInput input = load_any(src, in);
    const emg::Recording& rec = input.recording;
    o.report = emg::io::write(dst, rec, out);
    o.format = input.format;
    o.n_channels = rec.n_channels();
    o.n_samples = rec.n_samples();
    o.fs_hz = rec.fs_hz();
    o.duration_s = rec.duration_s();
    o.ok = true;
  } catch (const std::bad_alloc&) {
    o.error = src + ": out of memory";
  } catch (const std::exception& e) {
    o.error = file_message(src, e.what());
  }
  return o;
}

}  // namespace

int run_import(const std::vector<std::string>& args) {
  const CommandSpec spec{
      "import", "cramplab import SRC... -o DIR [options]",
      "Import each SRC (text/CSV/TSV, EDF/EDF+, BDF/BDF+, WFDB, OpenSignals HDF5, MATLAB v5, or a\n"
      "CrampLab file) into DIR/<stem>.h5, the CrampLab HDF5 format (docs/FORMAT.md). The reader is\n"
      "chosen from the magic bytes and the extension unless --format is given. DIR is created if it\n"
      "does not exist; existing outputs are kept unless --overwrite. Every write is atomic (temporary\n"
      "file + rename) and sources are never modified. A file that fails is reported on stderr as\n"
      "'cramplab: <file>: <message>' and the others are still imported; the exit code is then 1.\n"
      "Lines on stdout come in SRC order whatever --jobs is.",
      "  cramplab import datasets/real/uci-lower-limb/*.txt --fs-hz 1000 -o imported/\n"
      "  cramplab import datasets/real/physionet-emgdb/emg_neuropathy.hea --wfdb.wraparound unwrap -o imported/\n"
      "  cramplab import rec1.edf rec2.bdf rec3.hea -o imported/ --jobs 2 --sample-type float32\n"
      "  cramplab import trial.csv --format text --delimiter semicolon --fs-hz 2000 -o imported/ --overwrite\n",
      true};
  InputArgs in;
  WriteArgs wa;
  int jobs = 1;
  po::options_description general = general_options(in, "output directory (required; created if missing)");
  general.add_options()("jobs,j", po::value<int>(&jobs)->default_value(1), "files imported in parallel, >= 1");
  po::variables_map vm;
  if (!parse_command(spec, args, {input_options(in), write_options(wa), general}, vm)) return kExitOk;
  if (in.output.empty()) throw UsageError("import: missing -o/--output DIR (see 'cramplab import --help')");
  if (jobs < 1) throw UsageError("--jobs=" + std::to_string(jobs) + " must be >= 1");
  const emg::io::ImportOptions import_opts = to_import_options(in);
  const emg::io::WriteOptions write_opts = to_write_options(wa);
  apply_general(in);

  const auto sources = vm["input"].as<std::vector<std::string>>();
  const fs::path dir(in.output);
  std::vector<std::string> targets;
  std::map<std::string, std::string> first_source_of;
  for (const auto& src : sources) {
    const std::string dst = (dir / (fs::path(src).stem().string() + ".h5")).string();
    const auto [it, inserted] = first_source_of.emplace(dst, src);
    if (!inserted) {
      throw UsageError("import: '" + it->second + "' and '" + src + "' would both be written to '" + dst +
                       "'; import them into different directories");
    }
    check_not_input(src, dst);
    targets.push_back(dst);
  }
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    throw emg::IoError("cannot write into '" + in.output + "': it exists and is not a directory");
  }
  fs::create_directories(dir, ec);
  if (ec) throw emg::IoError("cannot create output directory '" + in.output + "': " + ec.message());

  const int n = static_cast<int>(sources.size());
  std::vector<Outcome> outcomes(static_cast<std::size_t>(n));
  Progress progress("import", n, in.quiet);
  long n_ok = 0, n_channels = 0, n_samples = 0;
  double signal_s = 0.0;
  const auto t0 = std::chrono::steady_clock::now();
  run_in_order(
      n, jobs,
      [&](int i) {
        const auto k = static_cast<std::size_t>(i);
        outcomes[k] = import_one(sources[k], targets[k], import_opts, write_opts);
      },
      [&](int i) {
        const auto k = static_cast<std::size_t>(i);
        const Outcome& o = outcomes[k];
        progress.clear();
        if (!o.ok) {
          print_error(o.error);
          progress.step(sources[k]);
          return;
        }
        ++n_ok;
        n_channels += o.n_channels;
        n_samples += o.n_samples;
        signal_s += o.duration_s;
        if (!in.quiet) {
          std::cout << sources[k] << " -> " << targets[k] << ": " << o.format << ", " << o.n_channels << " channels x "
                    << o.n_samples << " samples, fs " << emg::io::format_double(o.fs_hz) << " Hz; stored as "
                    << o.report.sample_type << ", " << o.report.compression;
          if (o.report.max_abs_error > 0.0) {
            std::cout << ", max rounding error " << emg::io::format_double(o.report.max_abs_error);
          }
          std::cout << "\n" << std::flush;
        }
        progress.step(sources[k]);
      });
  progress.clear();
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!in.quiet) {
    std::cout << "imported " << n_ok << " of " << n << " files, " << (n - n_ok) << " failed: " << n_channels << " channels, " << n_samples
              << " samples (" << fixed(signal_s, 1) << " s of signal) in " << fixed(wall_s, 2) << " s\n";
  }
  return n_ok == n ? kExitOk : kExitFailure;
}

}  // namespace cramplab
