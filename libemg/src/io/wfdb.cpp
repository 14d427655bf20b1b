// WFDB records: a .hea text header and its signal files in format 16 (int16 LE) or 212 (two 12-bit
// samples in three bytes). Our own parser: no packaged C++ WFDB library exists in Debian that
// can be linked statically without its network code. Every size is checked against the file
// before anything is allocated, so absurd headers fail fast instead of exhausting memory.
#include <emg/errors.hpp>
#include <emg/io/wfdb.hpp>

#include "detail/check.hpp"
#include "io/detail/channel_names.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string_view>
#include <vector>

namespace emg::io {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kFn = "read_wfdb";
constexpr std::uintmax_t kMaxHeaderBytes = 1u << 20;  // real headers are a few hundred bytes
constexpr long long kMaxSignals = 10000;              // keeps the per-signal name checks cheap

[[noreturn]] void format_error(const std::string& file, const std::string& what) {
  throw FormatError(std::string(kFn) + ": " + file + ": " + what);
}

[[noreturn]] void io_error(const std::string& file, const std::string& what) {
  throw IoError(std::string(kFn) + ": " + file + ": " + what);
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n\v\f");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n\v\f");
  return s.substr(first, last - first + 1);
}

std::vector<std::string_view> tokens(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    const std::size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// Printable excerpt of header text for messages (the header may be garbage).
std::string quote(std::string_view s) {
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < 60; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static const char* hex = "0123456789ABCDEF";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  if (s.size() > 60) out += "...";
  return out + "'";
}

bool parse_int(std::string_view s, long long& v) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto res = std::from_chars(s.data(), s.data() + s.size(), v);
  return res.ec == std::errc() && res.ptr == s.data() + s.size();
}

bool parse_real(std::string_view s, double& v) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto res = std::from_chars(s.data(), s.data() + s.size(), v);
  return res.ec == std::errc() && res.ptr == s.data() + s.size() && std::isfinite(v);
}

struct SignalSpec {
  std::string file;
  int format = 16;
  double gain = 200.0;
  double baseline = 0.0;
  bool has_baseline = false;
  std::string units = "mV";
  int adc_resolution = 0;
  long long adc_zero = 0;
  long long initial_value = 0;
  bool has_initial = false;
  long long checksum = 0;
  bool has_checksum = false;
  std::string description;
};

struct Header {
  std::string record;
  long long n_signals = 0;
  double fs_hz = 250.0;  // the WFDB default when the header omits it
  std::string counter_freq;
  long long n_samples = -1;  // -1 = not given (derive from the file size)
  std::string base_time;
  std::string base_date;
  std::vector<SignalSpec> signals;
  std::vector<std::string> comments;
};

// "fs[/counter[(base)]]"
double parse_fs(const std::string& file, std::string_view tok, std::string& counter) {
  const auto slash = tok.find('/');
  if (slash != std::string_view::npos) {
    counter = std::string(tok.substr(slash + 1));
    tok = tok.substr(0, slash);
  }
  double fs_hz = 0.0;
  if (!parse_real(tok, fs_hz) || fs_hz <= 0.0) {
    format_error(file, "record line: sampling frequency " + quote(tok) + " must be a finite number > 0");
  }
  return fs_hz;
}

// "gain[(baseline)][/units]"
void parse_gain(const std::string& file, std::string_view tok, SignalSpec& sig, std::size_t index) {
  const std::string where = "signal " + std::to_string(index) + ": ";
  const auto slash = tok.find('/');
  if (slash != std::string_view::npos) {
    std::string units(tok.substr(slash + 1));
    if (units.empty()) format_error(file, where + "empty units after '/' in " + quote(tok));
    // Lower-case "mv" occurs in real PhysioNet headers; the SI prefix can only mean milli.
    if (units == "mv") units = "mV";
    if (units == "uv") units = "uV";
    sig.units = units;
    tok = tok.substr(0, slash);
  }
  const auto paren = tok.find('(');
  if (paren != std::string_view::npos) {
    if (tok.back() != ')') format_error(file, where + "gain " + quote(tok) + " has an unclosed '(baseline'");
    long long b = 0;
    if (!parse_int(tok.substr(paren + 1, tok.size() - paren - 2), b)) {
      format_error(file, where + "baseline in " + quote(tok) + " must be an integer");
    }
    sig.baseline = static_cast<double>(b);
    sig.has_baseline = true;
    tok = tok.substr(0, paren);
  }
  double gain = 0.0;
  if (!parse_real(tok, gain)) format_error(file, where + "gain " + quote(tok) + " must be a finite number");
  if (gain < 0.0) format_error(file, where + "gain " + quote(tok) + " must be >= 0");
  sig.gain = gain == 0.0 ? 200.0 : gain;  // WFDB: 0 = uncalibrated, use the default 200
}

