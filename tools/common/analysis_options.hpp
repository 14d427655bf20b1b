// Options and batch driver of the analysis commands (cramplab stim, cramplab cramp, cramplab
// onsets). Every parameter of the command's params struct (emg::detect::SessionAnalysisParams for
// stim and cramp, emg::detect::OnsetParams for onsets) is an option --<section>.<field> made from
// the library's field table (session_analysis_fields, onset_fields), with its help text, unit and
// range from FieldRef::info, so the options have the same names as the C++ fields, the Python
// keywords, the config keys and the "param.<key>" attributes of the stored results.
#pragma once

#include "common/cli.hpp"
#include "common/options.hpp"
#include "common/pipeline.hpp"

#include <emg/detect/session.hpp>
#include <emg/fields.hpp>
#include <emg/recording.hpp>
#include <emg/table.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace cramplab {

/// One option group per section of `fields` (in order of first appearance), titled by `titles`
/// (the section name when absent). Each option is parsed by emg::set_field, so the CLI accepts
/// exactly what the library accepts; a bad value is a UsageError naming --<key>. The shown default
/// is the field's current value.
std::vector<po::options_description> field_option_groups(const std::vector<emg::FieldRef>& fields,
                                                         const std::map<std::string, std::string>& titles);

/// Check every rule of `p` that does not depend on the sampling rate (before any file is read);
/// a violation is a UsageError that names the option (--pulses.threshold_mad) and the rule.
void validate_analysis_options(const std::string& command, emg::detect::SessionAnalysisParams& p);

/// One result table of a command: the file <stem>.<name>.tsv, the key "name" of the JSON
/// "tables" object and the store item <group>/<item> (group "derived" or "metrics").
struct NamedTable {
  std::string name;   ///< "pulses", "trains", "mwaves", "mwave_trends", "cramps", "ctf"
  std::string group;  ///< "derived" or "metrics"
  std::string item;   ///< "stim/pulses", ..., "cramp/ctf"
  emg::Table table;
};

/// What a command makes of one recording.
struct AnalysisOutput {
  std::vector<NamedTable> tables;
  std::string summary;  ///< the readable lines printed on stdout (without the file line)
};

/// A session-analysis command: its help and what it does with one recording.
struct AnalysisCommand {
  CommandSpec spec;
  std::string json_suffix;     ///< <stem>.<json_suffix>.json
  std::string combined_table;  ///< with several inputs, OUTDIR/<name>.tsv stacks this table with a file column ("" = none)
  std::function<AnalysisOutput(const emg::Recording&, const emg::detect::SessionAnalysisParams&)> analyse;
};

/// Parse the options, then analyse every INPUT (in parallel with --jobs, output in input order),
/// write the tables (-o), store them in the input file (--write) and print the summaries. A file
/// that fails is reported on stderr and the others go on; the exit code is then 1.
int run_analysis_command(const AnalysisCommand& command, const std::vector<std::string>& args);

/// The command-independent part of run_analysis_command, for a command with its own params
/// struct and options: the parameter options come from `fields` (which point into a params
/// object the caller keeps alive), the command adds its own options to the general group and
/// checks them in `prepare` (after the fields are set, before any file is read).
struct BatchCommand {
  CommandSpec spec;
  std::string json_suffix;                  ///< <stem>.<json_suffix>.json
  /// With several inputs, OUTDIR/<name>.tsv stacks each of these tables (when the files made it)
  /// with a leading file column.
  std::vector<std::string> combined_tables;
  bool store = false;                       ///< offers --write (store the tables in the input)
  std::vector<emg::FieldRef> fields;        ///< one option --<key> each
  std::map<std::string, std::string> titles;  ///< option group title per section
  std::string config_help;                  ///< help of --config
  /// Adds the command's own options to the general group (after --jobs, before --config).
  std::function<void(po::options_description&)> add_options;
  /// Checks the command's own options and the parameters (UsageError naming the option).
  std::function<void(const po::variables_map&)> prepare;
  /// What the command makes of one input (called on --jobs threads at once: must not share
  /// mutable state).
  std::function<AnalysisOutput(const LoadedInput& input, const std::string& file)> analyse;
};
int run_batch_command(const BatchCommand& command, const std::vector<std::string>& args);

/// Set every field given on the command line or in --config (defaults are the fields' values);
/// a value the field does not accept is a UsageError "<command>: --<key> <value>: <rule>".
void apply_field_options(const std::string& command, const std::vector<emg::FieldRef>& fields, const po::variables_map& vm);

/// `s` quoted for a POSIX shell when it needs quoting (for messages and the stored command line).
std::string shell_quote(const std::string& s);

/// The stimulation tables (pulses, trains, mwaves, mwave_trends) and the readable per-train
/// lines of `cramplab stim` (defined in commands/stim.cpp; `cramplab cramp` shows them too).
std::vector<NamedTable> stim_tables(const emg::detect::StimAnalysis& analysis);
std::string stim_summary(const emg::Recording& recording, const emg::detect::StimAnalysis& analysis);

/// A frequency ladder step in the summaries: "12" or "12.5", "nan" for NaN.
std::string hz_text(double hz);

}  // namespace cramplab
