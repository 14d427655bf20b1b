// Stimulation pulses and trains (SCIENCE.md §4.1, §1.3): pulse detection from a trigger channel or
// from the stimulation artefacts in the EMG itself, grouping of pulses into trains (frequency,
// count, start/end) with a per-train status that names every deviation from a regular train or
// from the nominal protocol, and a recording operation that picks the best available source.
#pragma once

#include <emg/params.hpp>
#include <emg/recording.hpp>
#include <emg/types.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace emg::stim {

/// One detected (or stored) stimulation train. `status` is "ok" or every reason it is not, joined
/// by "; " (missing / extra pulses, irregular intervals, cut by the recording edges, frequency or
/// count off the nominal protocol, too few pulses to be a train, not detected).
struct PulseTrain {
  long train_id = 0;                 ///< 1, 2, ... in time order
  std::int64_t start_sample = 0;     ///< first pulse (-1 for a nominal train that was not detected)
  std::int64_t end_sample = 0;       ///< last pulse (-1 when not detected)
  long n_pulses = 0;                 ///< pulses.size()
  double frequency_hz = std::numeric_limits<double>::quiet_NaN();  ///< NaN for fewer than 2 pulses
  std::vector<std::int64_t> pulses;  ///< sample of each pulse (onset), increasing, extras included
  std::string status = "ok";
  long n_missing = 0;                ///< gaps of ~m IPI inside the train count m - 1 each
  long n_extra = 0;                  ///< pulses off the train's grid between two on-grid pulses
  long n_irregular = 0;              ///< intervals neither ~m IPI nor explained by an extra pulse
  bool cut_at_start = false;         ///< the slot one IPI before the first pulse is before sample 0
  bool cut_at_end = false;           ///< the slot one IPI after the last pulse is past the last sample
  std::vector<std::int64_t> missing_samples;  ///< where the missing pulses were expected
  std::vector<std::int64_t> extra_samples;    ///< the extra pulses
  double nominal_frequency_hz = std::numeric_limits<double>::quiet_NaN();  ///< from the protocol, NaN = unknown
  long nominal_train_id = -1;        ///< matched stored train (match_trains), -1 = none
  bool ok() const { return status == "ok"; }
};

/// Where detect_pulses looks for pulses.
enum class PulseSource {
  emg,      ///< stimulation artefacts in the (unfiltered) EMG
  trigger,  ///< rising edges of a stimulator sync / TTL channel
};
std::string to_string(PulseSource s);
PulseSource parse_pulse_source(const std::string& text);  ///< "emg" | "trigger"

/// Slowest sampling rate at which an artefact spike (0.1-1 ms) can be told from EMG.
inline constexpr double kMinEmgPulseFsHz = 500.0;
/// The onset of an artefact is the earliest sample, within max_rise_s before the first threshold
/// crossing, whose step |x[n] - x[n-1]| reaches this fraction of the spike's largest step.
inline constexpr double kOnsetFraction = 0.3;
/// A flat run (equal samples) at least this fraction of the spike's step away from the pre-pulse
/// level, inside a pulse's refractory period, is saturation: it extends the refractory period; a
/// step that leaves such a run (away from the block's median) is not a pulse onset.
inline constexpr double kRailFraction = 0.25;

/// Pulse detection (SCIENCE.md §4.1). From the EMG, on d[n] = |x[n] - x[n-1]| of the unfiltered
/// signal, a pulse is accepted at the artefact onset when its largest step d_pk within max_rise_s
///  1. exceeds the noise floor median(d) + threshold_mad * 1.4826 MAD(d) of the whole signal, and
///     the local floor med_b + local_threshold_mad * 1.4826 MAD_b(d) of the surrounding
///     local_window_s blocks (the largest of the block and its two neighbours), so ongoing EMG
///     (cramp, voluntary bursts) does not trip it;
///  2. is >= min_step_rms times the robust RMS 1.4826 MAD(x) of the whole signal and >=
///     local_min_step_rms times that of the surrounding blocks (artefacts are 10-1000x the EMG);
///  3. is >= min_step_fraction of the range of x within +-shape_window_s of the onset (a spike
///     jumps in 1-3 samples; M-waves and EMG rise over many samples).
/// Accepted pulses are at least the refractory period apart; a flat (saturated) run inside the
/// refractory period extends it to the run's end + refractory, so a clipped pulse counts once
/// whatever its polarity. The range of test 3 spans onset - shape_window_s to peak + shape_window_s.
/// From a trigger channel: the first sample at or above lo + trigger_threshold (hi - lo) after a
/// sample below it (lo/hi = min/max of the channel), debounced by min_pulse_gap_s, shifted by
/// trigger_latency_s.
struct PulseDetectParams {
  PulseSource source = PulseSource::emg;
  double threshold_mad = 12.0;        ///< k of the global noise floor (SCIENCE.md: 10-20)
  double local_threshold_mad = 8.0;   ///< k of the local floor (ongoing EMG, M-waves)
  double min_step_rms = 12.0;         ///< spike step over the whole signal's robust RMS
  double local_min_step_rms = 6.0;    ///< spike step over the local robust RMS
  double min_step_fraction = 0.5;     ///< spike step over the local range of x
  double local_window_s = 0.05;       ///< block length of the local statistics
  double shape_window_s = 0.002;      ///< half-window of the range test (>= 2 samples)
  double max_rise_s = 0.001;          ///< the spike's largest step comes within 1 + ceil(this fs) samples
  double max_frequency_hz = 100.0;    ///< highest stimulation frequency expected
  double refractory_s = 0.0;          ///< 0 = 0.5 / max_frequency_hz
  double trigger_threshold = 0.5;     ///< fraction of the trigger channel's range
  double min_pulse_gap_s = 0.0;       ///< trigger debounce; 0 = the refractory period
  double trigger_latency_s = 0.0;     ///< added to each trigger edge (device latency)

