// cramplab validate: structural check of CrampLab files (emg::io::validate_file) and an import
// check of every other format; exit 0 only if every file is valid.
#include "common/cli.hpp"
#include "common/commands.hpp"
#include "common/options.hpp"
#include "common/pipeline.hpp"

#include <emg/errors.hpp>
#include <emg/io/formats.hpp>
#include <emg/io/opensignals.hpp>
#include <emg/io/store.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <new>

namespace cramplab {

namespace {

bool has_hdf5_signature(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  char head[8] = {};
  in.read(head, sizeof head);
  return in.gcount() == 8 && std::string(head, 8) == std::string("\x89HDF\r\n\x1a\n", 8);
}

// C3D and NWB are read in Python: not being able to read them here says nothing about the file.
bool python_only(const std::string& file, const emg::io::ImportOptions& options) {
  using emg::io::Format;
  Format f = options.format;
  if (f == Format::Auto) {
    try {
      f = emg::io::detect_format(file);
    } catch (const std::exception&) {
      return false;  // problems_of reports it
    }
  }
  return f == Format::C3d || f == Format::Nwb;
}

// Every problem found in `file` (empty = valid).
std::vector<std::string> problems_of(const std::string& file, const emg::io::ImportOptions& options) {
  using emg::io::Format;
  try {
    // An HDF5 file that is not OpenSignals is checked as ours, so a damaged CrampLab file (whose
    // format attribute can no longer be read) gets the structural report, not "unknown layout".
    const bool ours = options.format == Format::Cramplab ||
                      (options.format == Format::Auto &&
                       (emg::io::is_cramplab_file(file) ||
                        (has_hdf5_signature(file) && !emg::io::is_opensignals_file(file))));
    if (ours) return emg::io::validate_file(file);
    const LoadedInput loaded = load_any(file, options);
    loaded.recording.validate();
    return {};
  } catch (const std::bad_alloc&) {
    return {"out of memory"};
  } catch (const std::exception& e) {
    return {e.what()};
  }
}

}  // namespace

int run_validate(const std::vector<std::string>& args) {
  const CommandSpec spec{
      "validate", "cramplab validate FILE... [options]",
      "Check each FILE. A CrampLab .h5 file gets the full structural check (root attributes,\n"
      "format_version, dataset shapes and types, channel table, finite samples, event and stimulation\n"
      "tables, derived items); any other format is imported (with the input options) and the\n"
      "recording's invariants are checked. Prints 'OK <file>' or 'INVALID <file>' followed by one\n"
      "indented line per problem. Exit 0 if every file is valid, 1 otherwise (a missing file is\n"
      "reported on stderr).",
      "  cramplab validate imported/*.h5\n"
      "  cramplab validate datasets/real/physionet-emgdb/emg_neuropathy.hea --wfdb.wraparound unwrap\n"
      "  cramplab validate -q recording.h5 && echo valid\n",
      true};
  ImportArgs in;
  bool quiet = false;
  po::options_description general("General", kHelpWidth, kHelpWidth / 2);
  general.add_options()("quiet,q", po::bool_switch(&quiet), "print nothing on stdout; the exit code says it all");
  po::variables_map vm;
  if (!parse_command(spec, args, {import_options(in, "Input (how to read FILE when it is not a CrampLab file)"), general},
                     vm)) {
    return kExitOk;
  }
  const emg::io::ImportOptions options = to_import_options(in);
  const auto files = vm["input"].as<std::vector<std::string>>();

  bool all_valid = true;
  for (const auto& file : files) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
      print_error(file + ": no such file");
      all_valid = false;
      continue;
    }
    if (python_only(file, options)) {
      print_error(file + ": " + emg::io::format_name(emg::io::detect_format(file)) +
                  " files are read by the Python layer only (cramplab.import_file); the CLI cannot check them");
      all_valid = false;
      continue;
    }
    const auto problems = problems_of(file, options);
    all_valid = all_valid && problems.empty();
    if (quiet) continue;
    std::cout << (problems.empty() ? "OK " : "INVALID ") << file << "\n";
    for (const auto& p : problems) {
      std::string line = with_cli_hints(p);
      for (auto& ch : line) {
        if (ch == '\n' || ch == '\r') ch = ' ';
      }
      std::cout << "  " << line << "\n";
    }
    std::cout.flush();
  }
  return all_valid ? kExitOk : kExitFailure;
}

}  // namespace cramplab
