# Reference values for tests/suite/school_did_reference.rs: the weighted 2x2
# difference in differences of a session rate with CR1 standard errors by
# pupil (compare::did::did_regression_weighted, as the school section uses it)
# and the two ASB differences in differences of measures::asb::compare_areas
# (the rate difference and the ratio of rate ratios, with Wald p-values).
# Run from this directory:  Rscript make_school_did_reference.R
# Written with R 4.2.2 Patched (2022-11-10 r83330), sandwich 3.0.2, lmtest 0.9.40.
suppressPackageStartupMessages({library(sandwich); library(lmtest)})
cat(R.version.string, "sandwich", as.character(packageVersion("sandwich")),
    "lmtest", as.character(packageVersion("lmtest")), "\n")

## ---- 1. Enrolments x phases: a session rate weighted by possible sessions ----
set.seed(20240902)
pupils <- 80
rows <- list()
for (i in 1:pupils) {
  treat <- as.integer(i <= 40)
  prop <- rgamma(1, 1.2) * 0.07 / 1.2
  for (post in 0:1) {
    # Some pupils have two enrolments (moved school) in a phase, some none.
    k <- sample(c(0, 1, 1, 1, 2), 1)
    for (e in seq_len(k)) {
      possible <- sample(60:380, 1)
      p <- min(0.9, prop * ifelse(treat == 1 & post == 1, 0.75, 1))
      absent <- rbinom(1, possible, p)
      rows[[length(rows) + 1]] <- data.frame(pupil = sprintf("P%03d", i), treat, post,
                                             possible, absent)
    }
  }
}
d <- do.call(rbind, rows)
write.csv(d, "school_did_weighted.csv", row.names = FALSE)
d$y <- 100 * d$absent / d$possible
d$pa <- 100 * as.numeric(d$absent * 10000 >= 1000 * d$possible)

out <- list()
add <- function(model, est, fit, V) {
  ct <- coeftest(fit, vcov. = V)
  ci <- coefci(fit, vcov. = V, level = 0.95)
  j <- "treat:post"
  out[[length(out) + 1]] <<- data.frame(model = model, estimator = est,
    estimate = ct[j, 1], std_error = ct[j, 2], p_value = ct[j, 4],
    ci_lower = ci[j, 1], ci_upper = ci[j, 2], df = fit$df.residual)
}
# lm(weights = possible): each cell's fitted mean is sum(absent)/sum(possible).
fw <- lm(y ~ treat * post, data = d, weights = possible)
add("weighted", "classical", fw, vcov(fw))
add("weighted", "HC1", fw, vcovHC(fw, type = "HC1"))
add("weighted", "CR1", fw, vcovCL(fw, cluster = ~pupil))
# The persistent-absence indicator, unweighted (did_regression).
fu <- lm(pa ~ treat * post, data = d)
add("indicator", "CR1", fu, vcovCL(fu, cluster = ~pupil))
res <- do.call(rbind, out)
write.csv(res, "school_did_weighted_expected.csv", row.names = FALSE)
print(res, digits = 15)
# The cell ratios the weighted fit reproduces.
r <- aggregate(cbind(absent, possible) ~ treat + post, data = d, FUN = sum)
r$rate <- 100 * r$absent / r$possible
print(r, digits = 15)

## ---- 2. ASB: four Poisson counts over person-years ----
# The bundled sample's counts and person-years (pilot/comparison x before/after).
a <- data.frame(treat = c(1, 1, 0, 0), post = c(0, 1, 0, 1),
                k = c(142, 115, 185, 168), T = c(5024, 5049, 5304, 5331))
# Rate difference per 1,000 per year: identity-link Poisson GLM of k/T with
# prior weights T (variance mu/T per cell: SE^2 = sum k/T^2).
# (IRLS run to a tight tolerance so that the saturated fit is exact.)
tight <- glm.control(epsilon = 1e-15, maxit = 100)
gi <- suppressWarnings(glm(k / T ~ treat * post, family = poisson(link = "identity"),
                           weights = T, data = a, control = tight))
si <- summary(gi)$coefficients["treat:post", ]
# Ratio of rate ratios: log-link Poisson GLM with offset log(T).
gl <- suppressWarnings(glm(k ~ treat * post + offset(log(T)), family = poisson, data = a, control = tight))
sl <- summary(gl)$coefficients["treat:post", ]
z <- qnorm(0.975)
asb <- data.frame(
  measure = c("rate_difference", "ratio_of_rate_ratios"),
  estimate = c(1000 * si[["Estimate"]], exp(sl[["Estimate"]])),
  std_error = c(1000 * si[["Std. Error"]], sl[["Std. Error"]]),
  ci_lower = c(1000 * (si[["Estimate"]] - z * si[["Std. Error"]]),
               exp(sl[["Estimate"]] - z * sl[["Std. Error"]])),
  ci_upper = c(1000 * (si[["Estimate"]] + z * si[["Std. Error"]]),
               exp(sl[["Estimate"]] + z * sl[["Std. Error"]])),
  p_value = c(si[["Pr(>|z|)"]], sl[["Pr(>|z|)"]]))
write.csv(asb, "school_asb_did_expected.csv", row.names = FALSE)
print(asb, digits = 15)
