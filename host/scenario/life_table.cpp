// Background mortality tables (see life_table.hpp).
#include "host/scenario/life_table.hpp"

#include "host/io/files.hpp"
#include "kernels/core/exponential.hpp"
#include "kernels/core/logarithm.hpp"

#include <cmath>
#include <fmt/format.h>
#include <sstream>
#include <string>

namespace scls {

void tabulate_gompertz_makeham(const GompertzMakeham& female, const GompertzMakeham& male, ModelParams& params)
{
    const GompertzMakeham* by_sex[2] = {&female, &male};
    for (int sex = 0; sex < 2; ++sex) {
        const GompertzMakeham& g = *by_sex[sex];
        for (int age = 0; age < kLifeTableAges; ++age) {
            // integral_x^{x+1} (c + a e^{b u}) du = c + a e^{b x} (e^b - 1) / b
            const double gompertz_part = g.b != 0.0 ? g.a * exponential(g.b * age) * exponential_minus_one(g.b) / g.b : g.a;
            params.background_hazard[sex][age] = g.c + gompertz_part;
        }
    }
    accumulate_background_hazard(params);
}

void accumulate_background_hazard(ModelParams& params)
{
    for (int sex = 0; sex < 2; ++sex) {
        params.background_cumulative_hazard[sex][0] = 0.0;
        for (int age = 0; age < kLifeTableAges; ++age) {
            params.background_cumulative_hazard[sex][age + 1] =
                params.background_cumulative_hazard[sex][age] + params.background_hazard[sex][age];
        }
    }
}

void load_life_table_csv(const std::filesystem::path& path, ModelParams& params, std::vector<InputIssue>& issues)
{
    const std::string file = path.string();
    std::string text;
    try {
        text = read_input_file(path, "life table");
    } catch (const InputError& error) {
        issues.push_back({file, "mortality.life_table", 0,
                          error.issues().front().message + "; a life table is a CSV with columns age,q_male,q_female, or \"builtin\""});
        return;
    }
    std::istringstream in(text);
    double hazard[2][kLifeTableAges];
    int next_age = 0;
    bool header_seen = false;
    std::string line;
    int line_number = 0;
    const std::size_t issues_before = issues.size();
    while (std::getline(in, line)) {
        ++line_number;
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (line.empty() || line[0] == '#') {
            continue;
        }
        if (!header_seen) {
            header_seen = true;
            if (line != "age,q_male,q_female") {
                issues.push_back({file, "header", line_number,
                                  fmt::format("header is \"{}\" (the columns must be named so that sexes cannot be "
                                              "swapped) — use \"age,q_male,q_female\"",
                                              line)});
                return;
            }
            continue;
        }
        std::stringstream row(line);
        std::string field[3];
        for (auto& f : field) {
            std::getline(row, f, ',');
        }
        char* end = nullptr;
        const long age = std::strtol(field[0].c_str(), &end, 10);
        const double q_male = std::strtod(field[1].c_str(), nullptr);
        const double q_female = std::strtod(field[2].c_str(), nullptr);
        if (field[0].empty() || *end != '\0' || field[1].empty() || field[2].empty()) {
            issues.push_back({file, "row", line_number,
                              fmt::format("row \"{}\" is not age,q_male,q_female (three numbers) — fix the row", line)});
            continue;
        }
        if (age != next_age) {
            issues.push_back({file, "age", line_number,
                              fmt::format("age {} where {} was expected (single years of age from 0, in order) — "
                                          "list every age 0, 1, 2, ... once",
                                          age, next_age)});
            return;
        }
        for (double q : {q_male, q_female}) {
            if (!(q >= 0.0 && q <= 1.0)) {
                issues.push_back({file, "q", line_number,
                                  fmt::format("q = {} at age {} (a probability of dying within the year) — use a "
                                              "value in [0, 1]",
                                              q, age)});
            }
        }
        if (age < kLifeTableAges) {
            // q = 1 would be an infinite hazard; cap so the year still ends in death.
            hazard[1][age] = -natural_log_1p(-std::min(q_male, 1.0 - 1e-12));
            hazard[0][age] = -natural_log_1p(-std::min(q_female, 1.0 - 1e-12));
        }
        ++next_age;
    }
    if (issues.size() != issues_before) {
        return;
    }
    if (next_age < 101) {
        issues.push_back({file, "age", line_number,
                          fmt::format("the table stops at age {} (the model follows patients to the horizon, up to "
                                      "age 120) — give ages 0 to at least 100",
                                      next_age - 1)});
        return;
    }
    for (int sex = 0; sex < 2; ++sex) {
        for (int age = 0; age < kLifeTableAges; ++age) {
            // Beyond the table's last age, its last hazard continues.
            params.background_hazard[sex][age] = hazard[sex][std::min(age, next_age - 1)];
        }
    }
    accumulate_background_hazard(params);
}

}  // namespace scls
