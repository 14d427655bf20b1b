#include "io/detail/store_truth.hpp"

#include <emg/errors.hpp>

#include "detail/check.hpp"
#include "io/detail/store_tables.hpp"

#include <algorithm>
#include <map>
#include <optional>

namespace emg::io::detail {

namespace {

constexpr std::uint8_t kMaxActivity = static_cast<std::uint8_t>(Activity::cramp);
const char* const kActivityRule = "must be an Activity code (0 rest, 1 voluntary, 2 stimulation, 3 cramp)";

/// Collects issues, keeping the first row per column and counting the rest.
class Issues {
 public:
  /// `table` "pulses", `column` "sample", `row` r: param "pulses[r].sample".
  void row(const std::string& table, const std::string& column, std::size_t r, const std::string& value,
           const std::string& rule, const std::string& param_prefix = {}) {
    const std::string key = table + "/" + column + "/" + rule;
    auto it = index_.find(key);
    if (it != index_.end()) {
      ++list_[it->second].more;
      return;
    }
    index_[key] = list_.size();
    TruthIssue i;
    i.param = param_prefix.empty() ? table + "[" + std::to_string(r) + "]." + column
                                   : param_prefix + "[" + std::to_string(r) + "]";
    i.object = "/truth/" + table + "/" + column;
    i.column = column;
    i.row = static_cast<long>(r);
    i.value = value;
    i.rule = rule;
    list_.push_back(std::move(i));
  }
  void whole(const std::string& param, const std::string& object, const std::string& value, const std::string& rule,
             std::size_t more = 0) {
    TruthIssue i;
    i.param = param;
    i.object = object;
    i.value = value;
    i.rule = rule;
    i.more = more;
    list_.push_back(std::move(i));
  }
  std::vector<TruthIssue> take() { return std::move(list_); }

