// Whether this processor has the registers a vector path needs (SSE2: every
// x86-64), for tests that run each path the processor has and skip the rest.
#pragma once

#include <ostream>

#include "kernels/random/attack_blocks.hpp"

namespace scls::test {

#if SCLS_ATTACK_BLOCKS_IN_VECTORS
inline bool processor_has(AttackBlockRegisters registers)
{
    switch (registers) {
        case AttackBlockRegisters::avx512: return __builtin_cpu_supports("avx512f");
        case AttackBlockRegisters::avx2: return __builtin_cpu_supports("avx2");
        case AttackBlockRegisters::sse2: return true;
    }
    return false;
}
#endif

}  // namespace scls::test

#if SCLS_ATTACK_BLOCKS_IN_VECTORS
namespace scls {
// How gtest names a register width (found by ADL beside the enum).
inline void PrintTo(AttackBlockRegisters registers, std::ostream* out) { *out << name_of(registers); }
}  // namespace scls
#endif
