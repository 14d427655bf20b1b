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
    {"filter", cramplab::run_filter, "band-pass and mains removal; writes the filtered channels as TSV"},
    {"psd", cramplab::run_psd, "Welch power spectral density per channel; prints MNF/MDF/peak"},
    {"fatigue", cramplab::run_fatigue, "band-pass, mains removal, PSD and the MNF/MDF/RMS/ARV fatigue series"},
};

void print_help() {
  std::cout << "Usage: cramplab <command> [options] INPUT [-o OUTPUT]\n"
               "       cramplab <command> --help\n"
               "       cramplab --version\n\n"
               "CrampLab: offline EMG analysis (band-pass, mains removal, spectra, fatigue).\n\n"
               "Commands:\n";
  for (const auto& c : kCommands) std::printf("  %-10s %s\n", c.name, c.summary);
  std::cout << "\nINPUT is a text table (CSV, TSV or whitespace-separated; '#' comment lines; one column\n"
               "per channel). Give the sampling rate with --fs-hz when the file has no time column and no\n"
               "'# Sampling Rate' header.\n\n"
            << cramplab::exit_codes_epilogue();
}

// One line, whatever the message contains.
void report(const std::string& message) {
  std::string line = message;
  for (auto& ch : line) {
    if (ch == '\n' || ch == '\r') ch = ' ';
  }
  std::cerr << "cramplab: " << line << std::endl;
}

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
    report("unknown command '" + first + "' (commands: filter, psd, fatigue; see 'cramplab --help')");
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
