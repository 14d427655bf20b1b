// cramplab onsets: EMG onset/offset detection on every channel (emg::detect::detect_onsets, one
// of the published detectors of SCIENCE.md §5), as TSV/JSON tables; with --truth also the
// evaluation against reference events (emg::detect::evaluate_onsets, SCIENCE.md §5.10): from a
// TSV/CSV file of onset_s / offset_s rows or from a simulated file's own /truth bursts.
#include "common/analysis_options.hpp"
#include "common/cli.hpp"
#include "common/commands.hpp"
#include "common/table_output.hpp"

#include <emg/detect/onsets.hpp>
#include <emg/errors.hpp>
#include <emg/io/store.hpp>
#include <emg/io/text.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cramplab {

namespace {

namespace det = emg::detect;

const std::map<std::string, std::string>& onset_titles() {
  static const std::map<std::string, std::string> t = {
      {"onsets", "Detector and preprocessing (SCIENCE.md §5)"},
      {"baseline", "Rest window the thresholds come from: given, or the quietest window (baseline.*)"},
      {"post", "Post-processing shared by every detector"},
      {"hodges_bui", "Hodges & Bui 1996 (SCIENCE.md §5.1; onsets.method hodges_bui)"},
      {"bonato", "Bonato et al. 1998 double threshold (SCIENCE.md §5.2; onsets.method bonato)"},
      {"tkeo", "TKEO-conditioned threshold, Li / Solnik (SCIENCE.md §5.3; onsets.method tkeo)"},
      {"lidierth", "Lidierth 1986 (SCIENCE.md §5.4; onsets.method lidierth)"},
      {"abbink", "Abbink et al. 1998 (SCIENCE.md §5.5; onsets.method abbink)"},
      {"silva", "Silva et al. 2012 (SCIENCE.md §5.6; onsets.method silva)"},
      {"londral", "Londral et al. 2013 (SCIENCE.md §5.6; onsets.method londral)"},
      {"aglr", "AGLR, Staude et al. 2001 (SCIENCE.md §5.7; onsets.method aglr)"},
      {"sampen", "Sample entropy, Zhang & Zhou 2012 (SCIENCE.md §5.9; onsets.method sampen)"},
      {"changepoint", "Bayesian changepoint, Tenan et al. 2017 (SCIENCE.md §5.8; onsets.method changepoint)"},
      {"evaluate", "Evaluation against --truth (SCIENCE.md §5.10)"},
  };
  return t;
}

/// The dotted key of `fields` that a library message is about: the first "<key>=" in it.
std::string key_in_message(const std::vector<emg::FieldRef>& fields, const std::string& message) {
  std::string best;
  std::size_t best_pos = std::string::npos;
  for (const auto& f : fields) {
    const std::string probe = f.key + "=";
    for (std::size_t pos = message.find(probe); pos != std::string::npos; pos = message.find(probe, pos + 1)) {
      const bool starts = pos == 0 || !(std::isalnum(static_cast<unsigned char>(message[pos - 1])) || message[pos - 1] == '_');
      if (starts) {
        if (pos < best_pos) best_pos = pos, best = f.key;
        break;
      }
    }
  }
  return best;
}

/// "--key: message" when the message names a parameter, else the message.
std::string with_option(const std::vector<emg::FieldRef>& fields, const std::string& message) {
  const std::string key = key_in_message(fields, message);
  return key.empty() ? message : "--" + key + ": " + message;
}

// ---- reference events (--truth) ------------------------------------------------------------------

/// One row of a truth file.
struct TruthRow {
  std::string channel;  ///< "" = every channel
  double onset_s = 0.0;
  double offset_s = 0.0;
  long line = 0;
};

/// Where the reference events come from.
struct TruthSource {
  bool given = false;
  bool stored = false;  ///< the input file's own /truth bursts
  std::string path;
  std::vector<TruthRow> rows;

