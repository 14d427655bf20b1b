// emg::Recording invariants, metadata operations and the shared error-message format.
#include <emg/errors.hpp>
#include <emg/recording.hpp>

#include <gtest/gtest.h>

#include "test_helpers.hpp"

#include <cmath>
#include <limits>
#include <string>

namespace {

using emg::Recording;
using emg::RowMatrixXd;

RowMatrixXd ramp(long ch, long n) {
  RowMatrixXd x(ch, n);
  for (long c = 0; c < ch; ++c)
    for (long i = 0; i < n; ++i) x(c, i) = static_cast<double>(c * 1000 + i);
  return x;
}

using emg::test::error_of;

TEST(Recording, DefaultNamesAndShape) {
  Recording r(ramp(3, 10), 1000.0);
  EXPECT_EQ(r.n_channels(), 3);
  EXPECT_EQ(r.n_samples(), 10);
  EXPECT_DOUBLE_EQ(r.duration_s(), 0.01);
  EXPECT_EQ(r.channels()[2].name, "ch2");
  EXPECT_TRUE(std::isnan(r.channels()[0].low_cutoff_hz));
  EXPECT_EQ(r.channel_index("ch1"), 1);
}

TEST(Recording, RejectsBadSamplingRate) {
  for (double fs : {0.0, -1.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    const auto msg = error_of([&] { Recording r(ramp(1, 4), fs); });
    EXPECT_NE(msg.find("Recording: fs_hz="), std::string::npos) << msg;
    EXPECT_NE(msg.find("must be finite and > 0"), std::string::npos) << msg;
  }
}

TEST(Recording, RejectsNonFiniteDataNamingTheSample) {
  auto x = ramp(2, 5);
  x(1, 3) = std::numeric_limits<double>::quiet_NaN();
  const auto msg = error_of([&] { Recording r(x, 100.0); });
  EXPECT_NE(msg.find("channel 1, sample 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("NaN or Inf"), std::string::npos) << msg;
}

TEST(Recording, RejectsEmptyData) {
  const auto msg = error_of([&] { Recording r(RowMatrixXd(0, 0), 100.0); });
  EXPECT_NE(msg.find("empty input"), std::string::npos) << msg;
  const auto msg2 = error_of([&] { Recording r(RowMatrixXd(2, 0), 100.0); });
  EXPECT_NE(msg2.find("empty input"), std::string::npos) << msg2;
}

TEST(Recording, RejectsChannelCountMismatchAndDuplicateNames) {
  std::vector<emg::ChannelInfo> one(1);
  one[0].name = "a";
  auto msg = error_of([&] { Recording r(ramp(2, 5), 100.0, one); });
  EXPECT_NE(msg.find("one entry per data row"), std::string::npos) << msg;
  std::vector<emg::ChannelInfo> dup(2);
  dup[0].name = dup[1].name = "FHB";
  msg = error_of([&] { Recording r(ramp(2, 5), 100.0, dup); });
  EXPECT_NE(msg.find("must be unique"), std::string::npos) << msg;
}

TEST(Recording, ChannelIndexListsNamesWhenMissing) {
  Recording r(ramp(2, 5), 100.0);
  const auto msg = error_of([&] { (void)r.channel_index("TA"); });
  EXPECT_NE(msg.find("\"TA\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("ch0, ch1"), std::string::npos) << msg;
}

TEST(Recording, WithDataKeepsMetadataAndAppendsHistory) {
  Recording r(ramp(2, 5), 100.0);
  r.add_event({.channel = 1, .start_sample = 1, .end_sample = 3, .kind = "burst", .source = "test"});
  Recording s = r.with_data(ramp(2, 5) * 2.0, "double");
  EXPECT_EQ(s.history().back(), "double");
  EXPECT_EQ(s.events().size(), 1u);
  EXPECT_DOUBLE_EQ(s.data()(1, 4), 2.0 * r.data()(1, 4));
  EXPECT_TRUE(r.history().empty());  // the input is never modified
  EXPECT_THROW((void)r.with_data(ramp(3, 5), "bad"), emg::InvalidArgument);
}

TEST(Recording, SelectChannelsRemapsEvents) {
  Recording r(ramp(3, 6), 100.0);
  r.add_event({.channel = 2, .start_sample = 0, .end_sample = 2, .kind = "k", .source = ""});
  r.add_event({.channel = 0, .start_sample = 0, .end_sample = 2, .kind = "dropped", .source = ""});
  Recording s = r.select_channels({2, 1});
  EXPECT_EQ(s.channels()[0].name, "ch2");
  EXPECT_DOUBLE_EQ(s.data()(0, 5), r.data()(2, 5));
  ASSERT_EQ(s.events().size(), 1u);
  EXPECT_EQ(s.events()[0].channel, 0);
  EXPECT_THROW((void)r.select_channels({3}), emg::InvalidArgument);
  EXPECT_THROW((void)r.select_channels({}), emg::InvalidArgument);
}

TEST(Recording, EventAndStimulationBoundsAreChecked) {
  Recording r(ramp(1, 10), 100.0);
  EXPECT_THROW(r.add_event({.channel = 1, .start_sample = 0, .end_sample = 1, .kind = "", .source = ""}),
               emg::InvalidArgument);
  EXPECT_THROW(r.add_event({.channel = 0, .start_sample = 5, .end_sample = 4, .kind = "", .source = ""}),
               emg::InvalidArgument);
  emg::Stimulation stim;
  stim.pulses = {1, 5, 5};
  const auto msg = error_of([&] { r.set_stimulation(stim); });
  EXPECT_NE(msg.find("strictly increasing"), std::string::npos) << msg;
  stim.pulses = {1, 10};
  EXPECT_THROW(r.set_stimulation(stim), emg::InvalidArgument);
  stim.pulses = {1, 9};
  EXPECT_NO_THROW(r.set_stimulation(stim));
  EXPECT_EQ(r.stimulation().pulses.size(), 2u);
}

TEST(Recording, RenameRollsBackOnDuplicate) {
  Recording r(ramp(2, 4), 100.0);
  EXPECT_THROW(r.set_channel_labels(1, "ch0", "", "", ""), emg::InvalidArgument);
  EXPECT_EQ(r.channels()[1].name, "ch1");
  r.set_channel_labels(1, "FHB", "flexor hallucis brevis", "", "");
  EXPECT_EQ(r.channel_index("FHB"), 1);
}

}  // namespace
