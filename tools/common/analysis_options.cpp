#include "common/analysis_options.hpp"

#include "common/field_options.hpp"
#include "common/json.hpp"
#include "common/pipeline.hpp"
#include "common/table_output.hpp"

#include <emg/errors.hpp>
#include <emg/io/checksum.hpp>
#include <emg/io/store.hpp>
#include <emg/io/tables.hpp>
#include <emg/io/text.hpp>
#include <emg/version.hpp>

#include <cctype>
#include <filesystem>
#include <iostream>
#include <memory>
#include <new>
#include <optional>
#include <set>

namespace cramplab {

namespace fs = std::filesystem;

namespace {

/// A sampling rate above any EMG recording: the rules checked at it are the ones that hold at
/// every rate (the fs-dependent rules are lower bounds in samples, checked per file).
constexpr double kAnyFsHz = 1e6;

const std::map<std::string, std::string>& analysis_titles() {
  static const std::map<std::string, std::string> t = {
      {"analysis", "Analysis (channel, M-waves)"},
      {"find", "Pulse source"},
      {"pulses", "Pulse detection from the EMG artefacts or a trigger channel (SCIENCE.md §4.1)"},
      {"trains", "Train grouping and protocol checks (SCIENCE.md §4.1)"},
      {"suppress", "Artefact suppression before the M-wave measures (SCIENCE.md §4.2)"},
      {"mwave", "M-wave measures (SCIENCE.md §4.3)"},
      {"cramp", "Cramp decision per train (SCIENCE.md §1.6)"},
      {"cramp_suppress", "Artefact suppression before the cramp decision (SCIENCE.md §4.2)"},
      {"ctf", "Cramp threshold frequency (SCIENCE.md §1.7)"},
  };
  return t;
}

/// The field of `sections` whose name appears first in `message` as "<name>=" (the parameter a
/// library message is about: "CrampParams: post_window_s=10 must be >= ...").
std::string option_in_message(const std::vector<emg::FieldRef>& fields, const std::set<std::string>& sections,
                              const std::string& message) {
  std::string best;
  std::size_t best_pos = std::string::npos;
  for (const auto& f : fields) {
    if (!sections.count(field_section(f.key))) continue;
    const std::string name = f.key.substr(f.key.find('.') + 1) + "=";
    for (std::size_t pos = message.find(name); pos != std::string::npos; pos = message.find(name, pos + 1)) {
      const bool starts = pos == 0 || !(std::isalnum(static_cast<unsigned char>(message[pos - 1])) || message[pos - 1] == '_');
      if (starts) {
        if (pos < best_pos) best_pos = pos, best = f.key;
        break;
      }
    }
  }
  return best;
}

struct FileResult {
  bool ok = false;
  std::string error;
  AnalysisOutput output;
  std::vector<std::string> written;  ///< output files
  bool stored = false;               ///< --write put the tables into the input
};

struct RunOptions {
  std::string outdir;
  std::string format = "tsv";
  bool write = false;
  bool quiet = false;
};


std::string file_json(const std::string& command, const std::string& file, const std::string& sha,
                      const std::vector<std::pair<std::string, std::string>>& parameters, const std::vector<NamedTable>& tables) {
  std::string o = "{\n  \"command\": " + json::str("cramplab " + command) + ",\n  \"file\": " + json::str(file) +
                  ",\n  \"library_version\": " + json::str(emg::version()) + ",\n  \"input_sha256\": " + json::str(sha) +
                  ",\n  \"parameters\": {";
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    o += (i ? ", " : "") + json::str(parameters[i].first) + ": " + json::str(parameters[i].second);
  }
  o += "},\n  \"tables\": {";
  for (std::size_t i = 0; i < tables.size(); ++i) {
    o += std::string(i ? "," : "") + "\n    " + json::str(tables[i].name) + ": " + table_json(tables[i].table);
  }
  o += "\n  }\n}\n";
  return o;
}

}  // namespace