// "format[xspf][:skew][+offset]"; only plain 16 and 212 are supported.
int parse_format(const std::string& file, std::string_view tok, std::size_t index) {
  const std::string where = "signal " + std::to_string(index) + ": ";
  const auto cut = tok.find_first_of("x:+");
  long long fmt_code = 0;
  if (!parse_int(tok.substr(0, cut), fmt_code)) format_error(file, where + "format " + quote(tok) + " is not a number");
  if (cut != std::string_view::npos) {
    // Modifiers that change nothing (x1, :0, +0) are accepted.
    std::string_view rest = tok.substr(cut);
    while (!rest.empty()) {
      const char kind = rest.front();
      rest.remove_prefix(1);
      const auto next = rest.find_first_of("x:+");
      long long v = 0;
      if (!parse_int(rest.substr(0, next), v)) format_error(file, where + "format " + quote(tok) + " is malformed");
      const bool neutral = (kind == 'x' && v == 1) || (kind != 'x' && v == 0);
      if (!neutral) {
        const char* what = kind == 'x' ? "multiple samples per frame" : kind == ':' ? "skew" : "a byte offset";
        format_error(file, where + "format " + quote(tok) + " uses " + what + ", which is not supported (plain formats 16 and 212 are)");
      }
      rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next);
    }
  }
  if (fmt_code != 16 && fmt_code != 212) {
    format_error(file, where + "format " + std::to_string(fmt_code) + " is not supported (formats 16 and 212 are)");
  }
  return static_cast<int>(fmt_code);
}

Header parse_header(const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) io_error(path, "cannot read the header (" + ec.message() + ")");
  if (size == 0) format_error(path, "the header file is empty");
  if (size > kMaxHeaderBytes) format_error(path, "the header is " + std::to_string(size) + " bytes; a WFDB header is at most 1 MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) io_error(path, "cannot open the header");
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size)) io_error(path, "short read of the header");
  if (text.find('\0') != std::string::npos) format_error(path, "the header contains NUL bytes (not a WFDB text header)");

  Header h;
  std::vector<std::string_view> lines;
  std::vector<std::string_view> spec_lines;
  std::string_view rest(text);
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  }
  bool have_record = false;
  for (auto raw : lines) {
    const auto line = trim(raw);
    if (line.empty()) continue;
    if (line.front() == '#') {
      auto c = line.substr(1);
      if (!c.empty() && c.front() == ' ') c.remove_prefix(1);
      h.comments.emplace_back(c);
      continue;
    }
    if (!have_record) {
      have_record = true;
      const auto t = tokens(line);
      h.record = std::string(t[0]);
      if (h.record.find('/') != std::string::npos) {
        format_error(path, "multi-segment record " + quote(h.record) + " is not supported");
      }
      if (t.size() < 2) format_error(path, "record line " + quote(line) + " has no signal count");
      if (!parse_int(t[1], h.n_signals) || h.n_signals < 1) {
        format_error(path, "record line: number of signals " + quote(t[1]) + " must be an integer >= 1");
      }
      if (t.size() >= 3) h.fs_hz = parse_fs(path, t[2], h.counter_freq);
      if (t.size() >= 4) {
        if (!parse_int(t[3], h.n_samples) || h.n_samples < 0) {
          format_error(path, "record line: number of samples " + quote(t[3]) + " must be an integer >= 0");
        }
        if (h.n_samples == 0) h.n_samples = -1;  // 0 = unspecified in WFDB
      }
      if (t.size() >= 5) h.base_time = std::string(t[4]);
      if (t.size() >= 6) h.base_date = std::string(t[5]);
      continue;
    }
    spec_lines.push_back(line);
  }
  if (!have_record) format_error(path, "no record line (the header has only comments or blank lines)");
  if (h.n_signals > kMaxSignals) {
    format_error(path, "the record line declares " + std::to_string(h.n_signals) + " signals; at most " + std::to_string(kMaxSignals) +
                           " are supported");
  }
  // Checked before reserving anything: a header claiming 10^9 signals must not allocate 10^9 specs.
  if (static_cast<long long>(spec_lines.size()) < h.n_signals) {
    format_error(path, "the record line declares " + std::to_string(h.n_signals) + " signals but the header has " +
                           std::to_string(spec_lines.size()) + " signal lines");
  }
  for (std::size_t i = 0; i < static_cast<std::size_t>(h.n_signals); ++i) {
    const auto t = tokens(spec_lines[i]);
    SignalSpec sig;
    sig.file = std::string(t[0]);
    if (t.size() < 2) format_error(path, "signal " + std::to_string(i) + ": line " + quote(spec_lines[i]) + " has no format");
    sig.format = parse_format(path, t[1], i);
    if (t.size() >= 3) parse_gain(path, t[2], sig, i);
    long long v = 0;
    if (t.size() >= 4) {
      if (!parse_int(t[3], v) || v < 0 || v > 32) {
        format_error(path, "signal " + std::to_string(i) + ": ADC resolution " + quote(t[3]) + " must be an integer in [0, 32]");
      }
      sig.adc_resolution = static_cast<int>(v);
    }
    if (sig.adc_resolution == 0) sig.adc_resolution = sig.format == 212 ? 12 : 16;
    if (t.size() >= 5) {
      if (!parse_int(t[4], sig.adc_zero) || std::llabs(sig.adc_zero) > (1LL << 32)) {
        format_error(path, "signal " + std::to_string(i) + ": ADC zero " + quote(t[4]) + " must be an integer in [-2^32, 2^32]");
      }
    }
    if (!sig.has_baseline) sig.baseline = static_cast<double>(sig.adc_zero);
    if (t.size() >= 6) {
      if (!parse_int(t[5], sig.initial_value)) {
        format_error(path, "signal " + std::to_string(i) + ": initial value " + quote(t[5]) + " must be an integer");
      }
      sig.has_initial = true;
    }
    if (t.size() >= 7) {
      if (!parse_int(t[6], sig.checksum)) format_error(path, "signal " + std::to_string(i) + ": checksum " + quote(t[6]) + " must be an integer");
      sig.has_checksum = true;
    }
    if (t.size() >= 8) {
      if (!parse_int(t[7], v) || v != 0) {
        format_error(path, "signal " + std::to_string(i) + ": block size " + quote(t[7]) + " is not supported (only 0)");
      }
    }
    if (t.size() >= 9) {
      // The description is the rest of the line, spaces included.
      const auto pos = static_cast<std::size_t>(t[8].data() - spec_lines[i].data());
      sig.description = std::string(trim(spec_lines[i].substr(pos)));
    }
    h.signals.push_back(std::move(sig));
  }
  return h;
}

