// PLUX OpenSignals HDF5 files. One root group per device (named by its MAC address) whose
// attributes carry the sampling rate, the resolution per channel and the acquisition date; the
// samples are unsigned ADC counts in raw/channel_<k> (N x 1). Attribute values are read whatever
// their stored type (integer, float or a string holding the numbers), because OpenSignals versions
// differ in how they write them.
#include <emg/errors.hpp>
#include <emg/io/opensignals.hpp>

#include "detail/check.hpp"

#include <H5Cpp.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace emg::io {

namespace {

constexpr const char* kFn = "read_opensignals";
constexpr double kVcc = 3.0;       // PLUX EMG sensor supply voltage (datasheet)
constexpr double kGainEmg = 1000;  // PLUX EMG sensor gain (datasheet)
// Larger than any real acquisition (8 channels x 24 h x 10 kHz is 7e9 would not fit in memory
// either); protects against datasets whose declared size is absurd.
constexpr double kMaxSamples = 2.0e9;
constexpr double kLowFsWarning = 200.0;

[[noreturn]] void format_error(const std::string& path, const std::string& object, const std::string& what) {
  throw FormatError(std::string(kFn) + ": " + path + (object.empty() ? "" : " [" + object + "]") + ": " + what);
}

void silence_hdf5() {
  thread_local const bool once = [] {  // HDF5 error printing is set per thread
    H5::Exception::dontPrint();
    return true;
  }();
  (void)once;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Every number in a string such as "[16, 16]" or "1000 Hz".
std::vector<double> numbers_in(const std::string& s) {
  std::vector<double> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c)) || ((c == '-' || c == '.') && i + 1 < s.size() &&
                                                        std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      double v = 0.0;
      const auto res = std::from_chars(s.data() + i, s.data() + s.size(), v);
      if (res.ec == std::errc() && res.ptr > s.data() + i) {
        out.push_back(v);
        i = static_cast<std::size_t>(res.ptr - s.data());
        continue;
      }
    }
    ++i;
  }
  return out;
}

// Closing the file closes every object still open in it, so an exception thrown half-way through
// a corrupt file leaves nothing behind in the HDF5 library.
H5::FileAccPropList strong_close() {
  H5::FileAccPropList fapl;
  fapl.setFcloseDegree(H5F_CLOSE_STRONG);
  return fapl;
}

bool has_attr(const H5::H5Object& obj, const std::string& name) { return obj.attrExists(name); }

std::string read_string_attr(const H5::H5Object& obj, const std::string& name) {
  if (!has_attr(obj, name)) return {};
  H5::Attribute a = obj.openAttribute(name);
  if (a.getTypeClass() == H5T_STRING) {
    if (a.getSpace().getSimpleExtentNpoints() != 1) return {};
    // Read into a buffer sized by a memory type we build, never by the file's (possibly damaged)
    // type: the C++ wrapper's string read trusts the stored sizes.
    const H5::StrType file_type = a.getStrType();
    std::string s;
    if (file_type.isVariableStr()) {
      H5::StrType mem(H5::PredType::C_S1, H5T_VARIABLE);
      mem.setCset(file_type.getCset());  // HDF5 will not convert between ASCII and UTF-8
      char* text = nullptr;
      a.read(mem, &text);
      if (text) {
        s.assign(text, strnlen(text, 1 << 16));
        H5free_memory(text);
      }
    } else {
      const std::size_t n = file_type.getSize();
      if (n == 0 || n > (1u << 16)) return {};
      std::vector<char> buf(n + 1, '\0');
      H5::StrType mem(H5::PredType::C_S1, n);
      mem.setCset(file_type.getCset());
      a.read(mem, buf.data());
      s.assign(buf.data(), strnlen(buf.data(), n));
    }
    return s;
  }
  if (a.getTypeClass() == H5T_INTEGER || a.getTypeClass() == H5T_FLOAT) {
    const auto n = a.getSpace().getSimpleExtentNpoints();
    if (n != 1) return {};
    double v = 0.0;
    a.read(H5::PredType::NATIVE_DOUBLE, &v);
    return detail::fmt(v);
  }
  return {};
}