  std::string describe() const {
    if (!given) return "";
    if (stored) return "the file's /truth bursts";
    return path + " (" + std::to_string(rows.size()) + " event(s))";
  }
};

std::string trim(const std::string& s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  std::string out = s.substr(a, b - a);
  if (out.size() >= 2 && out.front() == '"' && out.back() == '"') out = out.substr(1, out.size() - 2);
  return out;
}

std::vector<std::string> split_fields(const std::string& line, char delimiter) {
  std::vector<std::string> out;
  if (delimiter == ' ') {
    std::size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      if (i >= line.size()) break;
      std::size_t j = i;
      while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
      out.push_back(trim(line.substr(i, j - i)));
      i = j;
    }
    return out;
  }
  std::size_t start = 0;
  for (;;) {
    const std::size_t pos = line.find(delimiter, start);
    out.push_back(trim(line.substr(start, pos == std::string::npos ? std::string::npos : pos - start)));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return out;
}

[[noreturn]] void truth_error(const std::string& path, long line, const std::string& rule) {
  throw emg::FormatError("--truth file '" + path + "': line " + std::to_string(line) + ": " + rule);
}

double truth_number(const std::string& path, long line, const std::string& column, const std::string& text) {
  const char* begin = text.c_str();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (text.empty() || end == begin || *end != '\0') {
    truth_error(path, line, column + "='" + text + "' is not a number (times are in seconds from the first sample)");
  }
  if (!std::isfinite(v)) truth_error(path, line, column + "=" + text + " must be finite");
  return v;
}

/// Read a truth file: TSV, CSV or whitespace-separated, '#' comment lines, a header with onset_s
/// and offset_s (seconds from the first sample) and optionally channel_name or channel.
TruthSource read_truth_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw emg::IoError("cannot read --truth file '" + path + "'");
  TruthSource src;
  src.given = true;
  src.path = path;
  std::string text;
  long line_no = 0;
  std::vector<std::string> header;
  char delimiter = '\t';
  long onset_col = -1, offset_col = -1, channel_col = -1;
  while (std::getline(in, text)) {
    ++line_no;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (line_no == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0) text = text.substr(3);  // UTF-8 byte-order mark
    if (trim(text).empty() || trim(text).front() == '#') continue;
    if (header.empty()) {
      delimiter = text.find('\t') != std::string::npos ? '\t' : (text.find(',') != std::string::npos ? ',' : ' ');
      header = split_fields(text, delimiter);
      long channel_name_col = -1;
      for (std::size_t c = 0; c < header.size(); ++c) {
        const auto k = static_cast<long>(c);
        if (header[c] == "onset_s") onset_col = k;
        if (header[c] == "offset_s") offset_col = k;
        if (header[c] == "channel") channel_col = k;
        if (header[c] == "channel_name") channel_name_col = k;
      }
      if (channel_name_col >= 0) channel_col = channel_name_col;  // an onsets.tsv of cramplab onsets
      if (onset_col < 0 || offset_col < 0) {
        std::string cols;
        for (const auto& h : header) cols += (cols.empty() ? "" : ", ") + h;
        truth_error(path, line_no,
                    std::string("the header has no ") + (onset_col < 0 ? "onset_s" : "offset_s") + " column (columns: " + cols +
                        "); a truth file needs onset_s and offset_s in seconds, and may have channel (a channel name)");
      }
      continue;
    }
    const std::vector<std::string> cells = split_fields(text, delimiter);
    if (cells.size() != header.size()) {
      truth_error(path, line_no, std::to_string(cells.size()) + " field(s), the header has " + std::to_string(header.size()));
    }
    TruthRow row;
    row.line = line_no;
    row.onset_s = truth_number(path, line_no, "onset_s", cells[static_cast<std::size_t>(onset_col)]);
    row.offset_s = truth_number(path, line_no, "offset_s", cells[static_cast<std::size_t>(offset_col)]);
    if (channel_col >= 0) row.channel = cells[static_cast<std::size_t>(channel_col)];
    if (row.onset_s < 0.0) truth_error(path, line_no, "onset_s=" + emg::io::format_double(row.onset_s) + " must be >= 0");
    if (row.offset_s <= row.onset_s) {
      truth_error(path, line_no, "offset_s=" + emg::io::format_double(row.offset_s) + " must be > onset_s=" +
                                     emg::io::format_double(row.onset_s));
    }
    src.rows.push_back(std::move(row));
  }
  if (in.bad()) throw emg::IoError("error reading --truth file '" + path + "'");
  if (header.empty()) truth_error(path, line_no, "no header line (a truth file needs the columns onset_s and offset_s)");
  return src;
}

std::string channel_list(const emg::Recording& rec) {
  std::string s;
  for (std::size_t c = 0; c < rec.channels().size(); ++c) s += (s.empty() ? "" : ", ") + std::to_string(c) + " " + rec.channels()[c].name;
  return s;
}

/// The channel index `text` names in `rec`: a channel name first, else an index; -1 when neither.
long find_channel(const emg::Recording& rec, const std::string& text) {
  for (std::size_t c = 0; c < rec.channels().size(); ++c)
    if (rec.channels()[c].name == text) return static_cast<long>(c);
  if (!text.empty() && std::all_of(text.begin(), text.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); })) {
    const long v = text.size() < 10 ? std::atol(text.c_str()) : -1;
    if (v >= 0 && v < rec.n_channels()) return v;
  }
  return -1;
}