std::string shell_quote(const std::string& s) {
  bool plain = !s.empty();
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (!(std::isalnum(c) || std::string("-_./=:,+@%").find(ch) != std::string::npos)) plain = false;
  }
  if (plain) return s;
  std::string out = "'";
  for (const char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

std::string hz_text(double hz) { return emg::io::format_double(hz); }

std::vector<po::options_description> field_option_groups(const std::vector<emg::FieldRef>& fields,
                                                         const std::map<std::string, std::string>& titles) {
  // Parsed as text and applied with emg::set_field after parsing (apply_field_options), so the
  // CLI, the config file and Python accept the same spellings.
  return grouped_field_options(fields, titles, [](po::options_description& group, const emg::FieldRef& f) {
    const std::string value = emg::field_text(f);
    group.add_options()(f.key.c_str(), po::value<std::string>()->default_value(value, value.empty() ? "\"\"" : value),
                        field_help(f).c_str());
  });
}

void apply_field_options(const std::string& command, const std::vector<emg::FieldRef>& fields, const po::variables_map& vm) {
  for (const auto& f : fields) {
    if (!vm.count(f.key) || vm[f.key].defaulted()) continue;
    const std::string text = vm[f.key].as<std::string>();
    try {
      emg::set_field(f, text);
    } catch (const emg::InvalidArgument& e) {
      throw UsageError(command + ": --" + f.key + " " + shell_quote(text) + ": " + e.what());
    }
  }
}

void validate_analysis_options(const std::string& command, emg::detect::SessionAnalysisParams& p) {
  const std::vector<emg::FieldRef> fields = emg::detect::session_analysis_fields(p);
  struct Part {
    std::set<std::string> sections;
    std::function<void()> check;
  };
  const std::vector<Part> parts = {
      {{"pulses"}, [&] { p.find.detect.validate(kAnyFsHz); }},
      {{"find", "trains"}, [&] { p.find.validate(kAnyFsHz); }},
      {{"suppress"}, [&] { p.suppress.validate(kAnyFsHz); }},
      {{"mwave"}, [&] { p.mwave.validate(kAnyFsHz); }},
      {{"cramp_suppress"}, [&] { p.cramp.suppression.validate(kAnyFsHz); }},
      {{"cramp"}, [&] { p.cramp.validate(kAnyFsHz); }},
      {{"ctf"}, [&] { p.ctf.validate(); }},
      {{"analysis", "find", "pulses", "trains", "suppress", "mwave", "cramp", "cramp_suppress", "ctf"},
       [&] { p.validate(kAnyFsHz); }},
  };
  for (const Part& part : parts) {
    try {
      part.check();
    } catch (const emg::InvalidArgument& e) {
      const std::string key = option_in_message(fields, part.sections, e.what());
      const std::string option = key.empty() ? "--" + *part.sections.begin() + ".*" : "--" + key;
      throw UsageError(command + ": " + option + ": " + e.what());
    }
  }
}

int run_batch_command(const BatchCommand& command, const std::vector<std::string>& args) {
  const std::string& name = command.spec.name;
  InputArgs in;
  RunOptions run;
  int jobs = 1;
  std::string config;
  const std::vector<emg::FieldRef>& fields = command.fields;

  po::options_description general = general_options(
      in, "output directory for the result tables (created if missing); without -o only the summary is printed");
  const std::string format_help = "result files: tsv (one <stem>.<table>.tsv per table) or json (one <stem>." +
                                  command.json_suffix + ".json with every table, the parameters and the source)";
  general.add_options()("format", po::value<std::string>(&run.format)->default_value("tsv"), format_help.c_str());
  if (command.store) {
    general.add_options()(
        "write", po::bool_switch(&run.write),
        "also store the tables in the input CrampLab file's /derived and /metrics, with the parameters and the input "
        "checksum (atomic; the recording itself is not changed)");
  }
  general.add_options()("jobs,j", po::value<int>(&jobs)->default_value(1),
                        "files analysed in parallel, >= 1 (the output does not depend on it)");
  if (command.add_options) command.add_options(general);
  general.add_options()("config", po::value<std::string>(&config), command.config_help.c_str());
  std::vector<po::options_description> groups{
      import_options(in, "Input (FILE: a CrampLab .h5 or any importable file)", "input-format")};
  for (auto& g : field_option_groups(fields, command.titles)) groups.push_back(g);
  groups.push_back(general);
  po::variables_map vm;
  if (!parse_command(command.spec, args, groups, vm)) return kExitOk;

  // ---- options: everything checked before any file is read ----
  if (run.format != "tsv" && run.format != "json") {
    throw UsageError(name + ": --format='" + run.format + "' must be tsv or json");
  }
  if (jobs < 1) throw UsageError(name + ": --jobs=" + std::to_string(jobs) + " must be >= 1");
  apply_field_options(name, fields, vm);
  if (command.prepare) command.prepare(vm);
  const emg::io::ImportOptions import_opts = to_import_options(in);
  apply_general(in);
  run.outdir = in.output;
  run.quiet = in.quiet;

  const auto files = vm["input"].as<std::vector<std::string>>();
  const int n = static_cast<int>(files.size());

  // ---- output paths ----
  std::vector<std::pair<std::string, std::string>> combined;  // table name, path
  if (!run.outdir.empty()) {
    std::map<std::string, std::string> first_file_of;
    for (std::size_t i = 0; i < files.size(); ++i) {
      const std::string stem = fs::path(files[i]).stem().string();
      const auto [it, inserted] = first_file_of.emplace(stem, files[i]);
      if (!inserted) {
        throw UsageError(name + ": '" + it->second + "' and '" + files[i] + "' have the same stem '" + stem +
                         "', so their result files would collide in '" + run.outdir + "'; analyse them into different -o directories");
      }
    }
    std::error_code ec;
    if (fs::exists(run.outdir, ec) && !fs::is_directory(run.outdir, ec)) {
      throw emg::IoError("cannot write into '" + run.outdir + "': it exists and is not a directory");
    }
    if (n > 1) {
      for (const auto& table : command.combined_tables) {
        combined.emplace_back(table, path_in(run.outdir, table + "." + run.format));
        for (const auto& f : files) check_not_input(f, combined.back().second);
      }
    }
    fs::create_directories(run.outdir, ec);
    if (ec || !fs::is_directory(run.outdir)) {
      throw emg::IoError("cannot create output directory '" + run.outdir + "'" + (ec ? ": " + ec.message() : std::string()));
    }
  }
  const auto is_combined = [&](const std::string& table) {
    for (const auto& [t, path] : combined)
      if (t == table) return true;
    return false;
  };

  // ---- provenance ----
  const auto values = emg::field_values(fields);
  std::map<std::string, std::string> stored_params(values.begin(), values.end());
  {
    std::string line = "cramplab " + name;
    for (const auto& a : args) line.append(" ").append(shell_quote(a));
    stored_params["command_line"] = line;
  }

  // ---- the files ----
  std::vector<FileResult> results(files.size());
  Progress progress(name, n, run.quiet);
  const auto task = [&](int i) {
    const auto k = static_cast<std::size_t>(i);
    const std::string& file = files[k];
    FileResult& r = results[k];
    try {
      std::error_code ec;
      if (run.write && fs::is_regular_file(file, ec) && !emg::io::is_cramplab_file(file)) {
        throw emg::IoError(file + ": --write stores the results in a CrampLab .h5 input, and this is not one; import it "
                                  "first (cramplab import " + file + " -o DIR) or leave out --write");
      }
      const LoadedInput input = load_any(file, import_opts);
      if (run.write && !input.header) {
        throw emg::IoError(file + ": --write needs a CrampLab .h5 input (this is read as " + input.format + ")");
      }
      r.output = command.analyse(input, file);
      const std::string sha = emg::io::data_sha256(input.recording);
      if (!run.outdir.empty()) {
        const std::string stem = fs::path(file).stem().string();
        std::vector<std::pair<std::string, std::string>> texts;
        if (run.format == "tsv") {
          for (const auto& t : r.output.tables) texts.emplace_back(path_in(run.outdir, stem + "." + t.name + ".tsv"), table_tsv(t.table));
        } else {
          texts.emplace_back(path_in(run.outdir, stem + "." + command.json_suffix + ".json"),
                             file_json(name, file, sha, values, r.output.tables));
        }
        for (const auto& [path, text] : texts) check_not_input(file, path);
        for (const auto& [path, text] : texts) {
          write_text_atomic(path, text);
          r.written.push_back(path);
        }
      }
      if (run.write) {
        std::vector<emg::io::DerivedItem> items;
        for (const auto& t : r.output.tables) items.push_back(emg::io::table_item(t.table, t.group, t.item, stored_params, sha));
        emg::io::write_derived(file, items);
        r.stored = true;
      }
      r.ok = true;
    } catch (const std::bad_alloc&) {
      r.error = file + ": out of memory";
    } catch (const UsageError& e) {
      r.error = file_message(file, e.what());
    } catch (const std::exception& e) {
      r.error = file_message(file, e.what());
    }
  };
  int n_ok = 0;
  const auto done = [&](int i) {
    const auto k = static_cast<std::size_t>(i);
    FileResult& r = results[k];
    progress.clear();
    if (!r.ok) {
      print_error(r.error);
    } else {
      ++n_ok;
      if (!run.quiet) {
        std::cout << "cramplab " << name << ": " << files[k] << "\n" << r.output.summary;
        if (!r.written.empty()) {
          std::cout << "  wrote " << r.written.size() << " file(s): " << r.written.front()
                    << (r.written.size() > 1 ? " ..." : "") << "\n";
        }
        if (r.stored) {
          std::cout << "  stored in " << files[k] << ":";
          for (const auto& t : r.output.tables) std::cout << " " << t.group << "/" << t.item;
          std::cout << "\n";
        }
        std::cout << std::flush;
      }
    }
    // free the big per-file outputs once printed, except the tables the combined files need
    if (r.ok && !combined.empty()) {
      std::vector<NamedTable> keep;
      for (auto& t : r.output.tables)
        if (is_combined(t.name)) keep.push_back(std::move(t));
      r.output.tables = std::move(keep);
    } else {
      r.output.tables.clear();
    }
    progress.step(files[k]);
  };
  run_in_order(n, jobs, task, done);
  progress.clear();

  bool failed = n_ok != n;
  for (const auto& [table_name, combined_path] : combined) {
    if (n_ok == 0) break;
    std::vector<std::string> labels;
    std::vector<const emg::Table*> tables;
    for (std::size_t k = 0; k < files.size(); ++k) {
      if (!results[k].ok) continue;
      for (const auto& t : results[k].output.tables) {
        if (t.name == table_name) {
          labels.push_back(files[k]);
          tables.push_back(&t.table);
        }
      }
    }
    if (tables.empty()) continue;  // no file made this table (an optional one)
    try {
      const emg::Table all = stack_tables(labels, tables, "file");
      if (run.format == "tsv") {
        write_text_atomic(combined_path, table_tsv(all));
      } else {
        write_text_atomic(combined_path, "{\n  \"command\": " + json::str("cramplab " + name) + ",\n  \"library_version\": " +
                                             json::str(emg::version()) + ",\n  \"tables\": {\n    " +
                                             json::str(table_name) + ": " + table_json(all) + "\n  }\n}\n");
      }
      if (!run.quiet) std::cout << "combined " << table_name << " of " << labels.size() << " file(s): " << combined_path << "\n";
    } catch (const std::exception& e) {
      print_error(e.what());
      failed = true;
    }
  }
  if (!run.quiet && n > 1) std::cout << "analysed " << n_ok << " of " << n << " files, " << (n - n_ok) << " failed\n";
  return failed ? kExitFailure : kExitOk;
}

int run_analysis_command(const AnalysisCommand& command, const std::vector<std::string>& args) {
  const std::string& name = command.spec.name;
  emg::detect::SessionAnalysisParams params;
  std::string channel;
  BatchCommand batch;
  batch.spec = command.spec;
  batch.json_suffix = command.json_suffix;
  if (!command.combined_table.empty()) batch.combined_tables = {command.combined_table};
  batch.store = true;
  batch.fields = emg::detect::session_analysis_fields(params);
  batch.titles = analysis_titles();
  batch.config_help =
      "read options from this INI file ([pulses] threshold_mad = 10 is --pulses.threshold_mad 10); the command line wins";
  batch.add_options = [&](po::options_description& general) {
    general.add_options()("channel", po::value<std::string>(&channel), "channel analysed (same as --analysis.channel)");
  };
  batch.prepare = [&](const po::variables_map& vm) {
    if (vm.count("channel")) {
      if (vm.count("analysis.channel") && !vm["analysis.channel"].defaulted() && params.channel != channel) {
        throw UsageError(name + ": --channel '" + channel + "' and --analysis.channel '" + params.channel +
                         "' disagree; give one of them");
      }
      params.channel = channel;
    }
    validate_analysis_options(name, params);
  };
  batch.analyse = [&](const LoadedInput& input, const std::string&) { return command.analyse(input.recording, params); };
  return run_batch_command(batch, args);
}

}  // namespace cramplab
