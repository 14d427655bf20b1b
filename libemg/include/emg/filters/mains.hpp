// Power-line interference removal at the line frequency and all its harmonics (SCIENCE.md §3.3).
#pragma once

#include <emg/params.hpp>
#include <emg/types.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace emg::filters {

enum class MainsMethod {
  interpolation,  ///< spectrum interpolation (Mewett et al. 2004): default
  notch,          ///< cascade of iirnotch sections applied zero-phase
};
/// Parse "interpolation" or "notch"; throws InvalidArgument naming `method`.
MainsMethod parse_mains_method(std::string_view name);
/// Same, with `function` in the error message.
MainsMethod parse_mains_method(std::string_view name, std::string_view function);
std::string to_string(MainsMethod method);

/// Parameters of remove_mains.
///
/// line_hz: 50 or 60 for the public grids, 0 = detect (detect_line_frequency). Any other value in
/// (0, fs_hz/2) is accepted too, deliberately: railway (16.7 Hz) or aircraft (400 Hz) supplies and
/// equipment hum exist, and the value is always an explicit user choice.
/// validate(fs_hz) checks: fs_hz finite > 0; line_hz = 0 or in (0, fs_hz/2); bandwidth_hz > 0 and
/// < line_hz/2 (< 25 Hz when line_hz = 0), so bands of adjacent harmonics never touch; q finite > 0;
/// max_hz = 0 or in (0, fs_hz/2]; max_hz >= line_hz when both are given (otherwise nothing is treated).
struct MainsParams {
  double line_hz = 50.0;        ///< 50 or 60 (any value in (0, Nyquist) accepted); 0 = detect
  MainsMethod method = MainsMethod::interpolation;
  double max_hz = 0.0;          ///< highest harmonic frequency treated; 0 = up to Nyquist
  double bandwidth_hz = 0.5;    ///< interpolation: half-width of the band replaced around each harmonic
  double q = 30.0;              ///< notch quality factor

  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

struct MainsResult {
  RowMatrixXd data;                  ///< cleaned signal, same shape as the input
  double line_hz = 0.0;              ///< line frequency used (detected when line_hz = 0)
  std::vector<double> harmonics_hz;  ///< every frequency treated (line_hz * h, h = 1, 2, ...)
  VectorXd removed_power;            ///< per channel: mean power removed, mean((x - y)^2) (units^2)
  VectorXd removed_fraction;         ///< per channel: removed_power / mean(x^2)
};

/// Remove 50/60 Hz interference and its harmonics up to max_hz (default Nyquist) in one call.
///
/// Harmonics: h * line_hz for h = 1, 2, ... while h * line_hz <= max_hz and h * line_hz < fs_hz/2
/// (a harmonic exactly at Nyquist is excluded: its phase is not observable). fs_hz = 1000 at 50 Hz
/// gives 50, 100, ..., 450 Hz; fs_hz = 10000 gives 50 ... 4950 Hz.
///
/// method = notch: one scipy.signal.iirnotch(h * line_hz, q, fs) section per harmonic, in
/// increasing frequency, applied zero-phase with sosfiltfilt (odd padding, SciPy's default padlen),
/// so it equals SciPy's sosfiltfilt of the concatenated sections. Each notch is line_hz*h/q wide
/// (-3 dB, once; squared by the forward-backward pass), so high harmonics take wide bites.
///
/// method = interpolation (Mewett et al. 2004): FFT, then for every harmonic the magnitudes of the
/// bins within +-bandwidth_hz of h * line_hz (at least the nearest bin) are replaced by linear
/// interpolation between the magnitudes of the two bins just outside the band; phases are kept;
/// inverse FFT. Leakage: a hum component removes cleanly only if the transformed segment holds an
/// integer number of line cycles (then every harmonic falls exactly on a bin). Otherwise the hum's
/// sidelobes spread outside the band and stay in the output (measured: one whole-record FFT of a
/// pure 50 Hz hum with harmonics, 2.01 s at 1000 Hz, i.e. half a cycle too many, leaves -7 dB of
/// it; 10.013 s at 2000 Hz / 60 Hz leaves -14 dB; the scheme below leaves about -250 dB). So the record is
/// processed as two overlapping segments of the longest length M <= N holding an integer number of
/// cycles (integer_cycle_length): [0, M) and [N - M, N); their results are cross-faded linearly
/// over the overlap, so the output keeps the input's length and every sample comes from a
/// leakage-free transform. When M = N (the common case for integer fs_hz/line_hz) it is one FFT.
/// Residual that remains: a hum whose true frequency drifts off h * line_hz by more than
/// bandwidth_hz, or whose amplitude changes within the record, is removed only partly.
///
/// removed_power[c] = mean((x - y)^2) over channel c; removed_fraction[c] = removed_power[c] /
/// mean(x^2) (0 for an all-zero channel).
/// @throws InvalidArgument for invalid params (see MainsParams), empty input, NaN/Inf, a signal
///         too short for the method (notch: not longer than padlen = 3 * (2 * n_harmonics + 1);
///         interpolation: fewer than 4 line cycles), fs_hz too low for one harmonic below Nyquist.
MainsResult remove_mains(MatrixView x, double fs_hz, const MainsParams& params = {});

/// Detect the line frequency (50 or 60 Hz) from the relative peak power at each candidate.
///
/// Welch-averaged Hann-windowed spectra (1-s segments, 50 % overlap) of every
/// channel, each normalised to unit total power, are summed. For each candidate c and each of c, 2c,
/// 3c (those below Nyquist - 8 Hz) the power within +-1 Hz is divided by what the neighbouring bands
/// 2..8 Hz either side predict for that width; the candidate's score is its largest ratio. The
/// candidate with the larger score wins if that score is at least kLineDetectMinRatio.
/// @throws InvalidArgument when the record is shorter than 1 s, fs_hz <= 136 Hz (60 Hz + 8 Hz must
///         fit below Nyquist), or neither candidate stands out (no hum: pass line_hz explicitly).
double detect_line_frequency(MatrixView x, double fs_hz);

/// Minimum peak-to-neighbour power ratio for detect_line_frequency to report a line frequency.
inline constexpr double kLineDetectMinRatio = 3.0;

/// Harmonic frequencies remove_mains treats: h * line_hz <= max_hz (0 = Nyquist), < fs_hz/2.
std::vector<double> mains_harmonics(double line_hz, double fs_hz, double max_hz = 0.0);

/// Longest length M in [ceil(n_samples / 2), n_samples] such that M samples at fs_hz hold an
/// integer number of line_hz cycles (to 1e-6 cycle); if none does, the M there closest to an
/// integer number of cycles (largest M on ties).
long integer_cycle_length(long n_samples, double fs_hz, double line_hz);

}  // namespace emg::filters