/// The reference events of every channel of `rec` (index = channel), sorted by onset.
std::vector<std::vector<det::TrueEvent>> truth_events(const TruthSource& src, const LoadedInput& input, const std::string& file) {
  const emg::Recording& rec = input.recording;
  std::vector<std::vector<det::TrueEvent>> out(static_cast<std::size_t>(rec.n_channels()));
  const std::int64_t n = rec.n_samples();
  if (src.stored) {
    if (!input.header) {
      throw emg::FormatError(file + ": --truth stored reads the /truth bursts of a CrampLab file made by cramplab simulate, "
                                    "and this file is read as " + input.format + "; give the reference events as --truth events.tsv");
    }
    if (!input.header->has_truth) {
      throw emg::FormatError(file + ": --truth stored: the file has no /truth group (only simulated recordings have one); "
                                    "give the reference events as --truth events.tsv");
    }
    const emg::GroundTruth truth = emg::io::read_truth(file);
    for (const auto& b : truth.bursts) {
      if (b.channel < 0 || b.channel >= rec.n_channels()) {
        throw emg::FormatError(file + ": /truth/bursts: channel " + std::to_string(b.channel) + " is not in the recording (0.." +
                               std::to_string(rec.n_channels() - 1) + ")");
      }
      out[static_cast<std::size_t>(b.channel)].push_back({b.onset_sample, b.offset_sample});
    }
  } else {
    const double fs = rec.fs_hz();
    for (const TruthRow& row : src.rows) {
      long channel = -1;
      if (!row.channel.empty()) {
        channel = find_channel(rec, row.channel);
        if (channel < 0) {
          truth_error(src.path, row.line, "channel '" + row.channel + "' is not a channel of " + file + " (" + channel_list(rec) + ")");
        }
      }
      const det::TrueEvent e{std::llround(row.onset_s * fs), std::llround(row.offset_s * fs)};
      if (e.onset_sample >= n || e.offset_sample > n) {
        truth_error(src.path, row.line, "the event " + emg::io::format_double(row.onset_s) + "-" + emg::io::format_double(row.offset_s) +
                                            " s does not fit in " + file + " (" + emg::io::format_double(rec.duration_s()) + " s)");
      }
      if (channel >= 0) {
        out[static_cast<std::size_t>(channel)].push_back(e);
      } else {
        for (auto& events : out) events.push_back(e);
      }
    }
  }
  for (auto& events : out) {
    std::stable_sort(events.begin(), events.end(),
                     [](const det::TrueEvent& a, const det::TrueEvent& b) { return a.onset_sample < b.onset_sample; });
  }
  return out;
}

// ---- the readable summary ------------------------------------------------------------------------

std::string baseline_text(const det::Onsets& r) {
  if (std::isnan(r.baseline_start_s) || std::isnan(r.baseline_end_s)) return "-";
  return fixed(r.baseline_start_s, 3) + "-" + fixed(r.baseline_end_s, 3) + (r.baseline_automatic ? " auto" : " given");
}

