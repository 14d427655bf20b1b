// Recording operations: validate against the recording's fs, call the kernels, keep the channel
// metadata true to the data and record what was done in the history.
#include <emg/errors.hpp>
#include <emg/processing.hpp>

#include "detail/check.hpp"

#include <cmath>
#include <string>
#include <utility>

namespace emg {

using detail::fail_param;
using detail::fmt;

namespace {
constexpr std::string_view kBandpass = "bandpass";
}

void BandpassParams::validate(double fs_hz) const {
  detail::check_fs(kBandpass, fs_hz);
  if (order < 1 || order > filters::kMaxButterOrder) {
    fail_param(kBandpass, "order", std::to_string(order), "must be in 1.." + std::to_string(filters::kMaxButterOrder));
  }
  detail::check_positive(kBandpass, "low_hz", low_hz);
  detail::check_positive(kBandpass, "high_hz", high_hz);
  if (low_hz >= high_hz) {
    fail_param(kBandpass, "low_hz", fmt(low_hz), "must be < high_hz=" + fmt(high_hz));
  }
  const double nyq = fs_hz / 2.0;
  const auto too_slow = [&](std::string_view param, double f) {
    fail_param(kBandpass, param, fmt(f),
               "must be below Nyquist (" + fmt(nyq) + " Hz for fs_hz=" + fmt(fs_hz) +
                   "); the recording is sampled too slowly for this band — lower high_hz or use a "
                   "recording sampled at > " + fmt(2.0 * high_hz) + " Hz");
  };
  if (low_hz >= nyq) too_slow("low_hz", low_hz);
  if (high_hz >= nyq) too_slow("high_hz", high_hz);
}

const ParamTable& BandpassParams::describe() {
  static const ParamTable table = {
      {"low_hz", "Hz", "20", "(0, high_hz)", "lower -3 dB edge of the Butterworth band-pass (-6 dB when zero_phase)"},
      {"high_hz", "Hz", "450", "(low_hz, fs_hz/2)", "upper edge of the Butterworth band-pass"},
      {"order", "", "4", "1..10", "Butterworth order N (the band-pass has 2N poles)"},
      {"zero_phase", "", "true", "true|false",
       "forward-backward filtering (sosfiltfilt, no delay, squared response) instead of causal sosfilt"},
  };
  return table;
}

Recording bandpass(const Recording& rec, const BandpassParams& params) {
  params.validate(rec.fs_hz());
  const filters::Sos sos =
      filters::butter(params.order, {params.low_hz, params.high_hz}, filters::BType::bandpass, rec.fs_hz());
  RowMatrixXd y = params.zero_phase ? filters::sosfiltfilt(sos, rec.data()) : filters::sosfilt(sos, rec.data());
  Recording out = rec.with_data(std::move(y), "bandpass(low_hz=" + fmt(params.low_hz) + ", high_hz=" + fmt(params.high_hz) +
                                                  ", order=" + std::to_string(params.order) +
                                                  ", zero_phase=" + (params.zero_phase ? "true" : "false") + ")");
  // Successive band-passes narrow the band; fmax/fmin treat NaN (never filtered) as absent.
  for (long c = 0; c < out.n_channels(); ++c) {
    ChannelInfo& ch = out.mutable_channel_for_filter_op(c);
    ch.low_cutoff_hz = std::fmax(ch.low_cutoff_hz, params.low_hz);
    ch.high_cutoff_hz = std::fmin(ch.high_cutoff_hz, params.high_hz);
  }
  return out;
}

MainsRemoval remove_mains(const Recording& rec, const filters::MainsParams& params) {
  params.validate(rec.fs_hz());
  filters::MainsResult res = filters::remove_mains(rec.data(), rec.fs_hz(), params);
  std::string op = "remove_mains(line_hz=" + fmt(res.line_hz) + (params.line_hz == 0.0 ? " (detected)" : "") +
                   ", method=" + filters::to_string(params.method) + ", harmonics=" + std::to_string(res.harmonics_hz.size());
  if (params.method == filters::MainsMethod::interpolation) op += ", bandwidth_hz=" + fmt(params.bandwidth_hz);
  else op += ", q=" + fmt(params.q);
  if (!res.harmonics_hz.empty()) op += ", max_hz=" + fmt(res.harmonics_hz.back());
  op += ")";
  MainsRemoval out{rec.with_data(std::move(res.data), op), {}};
  res.data = RowMatrixXd();
  for (long c = 0; c < out.recording.n_channels(); ++c) out.recording.mutable_channel_for_filter_op(c).notch_hz = res.line_hz;
  out.report = std::move(res);
  return out;
}

spectral::Psd compute_psd(const Recording& rec, const spectral::WelchParams& params) {
  return spectral::welch(rec.data(), rec.fs_hz(), params);
}

spectral::FatigueSeries compute_fatigue(const Recording& rec, const spectral::FatigueParams& params) {
  params.validate(rec.fs_hz());
  return spectral::fatigue_series(rec.data(), rec.fs_hz(), params);
}

}  // namespace emg
