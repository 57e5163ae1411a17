// Cost-effectiveness analysis on the host: the incremental table with strong
// and extended dominance, net monetary benefit, and from PSA draws the CEAC,
// CEAF, EVPI and EVPPI.
//
// Conventions (also in the README):
// - effects are discounted QALYs, costs discounted money of the scenario's
//   currency and price year; willingness to pay (WTP, lambda) is money per QALY;
// - net monetary benefit NMB = lambda * QALYs - cost, per person;
// - the optimal strategy at lambda maximises NMB; exact ties go to the
//   strategy listed first in the scenario, so CEAC entries sum to 1;
// - the incremental table orders strategies by cost (ties: more effective
//   first), compares each frontier strategy with the previous one on the
//   frontier, and its first row is the cheapest non-dominated strategy;
// - EVPI and EVPPI are per person, in money; population values multiply by
//   the discounted number of patients the decision affects.
#pragma once

#include <string>
#include <vector>

namespace scls {

enum class FrontierStatus { frontier, dominated, extendedly_dominated };
const char* frontier_status_name(FrontierStatus status);

struct IncrementalRow {
    int strategy = 0;  // index in the input vectors
    double cost = 0.0, effect = 0.0;
    FrontierStatus status = FrontierStatus::frontier;
    // Frontier rows: against the previous frontier strategy (-1 and NaN for the first).
    // Dominated rows: `versus` dominates it; extendedly dominated: `versus` and `versus_next` bracket it.
    int versus = -1, versus_next = -1;
    double incremental_cost = 0.0, incremental_effect = 0.0, icer = 0.0;
};

// Rows in cost order (ties: higher effect first, then input order).
std::vector<IncrementalRow> incremental_table(const std::vector<double>& cost, const std::vector<double>& effect);

// Index of the strategy with the highest lambda * effect - cost (first on ties).
int optimal_strategy(const std::vector<double>& cost, const std::vector<double>& effect, double wtp);

// The decision at stake at lambda: the optimal strategy and the next best on
// the efficiency frontier (the frontier strategy with the highest NMB after
// it; among all others when the optimal one is the whole frontier). A
// sensitivity analysis of "optimal vs comparator" would answer a question
// nobody asks when the comparator is dominated.
struct Decision {
    int optimal = 0;
    int next_best = 0;
};
Decision decision_at(const std::vector<double>& cost, const std::vector<double>& effect, double wtp);

// Per-draw costs and effects of a PSA: [draw][strategy].
struct PsaOutcomes {
    int draws = 0, strategies = 0;
    std::vector<double> cost, effect;
    double nmb(int draw, int strategy, double wtp) const
    {
        const std::size_t i = static_cast<std::size_t>(draw) * strategies + strategy;
        return wtp * effect[i] - cost[i];
    }
};

struct PsaCurves {
    std::vector<double> wtp;
    std::vector<double> expected_nmb;     // [wtp][strategy]: mean over draws
    std::vector<double> ceac;             // [wtp][strategy]: share of draws in which the strategy is optimal
    std::vector<int> ceaf_strategy;       // [wtp]: the strategy with the highest expected NMB
    std::vector<double> ceaf_probability; // [wtp]: its CEAC value
    std::vector<double> evpi;             // [wtp]: E[max NMB] - max E[NMB], per person
};
PsaCurves psa_curves(const PsaOutcomes& outcomes, const std::vector<double>& wtp);

// Discounted person count of a decision: population_per_year patients a year
// for horizon_years, discounted continuously at ln(1 + annual_rate).
double population_multiplier(double population_per_year, double horizon_years, double annual_rate);

// EVPPI of a parameter or group by Strong & Oakley's nonparametric regression
// (Med Decis Making 2014): the incremental NMB of each strategy against the
// first is regressed on the group's inputs, and
//   EVPPI(lambda) = mean over draws of max_d g_d - max_d mean of g_d
// with g the fitted values. Bases: one input, cubic B-splines with knots at
// quantiles; two inputs, their tensor product; more, additive B-splines plus
// pairwise products. Ordinary least squares by GSL. inputs is [draw][column].
struct EvppiFit {
    std::vector<double> evppi;  // [wtp], per person
    std::vector<double> r_squared;  // per non-reference strategy: incremental QALYs, then incremental cost
    int basis_functions = 0;
};
EvppiFit evppi_regression(const std::vector<double>& inputs, int columns, const PsaOutcomes& outcomes,
                          const std::vector<double>& wtp);

}  // namespace scls