// One signal file and the signals interleaved in it, in header order.
struct SignalFile {
  std::string name;
  int format = 16;
  std::vector<std::size_t> signals;
};

// Bytes a format-212 file holds for `total` samples (WFDB flushes an odd last sample in 2 bytes).
std::uintmax_t bytes_212(std::uintmax_t total) { return total / 2 * 3 + (total % 2 ? 2 : 0); }

std::vector<std::uint8_t> read_bytes(const std::string& path, std::uintmax_t size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) io_error(path, "cannot open the signal file");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size)) io_error(path, "short read of the signal file");
  return bytes;
}

// Decode all samples of one file into counts[signal][sample].
void decode(const std::vector<std::uint8_t>& bytes, const SignalFile& f, long long n_samples,
            std::vector<std::vector<std::int32_t>>& counts) {
  const std::size_t nsig = f.signals.size();
  const std::size_t total = static_cast<std::size_t>(n_samples) * nsig;
  auto store = [&](std::size_t k, std::int32_t v) { counts[f.signals[k % nsig]][k / nsig] = v; };
  if (f.format == 16) {
    for (std::size_t k = 0; k < total; ++k) {
      const auto u = static_cast<std::uint16_t>(bytes[2 * k] | (bytes[2 * k + 1] << 8));
      store(k, static_cast<std::int16_t>(u));
    }
    return;
  }
  // 212: first sample = byte0 + low nibble of byte1 (high bits); second = byte2 + high nibble.
  auto sign12 = [](std::uint32_t u) { return static_cast<std::int32_t>(u & 0x800 ? static_cast<std::int32_t>(u) - 4096 : static_cast<std::int32_t>(u)); };
  for (std::size_t k = 0; k < total; k += 2) {
    const std::size_t b = k / 2 * 3;
    store(k, sign12(bytes[b] | ((bytes[b + 1] & 0x0Fu) << 8)));
    if (k + 1 < total) store(k + 1, sign12(bytes[b + 2] | ((bytes[b + 1] & 0xF0u) << 4)));
  }
}

