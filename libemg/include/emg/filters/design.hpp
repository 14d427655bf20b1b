// IIR filter design in double precision, returning second-order sections (SciPy's "sos").
//
// Design is separate from application (see apply.hpp). Frequencies are always in Hz with an
// explicit fs_hz, never normalised. Section order and coefficients equal
// scipy.signal.butter(order, cutoff, btype, output="sos", fs=fs_hz) and
// scipy.signal.iirnotch / iirpeak.
#pragma once

#include <emg/params.hpp>
#include <emg/types.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace emg::filters {

/// Second-order sections, one row per section: [b0 b1 b2 a0 a1 a2] with a0 = 1 (SciPy layout).
using Sos = Eigen::Matrix<double, Eigen::Dynamic, 6, Eigen::RowMajor>;

enum class BType { lowpass, highpass, bandpass, bandstop };

/// Parse "lowpass"/"highpass"/"bandpass"/"bandstop" (SciPy's aliases "low", "high", "band",
/// "pass", "stop", "bandpass" accepted too). Throws InvalidArgument naming `btype`.
BType parse_btype(std::string_view name);
std::string to_string(BType btype);

/// Butterworth digital filter as second-order sections.
///
/// @param order     SciPy's N, 1..kMaxButterOrder (a band filter has 2N poles).
/// @param cutoff_hz one edge for low/high-pass, two increasing edges for band-pass/stop;
///                  every edge in (0, fs_hz/2).
/// @param btype     filter type.
/// @param fs_hz     sampling rate, finite and > 0.
/// @throws InvalidArgument naming the parameter, value and rule.
Sos butter(int order, const std::vector<double>& cutoff_hz, BType btype, double fs_hz);

inline constexpr int kMaxButterOrder = 10;

/// Second-order IIR notch at w0_hz with quality factor q (bandwidth w0_hz/q at -3 dB):
/// one section equal to scipy.signal.iirnotch(w0_hz, q, fs=fs_hz) ([b, a] concatenated).
Sos iirnotch(double w0_hz, double q, double fs_hz);

/// Second-order IIR peak (resonator) at w0_hz, equal to scipy.signal.iirpeak.
Sos iirpeak(double w0_hz, double q, double fs_hz);

/// Complex frequency response of `sos` at the given frequencies (Hz), like scipy.signal.sosfreqz.
Eigen::VectorXcd sosfreqz(const Sos& sos, const Eigen::VectorXd& freqs_hz, double fs_hz);

/// Throws InvalidArgument unless `sos` has >= 1 row, finite entries and a0 == 1 in every row.
void validate_sos(const Sos& sos, std::string_view function);

}  // namespace emg::filters
