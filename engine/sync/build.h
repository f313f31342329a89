// engine/sync/build.h — which build this translation unit belongs to.
//
// TLSM_MODEL is set by CMake on the model targets only (a PUBLIC compile
// definition of tlsm_engine_model), so a dependant cannot flip it by accident.
// The two builds live in different inline namespaces: linking an object of
// one build against a library of the other fails at link time instead of
// misbehaving at run time.
#pragma once

#ifndef TLSM_MODEL
#define TLSM_MODEL 0
#endif

// TLSM_RUNTIME_MUTANTS: this build can run a catalogued mutant chosen at
// run time (engine/sync/mutant.h). Always on in the model build; on in a
// production build configured with -DTLSM_RUNTIME_MUTANTS=ON (property and
// unit tests against a mutant); off otherwise, where every mutant branch
// folds away.
#if TLSM_MODEL
#undef TLSM_RUNTIME_MUTANTS
#define TLSM_RUNTIME_MUTANTS 1
#endif
#ifndef TLSM_RUNTIME_MUTANTS
#define TLSM_RUNTIME_MUTANTS 0
#endif

#if TLSM_MODEL
#define TLSM_BUILD_NS model_build
#else
#define TLSM_BUILD_NS std_build
#endif

#define TLSM_BEGIN \
  namespace tlsm {  \
  inline namespace TLSM_BUILD_NS {
#define TLSM_END \
  }              \
  }

// Debug assertions (API misuse) are always on in the model build, where a
// failed one is reported through Relacy. In the production build they are a
// property of the library, not of the including translation unit: they add
// fields (sync::Mutex's owner), so a consumer built with another NDEBUG must
// still see the library's layouts. CMake writes tlsm/config.h (from
// engine/sync/config.h.in, installed with the headers) with
// TLSM_CONFIG_DEBUG_CHECKS fixed at configure time (option
// TLSM_DEBUG_CHECKS). Only a compile outside CMake (the syntax-only
// thread-safety check) lacks the header and falls back to NDEBUG.
#if __has_include("tlsm/config.h")
#include "tlsm/config.h"
#endif
#if TLSM_MODEL
#define TLSM_DEBUG_CHECKS 1
#elif defined(TLSM_CONFIG_DEBUG_CHECKS)
#define TLSM_DEBUG_CHECKS TLSM_CONFIG_DEBUG_CHECKS
#elif !defined(NDEBUG)
#define TLSM_DEBUG_CHECKS 1
#else
#define TLSM_DEBUG_CHECKS 0
#endif
