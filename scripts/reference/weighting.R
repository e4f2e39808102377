# Expected values for src/stats/sensitivity.rs and src/compare/weighting.rs.
#
# Run from the project root:  Rscript scripts/reference/weighting.R
# R 4.2.2 Patched (2022-11-10 r83330), sandwich 3.0.2, lmtest 0.9.40
# (Debian bookworm packages). EValue, rbounds and WeightIt are not packaged
# for Debian: their estimators are written out below in base R from the
# formulas in METHODS.md ("Sensitivity to unmeasured confounding",
# "Weighting and doubly robust estimation"), which restate those packages'
# definitions (EValue 4.1.3 evalues.RR/OR/HR/MD, rbounds 2.2 psens,
# WeightIt 1.x get_w_from_ps / trim / method = "ebal").
#
# Writes tests/data/weighting/*.csv.
options(digits = 17)
out <- "tests/data/weighting"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
w15 <- function(x, f) write.csv(x, file.path(out, f), row.names = FALSE)

## ---------------------------------------------------------------- E-values
# evalues.RR(est, lo, hi): RR < 1 inverted; E = RR + sqrt(RR (RR - 1));
# the CI E-value is that of the limit nearer 1, or 1 if the CI includes 1.
e_rr <- function(rr) { rr <- ifelse(rr < 1, 1 / rr, rr); rr + sqrt(rr * (rr - 1)) }
evalues_rr <- function(est, lo, hi) {
  pt <- if (est == 1) 1 else e_rr(est)
  ci <- if (is.na(lo)) NA else if (lo <= 1 && 1 <= hi) 1 else if (est > 1) e_rr(lo) else e_rr(hi)
  c(rr = est, rr_lo = lo, rr_hi = hi, point = pt, ci = ci)
}
# evalues.OR(rare = FALSE): sqrt(OR); evalues.HR(rare = FALSE):
# (1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR)); rare = TRUE: the ratio itself.
hr_common <- function(h) (1 - 0.5^sqrt(h)) / (1 - 0.5^sqrt(1 / h))
tr <- list(rr = identity, or_rare = identity, or_common = sqrt,
           hr_rare = identity, hr_common = hr_common)
cases <- data.frame(
  measure = c("rr", "rr", "rr", "or_rare", "or_common", "or_common", "hr_rare", "hr_common", "hr_common", "rr"),
  est = c(3.9, 0.5, 1.4, 2.3, 2.3, 0.6, 1.8, 1.8, 0.45, 1),
  lo  = c(1.8, 0.3, 0.9, 1.2, 1.2, 0.4, 1.1, 1.1, 0.30, 0.8),
  hi  = c(8.7, 0.8, 2.0, 4.4, 4.4, 0.9, 2.9, 2.9, 0.70, 1.25))
res <- t(sapply(seq_len(nrow(cases)), function(i) {
  f <- tr[[cases$measure[i]]]
  evalues_rr(f(cases$est[i]), f(cases$lo[i]), f(cases$hi[i]))
}))
w15(cbind(cases, res), "evalues_ratio_expected.csv")
# evalues.MD(est = d, se): RR = exp(0.91 d), CI exp(0.91 d -/+ 1.78 se).
md <- data.frame(d = c(0.5, -0.3, 0.1, 1.2), se = c(0.1, 0.12, 0.2, 0.4))
res <- t(sapply(seq_len(nrow(md)), function(i) {
  d <- md$d[i]; se <- md$se[i]
  evalues_rr(exp(0.91 * d), exp(0.91 * d - 1.78 * se), exp(0.91 * d + 1.78 * se))
}))
w15(cbind(md, res), "evalues_smd_expected.csv")

## --------------------------------------------------------- Rosenbaum bounds
# psens(x = treated, y = control, Gamma, GammaInc) (rbounds 2.2), unrounded:
# d = x - y; zeros dropped; r = rank(|d|, ties.method = "average");
# T = sum(r[d > 0]); p+ = G/(1+G), p- = 1/(1+G); E = p sum(r);
# V = p (1 - p) sum(r^2); bound = 1 - pnorm((T - E) / sqrt(V)).
set.seed(20261204)
np <- 80
control <- round(rnorm(np, 10, 3), 1)
treated <- round(control + rnorm(np, 0.9, 2.5), 1)
treated[c(5, 17, 33)] <- control[c(5, 17, 33)]            # three forced zero differences (four in all)
pairs <- data.frame(treated = treated, control = control)
w15(pairs, "pairs_synthetic.csv")
psens_raw <- function(x, y, gamma) {
  d <- x - y; d <- d[d != 0]
  r <- rank(abs(d), ties.method = "average"); T <- sum(r[d > 0])
  t(sapply(gamma, function(G) {
    pp <- G / (1 + G); pm <- 1 / (1 + G)
    V <- sum(r^2 * pp * (1 - pp))
    c(gamma = G, p_lower = 1 - pnorm((T - sum(r * pm)) / sqrt(V)),
      p_upper = 1 - pnorm((T - sum(r * pp)) / sqrt(V)), T = T)
  }))
}
grid <- seq(1, 3, by = 0.25)
rb <- psens_raw(treated, control, grid)
# The Gamma at which the upper bound equals 0.05, by uniroot on log Gamma.
up <- function(lg) psens_raw(treated, control, exp(lg))[, "p_upper"] - 0.05
gc <- exp(uniroot(up, c(0, log(50)), tol = 1e-14)$root)
w15(data.frame(rb, gamma_critical = gc), "rosenbaum_expected.csv")
# wilcox.test(treated, control, paired = TRUE, alternative = "greater",
#   exact = FALSE, correct = TRUE)$p.value: the Gamma = 1 bound with c = 0.5.
cat("wilcox greater p:", wilcox.test(treated, control, paired = TRUE,
    alternative = "greater", exact = FALSE, correct = TRUE)$p.value, "\n")
