// Channel choice shared by the recording-level entry points of emg::detect (detect_cramps on a
// Recording, analyse_session): which channel is analysed, and which one the pulse search uses.
#pragma once

#include <emg/recording.hpp>

#include <string>

namespace emg::detail {

/// `channel` by name, else the first EMG-type channel, else channel 0.
inline long analysed_channel(const Recording& rec, const std::string& channel) {
  if (!channel.empty()) return rec.channel_index(channel);
  for (long c = 0; c < rec.n_channels(); ++c) {
    if (rec.channels()[static_cast<std::size_t>(c)].type == "EMG") return c;
  }
  return 0;
}

/// The channel name stim::find_trains must search: the analysed EMG channel when the pulses come
/// from the EMG (source "emg", or "auto" without stored pulses and without a TRIG channel), ""
/// (the first TRIG channel / the stored pulses) otherwise.
inline std::string pulse_search_channel(const Recording& rec, long emg_channel, const std::string& source) {
  bool has_trigger = false;
  for (const ChannelInfo& ch : rec.channels()) has_trigger = has_trigger || ch.type == "TRIG";
  const bool from_emg = source == "emg" || (source == "auto" && rec.stimulation().pulses.empty() && !has_trigger);
  return from_emg ? rec.channels()[static_cast<std::size_t>(emg_channel)].name : std::string();
}

}  // namespace emg::detail