// Numbers of an attribute stored as integer/float scalar or array, or as text.
std::vector<double> read_number_attr(const H5::H5Object& obj, const std::string& name) {
  if (!has_attr(obj, name)) return {};
  H5::Attribute a = obj.openAttribute(name);
  const auto cls = a.getTypeClass();
  if (cls == H5T_STRING) return numbers_in(read_string_attr(obj, name));
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) return {};
  const auto n = a.getSpace().getSimpleExtentNpoints();
  if (n <= 0 || n > 4096) return {};
  std::vector<double> v(static_cast<std::size_t>(n));
  a.read(H5::PredType::NATIVE_DOUBLE, v.data());
  return v;
}

std::string pad2(const std::string& s) { return s.size() == 1 ? "0" + s : s; }

// "2017-1-23" + "10:28:51.69" -> "2017-01-23T10:28:51.69" (fields zero-padded); "" if unparsable.
std::string iso_datetime(const std::string& date, const std::string& time) {
  auto split = [](const std::string& s, char d) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
      if (i == s.size() || s[i] == d) {
        parts.push_back(s.substr(start, i - start));
        start = i + 1;
      }
    }
    return parts;
  };
  const auto d = split(date, '-');
  const auto t = split(time, ':');
  if (d.size() != 3 || t.size() != 3) return {};
  for (const auto& p : d) {
    if (p.empty() || p.size() > 4 || !std::all_of(p.begin(), p.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) return {};
  }
  std::string sec = t[2];
  const auto dot = sec.find('.');
  const std::string whole = sec.substr(0, dot);
  return d[0] + "-" + pad2(d[1]) + "-" + pad2(d[2]) + "T" + pad2(t[0]) + ":" + pad2(t[1]) + ":" + pad2(whole) +
         (dot == std::string::npos ? "" : sec.substr(dot));
}

struct RawChannel {
  std::string device;   // group name (MAC)
  long number = 0;      // k of raw/channel_k
  int bits = 0;
  std::string sensor;   // "EMG", "ECG", ... or "" if not stored
  std::string label;
  std::vector<double> counts;
};

struct Device {
  std::string name;
  double fs_hz = 0.0;
  long nsamples = -1;  // from the attribute; -1 if absent
  std::string kind, mac, date, time;
  std::vector<RawChannel> channels;
};

bool is_device_group(const H5::Group& g) {
  if (!g.nameExists("raw")) return false;
  return g.childObjType("raw") == H5O_TYPE_GROUP;
}

// raw/channel_<k>: the number k, or -1 for any other name (nSeq, ...).
long channel_number(const std::string& name) {
  if (name.rfind("channel_", 0) != 0 || name.size() == 8 || name.size() > 12) return -1;
  long k = 0;
  for (std::size_t i = 8; i < name.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return -1;
    k = k * 10 + (name[i] - '0');
  }
  return k;
}

RawChannel read_channel(const std::string& path, const H5::Group& raw, const std::string& dev, const std::string& name,
                        long number, int bits, long nsamples) {
  const std::string obj = "/" + dev + "/raw/" + name;
  H5::DataSet ds = raw.openDataSet(name);
  if (ds.getTypeClass() != H5T_INTEGER) format_error(path, obj, "ADC counts must be integers, found another data type");
  H5::DataSpace space = ds.getSpace();
  const int rank = space.getSimpleExtentNdims();
  if (rank < 1 || rank > 2) format_error(path, obj, "expected an N x 1 array of counts, found rank " + std::to_string(rank));
  hsize_t dims[2] = {0, 1};
  space.getSimpleExtentDims(dims);
  if (rank == 2 && dims[1] != 1) {
    format_error(path, obj, "expected an N x 1 array of counts, found " + std::to_string(dims[0]) + " x " + std::to_string(dims[1]));
  }
  if (static_cast<double>(dims[0]) > kMaxSamples) {
    format_error(path, obj, std::to_string(dims[0]) + " samples is more than this reader accepts (" + detail::fmt(kMaxSamples) + ")");
  }
  if (dims[0] == 0) format_error(path, obj, "holds no samples");
  if (nsamples >= 0 && static_cast<hsize_t>(nsamples) != dims[0]) {
    format_error(path, obj, "holds " + std::to_string(dims[0]) + " samples but the device attribute 'nsamples' says " +
                                std::to_string(nsamples));
  }
  // A dataset declared large but never written would read as fill values: refuse it.
  if (ds.getStorageSize() == 0) format_error(path, obj, "declares " + std::to_string(dims[0]) + " samples but stores no data");
  RawChannel ch;
  ch.device = dev;
  ch.number = number;
  ch.bits = bits;
  ch.counts.resize(static_cast<std::size_t>(dims[0]));
  ds.read(ch.counts.data(), H5::PredType::NATIVE_DOUBLE);
  const double top = std::ldexp(1.0, bits) - 1.0;
  for (std::size_t i = 0; i < ch.counts.size(); ++i) {
    const double c = ch.counts[i];
    if (!(c >= 0.0 && c <= top)) {
      format_error(path, obj, "sample " + std::to_string(i) + " = " + detail::fmt(c) + " is outside the " +
                                  std::to_string(bits) + "-bit ADC range [0, " + detail::fmt(top) + "]");
    }
  }
  ch.sensor = read_string_attr(ds, "sensor");
  ch.label = read_string_attr(ds, "label");
  return ch;
}

