// Background mortality tables: a CSV period life table (age,q_male,q_female)
// or a Gompertz-Makeham hazard, both turned into hazards per single year of
// age for the model.
#pragma once

#include <filesystem>
#include <vector>

#include "host/scenario/scenario.hpp"
#include "kernels/model/params.hpp"

namespace scls {

struct GompertzMakeham {
    double c, a, b;  // mu(x) = c + a exp(b x), per year
};

// Mean hazard over each year of age [x, x+1): exact integral of mu.
void tabulate_gompertz_makeham(const GompertzMakeham& female, const GompertzMakeham& male, ModelParams& params);

// Reads q by age from a CSV and converts to hazards -ln(1 - q). Appends
// problems to issues (file, line, what) and leaves params untouched on error.
void load_life_table_csv(const std::filesystem::path& path, ModelParams& params, std::vector<InputIssue>& issues);

// Fills the cumulative hazards from the hazards.
void accumulate_background_hazard(ModelParams& params);

}  // namespace scls
