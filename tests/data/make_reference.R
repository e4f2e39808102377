# Reference values for tests/suite/ols_reference.rs and tests/suite/did_reference.rs.
# Run from this directory:  Rscript make_reference.R
# Written with R 4.2.2, MatchIt 4.5.1, sandwich 3.0.2, lmtest 0.9.40 (Debian bookworm packages).
suppressPackageStartupMessages({library(MatchIt); library(sandwich); library(lmtest)})
cat("R", R.version.string, "MatchIt", as.character(packageVersion("MatchIt")),
    "sandwich", as.character(packageVersion("sandwich")), "lmtest", as.character(packageVersion("lmtest")), "\n")

## ---- 1. Synthetic OLS data set (written to ols_synthetic.csv) ----
set.seed(20261123)
n <- 60
g <- rep(1:12, each = 5)                      # 12 clusters of 5
x1 <- round(rnorm(n, 10, 3), 3)
x2 <- rbinom(n, 1, 0.4)
x3 <- round(runif(n, -1, 1) + 0.1 * g, 3)
u  <- rnorm(12)[g] + rnorm(n) * (1 + 0.5 * x2)
y  <- round(2 + 0.5 * x1 - 1.5 * x2 + 0.8 * x3 + u, 4)
w  <- round(runif(n, 0.2, 3), 3)
d <- data.frame(y, x1, x2, x3, g, w)
write.csv(d, "ols_synthetic.csv", row.names = FALSE)

out <- list()
add <- function(model, est, fit, V) {
  ct <- coeftest(fit, vcov. = V)
  ci <- coefci(fit, vcov. = V, level = 0.95)
  for (j in rownames(ct)) {
    out[[length(out) + 1]] <<- data.frame(model = model, estimator = est, term = j,
      estimate = ct[j, 1], std_error = ct[j, 2], t_value = ct[j, 3], p_value = ct[j, 4],
      ci_lower = ci[j, 1], ci_upper = ci[j, 2],
      sigma = summary(fit)$sigma, r_squared = summary(fit)$r.squared,
      adj_r_squared = summary(fit)$adj.r.squared, df = fit$df.residual)
  }
}
for (wt in c("unweighted", "weighted")) {
  fit <- if (wt == "weighted") lm(y ~ x1 + x2 + x3, data = d, weights = w) else lm(y ~ x1 + x2 + x3, data = d)
  add(wt, "classical", fit, vcov(fit))
  add(wt, "HC0", fit, vcovHC(fit, type = "HC0"))
  add(wt, "HC1", fit, vcovHC(fit, type = "HC1"))
  add(wt, "CR1", fit, vcovCL(fit, cluster = ~g))   # defaults: type = "HC1", cadjust = TRUE
}
# Fixed effects for g as dummies (compared with fit_ols_absorbing; only x1..x3 rows are used)
for (wt in c("fe_unweighted", "fe_weighted")) {
  fit <- if (wt == "fe_weighted") lm(y ~ x1 + x2 + x3 + factor(g), data = d, weights = w) else lm(y ~ x1 + x2 + x3 + factor(g), data = d)
  add(wt, "classical", fit, vcov(fit))
  add(wt, "HC0", fit, vcovHC(fit, type = "HC0"))
  add(wt, "HC1", fit, vcovHC(fit, type = "HC1"))
  add(wt, "CR1", fit, vcovCL(fit, cluster = ~g))
}
fit0 <- lm(y ~ 0 + x1 + x2, data = d)
add("no_intercept", "classical", fit0, vcov(fit0))
add("no_intercept", "CR1", fit0, vcovCL(fit0, cluster = ~g))
ref <- do.call(rbind, out)
write.csv(ref, "ols_synthetic_expected.csv", row.names = FALSE)

# Wald test of x2 = x3 = 0 with the cluster vcov: chi-square and F(2, n-k)
fit <- lm(y ~ x1 + x2 + x3, data = d)
V <- vcovCL(fit, cluster = ~g)
b <- coef(fit)[c("x2", "x3")]
W <- as.numeric(t(b) %*% solve(V[c("x2", "x3"), c("x2", "x3")]) %*% b)
wt <- waldtest(fit, . ~ . - x2 - x3, vcov = V, test = "F")
write.csv(data.frame(chi_square = W, chi_p = pchisq(W, 2, lower.tail = FALSE),
                     f = wt$F[2], f_p = wt$`Pr(>F)`[2], df2 = wt$Res.Df[1]),
          "ols_synthetic_wald.csv", row.names = FALSE)

# Zero weights: how sandwich treats them (documented in METHODS.md, "Known difference (zero weights)")
w0 <- d$w; w0[c(3, 17, 40)] <- 0
f0 <- lm(y ~ x1 + x2 + x3, data = d, weights = w0)
fs <- lm(y ~ x1 + x2 + x3, data = d, weights = w0, subset = w0 > 0)
cat("zero weights: HC1 SE full vs subset:\n"); print(rbind(sqrt(diag(vcovHC(f0, type = "HC1"))), sqrt(diag(vcovHC(fs, type = "HC1")))))
cat("zero weights: CL SE full vs subset:\n"); print(rbind(sqrt(diag(vcovCL(f0, cluster = ~g))), sqrt(diag(vcovCL(fs, cluster = ~g)))))