  /// Throws InvalidArgument naming the parameter; also when fs_hz is too low to resolve pulses
  /// (refractory < 2 samples, or < kMinEmgPulseFsHz for source emg).
  void validate(double fs_hz) const;
  static const ParamTable& describe();
  double effective_refractory_s() const { return refractory_s > 0.0 ? refractory_s : 0.5 / max_frequency_hz; }
};

/// Pulse samples (increasing) in x sampled at fs_hz. Empty when there is no stimulation (and for
/// fewer than 3 samples, or a constant signal). Throws InvalidArgument for bad parameters or
/// non-finite samples (naming the first one, or saying that all are NaN/Inf).
std::vector<std::int64_t> detect_pulses(const Eigen::Ref<const VectorXd>& x, double fs_hz,
                                        const PulseDetectParams& params = {});

/// Grouping of pulses into trains. Pulses closer than max_gap_s belong to the same candidate
/// train; inside it the inter-pulse interval (IPI) is the median interval, and an interval g is
/// "on the grid" when |g - m IPI| <= ipi_tolerance m IPI + 1 sample (pulse times are rounded to
/// samples) for an integer m >= 1 (m - 1 missing pulses). A pulse off the grid whose successor is
/// back on it is extra; any other off-grid interval is irregular. The frequency is fs_hz over the
/// least-squares slope of the on-grid pulse samples against their grid index (exact to rounding,
/// unlike 1 / median IPI, which is quantised to whole samples).
struct TrainGroupParams {
  double ipi_tolerance = 0.02;          ///< relative (0.02 = +-2 %)
  long min_pulses = 3;                  ///< fewer pulses: status "too few pulses"
  double max_gap_s = 1.0;               ///< a longer gap always ends a train
  double expected_frequency_hz = 0.0;   ///< nominal frequency of every train (0 = unknown)
  long expected_n_pulses = 0;           ///< nominal pulses per train (0 = unknown)
  double frequency_tolerance_hz = 0.5;  ///< allowed |f - nominal| (SCIENCE.md §4.1)
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

/// Trains from increasing pulse samples in [0, n_samples). Every pulse ends up in exactly one
/// returned train (groups below min_pulses too, with their reason). Throws InvalidArgument for
/// bad parameters or pulses out of order / out of range.
std::vector<PulseTrain> group_trains(const std::vector<std::int64_t>& pulses, double fs_hz, long n_samples,
                                     const TrainGroupParams& params = {});

/// As group_trains, then the trains (with >= min_pulses) are matched in time order to the nominal
/// ladder (one frequency per delivered train): a train takes the next ladder entry within
/// frequency_tolerance_hz (skipped entries are reported as "not detected" trains with
/// start_sample = end_sample = -1), else the next entry with a "frequency off" status.
std::vector<PulseTrain> group_trains(const std::vector<std::int64_t>& pulses, double fs_hz, long n_samples,
                                     const TrainGroupParams& params, const std::vector<double>& nominal_ladder_hz);

/// Check detected trains against a stored stimulation table: each stored train is matched to the
/// detected train overlapping it most; frequency (frequency_tolerance_hz), pulse count, start and
/// end (within one IPI) are compared and every difference is added to the status. Stored trains
/// without a detected train come back as "not detected" entries; detected trains without a stored
/// one get "not in the stored stimulation". Returned in time order, renumbered.
std::vector<PulseTrain> match_trains(const std::vector<PulseTrain>& detected, const Stimulation& stored, double fs_hz,
                                     const TrainGroupParams& params = {});

/// Recording-level search (layer 2): source "auto" uses the stored /stimulation pulses when
/// present, else the first TRIG channel, else the EMG channel; "stored", "trigger" and "emg" force
/// one (an error when it is unavailable).
struct FindTrainsParams {
  std::string source = "auto";
  PulseDetectParams detect;
  TrainGroupParams group;
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

struct TrainSearch {
  std::string source;                ///< "stored", "trigger" or "emg"
  long channel = -1;                 ///< channel searched (-1 for stored pulses)
  std::vector<std::int64_t> pulses;  ///< raw pulses before grouping
  std::vector<PulseTrain> trains;    ///< grouped (and matched to the stored trains when present)
};

/// `channel` names the channel to search ("" = the first TRIG channel for trigger, the first
/// EMG-type channel, else channel 0, for emg).
TrainSearch find_trains(const Recording& rec, const std::string& channel = "", const FindTrainsParams& params = {});

}  // namespace emg::stim
