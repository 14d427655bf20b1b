// Power spectra and short-time Fourier transforms with SciPy's semantics (FFTW3 underneath,
// plans cached privately). Inputs are channels x samples; outputs are per channel.
#pragma once

#include <emg/spectral/window.hpp>
#include <emg/types.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace emg::spectral {

enum class Detrend { none, constant, linear };
enum class Scaling { density, spectrum };
enum class Average { mean, median };
Detrend parse_detrend(std::string_view);
Scaling parse_scaling(std::string_view);
Average parse_average(std::string_view);
std::string to_string(Detrend);
std::string to_string(Scaling);
std::string to_string(Average);

/// One-sided power spectrum per channel.
struct Psd {
  VectorXd freqs_hz;  ///< n_freqs
  RowMatrixXd power;  ///< channels x n_freqs (V^2/Hz for density, V^2 for spectrum)
};

struct PeriodogramParams {
  Window window{"boxcar"};
  long nfft = 0;  ///< 0 = signal length
  Detrend detrend = Detrend::constant;
  Scaling scaling = Scaling::density;
};

/// scipy.signal.periodogram(x, fs, window, nfft, detrend, return_onesided=True, scaling).
Psd periodogram(MatrixView x, double fs_hz, const PeriodogramParams& params = {});

struct WelchParams {
  Window window{"hann"};
  long nperseg = 256;    ///< segment length, 1..n_samples
  long noverlap = -1;    ///< < 0 = nperseg / 2; must be < nperseg
  long nfft = 0;         ///< 0 = nperseg; otherwise >= nperseg
  Detrend detrend = Detrend::constant;
  Scaling scaling = Scaling::density;
  Average average = Average::mean;
};

/// scipy.signal.welch(x, fs, window, nperseg, noverlap, nfft, detrend, True, scaling, -1, average).
/// Unlike SciPy, an nperseg larger than the signal is an error, not a silent change.
Psd welch(MatrixView x, double fs_hz, const WelchParams& params = {});

/// Complex STFT per channel: coefficients[c] is n_freqs x n_times.
struct Stft {
  VectorXd freqs_hz;
  VectorXd times_s;
  std::vector<RowMatrixXcd> coefficients;
};

struct StftParams {
  Window window{"hann"};
  long nperseg = 256;
  long noverlap = -1;  ///< < 0 = nperseg / 2
  long nfft = 0;
  Detrend detrend = Detrend::none;
  bool boundary_zeros = true;  ///< SciPy boundary="zeros" (false = None)
  bool padded = true;
  Scaling scaling = Scaling::spectrum;  ///< SciPy stft's "spectrum" (default) or "psd" (= density)
};

/// scipy.signal.stft(x, fs, window, nperseg, noverlap, nfft, detrend, True, boundary, padded,
/// -1, scaling).
Stft stft(MatrixView x, double fs_hz, const StftParams& params = {});

/// Real spectrogram per channel: power[c] is n_freqs x n_times.
struct Spectrogram {
  VectorXd freqs_hz;
  VectorXd times_s;
  std::vector<RowMatrixXd> power;
};

struct SpectrogramParams {
  Window window{"tukey", 0.25};
  long nperseg = 256;
  long noverlap = -1;  ///< < 0 = nperseg / 8
  long nfft = 0;
  Detrend detrend = Detrend::constant;
  Scaling scaling = Scaling::density;
};

/// scipy.signal.spectrogram(x, fs, window, nperseg, noverlap, nfft, detrend, True, scaling,
/// -1, mode="psd").
Spectrogram spectrogram(MatrixView x, double fs_hz, const SpectrogramParams& params = {});

}  // namespace emg::spectral
