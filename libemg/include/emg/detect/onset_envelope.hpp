// Parameters of the envelope-threshold onset detectors (SCIENCE.md §5.1, §5.4-§5.6):
// Hodges & Bui, Lidierth, Abbink, Silva, Londral. Each validate(fs_hz) names the dotted
// parameter ("hodges_bui.window_s"), its value and the rule.
//
// Every test function is delay-corrected: moving windows are centred (sample n averages
// [n - (W-1)/2, n + W/2], truncated at the signal's ends) and low-passes are zero-phase, so an
// amplitude step at sample s moves the test function within W/2 of s. Windows are at most 10 s.
#pragma once

#include <emg/params.hpp>

namespace emg::detect {

/// Hodges & Bui 1996 (§5.1): g = (moving average (window_s, centred) of the rectified, low-passed
/// EMG - mu0) / sigma0, mu0 / sigma0 of the moving average over the rest window; active while
/// g > h. Defaults inside the paper's tested grid (LP 50 Hz, W 20 ms, 3 SD) [E]. Test function g,
/// threshold h (baseline mean / SD of g: 0 / 1).
struct HodgesBuiParams {
  double lowpass_hz = 50.0;  ///< zero-phase Butterworth low-pass of |x| (0 = none)
  int lowpass_order = 2;
  double window_s = 0.02;
  double h = 3.0;            ///< threshold in baseline SDs
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

/// Lidierth 1986 (§5.4): the Hodges-Bui test function; an alarm is raised at the first sample
/// above h and confirmed as an onset, dated at the alarm, once t1_s worth of samples above h have
/// accumulated; a dip below h of t2_s or longer before that cancels the alarm (shorter dips are
/// ignored). Offsets symmetrically (alarm at the first sample <= h). One O(n) pass. An offset
/// still unconfirmed when the signal ends is accepted at its alarm.
struct LidierthParams {
  double lowpass_hz = 50.0;
  int lowpass_order = 2;
  double window_s = 0.02;
  double h = 3.0;
  double t1_s = 0.025;
  double t2_s = 0.01;
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

/// Abbink et al. 1998 (§5.5): the centred moving average of |x| (window_s), low-passed again
/// (zero-phase lowpass_order Butterworth at lowpass_hz) and normalised by its own baseline
/// (g = (f - mu0) / sigma0, so h and transition_h are SDs of the thresholded function). Alarms
/// are the runs of g > h. The onset is the t in [alarm - alarm_s, alarm] that maximises
/// #(g < transition_h in [t - alarm_s, t)) + #(g > transition_h in [t, t + alarm_s)); the offset
/// is the t in [end, end + alarm_s] maximising the mirrored count; ties go to the candidate
/// nearest the alarm (a brief false alarm stays brief). O(n) (prefix counts and a monotone-deque
/// window maximum).
struct AbbinkParams {
  double window_s = 0.02;
  double lowpass_hz = 30.0;
  int lowpass_order = 10;
  double h = 5.0;            ///< alarm threshold [E]: 3 lets rest excursions of the smooth function through
  double transition_h = 1.5;
  double alarm_s = 0.1;
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

/// Silva et al. 2012 (§5.6): the centred moving average of |x| (window_s; the test function, in
/// signal units) against a long moving average (threshold_window_s, the adaptive threshold) and a
/// fixed threshold mu0 + h sigma0 of the test function over the rest window (reported as
/// `threshold`). Onset when the test function exceeds both, offset when it falls below both
/// (BioSPPy's rule). The long window trails (ends at the current sample): a centred or leading
/// one would rise before the burst and delay the onset by up to half the rise time.
struct SilvaParams {
  double window_s = 0.05;
  double threshold_window_s = 0.5;
  double h = 4.0;            ///< fixed threshold mu0 + h sigma0 [E]: 3 lets 50 ms rest excursions through
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

/// Londral et al. 2013 (§5.6): windowed variance (1/W)(sum x^2 - (sum x)^2 / W) over a centred
/// window (the test function, in signal units squared) against mu0 + h sigma0 of it over the rest
/// window. A change of state (onset or offset) needs min_active_s of consecutive samples of the
/// new state and is dated at the first of them.
struct LondralParams {
  double window_s = 0.05;
  double h = 3.0;
  double min_active_s = 0.05;
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

}  // namespace emg::detect
