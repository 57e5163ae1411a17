# The exported tables in base R: read.csv gives data frames with names, no
# renaming and no index arithmetic needed.
args <- commandArgs(trailingOnly = TRUE)
work <- args[1]
fail <- function(what) { cat("FAIL:", what, "\n"); quit(status = 1) }
summary <- read.csv(file.path(work, "run", "summary.csv"))
if (!identical(names(summary), c("parameter_set", "set_label", "strategy", "strategy_label", "measure", "mean", "se"))) fail("summary columns")
qalys <- summary[summary$measure == "qalys", ]
if (!all(c("no_prophylaxis", "ivig", "theo_terb") %in% qalys$strategy)) fail("strategy names")
cost <- read.csv(file.path(work, "psa", "psa_cost.csv"))
effect <- read.csv(file.path(work, "psa", "psa_effect.csv"))
if (!identical(names(cost), names(effect)) || names(cost)[1] != "draw" || nrow(cost) != 60) fail("PSA matrices (dampack/BCEA shape)")
ceac <- read.csv(file.path(work, "psa", "ceac.csv"))
if (any(abs(tapply(ceac$probability_cost_effective, ceac$wtp, sum) - 1) > 1e-12)) fail("CEAC sums to 1")
if (!is.logical(ceac$on_frontier)) fail("on_frontier reads as logical")
incremental <- read.csv(file.path(work, "run", "incremental.csv"))
if (!is.na(incremental$icer[1])) fail("NA for the first row's ICER")
cat("export: R reads every table\n")
