// Signal-quality summary of a recording (what `cramplab info` prints): ranges, clipping and
// saturation, flat or dead channels, mains-noise level.
#pragma once

#include <emg/params.hpp>
#include <emg/recording.hpp>

#include <string>
#include <vector>

namespace emg {

/// Parameters of quality_report. validate(fs_hz) checks: fs_hz finite > 0; flat_run_s finite > 0;
/// dead_rms_ratio finite in [0, 1); clip_run_samples a whole number in [2, 1e9].
/// Stimulation left out of the mains estimate: this long before each train / pulse ...
inline constexpr double kStimExcludeBeforeS = 0.01;
/// ... to this long after it (artefact tail, M-wave, F-wave).
inline constexpr double kStimExcludeAfterS = 0.1;

struct QualityParams {
  double flat_run_s = 0.1;        ///< a run of identical samples at least this long counts as flat
  double dead_rms_ratio = 1e-3;   ///< channel RMS below this fraction of the median channel RMS = dead
  double clip_run_samples = 3;    ///< >= this many consecutive samples at the channel's min or max = clipping
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

/// Per-channel summary. Definitions (x = the channel's samples, n of them):
///
/// - min, max, mean; rms = sqrt(mean(x^2)) (includes any DC offset).
/// - saturated: samples at or beyond the ADC limits digital_min * conversion + offset and
///   digital_max * conversion + offset (to within 1e-6 count, so rounding in an importer's scaling
///   does not hide them). Only when conversion, digital_min and digital_max are all finite
///   (saturation_known); otherwise 0.
/// - clipped: samples in runs of >= clip_run_samples consecutive samples exactly equal to the
///   channel's own min or max (flat tops of an amplifier or a clipped export). 0 for a constant channel.
/// - flat_fraction: fraction of samples in runs of identical values at least
///   max(2, ceil(flat_run_s * fs_hz)) samples long (disconnected leads, dropped packets held
///   at the last value, a signal below one quantisation step).
/// - dead: min == max (constant), or, when at least 2 channels share this channel's units,
///   rms < dead_rms_ratio * median rms of the channels with those units (a ratio across
///   different units would be meaningless).
/// - mains_hz: the line frequency found by filters::detect_line_frequency over all channels
///   together (50 or 60); 0 when fs_hz <= 136 Hz (50 and 60 Hz cannot be told apart), the
///   recording is shorter than 1 s, or no line peak stands out. Then mains_db = 0 and mains_peak_hz = 0.
///   When the recording has stored stimulation (/stimulation pulses or trains), the mains items are
///   estimated on the samples outside every train and pulse, from kStimExcludeBeforeS before to
///   kStimExcludeAfterS after it, concatenated (QualityReport::mains_samples): the harmonics of a
///   4-20 Hz pulse train fall on 50 and 60 Hz and are not hum.
/// - mains_db: the channel's peak-to-neighbour ratio at the line frequency, in dB, on the same
///   scale as detect_line_frequency. PSD: spectral::welch, Hann, nperseg = round(fs_hz) (1-Hz
///   bins), 50 % overlap, constant detrend, density. For each harmonic f = h * mains_hz, h = 1, 2, 3,
///   with f + 8 Hz below Nyquist: P_line = power in the bins within +-1 Hz of f (spectral::band_power);
///   P_expected = mean PSD of the bins 2..8 Hz away on either side times the width of the line band.
///   mains_db = 10 log10(max_h P_line / P_expected), clamped to [-300, 300] dB (a pure tone has
///   nothing around it); mains_peak_hz is that harmonic's frequency.
///   About 0 dB = no hum; for a sinusoid of power A^2/2 in white noise of density N0 (one-sided)
///   it is 10 log10(1 + (A^2/2) / (N0 * 3 Hz)) with 1-Hz bins. It is >= 4.77 dB (ratio 3) where
///   detect_line_frequency would see a line on this channel alone.
struct ChannelQuality {
  std::string name;
  std::string units;
  double min = 0.0, max = 0.0, mean = 0.0, rms = 0.0;
  long saturated = 0;        ///< samples at the ADC limits (digital_min/max known) else 0
  bool saturation_known = false;  ///< conversion, digital_min and digital_max are all finite
  long clipped = 0;          ///< samples in runs of >= clip_run_samples at the channel's own min or max
  double flat_fraction = 0;  ///< fraction of samples in runs of identical values >= flat_run_s
  bool dead = false;         ///< constant, or RMS far below the other channels
  double mains_hz = 0.0;     ///< detected line frequency (50/60; 0 when fs too low or none found)
  double mains_db = 0.0;     ///< power at the line frequency and its harmonics relative to the
                             ///< neighbouring spectrum, dB (0 when mains_hz == 0)
  double mains_peak_hz = 0.0;  ///< the harmonic (mains_hz, 2x, 3x) where mains_db was measured
};

struct QualityReport {
  double fs_hz = 0.0;
  long n_samples = 0;
  double duration_s = 0.0;
  long mains_samples = 0;  ///< samples the mains items were estimated on (n_samples without stimulation)
  std::vector<ChannelQuality> channels;
};

/// The quality summary of every channel (definitions above). Throws InvalidArgument for invalid
/// params. Linear in the number of samples plus one Welch PSD per channel.
QualityReport quality_report(const Recording& recording, const QualityParams& params = {});

}  // namespace emg
