// properties/common/check_property.h — running a rapidcheck property in gtest.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

namespace rc::detail {
// Defined in librapidcheck (the listener rc::check uses); not in its headers.
TestListener& globalTestListener();
}  // namespace rc::detail

namespace tlsm::prop {

// Like RC_GTEST_PROP, but with `default_max_success` cases unless RC_PARAMS
// names max_success. A failure fails the current test with rapidcheck's
// report (the shrunk counterexample and how to reproduce it).
inline void CheckProperty(const std::string& id, void (*property)(), int default_max_success) {
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  const char* env = std::getenv("RC_PARAMS");
  if (env == nullptr || std::string(env).find("max_success") == std::string::npos) {
    params.maxSuccess = default_max_success;
  }
  rc::detail::TestMetadata metadata;
  metadata.id = id;
  metadata.description = id.substr(id.find('/') + 1);
  const auto result = rc::detail::checkProperty(
      rc::detail::toProperty(property), metadata, params, rc::detail::globalTestListener(),
      rc::detail::configuration().reproduce);
  std::ostringstream ss;
  rc::detail::printResultMessage(result, ss);
  if (!result.template is<rc::detail::SuccessResult>()) {
    ADD_FAILURE() << ss.str();
    return;
  }
  std::cout << ss.str() << std::endl;
}

}  // namespace tlsm::prop
