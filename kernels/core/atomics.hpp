// Integer atomic add usable from both backends. Only integers are added
// atomically (real values as exact fixed-point limbs, exact_sum.hpp): integer
// sums do not depend on the order of the additions, so tallies stay
// bit-identical whatever the thread count or schedule.
#pragma once

#include <cstdint>

#include "kernels/core/macros.hpp"

namespace scls {

SCLS_FUNCTION SCLS_FORCEINLINE void atomic_add(std::uint64_t* target, std::uint64_t value)
{
#if SCLS_DEVICE_PASS
    atomicAdd(reinterpret_cast<unsigned long long*>(target), static_cast<unsigned long long>(value));
#else
    __atomic_fetch_add(target, value, __ATOMIC_RELAXED);
#endif
}

}  // namespace scls
