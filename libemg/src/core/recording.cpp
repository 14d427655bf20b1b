#include <emg/errors.hpp>
#include <emg/recording.hpp>

#include "detail/check.hpp"

#include <cmath>
#include <limits>
#include <utility>

namespace emg {

using detail::fail_param;
using detail::fmt;

Recording::Recording(RowMatrixXd data, double fs_hz, std::vector<ChannelInfo> channels, double start_time_s)
    : data_(std::move(data)), fs_hz_(fs_hz), start_time_s_(start_time_s), channels_(std::move(channels)) {
  if (channels_.empty()) {
    channels_.resize(static_cast<std::size_t>(data_.rows()));
    for (std::size_t i = 0; i < channels_.size(); ++i) channels_[i].name = "ch" + std::to_string(i);
  }
  validate();
}

void Recording::validate() const {
  constexpr std::string_view fn = "Recording";
  detail::check_fs(fn, fs_hz_);
  if (!std::isfinite(start_time_s_)) fail_param(fn, "start_time_s", fmt(start_time_s_), "must be finite");
  if (static_cast<Eigen::Index>(channels_.size()) != data_.rows()) {
    fail_param(fn, "channels", std::to_string(channels_.size()) + " entries",
               "must have one entry per data row (" + std::to_string(data_.rows()) + " rows)");
  }
  detail::check_signal(fn, data_);
  for (std::size_t i = 0; i < channels_.size(); ++i) {
    if (channels_[i].name.empty()) fail_param(fn, "channels[" + std::to_string(i) + "].name", "\"\"", "must not be empty");
    for (std::size_t j = 0; j < i; ++j) {
      if (channels_[j].name == channels_[i].name) {
        fail_param(fn, "channels[" + std::to_string(i) + "].name", "\"" + channels_[i].name + "\"",
                   "must be unique (also used by channel " + std::to_string(j) + ")");
      }
    }
  }
}

long Recording::channel_index(const std::string& name) const {
  std::string names;
  for (std::size_t i = 0; i < channels_.size(); ++i) {
    if (channels_[i].name == name) return static_cast<long>(i);
    names += (i ? ", " : "") + channels_[i].name;
  }
  fail_param("Recording.channel_index", "name", "\"" + name + "\"", "is not a channel (channels: " + names + ")");
}

Recording Recording::with_data(RowMatrixXd data, const std::string& operation) const {
  if (data.rows() != data_.rows()) {
    fail_param("Recording.with_data", "data", std::to_string(data.rows()) + " rows",
               "must keep the channel count (" + std::to_string(data_.rows()) + ")");
  }
  std::vector<ChannelInfo> channels = channels_;
  for (auto& ch : channels) {  // the new data are not ADC counts any more
    ch.conversion = ch.digital_min = ch.digital_max = std::numeric_limits<double>::quiet_NaN();
    ch.offset = 0.0;
  }
  Recording out(std::move(data), fs_hz_, std::move(channels), start_time_s_);
  out.attributes_ = attributes_;
  out.events_ = events_;
  out.stimulation_ = stimulation_;
  out.history_ = history_;
  out.history_.push_back(operation);
  return out;
}

Recording Recording::select_channels(const std::vector<long>& indices) const {
  if (indices.empty()) fail_param("Recording.select_channels", "indices", "[]", "must name at least one channel");
  RowMatrixXd sub(static_cast<Eigen::Index>(indices.size()), data_.cols());
  std::vector<ChannelInfo> info;
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const long i = indices[k];
    if (i < 0 || i >= n_channels()) {
      fail_param("Recording.select_channels", "indices[" + std::to_string(k) + "]", std::to_string(i),
                 "must be in [0, " + std::to_string(n_channels()) + ")");
    }
    sub.row(static_cast<Eigen::Index>(k)) = data_.row(i);
    info.push_back(channels_[static_cast<std::size_t>(i)]);
  }
  Recording out(std::move(sub), fs_hz_, std::move(info), start_time_s_);
  out.attributes_ = attributes_;
  out.stimulation_ = stimulation_;
  out.history_ = history_;
  for (const auto& e : events_) {
    if (e.channel < 0) {
      out.events_.push_back(e);
      continue;
    }
    for (std::size_t k = 0; k < indices.size(); ++k) {
      if (indices[k] == e.channel) {
        Event moved = e;
        moved.channel = static_cast<long>(k);
        out.events_.push_back(moved);
      }
    }
  }
  out.history_.push_back("select_channels");
  return out;
}

