// cramplab info: what is in a recording file and how good the signal looks (emg::quality_report),
// as a table for people or as TSV / JSON for scripts.
#include "common/cli.hpp"
#include "common/commands.hpp"
#include "common/json.hpp"
#include "common/options.hpp"
#include "common/pipeline.hpp"

#include <emg/errors.hpp>
#include <emg/io/text.hpp>
#include <emg/quality.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <new>
#include <optional>
#include <sstream>

namespace cramplab {

namespace {

struct FileInfo {
  std::string file;
  LoadedInput input;
  emg::QualityReport quality;
};

std::string g6(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// One line: tabs and newlines in names would break the table and TSV.
std::string flat(std::string s) {
  for (auto& ch : s) {
    if (ch == '\t' || ch == '\n' || ch == '\r') ch = ' ';
  }
  return s;
}

std::string shorten(const std::string& s, std::size_t width) {
  const std::string f = flat(s);
  return f.size() <= width ? f : f.substr(0, width - 3) + "...";
}

std::string mains_text(const emg::ChannelQuality& q) {
  if (q.mains_hz == 0.0) return "-";
  return fixed(q.mains_db, 1) + " dB@" + g6(q.mains_peak_hz);
}

/// The ground truth of a simulated file in one line ("" when the file has none).
std::string truth_summary(const FileInfo& f) {
  if (!f.input.header || !f.input.header->has_truth) return "";
  const emg::GroundTruth t = emg::io::read_truth(f.file);
  long cramps = 0;
  for (const auto& tr : t.trains) cramps += tr.cramp ? 1 : 0;
  std::string s = std::to_string(t.pulses.size()) + " pulses, " + std::to_string(t.trains.size()) + " trains (" +
                  std::to_string(cramps) + " followed by a cramp), " + std::to_string(t.bursts.size()) + " bursts";
  if (!t.firing_sample.empty()) s += ", " + std::to_string(t.firing_sample.size()) + " motor-unit firings";
  const auto ctf = t.attributes.find("ctf_hz");
  if (ctf != t.attributes.end()) s += "; true CTF " + ctf->second + " Hz";
  const auto seed = t.attributes.find("seed");
  if (seed != t.attributes.end()) s += "; seed " + seed->second;
  return s;
}

void print_table(std::ostream& out, const FileInfo& f) {
  const emg::Recording& rec = f.input.recording;
  const auto& q = f.quality;
  out << f.file << "\n";
  out << "  format      " << f.input.format << "\n";
  out << "  fs          " << emg::io::format_double(rec.fs_hz()) << " Hz\n";
  out << "  samples     " << rec.n_samples() << " (" << emg::io::format_double(rec.duration_s()) << " s), start "
      << emg::io::format_double(rec.start_time_s()) << " s\n";
  out << "  channels    " << rec.n_channels() << "\n";
  out << "  events      " << rec.events().size() << "; stimulation: " << rec.stimulation().pulses.size() << " pulses, "
      << rec.stimulation().trains.size() << " trains\n";
  const double line = q.channels.empty() ? 0.0 : q.channels[0].mains_hz;
  out << "  mains       " << (line > 0.0 ? g6(line) + " Hz" : std::string("none detected")) << "\n";
  if (f.input.header) {
    const auto& h = *f.input.header;
    out << "  cramplab    format_version " << h.format_version << ", created by " << flat(h.created_by) << "\n";
    out << "  stored as   " << h.sample_type << ", compression " << h.compression << "\n";
    if (h.has_truth) out << "  truth       " << truth_summary(f) << "\n";
    out << "  derived     ";
    if (h.derived.empty()) out << "none";
    for (std::size_t i = 0; i < h.derived.size(); ++i) out << (i ? ", " : "") << h.derived[i];
    out << "\n";
  }
  if (!rec.attributes().empty()) {
    out << "  attributes\n";
    for (const auto& [k, v] : rec.attributes()) out << "    " << flat(k) << " = " << shorten(v, 90) << "\n";
  }
  if (rec.history().size() > 0) {
    out << "  history\n";
    for (const auto& h : rec.history()) out << "    " << shorten(h, 100) << "\n";
  }

  const std::vector<std::string> head{"#", "name", "type", "units", "min", "max", "mean", "rms",
                                      "saturated", "clipped", "flat%", "dead", "mains"};
  std::vector<std::vector<std::string>> rows;
  for (std::size_t c = 0; c < q.channels.size(); ++c) {
    const auto& cq = q.channels[c];
    const auto& info = rec.channels()[c];
    rows.push_back({std::to_string(c), shorten(info.name, 24), shorten(info.type, 6), shorten(cq.units, 8), g6(cq.min),
                    g6(cq.max), g6(cq.mean), g6(cq.rms), cq.saturation_known ? std::to_string(cq.saturated) : "-",
                    std::to_string(cq.clipped), fixed(100.0 * cq.flat_fraction, 1), cq.dead ? "DEAD" : "no",
                    mains_text(cq)});
  }
  std::vector<std::size_t> width(head.size());
  for (std::size_t k = 0; k < head.size(); ++k) {
    width[k] = head[k].size();
    for (const auto& r : rows) width[k] = std::max(width[k], r[k].size());
  }
  const auto print_row = [&](const std::vector<std::string>& r) {
    out << " ";
    for (std::size_t k = 0; k < r.size(); ++k) {
      const bool left = k >= 1 && k <= 3;  // text columns
      const std::string pad(width[k] - r[k].size(), ' ');
      out << ' ' << (left ? r[k] + pad : pad + r[k]);
    }
    out << "\n";
  };
  print_row(head);
  for (const auto& r : rows) print_row(r);
  out << "\n";
}

const std::vector<std::string> kTsvHeader{
    "file",    "format",          "fs_hz",   "n_samples",     "duration_s", "channel",  "name",
    "type",    "units",           "min",     "max",           "mean",       "rms",      "saturated",
    "saturation_known", "clipped", "flat_fraction", "dead", "mains_hz", "mains_db", "mains_peak_hz"};

void print_tsv_rows(std::ostream& out, const FileInfo& f) {
  const emg::Recording& rec = f.input.recording;
  using emg::io::format_double;
  for (std::size_t c = 0; c < f.quality.channels.size(); ++c) {
    const auto& q = f.quality.channels[c];
    const auto& info = rec.channels()[c];
    const std::vector<std::string> row{flat(f.file), f.input.format, format_double(rec.fs_hz()),
                                       std::to_string(rec.n_samples()), format_double(rec.duration_s()),
                                       std::to_string(c), flat(info.name), flat(info.type), flat(q.units),
                                       format_double(q.min), format_double(q.max), format_double(q.mean),
                                       format_double(q.rms), std::to_string(q.saturated),
                                       q.saturation_known ? "true" : "false", std::to_string(q.clipped),
                                       format_double(q.flat_fraction), q.dead ? "true" : "false",
                                       format_double(q.mains_hz), format_double(q.mains_db),
                                       format_double(q.mains_peak_hz)};
    for (std::size_t k = 0; k < row.size(); ++k) out << (k ? "\t" : "") << row[k];
    out << "\n";
  }
}

std::string to_json(const FileInfo& f) {
  using json::boolean;
  using json::num;
  using json::str;
  const emg::Recording& rec = f.input.recording;
  std::ostringstream o;
  o << "{\"file\": " << str(f.file) << ", \"format\": " << str(f.input.format) << ", \"fs_hz\": " << num(rec.fs_hz())
    << ", \"start_time_s\": " << num(rec.start_time_s()) << ", \"n_channels\": " << rec.n_channels()
    << ", \"n_samples\": " << rec.n_samples() << ", \"duration_s\": " << num(rec.duration_s())
    << ", \"n_events\": " << rec.events().size() << ", \"n_stim_pulses\": " << rec.stimulation().pulses.size()
    << ", \"n_stim_trains\": " << rec.stimulation().trains.size()
    << ", \"truth\": " << (f.input.header && f.input.header->has_truth ? str(truth_summary(f)) : std::string("null"))
    << ", \"mains_hz\": " << num(f.quality.channels.empty() ? 0.0 : f.quality.channels[0].mains_hz);
  o << ", \"attributes\": {";
  bool first = true;
  for (const auto& [k, v] : rec.attributes()) {
    o << (first ? "" : ", ") << str(k) << ": " << str(v);
    first = false;
  }
  o << "}, \"history\": [";
  for (std::size_t i = 0; i < rec.history().size(); ++i) o << (i ? ", " : "") << str(rec.history()[i]);
  o << "], \"cramplab\": ";
  if (f.input.header) {
    const auto& h = *f.input.header;
    o << "{\"format_version\": " << h.format_version << ", \"created_by\": " << str(h.created_by)
      << ", \"sample_type\": " << str(h.sample_type) << ", \"compression\": " << str(h.compression) << ", \"derived\": [";
    for (std::size_t i = 0; i < h.derived.size(); ++i) o << (i ? ", " : "") << str(h.derived[i]);
    o << "]}";
  } else {
    o << "null";
  }
  o << ", \"channels\": [";
  for (std::size_t c = 0; c < f.quality.channels.size(); ++c) {
    const auto& q = f.quality.channels[c];
    const auto& info = rec.channels()[c];
    o << (c ? ", " : "") << "{\"index\": " << c << ", \"name\": " << str(info.name) << ", \"type\": " << str(info.type)
      << ", \"units\": " << str(q.units) << ", \"min\": " << num(q.min) << ", \"max\": " << num(q.max)
      << ", \"mean\": " << num(q.mean) << ", \"rms\": " << num(q.rms) << ", \"saturated\": " << q.saturated
      << ", \"saturation_known\": " << boolean(q.saturation_known) << ", \"clipped\": " << q.clipped
      << ", \"flat_fraction\": " << num(q.flat_fraction) << ", \"dead\": " << boolean(q.dead)
      << ", \"mains_hz\": " << num(q.mains_hz) << ", \"mains_db\": " << num(q.mains_db)
      << ", \"mains_peak_hz\": " << num(q.mains_peak_hz) << "}";
  }
  o << "]}";
  return o.str();
}

}  // namespace

int run_info(const std::vector<std::string>& args) {
  const CommandSpec spec{
      "info", "cramplab info FILE... [--json | --tsv] [options]",
      "Describe each FILE (any importable format): reader, sampling rate, samples, duration, channels\n"
      "(name, type, units), events and stimulation, and per channel the signal quality: min / max /\n"
      "mean / RMS, samples at the ADC limits (saturated), flat tops at the channel's own min or max\n"
      "(clipped), the share of the record in long runs of identical samples (flat), dead channels\n"
      "and the mains level (peak-to-neighbour ratio at the line frequency, dB; docs/CLI.md). For a\n"
      "CrampLab .h5 file also its format_version, creator, on-disk sample type and derived items.\n"
      "A file that cannot be read is reported on stderr and the others are still described.",
      "  cramplab info datasets/real/myonset-rt-task/example_data.edf\n"
      "  cramplab info datasets/real/uci-lower-limb/3Asen.txt --fs-hz 1000\n"
      "  cramplab info out/*.h5 --tsv > quality.tsv\n"
      "  cramplab info recording.h5 --json | python -m json.tool\n",
      true};
  ImportArgs in;
  emg::QualityParams qp;
  bool as_json = false, as_tsv = false;
  po::options_description out_opts("Output", kHelpWidth, kHelpWidth / 2);
  out_opts.add_options()("json", po::bool_switch(&as_json), "print a JSON array, one object per file")(
      "tsv", po::bool_switch(&as_tsv), "print TSV, one row per channel, with a file column");
  po::variables_map vm;
  if (!parse_command(spec, args, {import_options(in, "Input (how to read FILE)"), quality_options(qp), out_opts}, vm)) {
    return kExitOk;
  }
  if (as_json && as_tsv) throw UsageError("info: --json and --tsv exclude each other");
  const emg::io::ImportOptions options = to_import_options(in);
  qp.validate(1.0);  // the rules that do not depend on fs: a bad --quality.* value is a usage error
  const auto files = vm["input"].as<std::vector<std::string>>();

  bool failed = false;
  if (as_tsv) {
    for (std::size_t k = 0; k < kTsvHeader.size(); ++k) std::cout << (k ? "\t" : "") << kTsvHeader[k];
    std::cout << "\n";
  }
  if (as_json) std::cout << "[";
  bool first_json = true;
  for (const auto& file : files) {
    std::optional<FileInfo> info;
    try {
      LoadedInput input = load_any(file, options);
      emg::QualityReport q = emg::quality_report(input.recording, qp);
      info.emplace(FileInfo{file, std::move(input), std::move(q)});
    } catch (const std::bad_alloc&) {
      print_error(file + ": out of memory");
    } catch (const std::exception& e) {
      print_error(file_message(file, e.what()));
    }
    if (!info) {
      failed = true;
      continue;
    }
    if (as_json) {
      std::cout << (first_json ? "\n  " : ",\n  ") << to_json(*info);
      first_json = false;
    } else if (as_tsv) {
      print_tsv_rows(std::cout, *info);
    } else {
      print_table(std::cout, *info);
    }
    std::cout.flush();
  }
  if (as_json) std::cout << (first_json ? "]\n" : "\n]\n");
  return failed ? kExitFailure : kExitOk;
}

}  // namespace cramplab
