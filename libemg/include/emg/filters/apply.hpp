// Applying second-order sections: causal (with state, for chunked processing) and zero-phase.
//
// All functions take channels x samples and filter along samples (SciPy's axis=-1), all channels
// in one call; channels are processed in parallel blocks (see emg/parallel.hpp).
#pragma once

#include <emg/filters/design.hpp>
#include <emg/types.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace emg::filters {

/// Filter state for sosfilt: channels x (2 * n_sections); columns [2k, 2k+1] hold section k's
/// two delay values (SciPy's zi[k, channel, :]).
using SosState = RowMatrixXd;

/// Steady-state initial conditions for a unit step, shape n_sections x 2 (scipy.signal.sosfilt_zi).
Eigen::Matrix<double, Eigen::Dynamic, 2, Eigen::RowMajor> sosfilt_zi(const Sos& sos);

/// Causal filtering with zero initial state.
RowMatrixXd sosfilt(const Sos& sos, MatrixView x);

/// Causal filtering from state `zi` (channels x 2*n_sections). Returns the output and writes
/// the final state into `zf`, so that filtering a signal in chunks equals filtering it whole.
RowMatrixXd sosfilt(const Sos& sos, MatrixView x, const SosState& zi, SosState& zf);

enum class PadType { odd, even, constant, none };
PadType parse_padtype(std::string_view name);
std::string to_string(PadType padtype);

/// Default padlen of scipy.signal.sosfiltfilt: 3 * (2 * n_sections + 1 - min(#zero b2, #zero a2)).
long default_padlen(const Sos& sos);

/// Zero-phase forward-backward filtering, equal to scipy.signal.sosfiltfilt(sos, x, padtype,
/// padlen). The magnitude response is squared (cut-offs at -6 dB, effective order doubled).
/// @throws InvalidArgument if the signal is not longer than padlen (SciPy's rule).
RowMatrixXd sosfiltfilt(const Sos& sos, MatrixView x, PadType padtype = PadType::odd,
                        std::optional<long> padlen = std::nullopt);

/// Streaming filter over chunks of one multichannel stream (wraps sosfilt with state).
class SosFilter {
 public:
  SosFilter(Sos sos, long n_channels);
  /// Filters the next chunk (channels x samples) and keeps the state for the following one.
  RowMatrixXd process(MatrixView chunk);
  void reset();
  const SosState& state() const { return state_; }

 private:
  Sos sos_;
  SosState state_;
};

}  // namespace emg::filters
