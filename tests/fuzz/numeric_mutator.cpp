// libFuzzer custom mutator for TOML: half of the mutations replace one
// number of the input with a boundary value (tiny, huge, wrapping integers,
// nan, inf). Validation bugs sit at such values, and byte-level mutations
// almost never produce them inside an otherwise valid file. The other half,
// and inputs without numbers, get libFuzzer's own mutations.
// Linked into the libFuzzer binaries only (the replay driver never mutates).
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <string_view>
#include <utility>
#include <vector>

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace {

constexpr std::string_view kBoundaryValues[] = {
    "0", "-0.0", "4.9e-324", "1e-320", "1e-300", "1e-200", "1e-30", "1e-9", "0.999999999999", "1.000000001",
    "0.05", "0.5", "1", "2", "100", "1e9", "1e15", "1e200", "1e300", "1.7976931348623157e308",
    "-1", "-1e300", "2147483647", "2147483648", "4294967295", "4294967296", "9223372036854775807",
    "-9223372036854775808", "nan", "inf", "-inf"};

bool number_start(const std::uint8_t* data, std::size_t i)
{
    const bool digit = std::isdigit(data[i]) != 0;
    const bool sign = (data[i] == '-' || data[i] == '+');
    return (digit || sign) && (i == 0 || std::strchr("=[, {\t", data[i - 1]) != nullptr);
}

// [begin, end) of every number-like token: digits, signs, '.', '_', exponents.
std::vector<std::pair<std::size_t, std::size_t>> numbers(const std::uint8_t* data, std::size_t size)
{
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    for (std::size_t i = 0; i < size; ++i) {
        if (!number_start(data, i)) continue;
        std::size_t end = i + 1;
        while (end < size && (std::isdigit(data[end]) || std::strchr(".eE+-_", data[end]) != nullptr)) ++end;
        spans.emplace_back(i, end);
        i = end;
    }
    return spans;
}

}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned int seed)
{
    std::minstd_rand random(seed);
    const auto spans = random() % 2 == 0 ? numbers(data, size) : decltype(numbers(data, size)){};
    if (spans.empty()) {
        return LLVMFuzzerMutate(data, size, max_size);
    }
    const auto [begin, end] = spans[random() % spans.size()];
    const std::string_view value = kBoundaryValues[random() % std::size(kBoundaryValues)];
    const std::size_t new_size = size - (end - begin) + value.size();
    if (new_size > max_size) {
        return LLVMFuzzerMutate(data, size, max_size);
    }
    std::memmove(data + begin + value.size(), data + end, size - end);
    std::memcpy(data + begin, value.data(), value.size());
    return new_size;
}
