#include "io/detail/store_tables.hpp"

#include <emg/errors.hpp>

#include <algorithm>
#include <map>

namespace emg::io::detail {

RawTables read_raw_tables(const H5::H5File& file, std::int64_t n_samples, long n_channels, Problems& problems) {
  RawTables t;
  {
    TableReader ev(file, "/events", problems);
    auto channel = ev.ints("channel");
    auto start = ev.ints("start_sample");
    auto end = ev.ints("end_sample");
    auto kind = ev.strings("kind");
    auto source = ev.strings("source");
    if (ev.ok()) {
      for (std::size_t i = 0; i < ev.rows(); ++i) {
        const std::string row = "row " + std::to_string(i) + " ";
        if (channel[i] < -1 || channel[i] >= n_channels) {
          problems.add("/events", row + "channel=" + std::to_string(channel[i]) + " must be -1 or in [0, " +
                                      std::to_string(n_channels) + ")");
        } else if (start[i] < 0 || end[i] < start[i] || end[i] > n_samples) {
          problems.add("/events", row + "start_sample/end_sample=" + std::to_string(start[i]) + "/" +
                                      std::to_string(end[i]) + " must satisfy 0 <= start <= end <= n_samples (" +
                                      std::to_string(n_samples) + ")");
        } else {
          t.events.push_back(Event{static_cast<long>(channel[i]), start[i], end[i], kind[i], source[i]});
        }
      }
    }
  }
  if (!has_link(file, "stimulation")) {
    problems.add("/stimulation", "is missing");
    return t;
  }
  if (!has_link(file, "stimulation/pulses")) {
    problems.add("/stimulation/pulses", "is missing");
  } else {
    try {
      auto pulses = read_column_ints(file.openDataSet("stimulation/pulses"), "/stimulation/pulses");
      bool ok = true;
      for (std::size_t k = 0; k < pulses.size() && ok; ++k) {
        if (pulses[k] < 0 || pulses[k] >= n_samples || (k > 0 && pulses[k] <= pulses[k - 1])) {
          problems.add("/stimulation/pulses", "entry " + std::to_string(k) + "=" + std::to_string(pulses[k]) +
                                                  " must be a strictly increasing sample index in [0, " +
                                                  std::to_string(n_samples) + ")");
          ok = false;
        }
      }
      if (ok) t.stimulation.pulses = std::move(pulses);
    } catch (const FormatError& e) {
      problems.add_plain(e.what());
    }
  }
  TableReader tr(file, "/stimulation/trains", problems);
  auto id = tr.ints("train_id");
  auto start = tr.ints("start_sample");
  auto end = tr.ints("end_sample");
  auto freq = tr.reals("frequency_hz");
  auto width = tr.reals("pulse_width_us");
  auto intensity = tr.reals("intensity");
  auto n_pulses = tr.ints("n_pulses");
  if (tr.ok()) {
    for (std::size_t i = 0; i < tr.rows(); ++i) {
      if (start[i] < 0 || end[i] < start[i] || end[i] > n_samples) {
        problems.add("/stimulation/trains", "row " + std::to_string(i) + " start_sample/end_sample=" +
                                                std::to_string(start[i]) + "/" + std::to_string(end[i]) +
                                                " must satisfy 0 <= start <= end <= n_samples (" +
                                                std::to_string(n_samples) + ")");
        continue;
      }
      t.stimulation.trains.push_back(StimTrain{static_cast<long>(id[i]), start[i], end[i], freq[i], width[i],
                                               intensity[i], static_cast<long>(n_pulses[i])});
    }
  }
  return t;
}

namespace {
/// An interval [s, e) (or the instant s == e) overlaps [a, b).
bool overlaps(std::int64_t s, std::int64_t e, std::int64_t a, std::int64_t b) {
  return s == e ? (s >= a && s < b) : (s < b && e > a);
}
}  // namespace

void read_tables(const H5::H5File& file, const std::string& path, const TableWindow& w, Recording& rec,
                 std::string& where) {
  Problems problems(path, false);
  where = "/events";
  RawTables t = read_raw_tables(file, w.n_samples, w.n_channels, problems);
  const std::int64_t len = w.stop - w.start;
  const auto clip = [&](std::int64_t v) { return std::clamp<std::int64_t>(v - w.start, 0, len); };

  std::map<long, long> out_index;
  for (std::size_t k = 0; k < w.rows.size(); ++k) out_index[w.rows[k]] = static_cast<long>(k);
  for (auto& e : t.events) {
    if (!overlaps(e.start_sample, e.end_sample, w.start, w.stop)) continue;
    if (e.channel >= 0) {
      auto it = out_index.find(e.channel);
      if (it == out_index.end()) continue;
      e.channel = it->second;
    }
    e.start_sample = clip(e.start_sample);
    e.end_sample = clip(e.end_sample);
    rec.add_event(std::move(e));
  }

  Stimulation stim;
  for (auto p : t.stimulation.pulses) {
    if (p >= w.start && p < w.stop) stim.pulses.push_back(p - w.start);
  }
  for (auto tr : t.stimulation.trains) {
    if (!overlaps(tr.start_sample, tr.end_sample, w.start, w.stop)) continue;
    const bool cut = tr.start_sample < w.start || tr.end_sample > w.stop;
    if (cut) {
      // Count the pulses left inside the cut train when the file lists pulses for it.
      long inside = 0, total = 0;
      for (auto p : t.stimulation.pulses) {
        if (p >= tr.start_sample && p <= tr.end_sample) {
          ++total;
          if (p >= w.start && p < w.stop) ++inside;
        }
      }
      if (total > 0) tr.n_pulses = inside;
    }
    tr.start_sample = clip(tr.start_sample);
    tr.end_sample = clip(tr.end_sample);
    stim.trains.push_back(tr);
  }
  rec.set_stimulation(std::move(stim));

  where = "/recording/history";
  if (!has_link(file, "recording/history")) problems.add(where, "is missing");
  for (const auto& line : read_column_strings(file.openDataSet("recording/history"), where)) rec.append_history(line);
  where = "/recording";
  H5::Group g = file.openGroup("recording");
  for (const auto& name : attr_names(g)) rec.set_attribute(name, read_attr_string(g, name, where));
}

}  // namespace emg::io::detail
