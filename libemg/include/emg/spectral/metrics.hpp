// Spectral summary metrics over a frequency band (SCIENCE.md §6.2).
//
// Every function takes a frequency grid (n_freqs, uniform spacing) and a power matrix
// (channels x n_freqs) and returns one value per channel. The band [low_hz, high_hz] is closed;
// low_hz < 0 or high_hz < 0 means "from the first" / "to the last" frequency. Moments use the
// rectangle rule M_k = sum_{f in band} f^k P(f) df.
#pragma once

#include <emg/types.hpp>

namespace emg::spectral {

struct Band {
  double low_hz = -1.0;   ///< < 0: from the lowest frequency
  double high_hz = -1.0;  ///< < 0: to the highest frequency
};

/// Spectral moment M_k (k may be negative; then the band must exclude 0 Hz).
VectorXd spectral_moment(const VectorXd& freqs_hz, MatrixView power, double k, Band band = {});

/// Mean (power) frequency MNF = M1 / M0.
VectorXd mean_frequency(const VectorXd& freqs_hz, MatrixView power, Band band = {});

/// Median frequency: the frequency splitting the band's power into halves; the cumulative power
/// is taken at bin upper edges (f_i + df/2) and interpolated linearly inside the crossing bin.
VectorXd median_frequency(const VectorXd& freqs_hz, MatrixView power, Band band = {});

/// Frequency of the largest power value in the band (first one on ties).
VectorXd peak_frequency(const VectorXd& freqs_hz, MatrixView power, Band band = {});

/// Band power M0 = sum P(f) df over the band.
VectorXd band_power(const VectorXd& freqs_hz, MatrixView power, Band band = {});

/// Dimitrov's spectral fatigue index FInsm5 = M_{-1} / M_5 (band must exclude 0 Hz).
VectorXd fatigue_index_fi_nsm5(const VectorXd& freqs_hz, MatrixView power, Band band = {});

}  // namespace emg::spectral
