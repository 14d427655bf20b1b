// Minimal JSON text output for --json (values only; no parser needed).
#pragma once

#include <emg/io/text.hpp>

#include <cmath>
#include <cstdio>
#include <string>

namespace cramplab::json {

/// A JSON string literal. Valid UTF-8 passes through; any other byte (Latin-1 names from EDF
/// headers, for instance) is written as the code point of that byte, so the output is always
/// valid JSON.
inline std::string str(const std::string& s) {
  std::string out = "\"";
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  char buf[8];
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c == '\n') {
      out += "\\n", ++i;
    } else if (c == '\t') {
      out += "\\t", ++i;
    } else if (c == '\r') {
      out += "\\r", ++i;
    } else if (c < 0x20 || c == 0x7f) {
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf, ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c), ++i;
    } else {
      // Length of a well-formed UTF-8 sequence starting here, or 0.
      std::size_t len = 0;
      if (c >= 0xc2 && c <= 0xdf) len = 2;
      else if (c >= 0xe0 && c <= 0xef) len = 3;
      else if (c >= 0xf0 && c <= 0xf4) len = 4;
      bool ok = len > 0 && i + len <= n;
      for (std::size_t k = 1; ok && k < len; ++k) ok = (p[i + k] & 0xc0) == 0x80;
      if (ok && len == 3) {
        const unsigned cp = ((c & 0x0fu) << 12) | ((p[i + 1] & 0x3fu) << 6);
        ok = cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff);
      }
      if (ok && len == 4) {
        const unsigned cp = ((c & 0x07u) << 18) | ((p[i + 1] & 0x3fu) << 12);
        ok = cp >= 0x10000 && cp <= 0x10ffff;
      }
      if (ok) {
        out.append(s, i, len);
        i += len;
      } else {
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf, ++i;
      }
    }
  }
  out += '"';
  return out;
}

/// A JSON number (shortest round-trip digits); null for NaN or infinity, which JSON cannot hold.
inline std::string num(double v) { return std::isfinite(v) ? emg::io::format_double(v) : "null"; }
inline std::string num(long v) { return std::to_string(v); }
inline std::string boolean(bool v) { return v ? "true" : "false"; }

}  // namespace cramplab::json