## ---- 2. MatchIt default nearest-neighbour matching on lalonde (matched data written) ----
lal <- read.csv("../../../shared/reference-data/lalonde.csv")
lal$race <- factor(lal$race, levels = c("black", "hispan", "white"))
m.out1 <- matchit(treat ~ age + educ + race + married + nodegree + re74 + re75,
                  data = lal, method = "nearest", distance = "glm")
md <- match.data(m.out1)
# Only MatchIt's output (row names, PS, weights, subclass) is stored; the test joins it to
# ../shared/reference-data/lalonde.csv, which is third-party data and is not copied here.
write.csv(md[, c("rownames", "distance", "weights", "subclass")], "lalonde_matched_matchit.csv", row.names = FALSE)
# NB: MatchIt 4.5.1 picks a slightly different set of controls from the vignette builds of 2020-2022
# (mean |dPS| 0.2145682 here vs 0.214556 in validation.md 1d), so these effects differ from validation.md 1e.
# They are used only to check the weighted, cluster-robust regression on a given matched sample.
fit1 <- lm(re78 ~ treat + age + educ + race + married + nodegree + re74 + re75, data = md, weights = weights)
c1 <- coeftest(fit1, vcov. = vcovCL, cluster = ~subclass)["treat", ]
fit2 <- lm(re78 ~ treat, data = md, weights = weights)
c2 <- coeftest(fit2, vcov. = vcovCL, cluster = ~subclass)["treat", ]
e <- data.frame(estimator = c("regression_adjusted", "difference_in_means"),
                estimate = c(c1[1], c2[1]), std_error = c(c1[2], c2[2]), t_value = c(c1[3], c2[3]), p_value = c(c1[4], c2[4]))
print(e)
write.csv(e, "lalonde_matched_matchit_expected.csv", row.names = FALSE)

## ---- 3. Event study with relative-time dummies (reference period -1), CR1 by unit ----
es_fit <- function(d, prefix) {
  d$rel <- ifelse(d$first_treated > 0, d$time - d$first_treated, NA)
  es <- sort(unique(d$rel[!is.na(d$rel)])); es <- es[es != -1]
  nm <- character(0)
  for (e in es) {
    v <- paste0("D", ifelse(e < 0, paste0("m", -e), e)); nm <- c(nm, v)
    d[[v]] <- as.numeric(!is.na(d$rel) & d$rel == e)
  }
  f <- as.formula(paste("y ~ factor(unit) + factor(time) +", paste(nm, collapse = " + ")))
  fit <- lm(f, data = d)
  V <- vcovCL(fit, cluster = ~unit)          # type = "HC1", cadjust = TRUE
  ct <- coeftest(fit, vcov. = V)[nm, ]
  ci <- coefci(fit, vcov. = V, level = 0.95)[nm, ]
  write.csv(data.frame(relative_time = es, estimate = ct[, 1], std_error = ct[, 2], t_value = ct[, 3],
                       p_value = ct[, 4], ci_lower = ci[, 1], ci_upper = ci[, 2], df = fit$df.residual),
            paste0(prefix, "_expected.csv"), row.names = FALSE)
  pre <- nm[es < 0]
  b <- coef(fit)[pre]
  W <- as.numeric(t(b) %*% solve(V[pre, pre]) %*% b)
  wt <- waldtest(fit, as.formula(paste(". ~ . -", paste(pre, collapse = " - "))), vcov = V, test = "F")
  write.csv(data.frame(chi_square = W, chi_p = pchisq(W, length(pre), lower.tail = FALSE),
                       f = wt$F[2], f_p = wt$`Pr(>F)`[2], df1 = length(pre), df2 = wt$Res.Df[1]),
            paste0(prefix, "_pretrend.csv"), row.names = FALSE)
}
set.seed(7)
units <- 1:40; periods <- 1:6
coh <- c(rep(3, 10), rep(4, 10), rep(5, 8), rep(0, 12))
ep <- expand.grid(time = periods, unit = units)[, c("unit", "time")]
ep$first_treated <- coh[ep$unit]
ep$y <- round(rnorm(40)[ep$unit] + 0.3 * ep$time + ifelse(ep$first_treated > 0 & ep$time >= ep$first_treated,
              0.5 + 0.2 * (ep$time - ep$first_treated), 0) + rnorm(nrow(ep)), 4)
write.csv(ep, "event_study_synthetic.csv", row.names = FALSE)
es_fit(ep, "event_study_synthetic")
mp <- read.csv("../../../shared/reference-data/mpdta.csv")
es_fit(data.frame(unit = mp$countyreal, time = mp$year, first_treated = mp$first.treat, y = mp$lemp), "event_study_mpdta")