std::string summary(const emg::Recording& rec, const std::vector<det::Onsets>& results,
                    const std::vector<det::OnsetEvaluation>* evaluations, const TruthSource& truth, double tolerance_s) {
  std::string s = "  fs " + emg::io::format_double(rec.fs_hz()) + " Hz, " + fixed(rec.duration_s(), 3) + " s, " +
                  std::to_string(results.size()) + " channel(s)";
  if (evaluations) s += "; truth: " + truth.describe() + ", tolerance " + emg::io::format_double(tolerance_s) + " s";
  s += "\n";
  char line[512];
  std::snprintf(line, sizeof line, "  %4s %-12s %-11s %-18s %6s %10s  %-20s", "#", "channel", "method", "status", "events",
                "threshold", "baseline_s");
  s += line;
  if (evaluations) {
    std::snprintf(line, sizeof line, " %5s %4s %4s %4s %6s %6s %6s %12s", "true", "TP", "FP", "FN", "prec", "recall", "F1",
                  "onset_med_ms");
    s += line;
  }
  s += "\n";
  for (std::size_t k = 0; k < results.size(); ++k) {
    const det::Onsets& r = results[k];
    std::snprintf(line, sizeof line, "  %4ld %-12s %-11s %-18s %6zu %10s  %-20s", r.channel, r.channel_name.c_str(), r.method.c_str(),
                  r.status.c_str(), r.events.size(), general4(r.threshold, "-").c_str(), baseline_text(r).c_str());
    s += line;
    if (evaluations) {
      const det::OnsetEvaluation& e = (*evaluations)[k];
      std::snprintf(line, sizeof line, " %5ld %4ld %4ld %4ld %6s %6s %6s %12s", e.n_true, e.true_positives, e.false_positives,
                    e.false_negatives, fixed(e.precision, 3).c_str(), fixed(e.recall, 3).c_str(), fixed(e.f1, 3).c_str(),
                    fixed(e.onset_median_abs_s * 1e3, 1).c_str());
      s += line;
    }
    s += "\n";
    if (!r.message.empty()) s += "       " + r.channel_name + ": " + r.message + "\n";
  }
  // no trailing blanks from the padded columns
  std::string out;
  std::size_t start = 0;
  for (std::size_t pos = s.find('\n'); pos != std::string::npos; start = pos + 1, pos = s.find('\n', start)) {
    std::size_t end = pos;
    while (end > start && s[end - 1] == ' ') --end;
    out.append(s, start, end - start).push_back('\n');
  }
  return out;
}

}  // namespace

