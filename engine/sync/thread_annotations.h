// engine/sync/thread_annotations.h — Clang thread-safety annotations.
//
// Contract
//   Lock discipline is stated in the code, not in comments: a field written
//   and read only under a mutex is TLSM_GUARDED_BY(mu); a function that must
//   be called with it held is TLSM_REQUIRES(mu). Clang's -Wthread-safety
//   checks every access and call at compile time (ci/check_thread_safety.sh
//   builds the production engine with -Werror=thread-safety). The seam's
//   Mutex is the capability (TLSM_CAPABILITY, Lock/Unlock TLSM_ACQUIRE /
//   TLSM_RELEASE) and MutexLock its scoped holder (TLSM_SCOPED_CAPABILITY).
//   Under any other compiler every macro expands to nothing.
// What the analysis does not see: accesses inside a closure passed to a
//   Cell (With/WithMut) are checked only for the Cell itself, at the call;
//   a closure body that reaches another guarded field is a separate
//   function and must take its data as arguments instead. The runtime
//   checks (Mutex::HeldByMe in TLSM_INVARIANT) stay: they cover the model
//   build and GCC.
#pragma once

#if defined(__clang__)
#define TLSM_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define TLSM_THREAD_ANNOTATION(x)
#endif

// A type whose objects are locks ("mutex").
#define TLSM_CAPABILITY(name) TLSM_THREAD_ANNOTATION(capability(name))
// An RAII type that holds a capability for its lifetime.
#define TLSM_SCOPED_CAPABILITY TLSM_THREAD_ANNOTATION(scoped_lockable)
// A field read and written only with `mu` held.
#define TLSM_GUARDED_BY(mu) TLSM_THREAD_ANNOTATION(guarded_by(mu))
// A function the caller must call with the capabilities held.
#define TLSM_REQUIRES(...) TLSM_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
// A function that takes / lets go of the capabilities (no argument: *this).
#define TLSM_ACQUIRE(...) TLSM_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define TLSM_RELEASE(...) TLSM_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
// A function the caller must call without the capabilities held.
#define TLSM_EXCLUDES(...) TLSM_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// A function the analysis skips; every use says why beside it.
#define TLSM_NO_THREAD_SAFETY_ANALYSIS TLSM_THREAD_ANNOTATION(no_thread_safety_analysis)
