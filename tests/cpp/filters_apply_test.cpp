// sosfilt / sosfilt_zi / sosfiltfilt / SosFilter against SciPy golden values; chunking, thread
// independence and parameter errors.
#include <emg/errors.hpp>
#include <emg/filters/apply.hpp>
#include <emg/parallel.hpp>

#include <gtest/gtest.h>

#include "test_helpers.hpp"

#include "golden.hpp"

#include <cmath>
#include <functional>
#include <random>
#include <string>

namespace {

using emg::RowMatrixXd;
using emg::filters::PadType;
using emg::filters::Sos;

struct Data {
  emg::test::Golden g{"filters_apply.txt"};
  RowMatrixXd x = g.matrix("x");
  std::vector<long> idx;
  Data() {
    const auto v = g.vector("idx");
    for (Eigen::Index i = 0; i < v.size(); ++i) idx.push_back(static_cast<long>(v(i)));
  }
  RowMatrixXd cols(const RowMatrixXd& y) const {
    RowMatrixXd out(y.rows(), static_cast<Eigen::Index>(idx.size()));
    for (std::size_t j = 0; j < idx.size(); ++j) out.col(static_cast<Eigen::Index>(j)) = y.col(idx[j]);
    return out;
  }
  double rms() const { return std::sqrt(x.squaredNorm() / static_cast<double>(x.size())); }
  Sos sos(const std::string& name) const { return g.matrix("sos_" + name); }
};

const Data& data() {
  static const Data d;
  return d;
}

using emg::test::error_of;

RowMatrixXd random_signal(long channels, long samples, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> nd;
  RowMatrixXd x(channels, samples);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = nd(gen);
  return x;
}

const char* const kFilters[] = {"bp4", "lp3", "hp2"};

TEST(FiltersApply, SosfiltZiMatchesScipy) {
  for (const char* f : kFilters) {
    const auto zi = emg::filters::sosfilt_zi(data().sos(f));
    EXPECT_LE(emg::test::max_abs_diff(zi, data().g.matrix(std::string("zi_") + f)), 1e-12) << f;
  }
}

TEST(FiltersApply, SosfiltMatchesScipyWithAndWithoutState) {
  const double tol = 1e-10 * data().rms();
  for (const char* f : kFilters) {
    const Sos sos = data().sos(f);
    const RowMatrixXd y = emg::filters::sosfilt(sos, data().x);
    EXPECT_LE(emg::test::max_abs_diff(data().cols(y), data().g.matrix(std::string("sosfilt_") + f)), tol) << f;
    emg::filters::SosState zf;
    const RowMatrixXd yz = emg::filters::sosfilt(sos, data().x, data().g.matrix(std::string("zi_in_") + f), zf);
    EXPECT_LE(emg::test::max_abs_diff(data().cols(yz), data().g.matrix(std::string("sosfilt_zi_") + f)), tol) << f;
    EXPECT_LE(emg::test::max_abs_diff(zf, data().g.matrix(std::string("zf_") + f)), tol) << f;
  }
}

TEST(FiltersApply, SosfiltfiltMatchesScipyEveryPadtypeAndPadlen) {
  const double tol = 1e-10 * data().rms();
  int checked = 0;
  for (const auto& [name, ref] : data().g.all()) {
    if (name.rfind("y_", 0) != 0) continue;
    // y_<filter>_<padtype>_<padlen>
    const auto a = name.find('_', 2), b = name.find('_', a + 1);
    const std::string filt = name.substr(2, a - 2), pad = name.substr(a + 1, b - a - 1), len = name.substr(b + 1);
    std::optional<long> padlen;
    if (len != "default") padlen = std::stol(len);
    const RowMatrixXd y =
        emg::filters::sosfiltfilt(data().sos(filt), data().x, emg::filters::parse_padtype(pad), padlen);
    EXPECT_LE(emg::test::max_abs_diff(data().cols(y), ref), tol) << name;
    ++checked;
  }
  EXPECT_EQ(checked, 32);
}

TEST(FiltersApply, DefaultPadlenIsScipys) {
  EXPECT_EQ(emg::filters::default_padlen(data().sos("bp4")), 27);
  // an odd-order low-pass has one section with b2 == a2 == 0
  EXPECT_EQ(emg::filters::default_padlen(data().sos("lp3")), 12);
}

TEST(FiltersApply, ChunkedEqualsWholeViaStateAndSosFilter) {
  const Sos sos = data().sos("bp4");
  const RowMatrixXd x = random_signal(6, 5000, 7);
  const RowMatrixXd whole = emg::filters::sosfilt(sos, x);
  std::mt19937 gen(11);
  std::uniform_int_distribution<long> step(1, 900);
  emg::filters::SosState state = emg::filters::SosState::Zero(6, 2 * sos.rows());
  emg::filters::SosFilter streaming(sos, 6);
  RowMatrixXd by_state(6, 5000), by_filter(6, 5000);
  for (long start = 0; start < 5000;) {
    const long m = std::min(step(gen), 5000 - start);
    emg::filters::SosState zf;
    by_state.middleCols(start, m) = emg::filters::sosfilt(sos, x.middleCols(start, m), state, zf);
    state = zf;
    by_filter.middleCols(start, m) = streaming.process(x.middleCols(start, m));
    start += m;
  }
  const double scale = whole.cwiseAbs().maxCoeff();
  EXPECT_LE(emg::test::max_abs_diff(by_state, whole), 1e-12 * scale);
  EXPECT_LE(emg::test::max_abs_diff(by_filter, whole), 1e-12 * scale);
  streaming.reset();
  EXPECT_EQ(streaming.state().cwiseAbs().maxCoeff(), 0.0);
  EXPECT_LE(emg::test::max_abs_diff(streaming.process(x), whole), 0.0);
}

TEST(FiltersApply, ResultsIndependentOfThreadCountAndChannelPosition) {
  const Sos sos = data().sos("bp4");
  const RowMatrixXd x = random_signal(11, 7000, 3);
  const int saved = emg::get_num_threads();
  emg::set_num_threads(1);
  const RowMatrixXd one = emg::filters::sosfiltfilt(sos, x);
  const RowMatrixXd one_f = emg::filters::sosfilt(sos, x);
  emg::set_num_threads(2);
  const RowMatrixXd two = emg::filters::sosfiltfilt(sos, x);
  const RowMatrixXd two_f = emg::filters::sosfilt(sos, x);
  emg::set_num_threads(saved);
  EXPECT_TRUE((one.array() == two.array()).all());
  EXPECT_TRUE((one_f.array() == two_f.array()).all());
  // one channel alone gives the bitwise same result as inside a block of channels
  const RowMatrixXd single = emg::filters::sosfiltfilt(sos, x.row(9));
  EXPECT_TRUE((single.row(0).array() == one.row(9).array()).all());
}

TEST(FiltersApply, BadInputsNameParameterValueAndRule) {
  const Sos sos = data().sos("bp4");
  const RowMatrixXd x = random_signal(2, 100, 1);
  RowMatrixXd bad = x;
  bad(1, 42) = NAN;
  EXPECT_NE(error_of([&] { emg::filters::sosfiltfilt(sos, bad); }).find("sosfiltfilt: x=nan at channel 1, sample 42"),
            std::string::npos);
  bad(1, 42) = INFINITY;
  EXPECT_NE(error_of([&] { emg::filters::sosfilt(sos, bad); }).find("x=inf"), std::string::npos);
  EXPECT_NE(error_of([&] { emg::filters::sosfiltfilt(sos, RowMatrixXd(2, 0)); }).find("empty input"), std::string::npos);
  EXPECT_NE(error_of([&] { emg::filters::sosfilt(sos, RowMatrixXd(0, 5)); }).find("empty input"), std::string::npos);
  // shorter than (or equal to) the padding: SciPy's rule len(x) > padlen
  const std::string short_msg = error_of([&] { emg::filters::sosfiltfilt(sos, x.leftCols(27)); });
  EXPECT_NE(short_msg.find("sosfiltfilt: padlen=27"), std::string::npos) << short_msg;
  EXPECT_NE(short_msg.find("x has 27 samples"), std::string::npos) << short_msg;
  EXPECT_NO_THROW(emg::filters::sosfiltfilt(sos, x.leftCols(28)));
  EXPECT_NE(error_of([&] { emg::filters::sosfiltfilt(sos, x, PadType::odd, 100); }).find("padlen=100"),
            std::string::npos);
  EXPECT_NE(error_of([&] { emg::filters::sosfiltfilt(sos, x, PadType::odd, -1); }).find("padlen=-1 must be >= 0"),
            std::string::npos);
  EXPECT_NO_THROW(emg::filters::sosfiltfilt(sos, x, PadType::none, 1000));  // padlen ignored without padding
  EXPECT_NE(error_of([] { emg::filters::parse_padtype("zero"); }).find("padtype='zero'"), std::string::npos);
  emg::filters::SosState zf;
  EXPECT_NE(error_of([&] { emg::filters::sosfilt(sos, x, emg::filters::SosState::Zero(2, 3), zf); })
                .find("zi=shape (2, 3) must be (n_channels, 2*n_sections) = (2, 8)"),
            std::string::npos);
  EXPECT_NE(error_of([&] { emg::filters::SosFilter(sos, 0); }).find("n_channels=0 must be >= 1"), std::string::npos);
  emg::filters::SosFilter f(sos, 3);
  EXPECT_NE(error_of([&] { f.process(x); }).find("must have n_channels=3 rows"), std::string::npos);
}

TEST(FiltersApply, ImpulseAndDcKnownAnswers) {
  // impulse response of a single section is its own difference equation
  const Sos sos = data().sos("hp2");
  RowMatrixXd impulse = RowMatrixXd::Zero(1, 400);
  impulse(0, 0) = 1.0;
  const RowMatrixXd h = emg::filters::sosfilt(sos, impulse);
  EXPECT_DOUBLE_EQ(h(0, 0), sos(0, 0));
  // a high-pass blocks DC: the step response decays to zero, and zero-phase filtering of a
  // constant (odd padding, steady-state start) is zero everywhere
  EXPECT_NEAR(h.sum(), 0.0, 1e-6);
  const RowMatrixXd dc = RowMatrixXd::Constant(2, 3000, 3.5);
  EXPECT_LE(emg::filters::sosfiltfilt(sos, dc).cwiseAbs().maxCoeff(), 1e-9);
}

}  // namespace