Device read_device(const std::string& path, const H5::H5File& file, const std::string& name) {
  const std::string obj = "/" + name;
  H5::Group g = file.openGroup(name);
  Device dev;
  dev.name = name;
  const auto fs = read_number_attr(g, "sampling rate");
  if (fs.size() != 1) format_error(path, obj, "attribute 'sampling rate' is missing or not one number");
  if (!std::isfinite(fs[0]) || fs[0] <= 0.0 || fs[0] > 1.0e6) {
    format_error(path, obj, "attribute 'sampling rate' = " + detail::fmt(fs[0]) + " Hz is not in (0, 1e6]");
  }
  dev.fs_hz = fs[0];
  const auto ns = read_number_attr(g, "nsamples");
  if (ns.size() == 1) {
    if (!(ns[0] >= 0.0 && ns[0] <= kMaxSamples) || ns[0] != std::floor(ns[0])) {
      format_error(path, obj, "attribute 'nsamples' = " + detail::fmt(ns[0]) + " is not a sample count");
    }
    dev.nsamples = static_cast<long>(ns[0]);
  }
  const auto numbers = read_number_attr(g, "channels");
  const auto res = read_number_attr(g, "resolution");
  if (res.empty()) format_error(path, obj, "attribute 'resolution' (ADC bits per channel) is missing");
  dev.kind = read_string_attr(g, "device");
  dev.mac = read_string_attr(g, "macaddress");
  if (dev.mac.empty()) dev.mac = name;
  dev.date = read_string_attr(g, "date");
  dev.time = read_string_attr(g, "time");

  H5::Group raw = g.openGroup("raw");
  std::vector<std::pair<long, std::string>> found;
  const hsize_t n_obj = raw.getNumObjs();
  if (n_obj > 100000) format_error(path, obj + "/raw", "holds " + std::to_string(n_obj) + " objects; not an OpenSignals device");
  for (hsize_t i = 0; i < n_obj; ++i) {
    const std::string child = raw.getObjnameByIdx(i);
    const long k = channel_number(child);
    if (k >= 0 && raw.childObjType(child) == H5O_TYPE_DATASET) found.emplace_back(k, child);
  }
  std::sort(found.begin(), found.end());
  for (const auto& [k, child] : found) {
    // resolution[i] belongs to channels[i]; a single value applies to all channels
    double bits = res.size() == 1 ? res[0] : std::nan("");
    for (std::size_t i = 0; i < numbers.size() && i < res.size(); ++i) {
      if (numbers[i] == static_cast<double>(k)) bits = res[i];
    }
    if (std::isnan(bits)) {
      format_error(path, obj, "no 'resolution' entry for raw/" + child + " (attribute 'channels' lists " +
                                  std::to_string(numbers.size()) + " channels, 'resolution' " + std::to_string(res.size()) + " values)");
    }
    if (!(bits >= 1.0 && bits <= 32.0) || bits != std::floor(bits)) {
      format_error(path, obj, "resolution " + detail::fmt(bits) + " bits for raw/" + child + " is not an integer in [1, 32]");
    }
    dev.channels.push_back(read_channel(path, raw, name, child, k, static_cast<int>(bits), dev.nsamples));
  }
  return dev;
}

bool is_emg_sensor(const std::string& sensor) { return lower(sensor).rfind("emg", 0) == 0; }

