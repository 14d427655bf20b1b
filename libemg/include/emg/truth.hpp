// emg::GroundTruth: what a simulated recording really contains (pulse times, M-waves, trains and
// their cramps, bursts, motor-unit firings, per-sample activity state, generator parameters).
// Stored as the /truth group of a CrampLab file (docs/FORMAT.md); empty for real recordings.
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace emg {

/// Activity state of one sample of one channel. The numeric codes are part of the file format.
enum class Activity : std::uint8_t {
  rest = 0,         ///< baseline noise only
  voluntary = 1,    ///< voluntary burst (amplitude template > 0)
  stimulation = 2,  ///< inside a stimulation train: first pulse to last pulse + M-wave end
  cramp = 3,        ///< cramp afterdischarge (from onset to offset)
};

using ActivityMatrix = Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// One simulated stimulation pulse and the responses it evoked.
struct TruthPulse {
  std::int64_t sample = 0;            ///< sample of the pulse onset (= stimulation.pulses)
  long train_id = 0;
  double artifact_amplitude = 0.0;    ///< peak artefact amplitude in the channel's units (signed)
  bool clipped = false;               ///< the artefact reached the ADC range
  std::int64_t mwave_sample = -1;     ///< M-wave onset sample (pulse + latency), -1 when none
  double mwave_amplitude = 0.0;       ///< M-wave peak-to-peak amplitude in units
  std::int64_t fwave_sample = -1;     ///< F-wave onset sample, -1 when none
};

/// One simulated train and whether (and how) it produced a cramp.
struct TruthTrain {
  long train_id = 0;
  double frequency_hz = 0.0;
  std::int64_t start_sample = 0;        ///< first pulse
  std::int64_t end_sample = 0;          ///< last pulse
  long n_pulses = 0;
  bool cramp = false;                   ///< true iff frequency_hz >= the subject's CTF
  std::int64_t cramp_onset_sample = -1;
  std::int64_t cramp_offset_sample = -1;
  double cramp_amplitude = 0.0;         ///< peak RMS of the afterdischarge in units (0 when none)
  double cramp_spectral_scale = 1.0;    ///< corner-frequency scale of the cramp EMG (< 1 = compressed)
};

/// A burst of EMG activity (voluntary contraction, cramp, fasciculation) on one channel.
struct TruthBurst {
  long channel = 0;
  std::int64_t onset_sample = 0;
  std::int64_t offset_sample = 0;
  std::string kind;                     ///< "voluntary", "cramp", ...
  double amplitude = 0.0;               ///< plateau / peak RMS in units
  double rise_s = 0.0;                  ///< rise time of the amplitude template
};

/// Everything the simulator knows about one recording. Sample indices count from the recording's
/// first sample; io::write stores it as /truth and io::read_truth reads it back whole.
struct GroundTruth {
  /// Generator name and version, seed, every generator parameter, subject values (ctf_hz, ...).
  std::map<std::string, std::string> attributes;
  ActivityMatrix activity;              ///< channels x samples (empty when not simulated)
  std::vector<TruthPulse> pulses;
  std::vector<TruthTrain> trains;
  std::vector<TruthBurst> bursts;
  std::vector<long> firing_unit;        ///< motor-unit firings (level B): unit index ...
  std::vector<std::int64_t> firing_sample;  ///< ... and sample, one entry per discharge
  bool empty() const {
    return attributes.empty() && activity.size() == 0 && pulses.empty() && trains.empty() && bursts.empty() &&
           firing_unit.empty() && firing_sample.empty();
  }
};

}  // namespace emg