 private:
  std::vector<TruthIssue> list_;
  std::map<std::string, std::size_t> index_;
};

// Appended piece by piece: GCC 12 warns falsely (-Wrestrict) about "(" + std::to_string(...).
std::string range_text(std::int64_t lo, std::int64_t hi, bool closed) {
  std::string s(1, '[');
  s.append(std::to_string(lo)).append(", ").append(std::to_string(hi)).append(closed ? "]" : ")");
  return s;
}

std::string shape_text(long rows, long cols) {
  std::string s(1, '(');
  s.append(std::to_string(rows)).append(", ").append(std::to_string(cols)).append(")");
  return s;
}

}  // namespace

std::vector<TruthIssue> truth_issues(const GroundTruth& t, long n_channels, std::int64_t n_samples) {
  Issues out;
  const bool known = n_samples >= 0;
  const std::int64_t n = n_samples;
  const std::string in_data = known ? "must be in [0, n_samples) = " + range_text(0, n, false) : "";
  const std::string opt_in_data = known ? "must be -1 (none) or in [0, n_samples) = " + range_text(0, n, false) : "";
  const auto sample_ok = [&](std::int64_t s) { return s >= 0 && s < n; };
  const auto optional_ok = [&](std::int64_t s) { return s == -1 || sample_ok(s); };

  for (const auto& [key, value] : t.attributes) {
    if (key.empty()) out.whole("attributes", "/truth", "\"\" (key)", "must be a non-empty attribute name");
  }

  const long rows = static_cast<long>(t.activity.rows());
  const long cols = static_cast<long>(t.activity.cols());
  if (t.activity.size() != 0) {
    if (known && (rows != n_channels || cols != n)) {
      out.whole("activity", "/truth/activity", shape_text(rows, cols),
                "must be empty or have the recording's shape (n_channels, n_samples) = " + shape_text(n_channels, static_cast<long>(n)));
    }
    const std::uint8_t* a = t.activity.data();
    const auto total = static_cast<std::size_t>(t.activity.size());
    std::size_t first = total, bad = 0;
    for (std::size_t k = 0; k < total; ++k) {
      if (a[k] > kMaxActivity) {
        if (first == total) first = k;
        ++bad;
      }
    }
    if (bad > 0) {
      const auto c = static_cast<long>(first / static_cast<std::size_t>(cols));
      const auto j = static_cast<long>(first % static_cast<std::size_t>(cols));
      out.whole("activity", "/truth/activity",
                std::to_string(a[first]) + " (channel " + std::to_string(c) + ", sample " + std::to_string(j) + ")",
                kActivityRule, bad - 1);
    }
  }

  if (known) {
    for (std::size_t k = 0; k < t.pulses.size(); ++k) {
      const auto& p = t.pulses[k];
      if (!sample_ok(p.sample)) out.row("pulses", "sample", k, std::to_string(p.sample), in_data);
      if (!optional_ok(p.mwave_sample)) out.row("pulses", "mwave_sample", k, std::to_string(p.mwave_sample), opt_in_data);
      if (!optional_ok(p.fwave_sample)) out.row("pulses", "fwave_sample", k, std::to_string(p.fwave_sample), opt_in_data);
    }
  }
  for (std::size_t k = 0; k < t.trains.size(); ++k) {
    const auto& tr = t.trains[k];
    if (known && !(tr.start_sample >= 0 && tr.start_sample <= tr.end_sample && tr.end_sample <= n)) {
      out.row("trains", "start_sample", k, std::to_string(tr.start_sample) + " (end_sample " + std::to_string(tr.end_sample) + ")",
              "must satisfy 0 <= start_sample <= end_sample <= n_samples (" + std::to_string(n) + ")");
    }
    if (tr.n_pulses < 0) out.row("trains", "n_pulses", k, std::to_string(tr.n_pulses), "must be >= 0");
    const std::string opt_closed = known ? "must be -1 (none) or in [0, n_samples] = " + range_text(0, n, true) : "";
    const auto closed_ok = [&](std::int64_t s) { return s == -1 || (s >= 0 && s <= n); };
    if (known && !closed_ok(tr.cramp_onset_sample)) {
      out.row("trains", "cramp_onset_sample", k, std::to_string(tr.cramp_onset_sample), opt_closed);
    }
    if (known && !closed_ok(tr.cramp_offset_sample)) {
      out.row("trains", "cramp_offset_sample", k, std::to_string(tr.cramp_offset_sample), opt_closed);
    }
    if (tr.cramp_onset_sample >= 0 && tr.cramp_offset_sample >= 0 && tr.cramp_offset_sample < tr.cramp_onset_sample) {
      out.row("trains", "cramp_offset_sample", k,
              std::to_string(tr.cramp_offset_sample) + " (cramp_onset_sample " + std::to_string(tr.cramp_onset_sample) + ")",
              "must be >= cramp_onset_sample");
    }
  }
  for (std::size_t k = 0; k < t.bursts.size(); ++k) {
    const auto& b = t.bursts[k];
    if (n_channels >= 0 && (b.channel < -1 || b.channel >= n_channels)) {
      out.row("bursts", "channel", k, std::to_string(b.channel),
              "must be -1 (all channels) or in [0, n_channels) = " + range_text(0, n_channels, false));
    }
    if (known && !(b.onset_sample >= 0 && b.onset_sample <= b.offset_sample && b.offset_sample <= n)) {
      out.row("bursts", "onset_sample", k, std::to_string(b.onset_sample) + " (offset_sample " + std::to_string(b.offset_sample) + ")",
              "must satisfy 0 <= onset_sample <= offset_sample <= n_samples (" + std::to_string(n) + ")");
    }
  }
  if (t.firing_unit.size() != t.firing_sample.size()) {
    out.whole("firing_unit", "/truth/firings/unit", std::to_string(t.firing_unit.size()) + " entries",
              "must have as many entries as firing_sample (" + std::to_string(t.firing_sample.size()) + ")");
  }
  for (std::size_t k = 0; k < t.firing_unit.size(); ++k) {
    if (t.firing_unit[k] < 0) out.row("firings", "unit", k, std::to_string(t.firing_unit[k]), "must be >= 0", "firing_unit");
  }
  if (known) {
    for (std::size_t k = 0; k < t.firing_sample.size(); ++k) {
      if (!sample_ok(t.firing_sample[k])) {
        out.row("firings", "sample", k, std::to_string(t.firing_sample[k]), in_data, "firing_sample");
      }
    }
  }
  return out.take();
}

void check_truth_for_write(const GroundTruth& truth, long n_channels, std::int64_t n_samples, const std::string& function) {
  const auto issues = truth_issues(truth, n_channels, n_samples);
  if (issues.empty()) return;
  const auto& i = issues.front();
  const std::string more = i.more > 0 ? " (and " + std::to_string(i.more) + " more)" : "";
  emg::detail::fail_param(function, "truth." + i.param, i.value, i.rule + more);
}

namespace {

std::vector<std::int64_t> ints_of(const auto& rows, auto member) {
  std::vector<std::int64_t> v;
  v.reserve(rows.size());
  for (const auto& r : rows) v.push_back(static_cast<std::int64_t>(r.*member));
  return v;
}
std::vector<double> reals_of(const auto& rows, auto member) {
  std::vector<double> v;
  v.reserve(rows.size());
  for (const auto& r : rows) v.push_back(r.*member);
  return v;
}

void write_flags(H5::Group& group, const std::string& name, const std::vector<std::uint8_t>& values) {
  hsize_t n = values.size();
  H5::DataSet ds = group.createDataSet(name, H5::PredType::STD_U8LE, H5::DataSpace(1, &n), untimed_dcpl());
  if (!values.empty()) ds.write(values.data(), H5::PredType::NATIVE_UINT8);
}
std::vector<std::uint8_t> flags_of(const auto& rows, auto member) {
  std::vector<std::uint8_t> v;
  v.reserve(rows.size());
  for (const auto& r : rows) v.push_back(r.*member ? 1 : 0);
  return v;
}

void write_activity(H5::Group& g, const ActivityMatrix& a, int deflate_level) {
  if (a.size() == 0) {
    const hsize_t dims[2] = {0, 0};
    g.createDataSet("activity", H5::PredType::STD_U8LE, H5::DataSpace(2, dims), untimed_dcpl());
    return;
  }
  const hsize_t rows = static_cast<hsize_t>(a.rows());
  const hsize_t cols = static_cast<hsize_t>(a.cols());
  const hsize_t dims[2] = {rows, cols};
  // 512 KiB chunks of all channels: below the default 1 MiB chunk cache, tiny once deflated.
  const hsize_t chunk[2] = {rows, std::clamp<hsize_t>((hsize_t{512} << 10) / rows, 1, cols)};
  H5::DSetCreatPropList dcpl = untimed_dcpl();
  dcpl.setChunk(2, chunk);
  dcpl.setFillTime(H5D_FILL_TIME_NEVER);
  dcpl.setShuffle();
  dcpl.setDeflate(static_cast<unsigned>(deflate_level));
  H5::DataSet ds = g.createDataSet("activity", H5::PredType::STD_U8LE, H5::DataSpace(2, dims), dcpl);
  ds.write(a.data(), H5::PredType::NATIVE_UINT8);
}

}  // namespace

bool truth_present(const H5::H5File& file) { return has_link(file, "truth"); }

void write_truth(H5::H5File& file, const GroundTruth& t, int deflate_level, std::string& where) {
  where = "/truth";
  H5::Group g = create_group(file, "truth");
  for (const auto& [key, value] : t.attributes) write_attr(g, key, value);
  where = "/truth/activity";
  write_activity(g, t.activity, deflate_level);

  where = "/truth/pulses";
  H5::Group p = create_group(file, "truth/pulses");
  write_column(p, "sample", ints_of(t.pulses, &TruthPulse::sample));
  write_column(p, "train_id", ints_of(t.pulses, &TruthPulse::train_id));
  write_column(p, "artifact_amplitude", reals_of(t.pulses, &TruthPulse::artifact_amplitude));
  write_flags(p, "clipped", flags_of(t.pulses, &TruthPulse::clipped));
  write_column(p, "mwave_sample", ints_of(t.pulses, &TruthPulse::mwave_sample));
  write_column(p, "mwave_amplitude", reals_of(t.pulses, &TruthPulse::mwave_amplitude));
  write_column(p, "fwave_sample", ints_of(t.pulses, &TruthPulse::fwave_sample));

  where = "/truth/trains";
  H5::Group tr = create_group(file, "truth/trains");
  write_column(tr, "train_id", ints_of(t.trains, &TruthTrain::train_id));
  write_column(tr, "frequency_hz", reals_of(t.trains, &TruthTrain::frequency_hz));
  write_column(tr, "start_sample", ints_of(t.trains, &TruthTrain::start_sample));
  write_column(tr, "end_sample", ints_of(t.trains, &TruthTrain::end_sample));
  write_column(tr, "n_pulses", ints_of(t.trains, &TruthTrain::n_pulses));
  write_flags(tr, "cramp", flags_of(t.trains, &TruthTrain::cramp));
  write_column(tr, "cramp_onset_sample", ints_of(t.trains, &TruthTrain::cramp_onset_sample));
  write_column(tr, "cramp_offset_sample", ints_of(t.trains, &TruthTrain::cramp_offset_sample));
  write_column(tr, "cramp_amplitude", reals_of(t.trains, &TruthTrain::cramp_amplitude));
  write_column(tr, "cramp_spectral_scale", reals_of(t.trains, &TruthTrain::cramp_spectral_scale));

  where = "/truth/bursts";
  H5::Group b = create_group(file, "truth/bursts");
  write_column(b, "channel", ints_of(t.bursts, &TruthBurst::channel));
  write_column(b, "onset_sample", ints_of(t.bursts, &TruthBurst::onset_sample));
  write_column(b, "offset_sample", ints_of(t.bursts, &TruthBurst::offset_sample));
  std::vector<std::string> kind;
  kind.reserve(t.bursts.size());
  for (const auto& x : t.bursts) kind.push_back(x.kind);
  write_column(b, "kind", kind);
  write_column(b, "amplitude", reals_of(t.bursts, &TruthBurst::amplitude));
  write_column(b, "rise_s", reals_of(t.bursts, &TruthBurst::rise_s));

  where = "/truth/firings";
  H5::Group f = create_group(file, "truth/firings");
  std::vector<std::int64_t> unit(t.firing_unit.begin(), t.firing_unit.end());
  write_column(f, "unit", unit);
  write_column(f, "sample", t.firing_sample);
}

namespace {

/// A 0/1 column (uint8 on disk; any integer type is accepted) or a problem naming the first other value.
std::vector<std::int64_t> flags(TableReader& table, const char* group, const char* name, Problems& problems) {
  auto v = table.ints(name);
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (v[k] != 0 && v[k] != 1) {
      problems.add(std::string(group) + "/" + name, "row " + std::to_string(k) + ": " + std::to_string(v[k]) +
                                                        " must be 0 or 1");
      v.clear();
      break;
    }
  }
  return v;
}

std::optional<ActivityMatrix> read_activity(const H5::H5File& file, long n_channels, std::int64_t n_samples,
                                            Problems& problems) {
  const std::string where = "/truth/activity";
  if (!has_link(file, "truth/activity")) {
    problems.add(where, "is missing");
    return std::nullopt;
  }
  if (file.childObjType("truth/activity") != H5O_TYPE_DATASET) {
    problems.add(where, "must be a dataset");
    return std::nullopt;
  }
  H5::DataSet ds = file.openDataSet("truth/activity");
  if (ds.getTypeClass() != H5T_INTEGER || ds.getDataType().getSize() != 1 || ds.getIntType().getSign() != H5T_SGN_NONE) {
    problems.add(where, "dtype must be uint8");
    return std::nullopt;
  }
  H5::DataSpace space = ds.getSpace();
  if (space.getSimpleExtentType() == H5S_SCALAR || space.getSimpleExtentNdims() != 2) {
    problems.add(where, "must be 2-D (n_channels, n_samples) or (0, 0), found " +
                            std::to_string(space.getSimpleExtentType() == H5S_SCALAR ? 0 : space.getSimpleExtentNdims()) +
                            "-D");
    return std::nullopt;
  }
  hsize_t dims[2] = {0, 0};
  space.getSimpleExtentDims(dims);
  const bool empty = dims[0] == 0 || dims[1] == 0;
  if (!empty && n_samples >= 0 &&
      (dims[0] != static_cast<hsize_t>(n_channels) || dims[1] != static_cast<hsize_t>(n_samples))) {
    problems.add(where, "shape " + shape_text(static_cast<long>(dims[0]), static_cast<long>(dims[1])) +
                            " must be (0, 0) or the shape of /recording/data " +
                            shape_text(n_channels, static_cast<long>(n_samples)));
    return std::nullopt;
  }
  ActivityMatrix a(static_cast<Eigen::Index>(empty ? 0 : dims[0]), static_cast<Eigen::Index>(empty ? 0 : dims[1]));
  if (!empty) ds.read(a.data(), H5::PredType::NATIVE_UINT8);
  return a;
}

}  // namespace

