// The one place that knows about CUDA function qualifiers. Everything under
// kernels/ is written as plain C++ plus SCLS_FUNCTION, so the same headers
// compile with g++ (CPU backend) and nvcc (GPU backend).
#pragma once

#if defined(__CUDACC__)
#define SCLS_FUNCTION __host__ __device__
#define SCLS_FORCEINLINE __forceinline__
#else
#define SCLS_FUNCTION
#define SCLS_FORCEINLINE inline __attribute__((always_inline))
#endif

// True while compiling device code (nvcc's device pass).
#if defined(__CUDA_ARCH__)
#define SCLS_DEVICE_PASS 1
#else
#define SCLS_DEVICE_PASS 0
#endif

// True in host builds by g++ or clang for x86-64, whose SSE2 (every x86-64
// has it) some kernels use for the host's arithmetic; false in both of
// nvcc's passes and on other targets, which take the portable path.
#if !defined(__CUDACC__) && defined(__SSE2__) && defined(__x86_64__)
#define SCLS_HOST_SSE2 1
#else
#define SCLS_HOST_SSE2 0
#endif

// Rare paths of the event loop (a diagnostic attack, an adverse event) kept
// out of line in device code, so that the GPU kernel's common path fits its
// registers without spilling; inlined on the CPU, where calls cost more than
// registers.
#if SCLS_DEVICE_PASS
#define SCLS_DEVICE_NOINLINE __noinline__
#elif defined(SCLS_MEASURE_PARTS)
#define SCLS_DEVICE_NOINLINE __attribute__((noinline))
#else
#define SCLS_DEVICE_NOINLINE
#endif

// The parts of the event loop whose cost the lane model measures (the
// lane_costs program, built with SCLS_MEASURE_PARTS, keeps them and the
// SCLS_DEVICE_NOINLINE ones out of line so that callgrind counts each one's
// instructions per call); always inlined in other host builds (g++ would keep
// the attack's handler out of line, which costs more than it saves), left
// to nvcc in its builds.
#if defined(SCLS_MEASURE_PARTS) && !SCLS_DEVICE_PASS
#define SCLS_MEASURED_PART __attribute__((noinline))
#elif !defined(__CUDACC__)
#define SCLS_MEASURED_PART __attribute__((always_inline))
#else
#define SCLS_MEASURED_PART
#endif

// Debug-only check of an internal invariant (never of user input: that is
// validated on the host, always, before anything runs).
#if defined(NDEBUG) || SCLS_DEVICE_PASS
#define SCLS_EXPECT(cond) ((void)0)
#else
#include <cassert>
#define SCLS_EXPECT(cond) assert(cond)
#endif
