# Matched sets of MatchIt on tied and untied propensity scores.
#
# Run from this directory:  Rscript make.R
# (R 4.2.2 and MatchIt 4.5.1, Debian bookworm's r-base-core and r-cran-matchit.)
#
# MatchIt 4.5.1 compares distances after C's integer abs() (upstream issue
# #163, fixed in 4.5.4), so on a probability-scale score its caliper and
# nearest-neighbour comparisons are wrong. Here it is handed, as a user
# `distance =` vector, the glm score scaled by 1e9 and rounded: every
# difference of two distances is then an integer, the truncation is exact, and
# with ratio = 1 4.5.1 computes what 4.5.4 and later compute (sorted by
# distance, ties in data order; the nearest eligible control on each side of
# the treated unit; the lower-score one when both are equally distant).
# (4.5.1 also skips the wrong unit in rounds after the first, so ratio > 1 is
# not checked here.)
#
# Writes, for the data sets `tied` (age in years, sex, area and a count: many
# people share a covariate profile and so a score) and `untied` (the same and
# a continuous income: every score distinct):
#   tied_data.csv, untied_data.csv: one row per person: treat, covariates, R's glm score
#                      (17 significant digits) and the distance handed to matchit
#   tied_matches.csv, untied_matches.csv: case, treated row (1-based), control rows (1-based,
#                      ';'-separated, in match.matrix order; empty if unmatched)
suppressMessages(library(MatchIt))
set.seed(20240614)
make <- function(n, income) {
  d <- data.frame(
    age = sample(18:40, n, replace = TRUE),
    sex = sample(c("F", "M"), n, replace = TRUE, prob = c(0.35, 0.65)),
    area = sample(c("north", "south", "east", "west"), n, replace = TRUE),
    prior_arrests = pmin(rpois(n, 1.2), 5)
  )
  if (income) d$income <- round(rlnorm(n, 9.8, 0.4), 2)
  eta <- -2.2 + 0.03 * (d$age - 28) + 0.4 * (d$sex == "M") + 0.3 * (d$area == "north") -
    0.2 * (d$area == "west") + 0.35 * d$prior_arrests
  if (income) eta <- eta - 0.00002 * (d$income - 18000)
  d$treat <- rbinom(n, 1, plogis(eta))
  d
}
sets <- list(
  tied = list(d = make(3000, FALSE), f = treat ~ age + sex + area + prior_arrests),
  untied = list(d = make(1500, TRUE), f = treat ~ age + sex + area + prior_arrests + income)
)
cases <- list(
  default = quote(matchit(f, data = d, distance = dist)),
  caliper = quote(matchit(f, data = d, distance = dist, caliper = 0.05)),
  exact_sex = quote(matchit(f, data = d, distance = dist, exact = ~sex)),
  replace = quote(matchit(f, data = d, distance = dist, replace = TRUE)),
  smallest = quote(matchit(f, data = d, distance = dist, m.order = "smallest")),
  data_order = quote(matchit(f, data = d, distance = dist, m.order = "data")),
  # MatchIt 4.5.1 as it is: its own glm score on the probability scale, every
  # distance truncated to 0 (reproduced by the crate's `matchit_4_5_1` rule).
  matchit451_glm = quote(matchit(f, data = d)),
  matchit451_glm_caliper = quote(matchit(f, data = d, caliper = 0.05))
)
for (nm in names(sets)) {
  d <- sets[[nm]]$d
  f <- sets[[nm]]$f
  rownames(d) <- seq_len(nrow(d))
  score <- fitted(glm(f, data = d, family = binomial,
                      control = glm.control(epsilon = 1e-14, maxit = 100)))
  dist <- round(score * 1e9)
  out <- d[, c("treat", setdiff(names(d), "treat"))]
  out$score <- sprintf("%.17g", score)
  out$distance <- sprintf("%.0f", dist)
  write.csv(out, sprintf("%s_data.csv", nm), row.names = FALSE, quote = FALSE)
  cat(sprintf("%s: %d people, %d treated, %d distinct scores\n", nm, nrow(d), sum(d$treat),
              length(unique(dist))))
  rows <- character()
  for (cn in names(cases)) {
    m <- eval(cases[[cn]])
    mm <- m$match.matrix
    for (i in seq_len(nrow(mm))) {
      r <- mm[i, ]
      r <- r[!is.na(r)]
      rows <- c(rows, sprintf("%s,%s,%s", cn, rownames(mm)[i], paste(r, collapse = ";")))
    }
  }
  writeLines(c("case,treated,controls", rows), sprintf("%s_matches.csv", nm))
}