void Recording::set_channel_labels(long index, const std::string& name, const std::string& target_muscle,
                                   const std::string& placement, const std::string& reference) {
  if (index < 0 || index >= n_channels()) {
    fail_param("Recording.set_channel_labels", "index", std::to_string(index),
               "must be in [0, " + std::to_string(n_channels()) + ")");
  }
  auto& ch = channels_[static_cast<std::size_t>(index)];
  const std::string old = ch.name;
  ch.name = name;
  ch.target_muscle = target_muscle;
  ch.placement = placement;
  ch.reference = reference;
  try {
    validate();
  } catch (...) {
    ch.name = old;
    throw;
  }
}

void Recording::set_units(long index, const std::string& units) {
  if (index < 0 || index >= n_channels()) {
    fail_param("Recording.set_units", "index", std::to_string(index), "must be in [0, " + std::to_string(n_channels()) + ")");
  }
  channels_[static_cast<std::size_t>(index)].units = units;
}

void Recording::add_event(Event event) {
  if (event.channel < -1 || event.channel >= n_channels()) {
    fail_param("Recording.add_event", "channel", std::to_string(event.channel),
               "must be -1 (all) or in [0, " + std::to_string(n_channels()) + ")");
  }
  if (event.start_sample < 0 || event.end_sample < event.start_sample || event.end_sample > n_samples()) {
    fail_param("Recording.add_event", "start_sample/end_sample",
               std::to_string(event.start_sample) + "/" + std::to_string(event.end_sample),
               "must satisfy 0 <= start <= end <= n_samples (" + std::to_string(n_samples()) + ")");
  }
  events_.push_back(std::move(event));
}

void Recording::set_stimulation(Stimulation stimulation) {
  for (std::size_t k = 0; k < stimulation.pulses.size(); ++k) {
    const auto p = stimulation.pulses[k];
    if (p < 0 || p >= n_samples()) {
      fail_param("Recording.set_stimulation", "pulses[" + std::to_string(k) + "]", std::to_string(p),
                 "must be a sample index in [0, " + std::to_string(n_samples()) + ")");
    }
    if (k > 0 && p <= stimulation.pulses[k - 1]) {
      fail_param("Recording.set_stimulation", "pulses[" + std::to_string(k) + "]", std::to_string(p),
                 "must be strictly increasing");
    }
  }
  stimulation_ = std::move(stimulation);
}

void Recording::set_attribute(const std::string& key, const std::string& value) {
  if (key.empty()) fail_param("Recording.set_attribute", "key", "\"\"", "must not be empty");
  attributes_[key] = value;
}

void Recording::set_channel_info(long index, ChannelInfo info) {
  if (index < 0 || index >= n_channels()) {
    fail_param("Recording.set_channel_info", "index", std::to_string(index),
               "must be in [0, " + std::to_string(n_channels()) + ")");
  }
  const std::string param = "channels[" + std::to_string(index) + "].name";
  if (info.name.empty()) fail_param("Recording.set_channel_info", param, "\"\"", "must not be empty");
  for (long j = 0; j < n_channels(); ++j) {
    if (j != index && channels_[static_cast<std::size_t>(j)].name == info.name) {
      fail_param("Recording.set_channel_info", param, "\"" + info.name + "\"",
                 "must be unique (also used by channel " + std::to_string(j) + ")");
    }
  }
  channels_[static_cast<std::size_t>(index)] = std::move(info);
}

}  // namespace emg
