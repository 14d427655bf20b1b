// Shared plumbing of the cramplab subcommands: usage errors, option parsing, help, progress.
#pragma once

#include <boost/program_options.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace cramplab {

namespace po = boost::program_options;

/// Bad command line (exit code 2), as opposed to a runtime / I/O failure (exit code 1).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Exit codes of every command (also printed in every --help epilogue and docs/CLI.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

/// Line width of --help output.
inline constexpr unsigned kHelpWidth = 110;

/// The exit-code paragraph shown at the end of every --help.
std::string exit_codes_epilogue();

/// Description of one subcommand for parse_command().
struct CommandSpec {
  std::string name;      ///< e.g. "filter"
  std::string synopsis;  ///< e.g. "cramplab filter INPUT -o OUT.tsv [options]"
  std::string summary;   ///< one paragraph
  std::string examples;  ///< lines shown after the options
};

/// Parse `args` (the words after the command name) with `options` plus --help and one
/// positional INPUT. Returns false when --help was printed (the command should exit 0).
/// Throws UsageError for unknown options, bad values or a missing INPUT.
bool parse_command(const CommandSpec& spec, const std::vector<std::string>& args,
                   const std::vector<po::options_description>& groups, po::variables_map& vm);

/// A step counter on stderr, shown only when stderr is a terminal and --quiet is not given.
class Progress {
 public:
  Progress(std::string command, int n_steps, bool quiet);
  ~Progress();
  void step(const std::string& what);

 private:
  std::string command_;
  int n_steps_;
  int current_ = 0;
  bool enabled_;
};

/// Fixed-point text with `digits` decimals, "nan" for NaN.
std::string fixed(double value, int digits);

}  // namespace cramplab
