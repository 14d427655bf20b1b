// Helpers shared by the GoogleTest files: exception-message checks and relative differences.
#pragma once

#include <emg/errors.hpp>
#include <emg/types.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <functional>
#include <limits>
#include <string>

namespace emg::test {

/// The message of the exception of type E that `f` throws; a test failure (and "") when `f`
/// throws nothing or another type.
template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
    return {};
  }
  ADD_FAILURE() << "no exception thrown";
  return {};
}

/// The message of the emg::InvalidArgument that `f` throws.
template <class F>
std::string error_of(F&& f) {
  return message_of<emg::InvalidArgument>(std::forward<F>(f));
}

/// Expect an emg::InvalidArgument whose message contains `part`.
inline void expect_error(const std::function<void()>& f, const std::string& part) {
  const std::string msg = error_of(f);
  EXPECT_NE(msg.find(part), std::string::npos) << "message: " << msg << "\n  expected: " << part;
}

/// max |a - b| / max |b| (infinity when the shapes differ).
template <class A, class B>
double max_rel(const A& a, const B& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return std::numeric_limits<double>::infinity();
  return (a - b).cwiseAbs().maxCoeff() / std::max(b.cwiseAbs().maxCoeff(), 1e-300);
}

}  // namespace emg::test

/// EXPECT that `text` contains `part`, printing the text on failure.
#define EXPECT_HAS(text, part) EXPECT_NE(std::string(text).find(part), std::string::npos) << "message: " << (text)

/// EXPECT that `call` throws emg::InvalidArgument whose message contains every given part.
#define EXPECT_ERROR(call, ...)                                              \
  do {                                                                       \
    const std::string msg_ = emg::test::error_of([&] { (void)(call); });     \
    for (const char* part_ : {__VA_ARGS__}) {                                \
      EXPECT_NE(msg_.find(part_), std::string::npos) << "message: " << msg_; \
    }                                                                        \
  } while (0)
