// EDF/EDF+/BDF/BDF+ through EDFlib. EDFlib keeps its open files in process-wide tables, so every
// call into it holds one mutex. Samples are read as digital counts and scaled here, with the same
// expression that is stored in ChannelInfo (value = count * conversion + offset), so the HDF5
// writer can keep the counts bit-exactly.
#include <emg/errors.hpp>
#include <emg/io/edf.hpp>

#include "detail/check.hpp"
#include "io/detail/channel_names.hpp"

#include <edflib.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <string_view>
#include <vector>

namespace emg::io {

namespace {

namespace fs = std::filesystem;

std::recursive_mutex& edflib_mutex() {
  static std::recursive_mutex m;
  return m;
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n\v\f");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n\v\f");
  return std::string(s.substr(first, last - first + 1));
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

[[noreturn]] void open_error(const std::string& fn, const std::string& path, int code) {
  const std::string head = fn + ": " + path + ": ";
  switch (code) {
    case EDFLIB_MALLOC_ERROR: throw IoError(head + "out of memory while opening the file");
    case EDFLIB_NO_SUCH_FILE_OR_DIRECTORY: throw IoError(head + "no such file, or it cannot be opened");
    case EDFLIB_FILE_CONTAINS_FORMAT_ERRORS:
      throw FormatError(head + "not a valid EDF/BDF file: the header breaks the EDF(+)/BDF(+) rules or its size "
                               "disagrees with the number of data records (truncated or padded file)");
    case EDFLIB_MAXFILES_REACHED: throw IoError(head + "too many EDF/BDF files are open at once");
    // The file was checked to be a readable regular file, so a read error means it ends early.
    case EDFLIB_FILE_READ_ERROR: throw FormatError(head + "the file ends inside its header (truncated, or not an EDF/BDF file)");
    case EDFLIB_FILE_ALREADY_OPENED: throw IoError(head + "the file is already open in EDFlib");
    case EDFLIB_FILETYPE_ERROR: throw FormatError(head + "unknown file type (neither EDF(+) nor BDF(+))");
    case EDFLIB_FILE_WRITE_ERROR: throw IoError(head + "write error");
    case EDFLIB_NUMBER_OF_SIGNALS_INVALID:
      throw FormatError(head + "invalid number of signals (EDFlib handles 1 to " + std::to_string(EDFLIB_MAXSIGNALS) + ")");
    case EDFLIB_FILE_IS_DISCONTINUOUS:
      throw FormatError(head + "discontinuous EDF+D/BDF+D file: the data records have gaps, which a Recording cannot hold");
    case EDFLIB_INVALID_READ_ANNOTS_VALUE: throw IoError(head + "internal error: invalid annotation mode");
    case EDFLIB_ARCH_ERROR: throw IoError(head + "EDFlib does not support this platform");
    default: throw FormatError(head + "EDFlib error code " + std::to_string(code));
  }
}

// Closes an EDFlib handle on every path out of a scope.
struct Handle {
  int id = -1;
  ~Handle() {
    if (id >= 0) edfclose_file(id);
  }
};

const char* filetype_name(int t) {
  switch (t) {
    case EDFLIB_FILETYPE_EDF: return "EDF";
    case EDFLIB_FILETYPE_EDFPLUS: return "EDF+";
    case EDFLIB_FILETYPE_BDF: return "BDF";
    case EDFLIB_FILETYPE_BDFPLUS: return "BDF+";
    default: return "unknown";
  }
}

std::string two(int v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

using emg::detail::unique_name;

double signal_fs(const edf_hdr_struct& h, int s) {
  return static_cast<double>(h.signalparam[s].smp_in_datarecord) * static_cast<double>(EDFLIB_TIME_DIMENSION) /
         static_cast<double>(h.datarecord_duration);
}

// Digital samples of one signal, read in chunks.
std::vector<int> read_digital(int handle, int s, long long n, const std::string& path) {
  std::vector<int> out(static_cast<std::size_t>(n));
  long long done = 0;
  while (done < n) {
    const int chunk = static_cast<int>(std::min<long long>(n - done, 1 << 20));
    const int got = edfread_digital_samples(handle, s, chunk, out.data() + done);
    if (got <= 0) throw IoError("read_edf: " + path + ": read error at sample " + std::to_string(done) + " of signal " + std::to_string(s));
    done += got;
  }
  return out;
}

Recording read_locked(const std::string& path, const std::vector<std::string>& wanted) {
  const std::string fn = "read_edf";
  std::error_code ec;
  if (!fs::exists(path, ec)) throw IoError(fn + ": " + path + ": no such file");
  if (!fs::is_regular_file(path, ec)) throw IoError(fn + ": " + path + ": not a regular file");
  const auto file_size = fs::file_size(path, ec);
  if (ec) throw IoError(fn + ": " + path + ": cannot read (" + ec.message() + ")");
  if (file_size == 0) throw FormatError(fn + ": " + path + ": the file is empty");

  auto hdr = std::make_unique<edf_hdr_struct>();  // ~170 kB: not on the stack
  Handle handle;
  if (edfopen_file_readonly(path.c_str(), hdr.get(), EDFLIB_READ_ALL_ANNOTATIONS) != 0) open_error(fn, path, hdr->filetype);
  handle.id = hdr->handle;
  const edf_hdr_struct& h = *hdr;
  const bool bdf = h.filetype == EDFLIB_FILETYPE_BDF || h.filetype == EDFLIB_FILETYPE_BDFPLUS;
  if (h.datarecord_duration <= 0) throw FormatError(fn + ": " + path + ": data-record duration must be > 0");

  // Split the signals: the Status (trigger) channel versus data signals.
  int status = -1;
  std::vector<int> signals;
  for (int s = 0; s < h.edfsignals; ++s) {
    if (lower(trim(h.signalparam[s].label)) == "status" && status < 0) {
      status = s;
    } else {
      signals.push_back(s);
    }
  }
  if (!wanted.empty()) {
    std::vector<int> chosen;
    for (const auto& name : wanted) {
      auto it = std::find_if(signals.begin(), signals.end(), [&](int s) { return trim(h.signalparam[s].label) == trim(name); });
      if (it == signals.end()) {
        std::string labels;
        for (int s : signals) labels += (labels.empty() ? "" : ", ") + trim(h.signalparam[s].label);
        detail::fail_param(fn, "channels", "\"" + name + "\"", "is not a signal of " + path + " (signals: " + labels + ")");
      }
      chosen.push_back(*it);
    }
    signals = chosen;
  }
  if (signals.empty()) throw FormatError(fn + ": " + path + ": the file has no data signals");
  for (int s : signals) {
    if (h.signalparam[s].smp_in_datarecord != h.signalparam[signals[0]].smp_in_datarecord) {
      std::string rates;
      for (int t : signals) rates += (rates.empty() ? "" : ", ") + trim(h.signalparam[t].label) + " " + detail::fmt(signal_fs(h, t)) + " Hz";
      throw FormatError(fn + ": " + path + ": signals have different sampling rates (" + rates +
                        "); read a subset with one rate via the channels argument");
    }
  }
  const double fs_hz = signal_fs(h, signals[0]);
  const long long n = h.signalparam[signals[0]].smp_in_file;
  if (n <= 0) throw FormatError(fn + ": " + path + ": the file has no samples (0 data records)");
  const long long bytes_per_sample = bdf ? 3 : 2;
  if (n > static_cast<long long>(file_size / static_cast<std::uintmax_t>(bytes_per_sample))) {
    throw FormatError(fn + ": " + path + ": the header declares " + std::to_string(n) + " samples per signal, more than the file holds");
  }

  RowMatrixXd data(static_cast<Eigen::Index>(signals.size()), static_cast<Eigen::Index>(n));
  std::vector<ChannelInfo> channels;
  std::vector<std::string> history;
  std::vector<std::pair<std::string, std::string>> attrs;
  for (std::size_t i = 0; i < signals.size(); ++i) {
    const int s = signals[i];
    const auto& p = h.signalparam[s];
    if (p.dig_max <= p.dig_min || !(p.phys_max != p.phys_min) || !std::isfinite(p.phys_max) || !std::isfinite(p.phys_min)) {
      throw FormatError(fn + ": " + path + ": signal '" + trim(p.label) + "' has an empty digital or physical range");
    }
    ChannelInfo info;
    const std::string label = trim(p.label).empty() ? "ch" + std::to_string(i) : trim(p.label);
    info.name = unique_name(label, channels);
    if (info.name != label) history.push_back(fn + ": duplicate signal label '" + label + "' renamed to '" + info.name + "'");
    info.units = trim(p.physdimension);
    info.conversion = (p.phys_max - p.phys_min) / (static_cast<double>(p.dig_max) - static_cast<double>(p.dig_min));
    info.offset = p.phys_min - static_cast<double>(p.dig_min) * info.conversion;
    info.digital_min = p.dig_min;
    info.digital_max = p.dig_max;
    const auto counts = read_digital(handle.id, s, n, path);
    auto row = data.row(static_cast<Eigen::Index>(i));
    for (long long k = 0; k < n; ++k) row(k) = static_cast<double>(counts[static_cast<std::size_t>(k)]) * info.conversion + info.offset;
    if (!trim(p.transducer).empty()) attrs.emplace_back("edf." + info.name + ".transducer", trim(p.transducer));
    if (!trim(p.prefilter).empty()) attrs.emplace_back("edf." + info.name + ".prefilter", trim(p.prefilter));
    channels.push_back(std::move(info));
  }

  Recording rec(std::move(data), fs_hz, std::move(channels));
  rec.set_attribute("edf.filetype", filetype_name(h.filetype));
  rec.set_attribute("start_date", std::to_string(h.startdate_year) + "-" + two(h.startdate_month) + "-" + two(h.startdate_day));
  std::string start_time = two(h.starttime_hour) + ":" + two(h.starttime_minute) + ":" + two(h.starttime_second);
  if (h.starttime_subsecond > 0) {
    char frac[32];
    std::snprintf(frac, sizeof frac, ".%07lld", h.starttime_subsecond);
    start_time += frac;
  }
  rec.set_attribute("start_time", start_time);
  const std::pair<const char*, const char*> fields[] = {
      {"patient", h.patient}, {"recording", h.recording}, {"patientcode", h.patientcode}, {"gender", h.gender},
      {"birthdate", h.birthdate}, {"patient_name", h.patient_name}, {"patient_additional", h.patient_additional},
      {"admincode", h.admincode}, {"technician", h.technician}, {"equipment", h.equipment},
      {"recording_additional", h.recording_additional}};
  for (const auto& [key, value] : fields) {
    if (!trim(value).empty()) rec.set_attribute(std::string("edf.") + key, trim(value));
  }
  for (const auto& [k, v] : attrs) rec.set_attribute(k, v);

  // Annotations: onset/duration in 100 ns units from the file start.
  long clamped = 0;
  auto to_sample = [&](long long t100ns) {
    const double s = std::round(static_cast<double>(t100ns) * fs_hz / static_cast<double>(EDFLIB_TIME_DIMENSION));
    if (!(s >= 0.0 && s <= static_cast<double>(n))) {
      ++clamped;
      return s > 0.0 ? n : 0LL;
    }
    return static_cast<long long>(s);
  };
  for (long long a = 0; a < h.annotations_in_file; ++a) {
    edf_annotation_struct ann{};
    if (edf_get_annotation(handle.id, static_cast<int>(a), &ann) != 0) break;
    Event ev;
    ev.start_sample = to_sample(ann.onset);
    ev.end_sample = ann.duration_l > 0 ? std::max<std::int64_t>(ev.start_sample, to_sample(ann.onset + ann.duration_l)) : ev.start_sample;
    ann.annotation[EDFLIB_MAX_ANNOTATION_LEN] = '\0';
    ev.kind = trim(ann.annotation).empty() ? "annotation" : trim(ann.annotation);
    ev.source = "edf_annotation";
    rec.add_event(std::move(ev));
  }
  if (clamped > 0) history.push_back(fn + ": " + std::to_string(clamped) + " annotation times outside the recording clamped to its ends");

  // Status channel: trigger codes (lower 16 bits) at every change to a non-zero value.
  if (status >= 0) {
    const auto& p = h.signalparam[status];
    const long long ns = p.smp_in_file;
    const double ratio = fs_hz / signal_fs(h, status);
    const auto codes = read_digital(handle.id, status, ns, path);
    unsigned prev = 0;
    for (long long k = 0; k < ns; ++k) {
      const unsigned v = static_cast<unsigned>(codes[static_cast<std::size_t>(k)]) & 0xFFFFu;
      if (v != prev && v != 0) {
        Event ev;
        ev.start_sample = ev.end_sample = std::min<long long>(n, std::llround(static_cast<double>(k) * ratio));
        ev.kind = "trigger:" + std::to_string(v);
        ev.source = "bdf_status";
        rec.add_event(std::move(ev));
      }
      prev = v;
    }
    rec.set_attribute("edf.status_channel", trim(p.label));
  }
  history.insert(history.begin(), fn + ": " + fs::path(path).filename().string() + " (" + filetype_name(h.filetype) + ", " +
                                      std::to_string(signals.size()) + " signals" + (status >= 0 ? " + Status" : "") + ")");
  for (const auto& line : history) rec.append_history(line);
  return rec;
}

// ---- writing --------------------------------------------------------------------------------

// Text of at most 8 characters for an EDF header number: the closest value at or below
// (dir < 0), at or above (dir > 0) or nearest to (dir == 0) x. Empty if none fits.
std::string fit8(double x, int dir) {
  for (int dec = 7; dec >= 0; --dec) {
    const double scale = std::pow(10.0, dec);
    const double scaled = x * scale;
    if (!(std::fabs(scaled) < 9.0e15)) continue;
    double r = dir < 0 ? std::floor(scaled) : dir > 0 ? std::ceil(scaled) : std::round(scaled);
    for (int attempt = 0; attempt < 3; ++attempt) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.*f", dec, r / scale);
      std::string s = buf;
      if (s.find('.') != std::string::npos) {
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
      }
      if (s == "-0") s = "0";
      const double v = std::strtod(s.c_str(), nullptr);
      if (dir < 0 && v > x) {
        r -= 1.0;
        continue;
      }
      if (dir > 0 && v < x) {
        r += 1.0;
        continue;
      }
      if (s.size() <= 8) return s;
      break;
    }
  }
  return {};
}

struct RecordPlan {
  long long spr = 0;        // samples per record
  long long duration_us = 0;  // record duration in microseconds
  long long n_records = 0;
  long long padding = 0;
};

// EDFlib 1.23 prints the record duration by cutting the digits of the double (seconds) to the
// 8-character header field, so 1.065 s (1.06499999...) is written as "1.064999" and its own
// reader then rejects the file. Only durations whose cut text is exact are usable.
bool edflib_writes_exactly(long long duration_us) {
  const double seconds = static_cast<double>(duration_us) / 1e6;
  char digits[64];
  std::snprintf(digits, sizeof digits, "%.17f", seconds);
  const std::string cut = std::string(digits).substr(0, 8);
  return std::llround(std::strtod(cut.c_str(), nullptr) * 1e6) == duration_us &&
         std::fabs(std::strtod(cut.c_str(), nullptr) - seconds) < 1e-12;
}

// A record duration in whole microseconds (10 us steps above 10 ms, EDFlib's units) holding an
// integer number of samples, or 0.
long long duration_for(double fs_hz, long long spr) {
  const double us = static_cast<double>(spr) / fs_hz * 1e6;
  if (!(us >= 1.0 && us <= 60e6)) return 0;
  const double r = std::round(us);
  if (std::fabs(us - r) > 1e-9 * us) return 0;
  const auto d = static_cast<long long>(r);
  if (d >= 10000 && d % 10 != 0) return 0;
  if (!edflib_writes_exactly(d)) return 0;
  return d;
}

RecordPlan plan_records(double fs_hz, long long n, long long n_channels, int bytes) {
  constexpr long long kMaxRecordBytes = 8LL << 20;
  auto ok = [&](long long spr) { return spr <= INT32_MAX && spr * n_channels * bytes <= kMaxRecordBytes; };
  // Prefer records that tile the data exactly (no padding), about a second long.
  RecordPlan best;
  auto consider = [&](long long spr) {
    if (!ok(spr)) return;
    const long long d = duration_for(fs_hz, spr);
    if (d == 0) return;
    const auto score = [](long long dur) { return dur <= 1000000 ? 1000000 - dur : 2 * (dur - 1000000); };
    if (best.spr == 0 || score(d) < score(best.duration_us)) best = {spr, d, n / spr, 0};
  };
  for (long long a = 1; a * a <= n; ++a) {
    if (n % a != 0) continue;
    consider(a);
    consider(n / a);
  }
  if (best.spr != 0 && best.duration_us >= 10000) return best;
  // Otherwise pad the last record: 1 s records when fs is an integer, else the shortest record
  // of at least 10 ms that holds an integer number of samples.
  auto padded = [&](long long units) -> RecordPlan {
    const double spr_d = fs_hz * static_cast<double>(units) * 1e-5;
    const double spr_r = std::round(spr_d);
    if (spr_r < 1.0 || std::fabs(spr_d - spr_r) > 1e-9 * spr_d || !ok(static_cast<long long>(spr_r)) ||
        !edflib_writes_exactly(units * 10)) {
      return {};
    }
    const auto spr = static_cast<long long>(spr_r);
    const long long records = (n + spr - 1) / spr;
    return {spr, units * 10, records, records * spr - n};
  };
  if (auto p = padded(100000); p.spr != 0) return p;
  for (long long units = 1000; units <= 6000000; ++units) {
    if (auto p = padded(units); p.spr != 0) return p;
  }
  if (best.spr != 0) return best;
  throw InvalidArgument("write_edf: fs_hz=" + detail::fmt(fs_hz) +
                        " cannot be written: no EDF data-record duration (10 ms to 60 s in 10 us steps) holds an integer number of samples");
}

// Latin/UTF-8 text limited to `max` bytes without splitting a UTF-8 sequence.
std::string cut_utf8(const std::string& s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

std::string temp_name(const std::string& target) {
  std::random_device rd;
  return target + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
}

struct TempFile {
  std::string path;
  bool keep = false;
  ~TempFile() {
    if (!keep) {
      std::error_code ec;
      fs::remove(path, ec);
    }
  }
};

bool parse_date(const std::string& s, int& y, int& m, int& d) {
  return std::sscanf(s.c_str(), "%4d-%2d-%2d", &y, &m, &d) == 3 && y >= 1985 && y <= 2084 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

bool parse_time(const std::string& s, int& hh, int& mm, int& ss) {
  return std::sscanf(s.c_str(), "%2d:%2d:%2d", &hh, &mm, &ss) == 3 && hh >= 0 && hh <= 23 && mm >= 0 && mm <= 59 && ss >= 0 && ss <= 59;
}

struct ChannelPlan {
  std::string phys_min, phys_max;
  int dig_min = 0, dig_max = 0;
  double conversion = 0.0, offset = 0.0;
  bool counts = false;  // the recording's own ADC counts are written unchanged
};

// Scaling of one channel: the recording's own counts when they fit and reproduce exactly,
// otherwise the data range over the full digital range.
ChannelPlan plan_channel(const ChannelInfo& info, Eigen::Ref<const Eigen::RowVectorXd> x, bool bdf, const std::string& path) {
  const int full_min = bdf ? -8388608 : -32768;
  const int full_max = bdf ? 8388607 : 32767;
  auto scaling = [](ChannelPlan& p) {
    const double lo = std::strtod(p.phys_min.c_str(), nullptr), hi = std::strtod(p.phys_max.c_str(), nullptr);
    p.conversion = (hi - lo) / (static_cast<double>(p.dig_max) - static_cast<double>(p.dig_min));
    p.offset = lo - static_cast<double>(p.dig_min) * p.conversion;
  };
  ChannelPlan p;
  if (std::isfinite(info.conversion) && info.conversion > 0.0 && std::isfinite(info.digital_min) && std::isfinite(info.digital_max) &&
      info.digital_min >= full_min && info.digital_max <= full_max && info.digital_min < info.digital_max) {
    p.dig_min = static_cast<int>(info.digital_min);
    p.dig_max = static_cast<int>(info.digital_max);
    p.phys_min = fit8(p.dig_min * info.conversion + info.offset, 0);
    p.phys_max = fit8(p.dig_max * info.conversion + info.offset, 0);
    if (!p.phys_min.empty() && !p.phys_max.empty() && p.phys_min != p.phys_max) {
      scaling(p);
      bool exact = p.conversion == info.conversion && p.offset == info.offset;
      for (Eigen::Index k = 0; exact && k < x.size(); ++k) {
        const double c = std::round((x(k) - p.offset) / p.conversion);
        exact = c >= p.dig_min && c <= p.dig_max && c * p.conversion + p.offset == x(k);
      }
      if (exact) {
        p.counts = true;
        return p;
      }
    }
  }
  double lo = x.minCoeff(), hi = x.maxCoeff();
  p = {};
  p.dig_min = full_min;
  p.dig_max = full_max;
  if (lo == hi) {  // flat: counts -1..1 around the value, so count 0 lands on it exactly
    const double half = lo != 0.0 ? std::fabs(lo) : 1.0;
    lo -= half;
    hi += half;
    p.dig_min = -1;
    p.dig_max = 1;
  }
  p.phys_min = fit8(lo, -1);
  p.phys_max = fit8(hi, +1);
  if (p.phys_min.empty() || p.phys_max.empty() || p.phys_min == p.phys_max) {
    throw InvalidArgument("write_edf: " + path + ": channel '" + info.name + "' range [" + detail::fmt(lo) + ", " + detail::fmt(hi) +
                          "] does not fit the 8-character EDF physical minimum/maximum; rescale its units");
  }
  scaling(p);
  return p;
}

}  // namespace

Recording read_edf(const std::string& path, const std::vector<std::string>& channels) {
  std::lock_guard<std::recursive_mutex> lock(edflib_mutex());
  return read_locked(path, channels);
}

EdfWriteResult write_edf(const Recording& recording, const std::string& path, bool bdf, bool overwrite) {
  const std::string fn = "write_edf";
  recording.validate();
  std::error_code ec;
  if (fs::exists(path, ec) && !overwrite) throw IoError(fn + ": " + path + " exists (pass overwrite=true to replace it)");
  const long nch = recording.n_channels();
  if (nch > EDFLIB_MAXSIGNALS - 1) {
    throw InvalidArgument(fn + ": n_channels=" + std::to_string(nch) + " must be <= " + std::to_string(EDFLIB_MAXSIGNALS - 1) + " for EDF");
  }
  const long long n = recording.n_samples();
  const double fs_hz = recording.fs_hz();
  const RecordPlan plan = plan_records(fs_hz, n, nch, bdf ? 3 : 2);
  EdfWriteResult result;
  if (plan.padding > 0) {
    result.warnings.push_back(std::to_string(n) + " samples do not fill whole EDF data records of " + std::to_string(plan.spr) +
                              " samples: " + std::to_string(plan.padding) + " copies of each channel's last sample pad the end");
  }

  std::vector<ChannelPlan> cplans;
  for (long c = 0; c < nch; ++c) cplans.push_back(plan_channel(recording.channels()[static_cast<std::size_t>(c)], recording.data().row(c), bdf, path));

  TempFile tmp{temp_name(path)};
  {
    std::lock_guard<std::recursive_mutex> lock(edflib_mutex());
    Handle handle;
    handle.id = edfopen_file_writeonly(tmp.path.c_str(), bdf ? EDFLIB_FILETYPE_BDFPLUS : EDFLIB_FILETYPE_EDFPLUS, static_cast<int>(nch));
    if (handle.id < 0) open_error(fn, tmp.path, handle.id);
    auto check = [&](int rc, const std::string& what) {
      if (rc != 0) throw IoError(fn + ": " + path + ": EDFlib refused " + what);
    };
    if (plan.duration_us < 10000) {
      check(edf_set_micro_datarecord_duration(handle.id, static_cast<int>(plan.duration_us)), "the data-record duration");
    } else if (plan.duration_us != 1000000) {
      check(edf_set_datarecord_duration(handle.id, static_cast<int>(plan.duration_us / 10)), "the data-record duration");
    }
    const auto& attrs = recording.attributes();
    auto attr = [&](const std::string& key) {
      auto it = attrs.find(key);
      return it == attrs.end() ? std::string() : it->second;
    };
    for (long c = 0; c < nch; ++c) {
      const auto& info = recording.channels()[static_cast<std::size_t>(c)];
      const auto& cp = cplans[static_cast<std::size_t>(c)];
      const int s = static_cast<int>(c);
      if (info.name.size() > 16) result.warnings.push_back("channel '" + info.name + "': label cut to 16 characters");
      if (info.units.size() > 8) result.warnings.push_back("channel '" + info.name + "': units '" + info.units + "' cut to 8 characters");
      check(edf_set_samplefrequency(handle.id, s, static_cast<int>(plan.spr)), "the samples per record");
      check(edf_set_label(handle.id, s, info.name.substr(0, 16).c_str()), "the label of " + info.name);
      check(edf_set_physical_dimension(handle.id, s, info.units.substr(0, 8).c_str()), "the units of " + info.name);
      check(edf_set_digital_minimum(handle.id, s, cp.dig_min), "the digital minimum of " + info.name);
      check(edf_set_digital_maximum(handle.id, s, cp.dig_max), "the digital maximum of " + info.name);
      check(edf_set_physical_minimum(handle.id, s, std::strtod(cp.phys_min.c_str(), nullptr)), "the physical minimum of " + info.name);
      check(edf_set_physical_maximum(handle.id, s, std::strtod(cp.phys_max.c_str(), nullptr)), "the physical maximum of " + info.name);
      const auto transducer = attr("edf." + info.name + ".transducer");
      const auto prefilter = attr("edf." + info.name + ".prefilter");
      if (!transducer.empty()) check(edf_set_transducer(handle.id, s, transducer.substr(0, 80).c_str()), "the transducer of " + info.name);
      if (!prefilter.empty()) check(edf_set_prefilter(handle.id, s, prefilter.substr(0, 80).c_str()), "the prefilter of " + info.name);
    }
    int y = 1985, mo = 1, d = 1, hh = 0, mi = 0, ss = 0;  // the EDF+ convention for "unknown"
    if (!parse_date(attr("start_date"), y, mo, d)) y = 1985, mo = 1, d = 1;
    if (!parse_time(attr("start_time"), hh, mi, ss)) hh = mi = ss = 0;
    check(edf_set_startdatetime(handle.id, y, mo, d, hh, mi, ss), "the start date");
    for (const auto& [key, setter] : {std::pair{"edf.patientcode", &edf_set_patientcode}, std::pair{"edf.technician", &edf_set_technician},
                                      std::pair{"edf.equipment", &edf_set_equipment}, std::pair{"edf.admincode", &edf_set_admincode},
                                      std::pair{"edf.recording_additional", &edf_set_recording_additional}}) {
      const auto v = attr(key);
      if (!v.empty()) check(setter(handle.id, v.substr(0, 80).c_str()), key);
    }

    // Annotations: one per annotation signal per record; EDFlib writes at most 40 bytes of text.
    const auto& events = recording.events();
    const long long capacity_per_signal = plan.n_records;
    const long long signals_needed = std::clamp<long long>((static_cast<long long>(events.size()) + capacity_per_signal - 1) / capacity_per_signal, 1, 64);
    check(edf_set_number_of_annotation_signals(handle.id, static_cast<int>(signals_needed)), "the number of annotation signals");
    const long long capacity = capacity_per_signal * signals_needed;
    long truncated = 0, channel_bound = 0, off_grid = 0;
    for (std::size_t e = 0; e < events.size() && static_cast<long long>(e) < capacity; ++e) {
      const auto& ev = events[e];
      const std::string text = cut_utf8(ev.kind.empty() ? "annotation" : ev.kind, 40);
      if (text.size() < ev.kind.size()) ++truncated;
      if (ev.channel >= 0) ++channel_bound;
      const long long onset = std::llround(static_cast<double>(ev.start_sample) / fs_hz * 1e4);
      const long long duration = ev.end_sample > ev.start_sample ? std::llround(static_cast<double>(ev.end_sample - ev.start_sample) / fs_hz * 1e4) : -1;
      if (std::llround(static_cast<double>(onset) * 1e-4 * fs_hz) != ev.start_sample) ++off_grid;
      check(edfwrite_annotation_utf8(handle.id, onset, duration, text.c_str()), "an annotation");
    }
    if (static_cast<long long>(events.size()) > capacity) {
      result.warnings.push_back(std::to_string(static_cast<long long>(events.size()) - capacity) + " of " + std::to_string(events.size()) +
                                " events dropped: the file has room for " + std::to_string(capacity) + " annotations");
    }
    if (truncated > 0) result.warnings.push_back(std::to_string(truncated) + " event texts cut to 40 bytes (the EDFlib annotation limit)");
    if (channel_bound > 0) result.warnings.push_back(std::to_string(channel_bound) + " channel-specific events written as file-wide annotations");
    if (off_grid > 0) result.warnings.push_back(std::to_string(off_grid) + " event onsets moved: EDF+ annotations have 100 us resolution");

    std::vector<int> block(static_cast<std::size_t>(plan.spr * nch));
    const auto& x = recording.data();
    for (long long r = 0; r < plan.n_records; ++r) {
      for (long c = 0; c < nch; ++c) {
        const auto& cp = cplans[static_cast<std::size_t>(c)];
        for (long long k = 0; k < plan.spr; ++k) {
          const long long idx = std::min(r * plan.spr + k, n - 1);
          const double count = std::round((x(c, idx) - cp.offset) / cp.conversion);
          block[static_cast<std::size_t>(c * plan.spr + k)] = static_cast<int>(std::clamp(count, static_cast<double>(cp.dig_min), static_cast<double>(cp.dig_max)));
        }
      }
      if (edf_blockwrite_digital_samples(handle.id, block.data()) != 0) throw IoError(fn + ": " + path + ": write error in data record " + std::to_string(r));
    }
    const int id = handle.id;
    handle.id = -1;
    if (edfclose_file(id) != 0) throw IoError(fn + ": " + path + ": EDFlib could not finish the file");
  }

  // The error is measured on what was written, not estimated.
  Recording back = read_edf(tmp.path);
  if (back.n_channels() != nch || back.n_samples() < n) {
    throw IoError(fn + ": " + path + ": the written file reads back with a different shape");
  }
  if (std::fabs(back.fs_hz() - fs_hz) > 1e-12 * fs_hz) {
    result.warnings.push_back("sampling rate stored as " + detail::fmt(back.fs_hz()) + " Hz (requested " + detail::fmt(fs_hz) + " Hz)");
  }
  for (long c = 0; c < nch; ++c) {
    result.max_abs_error.push_back((back.data().row(c).head(n) - recording.data().row(c)).cwiseAbs().maxCoeff());
  }
  if (fs::exists(path, ec) && !overwrite) throw IoError(fn + ": " + path + " appeared while writing (pass overwrite=true to replace it)");
  fs::rename(tmp.path, path, ec);
  if (ec) throw IoError(fn + ": " + path + ": cannot move the temporary file into place (" + ec.message() + ")");
  tmp.keep = true;
  return result;
}

}  // namespace emg::io
