# Read sclsim results files (HDF5) into tidy R data frames.
#
#   source("scripts/sclsim.R")
#   s <- sclsim_summary("results/scls_base.h5")        # per set x strategy: means and SEs
#   p <- sclsim_psa("results/scls_psa.psa.h5")         # cost, effectiveness, parameters
#   dampack::make_psa_obj(p$cost, p$effectiveness, p$parameters, p$strategies)
#   BCEA::bcea(as.matrix(p$effectiveness), as.matrix(p$cost), ref = 1, interventions = p$labels)
#
# Needs hdf5r (Debian: r-cran-hdf5r) and base R only. What the functions take
# care of: hdf5r returns arrays with their dimensions in reverse (R is column
# major) and drops length-1 dimensions; the file refers to strategies by
# 0-based index; sets are 0-based too (set 0 = the base case, PSA draw k =
# set k + 1). Every data frame here uses strategy *names* (`strategy`) and
# *labels* (`label`) and keeps 0-based `set` numbers as in the file.

.sclsim_with <- function(file, fun) {
  if (!requireNamespace("hdf5r", quietly = TRUE)) {
    stop("sclsim.R: package hdf5r is not installed (it reads HDF5) - install it: apt-get install r-cran-hdf5r")
  }
  if (!file.exists(file)) {
    stop(sprintf("sclsim.R: %s does not exist (no such file) - give the path of an sclsim results file", file))
  }
  h5 <- hdf5r::H5File$new(file, mode = "r")
  on.exit(h5$close_all())
  fun(h5)
}

# One dataset as an R array in the file's (h5py) dimension order, whatever
# its rank; empty datasets as empty vectors (hdf5r fails on those).
.sclsim_read <- function(h5, path) {
  if (!h5$exists(path)) {
    stop(sprintf("sclsim.R: %s has no dataset %s (not written for this kind of run) - see README 'Output file'",
                 h5$get_filename(), path))
  }
  ds <- h5[[path]]
  on.exit(ds$close())
  dims <- ds$dims
  is_string <- inherits(ds$get_type(), "H5T_STRING")
  if (length(dims) > 0 && any(dims == 0)) {
    return(if (is_string) character(0) else numeric(0))
  }
  x <- ds$read(drop = FALSE)
  if (inherits(x, "integer64")) x <- as.numeric(x)
  if (length(dims) > 1) {
    x <- aperm(array(x, dim = dims), rev(seq_along(dims)))  # back to the file's order
  }
  x
}

.sclsim_attr <- function(object, name, default = NA) {
  if (name %in% hdf5r::h5attr_names(object)) hdf5r::h5attr(object, name) else default
}

.sclsim_strategy_table <- function(h5) {
  names <- .sclsim_read(h5, "axes/strategy")
  labels <- if (h5$exists("axes/strategy_label")) .sclsim_read(h5, "axes/strategy_label") else names
  data.frame(index = seq_along(names) - 1L, strategy = names, label = labels,
             comparator = names == .sclsim_attr(h5, "comparator"), stringsAsFactors = FALSE)
}

# 0-based strategy index (as stored) -> name; -1 -> NA.
.sclsim_name_of <- function(strategies, index) {
  ifelse(index < 0, NA_character_, strategies$strategy[pmax(index, 0) + 1])
}

sclsim_info <- function(file) {
  .sclsim_with(file, function(h5) {
    keys <- hdf5r::h5attr_names(h5)
    stats::setNames(lapply(keys, function(k) hdf5r::h5attr(h5, k)), keys)
  })
}

sclsim_strategies <- function(file) .sclsim_with(file, .sclsim_strategy_table)

# Per parameter set x strategy: mean and Monte Carlo SE of every outcome.
sclsim_summary <- function(file) {
  .sclsim_with(file, function(h5) {
    st <- .sclsim_strategy_table(h5)
    sets <- .sclsim_read(h5, "parameter_sets/label")
    outcomes <- c(cost = "total_cost", qalys = "qalys", life_years = "life_years",
                  life_years_discounted = "life_years_discounted", attacks_per_patient = "attacks_per_patient",
                  attacks_per_patient_year = "attacks_per_patient_year", incremental_cost = "incremental_cost",
                  incremental_qalys = "incremental_qalys")
    grid <- expand.grid(strategy_index = st$index, set = seq_along(sets) - 1L)
    out <- data.frame(set = grid$set, set_label = sets[grid$set + 1], strategy = st$strategy[grid$strategy_index + 1],
                      label = st$label[grid$strategy_index + 1], stringsAsFactors = FALSE)
    cell <- cbind(grid$set + 1, grid$strategy_index + 1)
    out$patients <- .sclsim_read(h5, "results/patients")[cell]
    for (name in names(outcomes)) {
      out[[paste0(name, "_mean")]] <- .sclsim_read(h5, sprintf("results/%s_mean", outcomes[[name]]))[cell]
      out[[paste0(name, "_se")]] <- .sclsim_read(h5, sprintf("results/%s_se", outcomes[[name]]))[cell]
    }
    out$icer <- .sclsim_read(h5, "results/icer")[cell]
    out
  })
}

# Kaplan-Meier curves in long form: one row per set, strategy and month.
sclsim_survival <- function(file, sets = 0, curve = c("survival", "attack_free")) {
  curve <- match.arg(curve)
  .sclsim_with(file, function(h5) {
    st <- .sclsim_strategy_table(h5)
    years <- .sclsim_read(h5, "axes/time_years")
    values <- .sclsim_read(h5, paste0("results/", curve))
    errors <- .sclsim_read(h5, paste0("results/", curve, "_se"))
    if (is.null(sets)) sets <- seq_len(dim(values)[1]) - 1L
    grid <- expand.grid(month = seq_along(years), strategy_index = st$index, set = sets)
    cell <- cbind(grid$set + 1, grid$strategy_index + 1, grid$month)
    data.frame(set = grid$set, strategy = st$strategy[grid$strategy_index + 1],
               label = st$label[grid$strategy_index + 1], years = years[grid$month],
               value = values[cell], se = errors[cell], stringsAsFactors = FALSE)
  })
}

