// The end-of-run summary table.
#pragma once

#include <string>
#include <vector>

#include "host/engine/summary.hpp"
#include "host/scenario/scenario.hpp"

namespace scls {

std::string format_summary_table(const Scenario& scenario, const std::vector<StrategySummary>& strategies);

}  // namespace scls
