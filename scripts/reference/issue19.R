# Reference values for tests/suite/reference_values.rs (issue 19): paired statistics,
# McNemar and proportions (printed, pasted into the test with 17 significant digits), and
# OLS residuals/fitted values (written to tests/data/ols_synthetic_fitted.csv).
# Run from the repository root:  Rscript scripts/reference/issue19.R
options(digits = 17)
suppressPackageStartupMessages({library(stats)})
cat(R.version.string, "\n")
p17 <- function(name, x) cat(sprintf("%-28s %s\n", name, paste(sprintf("%.17g", x), collapse = " ")))

## ---- 1. Paired statistics ----
paired <- function(label, before, after, level) {
  cat("\n====", label, "level", level, "\n")
  d <- after - before
  n <- length(d)
  p17("mean_before", mean(before)); p17("mean_after", mean(after))
  tt <- t.test(after, before, paired = TRUE, conf.level = level)
  p17("t.estimate", tt$estimate); p17("t.stderr", tt$stderr); p17("t.statistic", tt$statistic)
  p17("t.df", tt$parameter); p17("t.p", tt$p.value); p17("t.conf.int", tt$conf.int)
  p17("sd(d)", sd(d))
  # Wilcoxon: zeros are dropped (R's only zero method, the crate's documented one)
  nz <- d[d != 0]; m <- length(nz)
  r <- rank(abs(nz)); V <- sum(r[nz > 0])
  cat("n_zero", sum(d == 0), " n_nonzero", m, " ties", any(duplicated(abs(nz))), "\n")
  p17("V", V); p17("rank_sum_negative", m * (m + 1) / 2 - V)
  if (!any(duplicated(abs(nz))) && sum(d == 0) == 0) {
    we <- wilcox.test(after, before, paired = TRUE, exact = TRUE)
    p17("wilcox.exact.V", we$statistic); p17("wilcox.exact.p", we$p.value)
  }
  wa <- suppressWarnings(wilcox.test(after, before, paired = TRUE, exact = FALSE, correct = TRUE))
  p17("wilcox.approx.V", wa$statistic); p17("wilcox.approx.p", wa$p.value)
  # z as R's wilcox.test computes it internally (stats:::wilcox.test.default, R 4.2.2):
  # z <- STATISTIC - n(n+1)/4; SIGMA <- sqrt(n(n+1)(2n+1)/24 - sum(NTIES^3 - NTIES)/48);
  # CORRECTION <- sign(z) * 0.5 (two-sided); z <- (z - CORRECTION) / SIGMA
  NTIES <- table(r)
  z <- V - m * (m + 1) / 4
  SIGMA <- sqrt(m * (m + 1) * (2 * m + 1) / 24 - sum(NTIES^3 - NTIES) / 48)
  z <- (z - sign(z) * 0.5) / SIGMA
  stopifnot(abs(2 * pnorm(-abs(z)) - wa$p.value) < 1e-15)
  p17("wilcox.approx.z", z)
  # Sign test: exact binomial on the non-zero differences
  k <- sum(d > 0); mm <- sum(d != 0)
  bt <- binom.test(k, mm, 0.5)
  cat("sign n_pos", k, "n_neg", sum(d < 0), "n_zero", sum(d == 0), "\n")
  p17("sign.p", bt$p.value)
  # Cohen's d_z (METHODS.md §3): d_z = mean(d)/sd(d), V = 1/n + d_z^2/(2n), CI d_z -/+ z_{1-a/2} sqrt(V)
  dz <- mean(d) / sd(d); se <- sqrt(1 / n + dz^2 / (2 * n)); q <- qnorm(1 - (1 - level) / 2)
  p17("dz", dz); p17("dz.se", se); p17("dz.ci", c(dz - q * se, dz + q * se))
  invisible(d)
}
# A: no ties, no zeros (n = 10); B: integer scores with tied |d| and four zero differences (n = 14)
a_before <- c(12.1, 8.4, 15.0, 10.2, 9.7, 14.3, 11.8, 7.5, 13.6, 10.9)
a_after  <- c(10.4, 8.9, 12.1, 9.0, 6.2, 13.7, 12.6, 5.3, 9.5, 11.2)
b_before <- c(30, 25, 28, 35, 22, 31, 27, 33, 29, 24, 26, 32, 30, 28)
b_after  <- c(26, 25, 24, 30, 22, 29, 27, 28, 31, 20, 23, 32, 25, 30)
paired("A (no ties)", a_before, a_after, 0.95)
paired("B (ties, zeros)", b_before, b_after, 0.90)
# The asymptotic test on A too (exact = FALSE, correct = TRUE), already printed above.

