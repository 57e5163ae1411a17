// A progress bar on standard error for runs longer than a second; silent
// when standard error is not a terminal (logs, CI).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace scls {

class ProgressBar {
  public:
    explicit ProgressBar(std::string label) : label_(std::move(label)), enabled_(::isatty(STDERR_FILENO) == 1) {}
    ~ProgressBar() { finish(); }

    void update(std::uint64_t done, std::uint64_t total)
    {
        if (!enabled_ || total == 0) {
            return;
        }
        const double elapsed = seconds();
        if (elapsed < 1.0 && done < total) {
            return;  // short runs stay quiet
        }
        if (!drawn_ && done >= total) {
            return;  // finished within a second: nothing to show
        }
        const double fraction = static_cast<double>(done) / static_cast<double>(total);
        constexpr int kWidth = 40;
        const int filled = static_cast<int>(fraction * kWidth);
        const double remaining = fraction > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
        std::fprintf(stderr, "\r%s [%.*s%*s] %5.1f%%  %.1fs elapsed, ~%.0fs left ", label_.c_str(), filled,
                     "########################################", kWidth - filled, "", 100.0 * fraction, elapsed, remaining);
        std::fflush(stderr);
        drawn_ = true;
    }

    void finish()
    {
        if (drawn_) {
            std::fprintf(stderr, "\n");
            drawn_ = false;
        }
    }

  private:
    double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

    std::string label_;
    bool enabled_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace scls