# PSA draws as dampack and BCEA take them: cost and effectiveness with one
# column per strategy (named by strategy) and one row per draw, the parameter
# draws with one column per key path, plus strategy names and labels.
sclsim_psa <- function(file) {
  .sclsim_with(file, function(h5) {
    if (!h5$exists("cea/psa")) {
      stop(sprintf("sclsim.R: %s has no /cea/psa (it is not a PSA file) - write one with sclsim psa", file))
    }
    st <- .sclsim_strategy_table(h5)
    as_frame <- function(m) stats::setNames(as.data.frame(m), st$strategy)
    cost <- as_frame(.sclsim_read(h5, "cea/psa/cost"))
    effectiveness <- as_frame(.sclsim_read(h5, "cea/psa/qalys"))
    draw <- .sclsim_read(h5, "parameter_sets/psa_draw")
    rows <- which(draw >= 0)
    rows <- rows[order(draw[rows])]
    values <- .sclsim_read(h5, "parameter_sets/values")
    parameters <- as.data.frame(values[rows, , drop = FALSE])
    names(parameters) <- .sclsim_read(h5, "parameter_sets/parameter")
    list(cost = cost, effectiveness = effectiveness, parameters = parameters, strategies = st$strategy,
         labels = st$label, comparator = st$strategy[st$comparator], wtp = .sclsim_read(h5, "cea/wtp"),
         currency = .sclsim_attr(h5, "currency"), price_year = .sclsim_attr(h5, "price_year"))
  })
}

# CEAC in long form, with the CEAF (the strategy of highest expected NMB).
sclsim_ceac <- function(file) {
  .sclsim_with(file, function(h5) {
    st <- .sclsim_strategy_table(h5)
    wtp <- .sclsim_read(h5, "cea/wtp")
    ceac <- .sclsim_read(h5, "cea/psa/ceac")
    expected <- .sclsim_read(h5, "cea/psa/expected_nmb")
    best <- .sclsim_read(h5, "cea/psa/ceaf_strategy")
    grid <- expand.grid(strategy_index = st$index, w = seq_along(wtp))
    cell <- cbind(grid$w, grid$strategy_index + 1)
    data.frame(wtp = wtp[grid$w], strategy = st$strategy[grid$strategy_index + 1],
               label = st$label[grid$strategy_index + 1], probability = ceac[cell],
               expected_nmb = expected[cell], on_frontier = best[grid$w] == grid$strategy_index,
               stringsAsFactors = FALSE)
  })
}

sclsim_evpi <- function(file) {
  .sclsim_with(file, function(h5) {
    out <- data.frame(wtp = .sclsim_read(h5, "cea/wtp"), evpi = .sclsim_read(h5, "cea/psa/evpi"))
    if (h5$exists("cea/psa/evpi_population")) out$evpi_population <- .sclsim_read(h5, "cea/psa/evpi_population")
    out
  })
}

# EVPPI per parameter or group and WTP, long form.
sclsim_evppi <- function(file) {
  .sclsim_with(file, function(h5) {
    wtp <- .sclsim_read(h5, "cea/wtp")
    groups <- .sclsim_read(h5, "cea/psa/evppi/group")
    members <- .sclsim_read(h5, "cea/psa/evppi/parameters")
    values <- .sclsim_read(h5, "cea/psa/evppi/evppi")
    values <- matrix(values, nrow = length(groups))  # [group, wtp] even with one group
    grid <- expand.grid(g = seq_along(groups), w = seq_along(wtp))
    data.frame(group = groups[grid$g], parameters = members[grid$g], wtp = wtp[grid$w],
               evppi = values[cbind(grid$g, grid$w)], stringsAsFactors = FALSE)
  })
}

# The base case's incremental table (cost order, dominance, ICERs).
sclsim_incremental <- function(file) {
  .sclsim_with(file, function(h5) {
    st <- .sclsim_strategy_table(h5)
    index <- .sclsim_read(h5, "cea/base/strategy")
    data.frame(strategy = .sclsim_name_of(st, index), label = st$label[index + 1],
               cost = .sclsim_read(h5, "cea/base/cost"), qalys = .sclsim_read(h5, "cea/base/qalys"),
               incremental_cost = .sclsim_read(h5, "cea/base/incremental_cost"),
               incremental_qalys = .sclsim_read(h5, "cea/base/incremental_qalys"),
               icer = .sclsim_read(h5, "cea/base/icer"), status = .sclsim_read(h5, "cea/base/status"),
               versus = .sclsim_name_of(st, .sclsim_read(h5, "cea/base/versus")), stringsAsFactors = FALSE)
  })
}

# One-way sweep: each parameter's range and the parameter sets that hold it.
sclsim_one_way <- function(file) {
  .sclsim_with(file, function(h5) {
    if (!h5$exists("sweep/low_set")) {
      stop(sprintf("sclsim.R: %s has no one-way sweep (/sweep/low_set) - write one with sclsim sweep --one-way", file))
    }
    data.frame(parameter = .sclsim_read(h5, "sweep/parameter"), base_value = .sclsim_read(h5, "sweep/base_value"),
               low_value = .sclsim_read(h5, "sweep/low_value"), high_value = .sclsim_read(h5, "sweep/high_value"),
               low_set = .sclsim_read(h5, "sweep/low_set"), high_set = .sclsim_read(h5, "sweep/high_set"),
               stringsAsFactors = FALSE)
  })
}