## ---- McNemar and the two proportions ----
binary <- function(label, before, after, level) {
  cat("\n====", label, "level", level, "\n")
  n <- length(before)
  tab <- table(factor(before, levels = c(TRUE, FALSE)), factor(after, levels = c(TRUE, FALSE)))
  print(tab)
  b <- tab[1, 2]; c <- tab[2, 1]
  mc <- mcnemar.test(tab, correct = TRUE); mu <- mcnemar.test(tab, correct = FALSE)
  p17("mcnemar.corrected.stat", mc$statistic); p17("mcnemar.corrected.p", mc$p.value)
  p17("mcnemar.uncorrected.stat", mu$statistic); p17("mcnemar.uncorrected.p", mu$p.value)
  p17("exact.p binom.test(min,b+c)", binom.test(min(b, c), b + c, 0.5)$p.value)
  for (w in c("before", "after")) {
    x <- sum(if (w == "before") before else after)
    pt <- prop.test(x, n, correct = FALSE, conf.level = level)
    p <- x / n
    p17(paste0(w, ".p"), p); p17(paste0(w, ".wald_se"), sqrt(p * (1 - p) / n))
    p17(paste0(w, ".wilson"), pt$conf.int)
  }
}
# A: n = 20, 12 true before, 6 after; b = 8 (true -> false), c = 2 (false -> true)
a_b <- c(rep(TRUE, 8), rep(FALSE, 2), rep(TRUE, 4), rep(FALSE, 6))
a_a <- c(rep(FALSE, 8), rep(TRUE, 2), rep(TRUE, 4), rep(FALSE, 6))
# B: n = 15, 3 true before, 6 after; b = 1, c = 4
b_b <- c(TRUE, rep(FALSE, 4), rep(TRUE, 2), rep(FALSE, 8))
b_a <- c(FALSE, rep(TRUE, 4), rep(TRUE, 2), rep(FALSE, 8))
binary("A", a_b, a_a, 0.95)
binary("B", b_b, b_a, 0.90)

## ---- 3. OLS residuals and fitted values on tests/data/ols_synthetic.csv ----
d <- read.csv("tests/data/ols_synthetic.csv")
fits <- list(
  unweighted    = lm(y ~ x1 + x2 + x3, data = d),
  weighted      = lm(y ~ x1 + x2 + x3, data = d, weights = w),
  fe_unweighted = lm(y ~ x1 + x2 + x3 + factor(g), data = d),
  fe_weighted   = lm(y ~ x1 + x2 + x3 + factor(g), data = d, weights = w),
  no_intercept  = lm(y ~ 0 + x1 + x2, data = d)
)
out <- data.frame(row = seq_len(nrow(d)))
for (m in names(fits)) {
  out[[paste0("resid_", m)]] <- sprintf("%.17g", residuals(fits[[m]]))
  out[[paste0("fitted_", m)]] <- sprintf("%.17g", fitted(fits[[m]]))
}
write.csv(out, "tests/data/ols_synthetic_fitted.csv", row.names = FALSE, quote = FALSE)
cat("\nwrote tests/data/ols_synthetic_fitted.csv\n")