GroundTruth read_truth_group(const H5::H5File& file, long n_channels, std::int64_t n_samples, Problems& problems) {
  GroundTruth t;
  if (!has_link(file, "truth")) {
    problems.add("/truth", "is missing (the file holds no ground truth)");
    return t;
  }
  if (file.childObjType("truth") != H5O_TYPE_GROUP) {
    problems.add("/truth", "must be a group");
    return t;
  }
  {
    H5::Group g = file.openGroup("truth");
    for (const auto& name : attr_names(g)) {
      try {
        t.attributes[name] = read_attr_string(g, name, "/truth");
      } catch (const FormatError& e) {
        problems.add_plain(e.what());
      }
    }
  }
  if (auto a = read_activity(file, n_channels, n_samples, problems)) t.activity = std::move(*a);

  {
    TableReader tab(file, "/truth/pulses", problems);
    auto sample = tab.ints("sample");
    auto train_id = tab.ints("train_id");
    auto artifact = tab.reals("artifact_amplitude");
    auto clipped = flags(tab, "/truth/pulses", "clipped", problems);
    auto mwave_sample = tab.ints("mwave_sample");
    auto mwave_amplitude = tab.reals("mwave_amplitude");
    auto fwave_sample = tab.ints("fwave_sample");
    if (tab.ok() && clipped.size() == tab.rows()) {
      t.pulses.resize(tab.rows());
      for (std::size_t k = 0; k < tab.rows(); ++k) {
        t.pulses[k] = TruthPulse{sample[k],          static_cast<long>(train_id[k]), artifact[k], clipped[k] != 0,
                                 mwave_sample[k],    mwave_amplitude[k],             fwave_sample[k]};
      }
    }
  }
  {
    TableReader tab(file, "/truth/trains", problems);
    auto train_id = tab.ints("train_id");
    auto frequency = tab.reals("frequency_hz");
    auto start = tab.ints("start_sample");
    auto end = tab.ints("end_sample");
    auto n_pulses = tab.ints("n_pulses");
    auto cramp = flags(tab, "/truth/trains", "cramp", problems);
    auto onset = tab.ints("cramp_onset_sample");
    auto offset = tab.ints("cramp_offset_sample");
    auto amplitude = tab.reals("cramp_amplitude");
    auto scale = tab.reals("cramp_spectral_scale");
    if (tab.ok() && cramp.size() == tab.rows()) {
      t.trains.resize(tab.rows());
      for (std::size_t k = 0; k < tab.rows(); ++k) {
        t.trains[k] = TruthTrain{static_cast<long>(train_id[k]), frequency[k], start[k], end[k],
                                 static_cast<long>(n_pulses[k]), cramp[k] != 0, onset[k], offset[k],
                                 amplitude[k], scale[k]};
      }
    }
  }
  {
    TableReader tab(file, "/truth/bursts", problems);
    auto channel = tab.ints("channel");
    auto onset = tab.ints("onset_sample");
    auto offset = tab.ints("offset_sample");
    auto kind = tab.strings("kind");
    auto amplitude = tab.reals("amplitude");
    auto rise = tab.reals("rise_s");
    if (tab.ok()) {
      t.bursts.resize(tab.rows());
      for (std::size_t k = 0; k < tab.rows(); ++k) {
        t.bursts[k] = TruthBurst{static_cast<long>(channel[k]), onset[k], offset[k], std::move(kind[k]), amplitude[k], rise[k]};
      }
    }
  }
  {
    TableReader tab(file, "/truth/firings", problems);
    auto unit = tab.ints("unit");
    auto sample = tab.ints("sample");
    if (tab.ok()) {
      t.firing_unit.assign(unit.begin(), unit.end());
      t.firing_sample = std::move(sample);
    }
  }

  for (const auto& i : truth_issues(t, n_samples >= 0 ? n_channels : -1, n_samples)) {
    if (i.param == "activity" && i.rule != kActivityRule) continue;  // shape: reported by read_activity
    std::string rule = (i.row >= 0 ? "row " + std::to_string(i.row) + ": " + i.column + "=" : "") + i.value + " " + i.rule;
    if (i.more > 0) rule += " (and " + std::to_string(i.more) + " more)";
    problems.add(i.object, rule);
  }
  return t;
}

}  // namespace emg::io::detail
