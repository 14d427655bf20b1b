// Recording operations (layer 2): take a const Recording& and a params struct, return a new
// Recording or a result struct, keep channel metadata true to the data and append to history.
#pragma once

#include <emg/filters/apply.hpp>
#include <emg/filters/design.hpp>
#include <emg/filters/mains.hpp>
#include <emg/params.hpp>
#include <emg/recording.hpp>
#include <emg/spectral/fatigue.hpp>
#include <emg/spectral/spectra.hpp>

namespace emg {

/// Band-pass defaults for surface EMG: 4th-order Butterworth 20-450 Hz, zero-phase
/// (SCIENCE.md §3.2; forward-backward squares the response: -6 dB at the edges).
struct BandpassParams {
  double low_hz = 20.0;
  double high_hz = 450.0;
  int order = 4;
  bool zero_phase = true;

  /// Throws InvalidArgument if low_hz/high_hz are not 0 < low_hz < high_hz < fs_hz/2, or the
  /// order is outside 1..10; the message says when the recording is sampled too slowly.
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

Recording bandpass(const Recording& rec, const BandpassParams& params = {});

struct MainsRemoval {
  Recording recording;
  filters::MainsResult report;  ///< report.data is left empty (the data is in `recording`)
};
MainsRemoval remove_mains(const Recording& rec, const filters::MainsParams& params = {});

spectral::Psd compute_psd(const Recording& rec, const spectral::WelchParams& params);
spectral::FatigueSeries compute_fatigue(const Recording& rec, const spectral::FatigueParams& params = {});

}  // namespace emg