using emg::detail::unique_name;

// "<age>: 44 <sex>: M <diagnoses> text" -> {age: 44, sex: M, diagnoses: text}; a comment line
// without tags that starts with a blank continues the previous tag's value.
std::map<std::string, std::string> parse_tags(const std::vector<std::string>& comments) {
  std::map<std::string, std::string> tags;
  std::string last;
  for (const auto& c : comments) {
    if (c.find('<') == std::string::npos) {
      if (!last.empty() && !c.empty() && (c.front() == ' ' || c.front() == '\t')) {
        tags[last] += " " + std::string(trim(c));
      } else {
        last.clear();
      }
      continue;
    }
    std::size_t pos = c.find('<');
    last.clear();
    while (pos != std::string::npos) {
      const auto close = c.find('>', pos);
      if (close == std::string::npos) break;
      std::string key(trim(std::string_view(c).substr(pos + 1, close - pos - 1)));
      auto next = c.find('<', close);
      std::string_view value = std::string_view(c).substr(close + 1, next == std::string::npos ? std::string::npos : next - close - 1);
      value = trim(value);
      if (!value.empty() && value.front() == ':') value = trim(value.substr(1));
      if (!key.empty() && key.find_first_of(" \t") == std::string::npos) {
        tags[key] = std::string(value);
        last = key;
      }
      pos = next;
    }
  }
  return tags;
}

// Undo wrap-around: every sample is either as stored or shifted by `shift` (one direction per
// signal); the path minimising sum |y[k] - y[k-1]| + penalty * (samples shifted) wins (Viterbi,
// first sample unshifted). The penalty keeps long stretches from being shifted for no gain; a
// plain "jump > half range" rule gets stuck in the wrong state when the true signal itself jumps
// that far (it does in the PhysioNet neuropathy record). Returns the path cost.
double unwrap_one_way(const std::vector<std::int32_t>& c, std::int64_t shift, std::vector<std::int64_t>& out) {
  const double penalty = static_cast<double>(std::llabs(shift)) / 8.0;
  std::vector<std::uint8_t> back(c.size() * 2, 0);
  double cost[2] = {0.0, std::numeric_limits<double>::infinity()};
  for (std::size_t k = 1; k < c.size(); ++k) {
    double next[2];
    for (int j = 0; j < 2; ++j) {
      const double y = static_cast<double>(c[k] + (j ? shift : 0));
      const double stay = cost[j] + std::fabs(y - static_cast<double>(c[k - 1] + (j ? shift : 0)));
      const double move = cost[1 - j] + std::fabs(y - static_cast<double>(c[k - 1] + (j ? 0 : shift)));
      next[j] = (stay <= move ? stay : move) + (j ? penalty : 0.0);
      back[k * 2 + static_cast<std::size_t>(j)] = static_cast<std::uint8_t>(stay <= move ? j : 1 - j);
    }
    cost[0] = next[0];
    cost[1] = next[1];
  }
  int state = cost[1] < cost[0] ? 1 : 0;
  const double total = cost[state];
  out.resize(c.size());
  for (std::size_t k = c.size(); k-- > 0;) {
    out[k] = c[k] + (state ? shift : 0);
    state = back[k * 2 + static_cast<std::size_t>(state)];
  }
  return total;
}

// Overflow below the range (shift down) or above it (shift up): the cheaper path wins.
std::vector<std::int64_t> unwrap(const std::vector<std::int32_t>& c, std::int64_t modulus) {
  std::vector<std::int64_t> down, up;
  const double cost_down = unwrap_one_way(c, -modulus, down);
  const double cost_up = unwrap_one_way(c, modulus, up);
  return cost_down <= cost_up ? down : up;
}

std::string hea_path(const std::string& path) {
  if (path.size() >= 4 && path.compare(path.size() - 4, 4, ".hea") == 0) return path;
  if (fs::exists(path + ".hea")) return path + ".hea";
  return path;
}

}  // namespace

