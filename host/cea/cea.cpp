#include "host/cea/cea.hpp"

#include <gsl/gsl_bspline.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <stdexcept>

#include "kernels/core/exponential.hpp"
#include "kernels/core/logarithm.hpp"

namespace scls {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double icer_of(double incremental_cost, double incremental_effect) { return incremental_cost / incremental_effect; }

// Owners for GSL objects.
struct GslDeleter {
    void operator()(gsl_matrix* m) const { gsl_matrix_free(m); }
    void operator()(gsl_vector* v) const { gsl_vector_free(v); }
    void operator()(gsl_bspline_workspace* w) const { gsl_bspline_free(w); }
    void operator()(gsl_multifit_linear_workspace* w) const { gsl_multifit_linear_free(w); }
};
template <class T>
using GslPtr = std::unique_ptr<T, GslDeleter>;

// Cubic B-spline basis of one input with breakpoints at its quantiles: a
// [draw][basis] block; empty when the input does not vary.
std::vector<std::vector<double>> spline_basis(const std::vector<double>& x, int breakpoints_wanted)
{
    std::vector<double> sorted = x;
    std::sort(sorted.begin(), sorted.end());
    std::vector<double> breaks;
    for (int i = 0; i < breakpoints_wanted; ++i) {
        const double q = sorted[static_cast<std::size_t>(std::llround(static_cast<double>(i) * (sorted.size() - 1) /
                                                                      (breakpoints_wanted - 1)))];
        if (breaks.empty() || q > breaks.back()) {
            breaks.push_back(q);
        }
    }
    if (breaks.size() < 2) {
        return {};
    }
    GslPtr<gsl_bspline_workspace> workspace(gsl_bspline_alloc(4, breaks.size()));
    gsl_vector_view break_view = gsl_vector_view_array(breaks.data(), breaks.size());
    gsl_bspline_knots(&break_view.vector, workspace.get());
    const std::size_t basis = gsl_bspline_ncoeffs(workspace.get());
    GslPtr<gsl_vector> values(gsl_vector_alloc(basis));
    std::vector<std::vector<double>> columns(basis, std::vector<double>(x.size()));
    for (std::size_t d = 0; d < x.size(); ++d) {
        gsl_bspline_eval(std::clamp(x[d], breaks.front(), breaks.back()), values.get(), workspace.get());
        for (std::size_t b = 0; b < basis; ++b) {
            columns[b][d] = gsl_vector_get(values.get(), b);
        }
    }
    return columns;
}

// The regression design for a group of inputs: [basis][draw] columns.
std::vector<std::vector<double>> design(const std::vector<double>& inputs, int columns, int draws)
{
    std::vector<std::vector<double>> x(columns, std::vector<double>(draws));
    for (int d = 0; d < draws; ++d) {
        for (int c = 0; c < columns; ++c) {
            x[c][d] = inputs[static_cast<std::size_t>(d) * columns + c];
        }
    }
    std::vector<std::vector<std::vector<double>>> splines;
    // Few knots: every basis function adds upward bias (overfit noise looks like information).
    const int single_breaks = std::clamp(draws / 150, 3, 10);
    const int pair_breaks = std::clamp(static_cast<int>(std::sqrt(draws / 10.0)), 3, 6);
    const int additive_breaks = 4;
    for (int c = 0; c < columns; ++c) {
        auto basis = spline_basis(x[c], columns == 1 ? single_breaks : columns == 2 ? pair_breaks : additive_breaks);
        if (!basis.empty()) {
            splines.push_back(std::move(basis));
        }
    }
    std::vector<std::vector<double>> result;
    if (splines.empty()) {
        return result;
    }
    if (splines.size() == 2 && columns == 2) {
        for (const auto& a : splines[0]) {
            for (const auto& b : splines[1]) {
                std::vector<double> product(draws);
                for (int d = 0; d < draws; ++d) {
                    product[d] = a[d] * b[d];
                }
                result.push_back(std::move(product));
            }
        }
        return result;
    }
    for (auto& s : splines) {  // each basis sums to 1; the fit's SVD drops the repeated intercepts
        for (auto& column : s) {
            result.push_back(std::move(column));
        }
    }
    if (columns > 2) {
        std::vector<std::vector<double>> standardized;
        for (int c = 0; c < columns; ++c) {
            const double mean = std::accumulate(x[c].begin(), x[c].end(), 0.0) / draws;
            double variance = 0.0;
            for (double v : x[c]) {
                variance += (v - mean) * (v - mean);
            }
            if (variance > 0.0) {
                std::vector<double> z(draws);
                for (int d = 0; d < draws; ++d) {
                    z[d] = (x[c][d] - mean) / std::sqrt(variance / draws);
                }
                standardized.push_back(std::move(z));
            }
        }
        for (std::size_t i = 0; i < standardized.size(); ++i) {
            for (std::size_t j = i + 1; j < standardized.size(); ++j) {
                std::vector<double> product(draws);
                for (int d = 0; d < draws; ++d) {
                    product[d] = standardized[i][d] * standardized[j][d];
                }
                result.push_back(std::move(product));
            }
        }
    }
    return result;
}

// Least-squares fitted values of y on the design; r_squared as a by-product.
std::vector<double> fitted_values(const gsl_matrix* x, gsl_multifit_linear_workspace* workspace, const std::vector<double>& y,
                                  double& r_squared)
{
    const std::size_t n = x->size1, p = x->size2;
    GslPtr<gsl_vector> coefficients(gsl_vector_alloc(p));
    GslPtr<gsl_matrix> covariance(gsl_matrix_alloc(p, p));
    std::vector<double> y_copy = y;
    gsl_vector_view y_view = gsl_vector_view_array(y_copy.data(), n);
    double residual_sum_of_squares = 0.0;
    if (gsl_multifit_linear(x, &y_view.vector, coefficients.get(), covariance.get(), &residual_sum_of_squares, workspace) !=
        GSL_SUCCESS) {
        throw std::runtime_error("EVPPI regression failed (GSL gsl_multifit_linear) — use more PSA draws or fewer parameters per group");
    }
    std::vector<double> fitted(n);
    for (std::size_t i = 0; i < n; ++i) {
        double f = 0.0;
        for (std::size_t j = 0; j < p; ++j) {
            f += gsl_matrix_get(x, i, j) * gsl_vector_get(coefficients.get(), j);
        }
        fitted[i] = f;
    }
    const double mean = std::accumulate(y.begin(), y.end(), 0.0) / n;
    double total = 0.0;
    for (double v : y) {
        total += (v - mean) * (v - mean);
    }
    r_squared = total > 0.0 ? 1.0 - residual_sum_of_squares / total : kNaN;
    return fitted;
}

}  // namespace

