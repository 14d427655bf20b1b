// emg::Recording: a multichannel EMG recording with its sampling rate, channel metadata,
// events, stimulation and processing history (DESIGN.md §3).
#pragma once

#include <emg/types.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace emg {

/// Per-channel metadata with BIDS-EMG field names. The three filter fields are set only by
/// filter operations (NaN = not filtered), so metadata cannot contradict the data.
struct ChannelInfo {
  std::string name;
  std::string type = "EMG";  ///< BIDS channel type: EMG, TRIG, MISC, ...
  std::string units = "V";
  std::string target_muscle;
  std::string placement;
  std::string reference;
  double low_cutoff_hz = std::numeric_limits<double>::quiet_NaN();
  double high_cutoff_hz = std::numeric_limits<double>::quiet_NaN();
  double notch_hz = std::numeric_limits<double>::quiet_NaN();
  // Where the samples came from an ADC: value = count * conversion + offset, in `units`.
  // NaN conversion = not known to be integer counts. Importers set these; any operation that
  // changes the data (Recording::with_data) clears them, because the data are no longer counts.
  // The HDF5 writer stores integer counts only when every sample reproduces bit-exactly.
  double conversion = std::numeric_limits<double>::quiet_NaN();  ///< units per ADC count
  double offset = 0.0;                                             ///< units at count 0
  double digital_min = std::numeric_limits<double>::quiet_NaN();   ///< lowest ADC count the device can record
  double digital_max = std::numeric_limits<double>::quiet_NaN();   ///< highest ADC count
};

/// A labelled interval (or instant when start == end) on one channel (-1 = all channels).
struct Event {
  long channel = -1;
  std::int64_t start_sample = 0;
  std::int64_t end_sample = 0;
  std::string kind;
  std::string source;
};

/// One stimulation train.
struct StimTrain {
  long train_id = 0;
  std::int64_t start_sample = 0;
  std::int64_t end_sample = 0;
  double frequency_hz = 0.0;
  double pulse_width_us = 0.0;
  double intensity = 0.0;
  long n_pulses = 0;
};

struct Stimulation {
  std::vector<std::int64_t> pulses;  ///< sample index of every pulse
  std::vector<StimTrain> trains;
};

/// A recording. Invariants (checked on construction and by validate()): fs_hz finite and > 0,
/// one ChannelInfo per row, at least one channel and one sample, every sample finite.
class Recording {
 public:
  /// Channel names default to "ch0", "ch1", ... when `channels` is empty.
  Recording(RowMatrixXd data, double fs_hz, std::vector<ChannelInfo> channels = {},
            double start_time_s = 0.0);

  const RowMatrixXd& data() const { return data_; }
  double fs_hz() const { return fs_hz_; }
  double start_time_s() const { return start_time_s_; }
  long n_channels() const { return static_cast<long>(data_.rows()); }
  long n_samples() const { return static_cast<long>(data_.cols()); }
  double duration_s() const { return static_cast<double>(n_samples()) / fs_hz_; }
  const std::vector<ChannelInfo>& channels() const { return channels_; }
  const std::vector<Event>& events() const { return events_; }
  const Stimulation& stimulation() const { return stimulation_; }
  const std::vector<std::string>& history() const { return history_; }
  /// Free-form recording metadata (source_file, source_format, source_sha256, device, subject,
  /// header comments...). Stored as attributes of /recording in the HDF5 file.
  const std::map<std::string, std::string>& attributes() const { return attributes_; }

  /// Index of the channel called `name`; throws InvalidArgument listing the names if absent.
  long channel_index(const std::string& name) const;

  /// A new recording with `data` replaced (same shape or same channel count), keeping metadata,
  /// and `operation` appended to the history. Used by the recording operations.
  Recording with_data(RowMatrixXd data, const std::string& operation) const;

  /// Channel subset by index, in the given order.
  Recording select_channels(const std::vector<long>& indices) const;

  // Metadata that is not derived from the data may be edited freely.
  void set_channel_labels(long index, const std::string& name, const std::string& target_muscle,
                          const std::string& placement, const std::string& reference);
  void set_units(long index, const std::string& units);
  void add_event(Event event);
  void set_stimulation(Stimulation stimulation);
  void append_history(const std::string& line) { history_.push_back(line); }
  /// Set (or replace) one metadata attribute; the key must be non-empty.
  void set_attribute(const std::string& key, const std::string& value);
  /// Replace a channel's metadata wholesale (importers and the HDF5 reader); the name must stay
  /// unique and non-empty.
  void set_channel_info(long index, ChannelInfo info);

  /// Only filter operations call these (they keep the cut-off metadata true to the data).
  ChannelInfo& mutable_channel_for_filter_op(long index) { return channels_.at(static_cast<std::size_t>(index)); }

  /// Re-check every invariant; throws InvalidArgument naming what is wrong.
  void validate() const;

 private:
  RowMatrixXd data_;
  double fs_hz_;
  double start_time_s_;
  std::vector<ChannelInfo> channels_;
  std::vector<Event> events_;
  Stimulation stimulation_;
  std::vector<std::string> history_;
  std::map<std::string, std::string> attributes_;
};

}  // namespace emg
