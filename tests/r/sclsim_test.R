# Checks scripts/sclsim.R against what h5py reads from the same files
# (tests/r/expected_values.py) and against invariants of the results.
#   Rscript tests/r/sclsim_test.R SCLSIM_R RUN.h5 PSA.h5 ONE_WAY.h5 EXPECTED.csv
args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 5)
source(args[1])
run_file <- args[2]
psa_file <- args[3]
one_way_file <- args[4]
expected <- read.csv(args[5], stringsAsFactors = FALSE, na.strings = character(0))

failures <- 0
check <- function(ok, what) {
  if (!isTRUE(ok)) {
    failures <<- failures + 1
    cat("FAIL:", what, "\n")
  }
}
number <- function(key) {
  row <- expected[expected$key == key, ]
  if (nrow(row) != 1) stop(sprintf("expected value %s missing from %s", key, args[5]))
  as.numeric(row$value)
}
text <- function(key) expected$text[expected$key == key]
same <- function(a, b) isTRUE(all.equal(as.numeric(a), as.numeric(b), tolerance = 1e-12)) ||
  (is.nan(a) && is.nan(b)) || (is.na(a) && is.na(b))

for (tag in c("run", "psa")) {
  file <- if (tag == "run") run_file else psa_file
  st <- sclsim_strategies(file)
  names <- sapply(seq_len(nrow(st)) - 1, function(s) text(sprintf("%s.strategy.%d", tag, s)))
  check(identical(st$strategy, unname(names)), paste(tag, "strategy names in file order"))
  check(identical(st$label, unname(sapply(seq_len(nrow(st)) - 1, function(s) text(sprintf("%s.label.%d", tag, s))))),
        paste(tag, "strategy labels"))
  check(sum(st$comparator) == 1, paste(tag, "one comparator"))

  s <- sclsim_summary(file)
  sets <- number(paste0(tag, ".sets"))
  check(nrow(s) == sets * nrow(st), paste(tag, "summary has one row per set and strategy"))
  check(all(s$set %in% (seq_len(sets) - 1)), paste(tag, "sets are 0-based"))
  for (i in seq_len(nrow(s))) {
    key <- sprintf("%s.%%s.%d.%s", tag, s$set[i], s$strategy[i])
    check(same(s$qalys_mean[i], number(sprintf(key, "qalys"))), paste(tag, "qalys", i))
    check(same(s$cost_mean[i], number(sprintf(key, "cost"))), paste(tag, "cost", i))
    check(same(s$cost_se[i], number(sprintf(key, "cost_se"))), paste(tag, "cost se", i))
  }
  comparator_rows <- s[s$strategy == st$strategy[st$comparator], ]
  check(all(comparator_rows$incremental_cost_mean == 0), paste(tag, "comparator's increments are 0"))

  surv <- sclsim_survival(file)
  months <- number(paste0(tag, ".months"))
  check(nrow(surv) == months * nrow(st), paste(tag, "survival: one row per strategy and month"))
  for (name in st$strategy) {
    rows <- surv[surv$strategy == name, ]
    check(rows$value[1] == 1 && all(diff(rows$value) <= 1e-12), paste(tag, name, "survival starts at 1, never rises"))
    check(same(rows$value[61], number(sprintf("%s.survival60.%s", tag, name))), paste(tag, name, "survival at month 60"))
  }

  inc <- sclsim_incremental(file)
  for (row in seq_len(nrow(inc))) {
    check(identical(inc$strategy[row], text(sprintf("%s.incremental.strategy.%d", tag, row - 1))),
          paste(tag, "incremental strategy order", row))
    versus <- text(sprintf("%s.incremental.versus.%d", tag, row - 1))
    check(identical(ifelse(is.na(inc$versus[row]), "NA", inc$versus[row]), versus), paste(tag, "versus", row))
    check(same(inc$icer[row], number(sprintf("%s.incremental.icer.%d", tag, row - 1))), paste(tag, "icer", row))
  }
}

# PSA: the matrices dampack and BCEA take, the parameter draws, CEAC, EVPI, EVPPI.
p <- sclsim_psa(psa_file)
draws <- number("psa.draws")
check(identical(dim(p$cost), c(as.integer(draws), length(p$strategies))), "psa cost is draws x strategies")
check(identical(dim(p$effectiveness), dim(p$cost)), "psa effectiveness has the cost's shape")
check(identical(names(p$cost), p$strategies) && identical(names(p$effectiveness), p$strategies),
      "psa columns are named by strategy")
for (d in c(0, draws - 1)) {
  for (name in p$strategies) {
    check(same(p$cost[d + 1, name], number(sprintf("psa.draw_cost.%d.%s", d, name))), paste("draw cost", d, name))
    check(same(p$effectiveness[d + 1, name], number(sprintf("psa.draw_qalys.%d.%s", d, name))),
          paste("draw qalys", d, name))
  }
}
check(nrow(p$parameters) == draws && ncol(p$parameters) == number("psa.parameters"), "parameters: draws x parameters")
for (path in names(p$parameters)) {
  check(same(p$parameters[draws, path], number(paste0("psa.parameter_last_draw.", path))), paste("last draw of", path))
}

ceac <- sclsim_ceac(psa_file)
totals <- tapply(ceac$probability, ceac$wtp, sum)
check(all(abs(totals - 1) < 1e-12), "CEAC sums to 1 at every WTP")
check(all(tapply(ceac$on_frontier, ceac$wtp, sum) == 1), "one CEAF strategy per WTP")
check(length(unique(ceac$wtp)) == number("psa.wtp_points"), "CEAC covers the WTP grid")
middle <- ceac[ceac$wtp == number("psa.wtp_middle"), ]
for (name in p$strategies) {
  check(same(middle$probability[middle$strategy == name], number(paste0("psa.ceac_middle.", name))),
        paste("CEAC of", name))
}
check(identical(middle$strategy[middle$on_frontier], text("psa.ceaf_middle")), "CEAF strategy")
frontier_best <- middle$strategy[which.max(middle$expected_nmb)]
check(identical(frontier_best, middle$strategy[middle$on_frontier]), "CEAF = highest expected NMB")

evpi <- sclsim_evpi(psa_file)
check(all(evpi$evpi >= 0), "EVPI is never negative")
check(same(evpi$evpi[evpi$wtp == number("psa.wtp_middle")], number("psa.evpi_middle")), "EVPI value")

evppi <- sclsim_evppi(psa_file)
check(length(unique(evppi$group)) == number("psa.evppi_groups"), "EVPPI groups")
mid <- evppi[evppi$wtp == number("psa.wtp_middle"), ]
for (i in seq_len(nrow(mid))) {
  check(same(mid$evppi[i], number(paste0("psa.evppi_middle.", mid$group[i]))), paste("EVPPI of", mid$group[i]))
}

ow <- sclsim_one_way(one_way_file)
check(nrow(ow) == number("one_way.parameters"), "one-way parameters")
check(identical(ow$parameter[1], text("one_way.parameter.0")), "one-way first parameter")
check(same(ow$low_value[1], number("one_way.low_value.0")) && same(ow$high_set[1], number("one_way.high_set.0")),
      "one-way range and sets")

bad <- tryCatch(sclsim_psa(run_file), error = function(e) conditionMessage(e))
check(grepl("not a PSA file", bad), "a run file given to sclsim_psa says why")

if (failures > 0) {
  cat(failures, "check(s) failed\n")
  quit(status = 1)
}
cat("sclsim.R: all checks passed\n")