const char* frontier_status_name(FrontierStatus status)
{
    switch (status) {
        case FrontierStatus::frontier: return "frontier";
        case FrontierStatus::dominated: return "dominated";
        case FrontierStatus::extendedly_dominated: return "extendedly dominated";
    }
    return "?";
}

std::vector<IncrementalRow> incremental_table(const std::vector<double>& cost, const std::vector<double>& effect)
{
    const int n = static_cast<int>(cost.size());
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        return cost[a] != cost[b] ? cost[a] < cost[b] : effect[a] > effect[b];
    });
    std::vector<IncrementalRow> rows(n);
    for (int position = 0; position < n; ++position) {
        IncrementalRow& row = rows[position];
        row.strategy = order[position];
        row.cost = cost[row.strategy];
        row.effect = effect[row.strategy];
        // Everything earlier in the order costs no more; the first one at
        // least as effective dominates (it is itself undominated).
        for (int earlier = 0; earlier < position; ++earlier) {
            if (rows[earlier].effect >= row.effect) {
                row.status = FrontierStatus::dominated;
                row.versus = rows[earlier].strategy;
                break;
            }
        }
    }
    // Extended dominance: on the remaining list (cost and effect both rising),
    // a strategy whose ICER exceeds the next one's is never the best buy.
    std::vector<int> frontier;
    for (int position = 0; position < n; ++position) {
        if (rows[position].status == FrontierStatus::frontier) {
            frontier.push_back(position);
        }
    }
    for (bool removed = true; removed;) {
        removed = false;
        for (std::size_t k = 1; k + 1 < frontier.size(); ++k) {
            const IncrementalRow &previous = rows[frontier[k - 1]], &current = rows[frontier[k]], &next = rows[frontier[k + 1]];
            const double icer_in = icer_of(current.cost - previous.cost, current.effect - previous.effect);
            const double icer_out = icer_of(next.cost - current.cost, next.effect - current.effect);
            if (icer_in > icer_out) {
                rows[frontier[k]].status = FrontierStatus::extendedly_dominated;
                rows[frontier[k]].versus = previous.strategy;
                rows[frontier[k]].versus_next = next.strategy;
                frontier.erase(frontier.begin() + static_cast<std::ptrdiff_t>(k));
                removed = true;
                break;
            }
        }
    }
    for (std::size_t k = 0; k < frontier.size(); ++k) {
        rows[frontier[k]].versus = k == 0 ? -1 : rows[frontier[k - 1]].strategy;
    }
    for (IncrementalRow& row : rows) {
        if (row.versus < 0) {
            row.incremental_cost = row.incremental_effect = row.icer = kNaN;
            continue;
        }
        row.incremental_cost = row.cost - cost[row.versus];
        row.incremental_effect = row.effect - effect[row.versus];
        row.icer = row.status == FrontierStatus::dominated ? kNaN : icer_of(row.incremental_cost, row.incremental_effect);
    }
    return rows;
}

