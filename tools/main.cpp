// cramplab: command dispatch and the mapping of errors to exit codes (0 ok, 1 runtime / I/O
// failure, 2 usage or bad parameter). Every error is one line on stderr: "cramplab: <message>".
#include "common/cli.hpp"
#include "common/commands.hpp"

#include <emg/errors.hpp>
#include <emg/version.hpp>

#include <cstdio>
#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <vector>

namespace {

struct Command {
  const char* name;
  int (*run)(const std::vector<std::string>&);
  const char* summary;
};

const Command kCommands[] = {
    {"info", cramplab::run_info, "channels, sampling rate, duration and signal quality of recording files"},
    {"import", cramplab::run_import, "import lab files (text, EDF/BDF, WFDB, OpenSignals, MAT) into CrampLab HDF5"},
    {"export", cramplab::run_export, "export a recording to EDF/BDF, CSV/TSV or CrampLab HDF5"},
    {"validate", cramplab::run_validate, "check CrampLab files (structure) and other files (import); exit 0/1"},
    {"filter", cramplab::run_filter, "band-pass and mains removal; writes the filtered channels as TSV"},
    {"psd", cramplab::run_psd, "Welch power spectral density per channel; prints MNF/MDF/peak"},
    {"fatigue", cramplab::run_fatigue, "band-pass, mains removal, PSD and the MNF/MDF/RMS/ARV fatigue series"},
    {"simulate", cramplab::run_simulate, "ground-truth EIC sessions, whole studies and burst trials from the simulator"},
    {"stim", cramplab::run_stim, "stimulation pulses and trains, suppressed artefact spans and M-waves of a recording"},
    {"cramp", cramplab::run_cramp, "cramp decision per stimulation train and the cramp threshold frequency (CTF)"},
    {"onsets", cramplab::run_onsets, "EMG onsets and offsets per channel (10 published detectors); --truth evaluates them"},
};

void print_help() {
  std::cout << "Usage: cramplab <command> [options] INPUT [-o OUTPUT]\n"
               "       cramplab <command> --help\n"
               "       cramplab --version\n\n"
               "CrampLab: offline EMG analysis (import, quality, band-pass, mains removal, spectra, fatigue,\n"
               "ground-truth simulation).\n\n"
               "Commands:\n";
  for (const auto& c : kCommands) std::printf("  %-10s %s\n", c.name, c.summary);
  std::cout << "\nINPUT is any importable file: a CrampLab .h5, EDF/EDF+, BDF/BDF+, WFDB (.hea), OpenSignals\n"
               "HDF5, MATLAB v5, or a text table (CSV, TSV or whitespace-separated; '#' comment lines; one\n"
               "column per channel). The reader comes from the file's magic bytes and extension (--format\n"
               "forces one). Give the sampling rate of a text table with --fs-hz when it has no time column\n"
               "and no '# Sampling Rate' header.\n\n"
            << cramplab::exit_codes_epilogue();
}

std::string command_list() {
  std::string out;
  for (const auto& c : kCommands) out += (out.empty() ? "" : ", ") + std::string(c.name);
  return out;
}

// One line, whatever the message contains.
void report(const std::string& message) { cramplab::print_error(message); }

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty()) {
      report("no command given (try 'cramplab --help')");
      return cramplab::kExitUsage;
    }
    const std::string& first = args[0];
    if (first == "--help" || first == "-h" || first == "help") {
      print_help();
      return cramplab::kExitOk;
    }
    if (first == "--version" || first == "-V") {
      const std::string sha = emg::git_sha();
      std::cout << "cramplab " << emg::version() << " (git " << (sha.empty() ? "unknown" : sha) << ")\n";
      return cramplab::kExitOk;
    }
    for (const auto& c : kCommands) {
      if (first == c.name) return c.run(std::vector<std::string>(args.begin() + 1, args.end()));
    }
    report("unknown command '" + first + "' (commands: " + command_list() + "; see 'cramplab --help')");
    return cramplab::kExitUsage;
  } catch (const cramplab::UsageError& e) {
    report(e.what());
    return cramplab::kExitUsage;
  } catch (const emg::InvalidArgument& e) {
    report(e.what());
    return cramplab::kExitUsage;
  } catch (const emg::ConfigError& e) {
    report(e.what());
    return cramplab::kExitUsage;
  } catch (const emg::IoError& e) {
    report(e.what());
    return cramplab::kExitFailure;
  } catch (const emg::FormatError& e) {
    report(e.what());
    return cramplab::kExitFailure;
  } catch (const std::bad_alloc&) {
    report("out of memory");
    return cramplab::kExitFailure;
  } catch (const std::exception& e) {
    report(e.what());
    return cramplab::kExitFailure;
  }
}
