// Shared plumbing of the cramplab subcommands: usage errors, option parsing, help, progress.
#pragma once

#include <boost/program_options.hpp>

#include <exception>
#include <functional>
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
  bool many_inputs = false;  ///< INPUT... (vm["input"] is a std::vector<std::string>)
  bool no_input = false;     ///< the command takes no positional INPUT
};

/// Parse `args` (the words after the command name) with `options` plus --help and one
/// positional INPUT (or one or more with spec.many_inputs). Returns false when --help was printed (the command should exit 0).
/// Throws UsageError for unknown options, bad values or a missing INPUT. When the groups declare a
/// "config" option and it is given, that file (Boost.Program_options INI syntax: [section] key = value
/// is --section.key) supplies every option not given on the command line.
bool parse_command(const CommandSpec& spec, const std::vector<std::string>& args,
                   const std::vector<po::options_description>& groups, po::variables_map& vm);

/// A step counter on stderr, shown only when stderr is a terminal and --quiet is not given.
class Progress {
 public:
  Progress(std::string command, int n_steps, bool quiet);
  ~Progress();
  void step(const std::string& what);
  /// Erase the progress line (before printing other output on a terminal).
  void clear();

 private:
  std::string command_;
  int n_steps_;
  int current_ = 0;
  bool enabled_;
};

/// Fixed-point text with `digits` decimals, "nan" for NaN.
std::string fixed(double value, int digits);

/// Four significant digits (printf "%.4g") for human-readable summaries; `nan_text` for NaN.
std::string general4(double value, const std::string& nan_text = "nan");

/// `name` inside directory `dir`, lexically normalised ("out/./x.tsv" -> "out/x.tsv").
std::string path_in(const std::string& dir, const std::string& name);

/// Print "cramplab: <message>" as one line on stderr (newlines become spaces), with
/// with_cli_hints() applied.
void print_error(const std::string& message);

/// A library message that names a library option (wraparound=unwrap) gets the CLI spelling added.
std::string with_cli_hints(const std::string& message);

/// "<file>: <message>", without repeating the file when the message already names it.
std::string file_message(const std::string& file, const std::string& message);

/// Run task(i) for i in [0, n) on min(jobs, n) threads (jobs <= 1: on the calling thread) and call
/// done(i) on the calling thread in index order as soon as tasks 0..i have finished, so output is
/// the same for any job count. Neither callback may throw.
void run_in_order(int n, int jobs, const std::function<void(int)>& task, const std::function<void(int)>& done);

}  // namespace cramplab
