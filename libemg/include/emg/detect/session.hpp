// Analysis of one electrically-induced-cramp session (a recording operation, DESIGN.md layer 2):
// find the stimulation trains, suppress the artefacts, measure the M-waves, decide for every train
// whether a cramp followed it and determine the cramp threshold frequency, with every parameter
// by one name ("pulses.threshold_mad", "cramp.k_on") on every surface, and the results as tables
// with the same columns for the CLI (TSV/JSON), Python (DataFrames) and the store (/derived, /metrics).
#pragma once

#include <emg/detect/cramp.hpp>
#include <emg/detect/ctf.hpp>
#include <emg/fields.hpp>
#include <emg/recording.hpp>
#include <emg/stim/artifacts.hpp>
#include <emg/stim/mwaves.hpp>
#include <emg/stim/pulses.hpp>
#include <emg/table.hpp>

#include <string>
#include <vector>

namespace emg::detect {

/// Every parameter of the session analysis.
///   analysis.channel, analysis.mwaves          which channel; whether M-waves are measured
///   find.source                                auto | stored | trigger | emg (stim::FindTrainsParams)
///   pulses.*                                   stim::PulseDetectParams (EMG artefacts or trigger edges)
///   trains.*                                   stim::TrainGroupParams (grouping, protocol checks)
///   suppress.*                                 stim::SuppressParams for the M-wave measures (stim step)
///   mwave.*                                    stim::MwaveMeasureParams
///   cramp.*                                    CrampParams (decision; its own suppression is cramp_suppress.*)
///   cramp_suppress.*                           CrampParams::suppression (25 ms blanking by default)
///   ctf.*                                      CtfParams
struct SessionAnalysisParams {
  std::string channel;  ///< "" = the first EMG-type channel, else channel 0
  bool mwaves = true;   ///< measure the M-wave of every pulse (stim step)
  stim::FindTrainsParams find;
  stim::SuppressParams suppress;
  stim::MwaveMeasureParams mwave;
  CrampParams cramp;
  CtfParams ctf;
  void validate(double fs_hz) const;
  static const ParamTable& describe();  ///< the analysis.* fields
};

/// The field table of `p` (valid while p lives), in the order listed above.
std::vector<FieldRef> session_analysis_fields(SessionAnalysisParams& p);

/// The stimulation part (`cramplab stim`): trains, suppressed spans and M-waves of one channel.
struct StimAnalysis {
  long channel = 0;                            ///< analysed channel
  std::string channel_name;
  double fs_hz = 0.0;
  stim::TrainSearch search;                    ///< source, raw pulses, trains with their status
  std::vector<std::int64_t> pulses;            ///< pulses of the trains, in time order
  std::vector<long> pulse_train_ids;           ///< train of each pulse
  std::vector<stim::SampleInterval> intervals; ///< suppressed span of each pulse (suppress.*)
  std::vector<stim::Mwave> mwaves;             ///< per pulse (empty when analysis.mwaves is false)
  stim::MwaveTrends mwave_trends;
};

/// The whole session (`cramplab cramp`): the stimulation part plus the decisions and the CTF.
struct SessionAnalysis {
  StimAnalysis stim;
  std::vector<CrampResult> cramps;  ///< one per train (or one no_stimulation result)
  CtfResult ctf;
};

/// Stimulation part only. A recording without stimulation gives no trains (not an error).
/// @throws InvalidArgument for invalid params or an unknown channel.
StimAnalysis analyse_stimulation(const Recording& rec, const SessionAnalysisParams& params = {});
/// Everything. Stimulation, decisions and CTF use the same trains.
SessionAnalysis analyse_session(const Recording& rec, const SessionAnalysisParams& params = {});

// ---- result tables (the same columns on every surface; docs/CLI.md lists them) ----
Table pulses_table(const StimAnalysis& a);        ///< pulse_index, train_id, sample, time_s, interval_start/end_sample
Table trains_table(const StimAnalysis& a);        ///< one row per train with its protocol checks and status
Table mwaves_table(const StimAnalysis& a);        ///< one row per pulse: latency, peak-to-peak, area, duration, status
Table mwave_trends_table(const StimAnalysis& a);  ///< one row per train: first/last/mean p-p, slopes, ratios
Table cramps_table(const SessionAnalysis& a);     ///< one row per train: decision, onset/offset, measures, evidence
Table ctf_table(const SessionAnalysis& a);        ///< one row: the CTF interval, censoring, counts, status

}  // namespace emg::detect