std::string bids_type(const std::string& sensor) {
  const std::string s = lower(sensor);
  for (const char* t : {"ecg", "eeg", "eog"}) {
    if (s.rfind(t, 0) == 0) {
      std::string up = t;
      for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return up;
    }
  }
  return "MISC";
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

Recording build(const std::string& path, std::vector<Device> devices, const std::string& only_device) {
  if (!only_device.empty()) {
    std::vector<std::string> names;
    for (const auto& d : devices) names.push_back(d.name);
    devices.erase(std::remove_if(devices.begin(), devices.end(),
                                 [&](const Device& d) { return d.name != only_device && d.mac != only_device; }),
                  devices.end());
    if (devices.empty()) {
      detail::fail_param(kFn, "device", "\"" + only_device + "\"", "is not a device of " + path + " (devices: " + join(names, ", ") + ")");
    }
  }
  // One Recording has one rate: keep the fastest devices, name the others.
  double fs = 0.0;
  for (const auto& d : devices) {
    if (!d.channels.empty()) fs = std::max(fs, d.fs_hz);
  }
  if (fs == 0.0) format_error(path, "", "no raw/channel_<k> dataset in any device group");
  std::vector<std::string> skipped;
  std::vector<const RawChannel*> kept;
  std::vector<const Device*> kept_dev;
  for (const auto& d : devices) {
    if (d.channels.empty()) continue;
    if (d.fs_hz != fs) {
      skipped.push_back(d.name + " (" + std::to_string(d.channels.size()) + " channel(s) at " + detail::fmt(d.fs_hz) + " Hz)");
      continue;
    }
    for (const auto& c : d.channels) {
      kept.push_back(&c);
      kept_dev.push_back(&d);
    }
  }
  long n = -1;
  long longest = 0;
  for (const auto* c : kept) {
    const long len = static_cast<long>(c->counts.size());
    n = n < 0 ? len : std::min(n, len);
    longest = std::max(longest, len);
  }

  RowMatrixXd data(static_cast<Eigen::Index>(kept.size()), n);
  std::vector<ChannelInfo> info(kept.size());
  std::map<std::string, int> name_count;
  for (const auto* c : kept) name_count["channel_" + std::to_string(c->number)]++;
  bool assumed_emg = false;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const RawChannel& c = *kept[i];
    ChannelInfo& ci = info[i];
    ci.name = "channel_" + std::to_string(c.number);
    if (name_count[ci.name] > 1) ci.name = c.device + ":" + ci.name;
    const double levels = std::ldexp(1.0, c.bits);
    ci.digital_min = 0.0;
    ci.digital_max = levels - 1.0;
    const bool emg = c.sensor.empty() || is_emg_sensor(c.sensor);
    assumed_emg = assumed_emg || c.sensor.empty();
    if (emg) {
      // EMG(V) = (ADC/2^n - 1/2) * VCC / G  ==  ADC * conversion + offset
      ci.type = "EMG";
      ci.units = "V";
      ci.conversion = kVcc / (kGainEmg * levels);
      ci.offset = -kVcc / (2.0 * kGainEmg);
    } else {
      // No documented transfer function here: keep counts rather than mislabel them as volts.
      ci.type = bids_type(c.sensor);
      ci.units = "counts";
      ci.conversion = 1.0;
      ci.offset = 0.0;
    }
    for (long s = 0; s < n; ++s) {
      const double product = c.counts[static_cast<std::size_t>(s)] * ci.conversion;
      data(static_cast<Eigen::Index>(i), s) = product + ci.offset;
    }
  }
  Recording rec(std::move(data), fs, info);
  std::vector<std::string> macs, kinds;
  for (const auto* d : kept_dev) {
    if (std::find(macs.begin(), macs.end(), d->mac) == macs.end()) {
      macs.push_back(d->mac);
      kinds.push_back(d->kind);
    }
  }
  rec.set_attribute("device", join(kinds, ", "));
  rec.set_attribute("device_mac", join(macs, ", "));
  const Device& first = *kept_dev.front();
  if (!first.date.empty()) rec.set_attribute("start_date", first.date);
  if (!first.time.empty()) rec.set_attribute("start_time_of_day", first.time);
  const std::string iso = iso_datetime(first.date, first.time);
  if (!iso.empty()) rec.set_attribute("start_datetime", iso);
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const std::string key = "channel." + rec.channels()[i].name + ".";
    rec.set_attribute(key + "device", kept[i]->device);
    rec.set_attribute(key + "resolution_bits", std::to_string(kept[i]->bits));
    rec.set_attribute(key + "sensor", kept[i]->sensor.empty() ? "unknown (assumed EMG)" : kept[i]->sensor);
    if (!kept[i]->label.empty()) rec.set_attribute(key + "label", kept[i]->label);
  }
  std::vector<std::string> warnings;
  if (!skipped.empty()) {
    warnings.push_back("devices at a lower sampling rate were not imported: " + join(skipped, "; ") +
                       " (select one with read_opensignals(path, device))");
  }
  if (longest > n) {
    warnings.push_back("devices recorded different lengths; all channels cut to the shortest (" + std::to_string(n) +
                       " of up to " + std::to_string(longest) + " samples)");
  }
  if (assumed_emg) warnings.push_back("sensor type not stored for some channels; assumed EMG");
  if (fs < kLowFsWarning) {
    warnings.push_back("sampling rate " + detail::fmt(fs) + " Hz is below " + detail::fmt(kLowFsWarning) +
                       " Hz: too low for surface EMG analysis (content above " + detail::fmt(fs / 2) + " Hz is aliased)");
  }
  if (!warnings.empty()) rec.set_attribute("warning", join(warnings, "; "));
  rec.append_history(std::string(kFn) + "(path=" + path + "): " + std::to_string(kept.size()) +
                     " channel(s) at " + detail::fmt(fs) + " Hz, EMG counts -> V with (ADC/2^n - 1/2)*3 V/1000" +
                     (warnings.empty() ? "" : "; " + join(warnings, "; ")));
  return rec;
}