int optimal_strategy(const std::vector<double>& cost, const std::vector<double>& effect, double wtp)
{
    int best = 0;
    for (int s = 1; s < static_cast<int>(cost.size()); ++s) {
        if (wtp * effect[s] - cost[s] > wtp * effect[best] - cost[best]) {
            best = s;
        }
    }
    return best;
}

Decision decision_at(const std::vector<double>& cost, const std::vector<double>& effect, double wtp)
{
    Decision d;
    d.optimal = optimal_strategy(cost, effect, wtp);
    const std::vector<IncrementalRow> table = incremental_table(cost, effect);
    auto nmb = [&](int s) { return wtp * effect[s] - cost[s]; };
    for (const bool frontier_only : {true, false}) {
        int best = -1;
        for (const IncrementalRow& row : table) {
            const bool eligible = row.strategy != d.optimal && (!frontier_only || row.status == FrontierStatus::frontier);
            if (eligible && (best < 0 || nmb(row.strategy) > nmb(best) ||
                             (nmb(row.strategy) == nmb(best) && row.strategy < best))) {
                best = row.strategy;
            }
        }
        if (best >= 0) {
            d.next_best = best;
            return d;
        }
    }
    d.next_best = d.optimal;  // a single strategy
    return d;
}

PsaCurves psa_curves(const PsaOutcomes& o, const std::vector<double>& wtp)
{
    PsaCurves curves;
    curves.wtp = wtp;
    const std::size_t strategies = o.strategies;
    curves.expected_nmb.assign(wtp.size() * strategies, 0.0);
    curves.ceac.assign(wtp.size() * strategies, 0.0);
    for (std::size_t w = 0; w < wtp.size(); ++w) {
        double* expected = curves.expected_nmb.data() + w * strategies;
        double* ceac = curves.ceac.data() + w * strategies;
        double mean_of_max = 0.0;
        for (int d = 0; d < o.draws; ++d) {
            int best = 0;
            for (int s = 0; s < o.strategies; ++s) {
                const double nmb = o.nmb(d, s, wtp[w]);
                expected[s] += nmb;
                if (nmb > o.nmb(d, best, wtp[w])) {
                    best = s;
                }
            }
            ceac[best] += 1.0;
            mean_of_max += o.nmb(d, best, wtp[w]);
        }
        int chosen = 0;
        for (int s = 0; s < o.strategies; ++s) {
            expected[s] /= o.draws;
            ceac[s] /= o.draws;
            if (expected[s] > expected[chosen]) {
                chosen = s;
            }
        }
        mean_of_max /= o.draws;
        curves.ceaf_strategy.push_back(chosen);
        curves.ceaf_probability.push_back(ceac[chosen]);
        curves.evpi.push_back(std::max(0.0, mean_of_max - expected[chosen]));
    }
    return curves;
}

