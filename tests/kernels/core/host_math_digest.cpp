// Prints digests of the host's own ln x and 1 - e^-x and of its normal CDF
// (long double erfc), and of libm's log and expm1, over the arguments the
// model gives them (32-bit uniforms; rate times interval; z-scores of
// truncation bounds), for host_math_bits_test.sh to compare between runs
// with and without the processor's FMA visible to glibc, and with the digest
// this source gave when it was written.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "kernels/core/exponential.hpp"
#include "kernels/core/logarithm.hpp"
#include "kernels/core/math.hpp"

namespace {

struct Digest {
    std::uint64_t state = 14695981039346656037ULL;  // FNV-1a, 64-bit
    void add(double value)
    {
        std::uint64_t bits = 0;
        std::memcpy(&bits, &value, sizeof bits);
        for (int byte = 0; byte < 8; ++byte) {
            state = (state ^ ((bits >> (8 * byte)) & 0xff)) * 1099511628211ULL;
        }
    }
};

}  // namespace

int main()
{
    Digest own;
    Digest libm;
    std::uint32_t word = 12345;
    for (int i = 0; i < 2000000; ++i) {
        word = word * 1664525u + 1013904223u;  // any fixed sequence of words
        const double uniform = (static_cast<double>(word) + 0.5) * 2.3283064365386962890625e-10;
        const double rate_times_interval = uniform * 3.0;
        own.add(scls::natural_log(uniform));
        own.add(scls::one_minus_exp_minus(rate_times_interval));
        if (i % 16 == 0) {
            own.add(scls::normal_cdf(uniform * 16.0 - 8.0));
        }
        libm.add(std::log(uniform));
        libm.add(-std::expm1(-rate_times_interval));
    }
    std::printf("own %016llx libm %016llx\n", static_cast<unsigned long long>(own.state),
                static_cast<unsigned long long>(libm.state));
    return 0;
}