int run_onsets(const std::vector<std::string>& args) {
  const std::string name = "onsets";
  det::OnsetParams params;
  det::OnsetEvaluateParams evaluate;
  std::vector<std::string> channel_args;
  std::string truth_arg;
  TruthSource truth;
  bool test_function = false;

  std::vector<emg::FieldRef> fields = det::onset_fields(params);
  {
    emg::FieldBuilder b(fields);
    b.section("evaluate", &det::OnsetEvaluateParams::describe())("tolerance_s", &evaluate.tolerance_s);
  }

  std::string methods;
  for (const auto& m : det::onset_method_names()) methods += (methods.empty() ? "" : "|") + m;

  BatchCommand c;
  c.spec = {
      name,
      "cramplab onsets FILE... [-o OUTDIR] [--onsets.method M] [--channel NAME|INDEX]... [--truth PATH|stored] [--write] [options]",
      "Detect the onsets and offsets of EMG activity in every channel of each FILE (or the --channel ones)\n"
      "with one of the published detectors (SCIENCE.md §5), chosen by --onsets.method:\n"
      "  " + methods + "\n"
      "The steps: zero-phase band-pass, thresholds from a rest window (--baseline.start_s/end_s, or the\n"
      "quietest --baseline.length_s window, checked for quietness), the detector, then the shared post-\n"
      "processing (--post.*). Prints one line per channel (method, status, events, threshold, rest window).\n"
      "With -o, writes OUTDIR/<stem>.onsets.tsv (one row per event) and <stem>.onset_channels.tsv (one row\n"
      "per channel), or one <stem>.onsets.json. --truth compares the events with reference events (a\n"
      "TSV/CSV with onset_s and offset_s [s] and optionally channel; or 'stored': a simulated file's own\n"
      "/truth bursts): precision/recall/F1 within --evaluate.tolerance_s, onset/offset bias, MAE, RMSE and\n"
      "Bland-Altman limits in <stem>.evaluation.tsv (one row per channel) and the matched pairs in\n"
      "<stem>.pairs.tsv. --test-function adds <stem>.test_function.tsv (the detector's test function per\n"
      "sample, one column per channel). --write stores the tables in the input's /derived and /metrics\n"
      "(derived/onsets/events, metrics/onsets/channels, ...). With several FILEs also OUTDIR/onsets.tsv,\n"
      "onset_channels.tsv and evaluation.tsv with a file column. A channel without events is not an error (its status says\n"
      "why: no_activity, baseline_not_quiet, flat, non_finite). A file that fails is reported on stderr\n"
      "and the others go on (exit code 1). Columns: docs/CLI.md.",
      "  cramplab simulate bursts --bursts.duration_s 30 -o trial.h5 && cramplab onsets trial.h5 --truth stored\n"
      "  cramplab onsets recordings/*.h5 -o results/ --onsets.method bonato --jobs 2\n"
      "  cramplab onsets trial.edf --channel TA --channel 2 --baseline.start_s 0 --baseline.end_s 2 -o results/\n"
      "  cramplab onsets trial.h5 --onsets.method tkeo --truth events.tsv --evaluate.tolerance_s 0.1 --format json -o results/\n"
      "  cramplab onsets trial.h5 --onsets.method londral --write && cramplab info trial.h5\n",
      true};
  c.json_suffix = "onsets";
  c.combined_tables = {"onsets", "onset_channels", "evaluation"};
  c.store = true;
  c.fields = fields;
  c.titles = onset_titles();
  c.config_help =
      "read options from this INI file ([onsets] method = bonato is --onsets.method bonato; channel = TA is --channel TA); "
      "the command line wins";
  c.add_options = [&](po::options_description& general) {
    general.add_options()("channel", po::value<std::vector<std::string>>(&channel_args)->composing(),
                          "channel analysed, by name or 0-based index; repeat for several (default: every channel)")(
        "truth", po::value<std::string>(&truth_arg),
        "reference events: a TSV/CSV file with columns onset_s and offset_s [s] (and optionally channel: a channel "
        "name; rows without one apply to every channel), or 'stored' for the file's own /truth bursts (simulated "
        "files); writes <stem>.evaluation.tsv and <stem>.pairs.tsv")(
        "test-function", po::bool_switch(&test_function),
        "also output the detector's test function per sample (<stem>.test_function.tsv: sample, time_s, one column "
        "per channel; with --write the table derived/onsets/test_function)");
  };
  c.prepare = [&](const po::variables_map& vm) {
    // Every rule that holds at any sampling rate and length, before any file is read.
    try {
      params.validate(1e6, static_cast<std::int64_t>(1e12));
    } catch (const emg::InvalidArgument& e) {
      throw UsageError(name + ": " + with_option(fields, e.what()));
    }
    try {
      evaluate.validate();
    } catch (const emg::InvalidArgument& e) {
      throw UsageError(name + ": " + with_option(fields, e.what()));
    }
    for (const auto& ch : channel_args) {
      if (trim(ch).empty()) throw UsageError(name + ": --channel '" + ch + "' is empty; give a channel name or a 0-based index");
    }
    if (vm.count("truth")) {
      if (truth_arg == "stored") {
        truth.given = true;
        truth.stored = true;
      } else {
        truth = read_truth_file(truth_arg);
      }
    }
  };
  c.analyse = [&](const LoadedInput& input, const std::string& file) {
    const emg::Recording& rec = input.recording;
    std::vector<long> channels;
    for (const auto& text : channel_args) {
      const long ch = find_channel(rec, trim(text));
      if (ch < 0) {
        throw emg::InvalidArgument(file + ": --channel '" + text + "' is not a channel of this file (channels: " +
                                   channel_list(rec) + ")");
      }
      if (std::find(channels.begin(), channels.end(), ch) == channels.end()) channels.push_back(ch);
    }
    if (channels.empty())
      for (long ch = 0; ch < rec.n_channels(); ++ch) channels.push_back(ch);

    std::vector<std::vector<det::TrueEvent>> reference;
    if (truth.given) reference = truth_events(truth, input, file);

    std::vector<det::Onsets> results;
    try {
      results = det::detect_onsets(rec, params, channels);
    } catch (const emg::InvalidArgument& e) {
      throw emg::InvalidArgument(with_option(fields, e.what()));
    }

    std::vector<NamedTable> tables{
        {"onsets", "derived", "onsets/events", det::onsets_table(results)},
        {"onset_channels", "metrics", "onsets/channels", det::onset_channels_table(results)},
    };
    if (test_function) tables.push_back({"test_function", "derived", "onsets/test_function", det::test_function_table(results)});
    std::vector<det::OnsetEvaluation> evaluations;
    if (truth.given) {
      std::vector<std::string> labels;
      for (const det::Onsets& r : results) {
        evaluations.push_back(det::evaluate_onsets(r.events, reference[static_cast<std::size_t>(r.channel)], rec.fs_hz(), evaluate,
                                                   rec.n_samples()));
        labels.push_back(r.channel_name);
      }
      std::vector<emg::Table> pair_tables;
      for (const auto& e : evaluations) pair_tables.push_back(det::evaluation_pairs_table(e));
      std::vector<const emg::Table*> pointers;
      for (const auto& t : pair_tables) pointers.push_back(&t);
      tables.push_back({"evaluation", "metrics", "onsets/evaluation", det::evaluation_table(labels, evaluations)});
      tables.push_back({"pairs", "derived", "onsets/pairs", stack_tables(labels, pointers, "channel")});
    }
    return AnalysisOutput{std::move(tables),
                          summary(rec, results, truth.given ? &evaluations : nullptr, truth, evaluate.tolerance_s)};
  };
  return run_batch_command(c, args);
}

}  // namespace cramplab