Recording read_wfdb(const std::string& path, const WfdbOptions& options) {
  const auto& mode = options.wraparound;
  if (mode != "error" && mode != "unwrap" && mode != "keep") {
    detail::fail_param(kFn, "wraparound", "\"" + mode + "\"", "must be one of error, unwrap, keep");
  }
  const std::string hea = hea_path(path);
  if (!fs::exists(hea)) io_error(hea, "no such file");
  const Header h = parse_header(hea);
  const fs::path dir = fs::path(hea).parent_path();

  // Group the signals by file; all signals of one file share its format and are interleaved.
  std::vector<SignalFile> files;
  for (std::size_t i = 0; i < h.signals.size(); ++i) {
    const auto& sig = h.signals[i];
    if (sig.file == "-") format_error(hea, "signal " + std::to_string(i) + " reads standard input, which is not supported");
    auto it = std::find_if(files.begin(), files.end(), [&](const SignalFile& f) { return f.name == sig.file; });
    if (it == files.end()) {
      files.push_back({sig.file, sig.format, {}});
      it = files.end() - 1;
    } else if (it->format != sig.format) {
      format_error(hea, "signals in " + sig.file + " mix formats " + std::to_string(it->format) + " and " + std::to_string(sig.format));
    }
    it->signals.push_back(i);
  }

  // Sizes first: the sample count must match every file before anything is allocated.
  long long n_samples = h.n_samples;
  std::vector<std::uintmax_t> sizes;
  for (const auto& f : files) {
    const std::string dat = (dir / f.name).string();
    std::error_code ec;
    if (!fs::exists(dat, ec)) io_error(dat, "no such file (signal file named in " + hea + ")");
    const auto size = fs::file_size(dat, ec);
    if (ec) io_error(dat, "cannot read the signal file (" + ec.message() + ")");
    sizes.push_back(size);
    const std::uintmax_t nsig = f.signals.size();
    if (n_samples < 0) {  // not in the header: derive from the size of the first file
      const std::uintmax_t total = f.format == 16 ? size / 2 : size / 3 * 2 + (size % 3 == 2 ? 1 : 0);
      n_samples = static_cast<long long>(total / nsig);
    }
    const auto n = static_cast<std::uintmax_t>(n_samples);
    // n <= size bounds every product below well inside 64 bits (nsig <= header lines).
    if (n > size) {
      format_error(dat, "the header declares " + std::to_string(n) + " samples per signal but the file has only " +
                            std::to_string(size) + " bytes");
    }
    const std::uintmax_t expected = f.format == 16 ? n * nsig * 2 : bytes_212(n * nsig);
    const bool padded_212 = f.format == 212 && (n * nsig) % 2 == 1 && size == expected + 1;
    if (size != expected && !padded_212) {
      format_error(dat, "expected " + std::to_string(expected) + " bytes (" + std::to_string(n) + " samples x " +
                            std::to_string(nsig) + " signals, format " + std::to_string(f.format) + ") but the file has " +
                            std::to_string(size) + " bytes");
    }
  }
  if (n_samples <= 0) format_error(hea, "the record has no samples");

  const std::size_t nsig = h.signals.size();
  std::vector<std::vector<std::int32_t>> counts(nsig, std::vector<std::int32_t>(static_cast<std::size_t>(n_samples)));
  for (std::size_t fi = 0; fi < files.size(); ++fi) {
    const std::string dat = (dir / files[fi].name).string();
    decode(read_bytes(dat, sizes[fi]), files[fi], n_samples, counts);
  }

  RowMatrixXd data(static_cast<Eigen::Index>(nsig), static_cast<Eigen::Index>(n_samples));
  std::vector<ChannelInfo> channels;
  std::vector<std::string> history;
  std::map<std::string, std::string> attrs;
  for (std::size_t i = 0; i < nsig; ++i) {
    const auto& sig = h.signals[i];
    auto& c = counts[i];
    const std::string dat = (dir / sig.file).string();
    const std::string label = sig.description.empty() ? "sig" + std::to_string(i) : sig.description;
    const std::string name = unique_name(label, channels);
    const std::string who = "signal " + std::to_string(i) + " '" + label + "'";
    if (sig.has_checksum) {
      // WFDB checksum: the 16-bit sum of the samples as stored.
      std::uint32_t sum = 0;
      for (auto v : c) sum += static_cast<std::uint32_t>(v);
      const auto got = static_cast<std::int16_t>(static_cast<std::uint16_t>(sum & 0xFFFFu));
      const auto want = static_cast<std::int16_t>(static_cast<std::uint16_t>(static_cast<std::uint64_t>(sig.checksum) & 0xFFFFu));
      if (got != want) {
        format_error(dat, who + ": checksum mismatch (header " + std::to_string(sig.checksum) + ", data " + std::to_string(got) +
                              "): the signal file is corrupt or belongs to another header");
      }
    }
    if (sig.has_initial && c[0] != sig.initial_value) {
      format_error(dat, who + ": first sample is " + std::to_string(c[0]) + " but the header's initial value is " +
                            std::to_string(sig.initial_value));
    }
    // Wrap-around: a jump of more than half the storage range between neighbours.
    const std::int64_t modulus = sig.format == 16 ? 65536 : 4096;
    std::int64_t n_jumps = 0, first = -1;
    for (std::size_t k = 1; k < c.size(); ++k) {
      if (std::llabs(static_cast<std::int64_t>(c[k]) - c[k - 1]) > modulus / 2) {
        ++n_jumps;
        if (first < 0) first = static_cast<std::int64_t>(k);
      }
    }
    const std::int64_t half_range = std::int64_t{1} << (sig.adc_resolution - 1);  // resolution is 1..32
    std::int64_t lo = sig.adc_zero - half_range;
    std::int64_t hi = sig.adc_zero + half_range - 1;
    std::vector<std::int64_t> unwrapped;
    if (n_jumps > 0) {
      const std::string what = std::to_string(n_jumps) + " jumps of more than half the int" + std::to_string(sig.format == 16 ? 16 : 12) +
                               " range look like wrap-around (int" + std::to_string(sig.format == 16 ? 16 : 12) +
                               " overflow), first at sample " + std::to_string(first);
      if (mode == "error") {
        format_error(dat, who + ": " + what + "; re-import with wraparound=unwrap to undo it or keep to import as stored");
      }
      if (mode == "unwrap") {
        unwrapped = unwrap(c, modulus);
        std::int64_t shifted = 0;
        for (std::size_t k = 0; k < c.size(); ++k) {
          shifted += unwrapped[k] != c[k];
          lo = std::min(lo, unwrapped[k]);
          hi = std::max(hi, unwrapped[k]);
        }
        const std::string done = what + "; " + std::to_string(shifted) + " samples shifted by " + std::to_string(modulus) +
                                 " counts (smoothest path; where the true signal itself jumps by more than half the range the "
                                 "choice can be wrong)";
        history.push_back("read_wfdb: " + who + ": unwrapped: " + done);
        attrs["wfdb." + name + ".unwrapped"] = done;
      } else {
        attrs["wfdb." + name + ".wraparound_warning"] = what + " (kept as stored)";
      }
    }
    // value = count * conversion + offset, computed exactly as stored so counts stay recoverable.
    ChannelInfo info;
    info.name = name;
    if (info.name != label) history.push_back("read_wfdb: duplicate signal description '" + label + "' renamed to '" + info.name + "'");
    info.units = sig.units;
    info.conversion = 1.0 / sig.gain;
    info.offset = -sig.baseline * info.conversion;
    info.digital_min = static_cast<double>(lo);
    info.digital_max = static_cast<double>(hi);
    for (std::size_t k = 0; k < c.size(); ++k) {
      const double count = unwrapped.empty() ? static_cast<double>(c[k]) : static_cast<double>(unwrapped[k]);
      data(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) = count * info.conversion + info.offset;
    }
    if (!data.row(static_cast<Eigen::Index>(i)).allFinite()) {
      format_error(hea, who + ": gain " + detail::fmt(sig.gain) + " and baseline " + detail::fmt(sig.baseline) +
                            " give values that are not finite numbers");
    }
    attrs["wfdb." + info.name + ".format"] = std::to_string(sig.format);
    attrs["wfdb." + info.name + ".gain"] = detail::fmt(sig.gain);
    attrs["wfdb." + info.name + ".adc_resolution"] = std::to_string(sig.adc_resolution);
    channels.push_back(std::move(info));
  }

  Recording rec(std::move(data), h.fs_hz, std::move(channels));
  rec.set_attribute("wfdb.record", h.record);
  if (!h.counter_freq.empty()) rec.set_attribute("wfdb.counter_frequency", h.counter_freq);
  if (!h.base_time.empty()) rec.set_attribute("wfdb.base_time", h.base_time);
  if (!h.base_date.empty()) rec.set_attribute("wfdb.base_date", h.base_date);
  if (!h.comments.empty()) {
    std::string joined;
    for (const auto& c : h.comments) joined += (joined.empty() ? "" : "\n") + c;
    rec.set_attribute("comments", joined);
    for (const auto& [k, v] : parse_tags(h.comments)) rec.set_attribute(k, v);
  }
  for (const auto& [k, v] : attrs) rec.set_attribute(k, v);
  for (const auto& line : history) rec.append_history(line);
  return rec;
}

}  // namespace emg::io