double population_multiplier(double population_per_year, double horizon_years, double annual_rate)
{
    const double rate = natural_log_1p(annual_rate);
    const double discounted_years = rate > 0.0 ? one_minus_exp_minus(rate * horizon_years) / rate : horizon_years;
    return population_per_year * discounted_years;
}

EvppiFit evppi_regression(const std::vector<double>& inputs, int columns, const PsaOutcomes& o, const std::vector<double>& wtp)
{
    gsl_set_error_handler_off();
    EvppiFit fit;
    fit.evppi.assign(wtp.size(), 0.0);
    const int draws = o.draws;
    const std::vector<std::vector<double>> basis = design(inputs, columns, draws);
    fit.basis_functions = static_cast<int>(basis.size());
    if (basis.empty()) {
        return fit;  // the inputs do not vary: nothing to learn
    }
    if (static_cast<int>(basis.size()) >= draws) {
        fit.evppi.assign(wtp.size(), kNaN);
        return fit;
    }
    GslPtr<gsl_matrix> x(gsl_matrix_alloc(draws, basis.size()));
    for (int d = 0; d < draws; ++d) {
        for (std::size_t b = 0; b < basis.size(); ++b) {
            gsl_matrix_set(x.get(), d, b, basis[b][d]);
        }
    }
    GslPtr<gsl_multifit_linear_workspace> workspace(gsl_multifit_linear_alloc(draws, basis.size()));
    // INMB is linear in lambda, and so are least-squares fits: fit the
    // incremental QALYs and costs once each, then combine for every lambda.
    std::vector<std::vector<double>> fitted_effect(o.strategies), fitted_cost(o.strategies);
    for (int s = 1; s < o.strategies; ++s) {
        std::vector<double> y_effect(draws), y_cost(draws);
        for (int d = 0; d < draws; ++d) {
            const std::size_t i = static_cast<std::size_t>(d) * o.strategies;
            y_effect[d] = o.effect[i + s] - o.effect[i];
            y_cost[d] = o.cost[i + s] - o.cost[i];
        }
        double r2 = 0.0;
        fitted_effect[s] = fitted_values(x.get(), workspace.get(), y_effect, r2);
        fit.r_squared.push_back(r2);
        fitted_cost[s] = fitted_values(x.get(), workspace.get(), y_cost, r2);
        fit.r_squared.push_back(r2);
    }
    for (std::size_t w = 0; w < wtp.size(); ++w) {
        double mean_of_max = 0.0;
        std::vector<double> mean(o.strategies, 0.0);
        for (int d = 0; d < draws; ++d) {
            double best = 0.0;  // the reference strategy's incremental NMB
            for (int s = 1; s < o.strategies; ++s) {
                const double g = wtp[w] * fitted_effect[s][d] - fitted_cost[s][d];
                mean[s] += g;
                best = std::max(best, g);
            }
            mean_of_max += best;
        }
        const double max_of_mean = std::max(0.0, *std::max_element(mean.begin(), mean.end())) / draws;
        fit.evppi[w] = std::max(0.0, mean_of_max / draws - max_of_mean);
    }
    return fit;
}

}  // namespace scls