void check_readable(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw IoError(std::string(kFn) + ": '" + path + "' is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(std::string(kFn) + ": cannot open '" + path + "'");
}

bool has_hdf5_signature(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char sig[8] = {};
  in.read(sig, 8);
  return in.gcount() == 8 && std::string(sig, 8) == std::string("\x89HDF\r\n\x1a\n", 8);
}

// The superblock's end-of-file address must not exceed the file size: a truncated file (or one
// whose superblock is damaged) is refused here, before HDF5 opens it. HDF5 1.10 can leave a
// half-opened file behind when H5Fopen fails on such files.
void check_superblock(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char b[64] = {};
  in.read(reinterpret_cast<char*>(b), sizeof b);
  const auto got = static_cast<std::size_t>(in.gcount());
  const auto size = std::filesystem::file_size(path);
  if (got < 12) format_error(path, "", "truncated HDF5 superblock (file has " + std::to_string(size) + " bytes)");
  const int version = b[8];
  std::size_t off_size = 0, eoa_at = 0;
  if (version == 0 || version == 1) {
    off_size = b[13];
    eoa_at = 24 + (version == 1 ? 4 : 0) + 2 * off_size;
  } else if (version == 2 || version == 3) {
    off_size = b[9];
    eoa_at = 12 + 2 * off_size;
  } else {
    format_error(path, "", "unknown HDF5 superblock version " + std::to_string(version));
  }
  if (off_size != 2 && off_size != 4 && off_size != 8) {
    format_error(path, "", "damaged HDF5 superblock (size of offsets " + std::to_string(off_size) + ")");
  }
  if (eoa_at + off_size > got) format_error(path, "", "truncated HDF5 superblock (file has " + std::to_string(size) + " bytes)");
  std::uint64_t eoa = 0;
  for (std::size_t i = 0; i < off_size; ++i) eoa |= std::uint64_t{b[eoa_at + i]} << (8 * i);
  if (eoa > size) {
    format_error(path, "", "truncated or damaged: the HDF5 superblock says the file ends at byte " + std::to_string(eoa) +
                               " but it has " + std::to_string(size) + " bytes");
  }
}

// Variable-length strings (the sensor and label attributes) live in global heap collections
// ("GCOL"). HDF5 1.10 trusts the object sizes stored there and crashes on a damaged one, so every
// collection is checked against its own size and the file size before HDF5 reads a string.
void check_global_heaps(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char sb[16] = {};
  in.read(reinterpret_cast<char*>(sb), sizeof sb);
  const std::size_t len_size = (sb[8] <= 1) ? sb[14] : sb[10];  // superblock "size of lengths"
  if (len_size != 2 && len_size != 4 && len_size != 8) return;  // check_superblock reports oddities
  const auto size = std::filesystem::file_size(path);
  auto unum = [](const unsigned char* b, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{b[i]} << (8 * i);
    return v;
  };
  auto damaged = [&](std::uint64_t at, const std::string& what) {
    format_error(path, "", "damaged HDF5 global heap at byte " + std::to_string(at) + ": " + what);
  };
  constexpr std::size_t kChunk = 1 << 20;
  std::vector<char> buf(kChunk + 3);
  std::uint64_t base = 0;
  in.clear();
  in.seekg(0);
  std::size_t carried = 0;
  while (in) {
    in.read(buf.data() + carried, static_cast<std::streamsize>(kChunk));
    const std::size_t got = carried + static_cast<std::size_t>(in.gcount());
    if (got < 4) break;
    for (std::size_t i = 0; i + 4 <= got; ++i) {
      if (std::memcmp(buf.data() + i, "GCOL", 4) != 0) continue;
      const std::uint64_t at = base + i;
      unsigned char h[32] = {};
      std::ifstream probe(path, std::ios::binary);
      probe.seekg(static_cast<std::streamoff>(at));
      probe.read(reinterpret_cast<char*>(h), static_cast<std::streamsize>(8 + len_size));
      if (probe.gcount() < static_cast<std::streamsize>(8 + len_size)) continue;
      if (h[4] != 1 || h[5] != 0 || h[6] != 0 || h[7] != 0) continue;  // not a collection header
      const std::uint64_t coll = unum(h + 8, len_size);
      if (coll < 8 + len_size || coll > size - at) damaged(at, "collection size " + std::to_string(coll) + " does not fit the file");
      std::vector<unsigned char> c(static_cast<std::size_t>(coll));
      probe.seekg(static_cast<std::streamoff>(at));
      probe.read(reinterpret_cast<char*>(c.data()), static_cast<std::streamsize>(coll));
      if (static_cast<std::uint64_t>(probe.gcount()) != coll) damaged(at, "collection cut short");
      std::uint64_t p = 8 + len_size;
      while (p + 8 + len_size <= coll) {
        const auto index = unum(c.data() + p, 2);
        if (index == 0) break;  // free space: the rest of the collection
        const std::uint64_t obj = unum(c.data() + p + 8, len_size);
        const std::uint64_t start = p + 8 + len_size;
        if (obj > coll - start) damaged(at + p, "object " + std::to_string(index) + " claims " + std::to_string(obj) + " bytes");
        p = start + (obj + 7) / 8 * 8;
      }
    }
    // keep the last 3 bytes: a signature may straddle two chunks
    const std::size_t keep = std::min<std::size_t>(3, got);
    std::memmove(buf.data(), buf.data() + got - keep, keep);
    base += got - keep;
    carried = keep;
  }
}

std::vector<std::string> device_groups(const H5::H5File& file) {
  std::vector<std::string> out;
  const hsize_t n = file.getNumObjs();
  for (hsize_t i = 0; i < n && i < 100000; ++i) {
    const std::string name = file.getObjnameByIdx(i);
    if (file.childObjType(name) != H5O_TYPE_GROUP) continue;
    if (is_device_group(file.openGroup(name))) out.push_back(name);
  }
  return out;
}

Recording read_impl(const std::string& path, const std::string& only_device) {
  silence_hdf5();
  check_readable(path);
  if (!has_hdf5_signature(path)) format_error(path, "", "not an HDF5 file (no HDF5 signature at the start)");
  check_superblock(path);
  check_global_heaps(path);
  std::string where;
  try {
    H5::H5File file(path, H5F_ACC_RDONLY, H5::FileCreatPropList::DEFAULT, strong_close());
    where = "/";
    const auto groups = device_groups(file);
    if (groups.empty()) {
      format_error(path, "/", "HDF5 file without the OpenSignals layout (no device group holding raw/channel_<k>)");
    }
    std::vector<Device> devices;
    for (const auto& g : groups) {
      where = "/" + g;
      devices.push_back(read_device(path, file, g));
    }
    return build(path, std::move(devices), only_device);
  } catch (const H5::Exception& e) {
    throw FormatError(std::string(kFn) + ": " + path + " [" + where + "]: HDF5 error in " + e.getFuncName() + ": " +
                      e.getDetailMsg());
  }
}

}  // namespace

bool is_opensignals_file(const std::string& path) {
  silence_hdf5();
  if (!has_hdf5_signature(path)) return false;
  try {
    check_superblock(path);
    H5::H5File file(path, H5F_ACC_RDONLY, H5::FileCreatPropList::DEFAULT, strong_close());
    return !device_groups(file).empty();
  } catch (const H5::Exception&) {
    return false;
  } catch (const FormatError&) {
    return false;
  }
}

Recording read_opensignals(const std::string& path) { return read_impl(path, ""); }

Recording read_opensignals(const std::string& path, const std::string& device) {
  if (device.empty()) detail::fail_param(kFn, "device", "\"\"", "must name a device group (MAC address)");
  return read_impl(path, device);
}

}  // namespace emg::io
