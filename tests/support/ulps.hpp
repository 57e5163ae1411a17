// Accuracy of the host's own transcendentals against a reference.
#pragma once

#include <cmath>

namespace scls::test {

// |got - truth| in units in the last place of the double nearest the truth
// (truth from the x87's 64-bit long double functions).
inline double ulps_from_truth(double got, long double truth)
{
    int exponent = 0;
    std::frexp(static_cast<double>(truth), &exponent);
    return static_cast<double>(std::fabs(static_cast<long double>(got) - truth) / std::ldexp(1.0L, exponent - 53));
}

}  // namespace scls::test
