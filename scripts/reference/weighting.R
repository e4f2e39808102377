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

## ---------------------------------------------------------------- Weighting
# A synthetic data set (written to tests/data/weighting/weighting_synthetic.csv)
# and LaLonde (../shared/reference-data/lalonde.csv, not copied).
set.seed(20261205)
n <- 500
syn <- data.frame(age = round(runif(n, 18, 60)), educ = sample(6:16, n, TRUE),
                  married = rbinom(n, 1, 0.4),
                  region = sample(c("north", "south", "west"), n, TRUE),
                  g = sample(1:50, n, TRUE))
lin <- -3 + 0.04 * syn$age + 0.1 * syn$educ + 0.7 * syn$married + 0.5 * (syn$region == "south")
syn$treat <- rbinom(n, 1, plogis(lin))
syn$y <- round(2 + 0.05 * syn$age + 0.3 * syn$educ + syn$married + 1.5 * syn$treat + rnorm(n), 4)
w15(syn, "weighting_synthetic.csv")
lal_path <- "../shared/reference-data/lalonde.csv"
if (!file.exists(lal_path)) lal_path <- "/work/shared/reference-data/lalonde.csv"
lal <- read.csv(lal_path)
lal$y <- lal$re78

q7 <- function(x, p) unname(quantile(x, p, type = 7))
ess <- function(w, t) c(treated = sum(w[t == 1])^2 / sum(w[t == 1]^2),
                        control = sum(w[t == 0])^2 / sum(w[t == 0]^2))
# Propensity weights (WeightIt get_w_from_ps): ATT treated 1, control e/(1-e);
# ATE 1/e, 1/(1-e); stabilised ATE multiplies by mean(treat) / (1 - mean(treat)).
ps_w <- function(e, t, estimand) if (estimand == "att") ifelse(t == 1, 1, e / (1 - e)) else ifelse(t == 1, 1 / e, 1 / (1 - e))
# Trimming the weights (WeightIt trim(w, at = 1 - q, lower = FALSE)): the set
# trimmed is the controls for the ATT, everyone for the ATE.
trim_w <- function(w, t, estimand, q) {
  s <- if (estimand == "att") t == 0 else rep(TRUE, length(t))
  cap <- q7(w[s], 1 - q); w[s & w > cap] <- cap; w
}
trim_s <- function(e, q) pmin(pmax(e, q7(e, q)), q7(e, 1 - q))
# Entropy balancing of the controls to the treated: Newton on the dual
# log sum exp(lambda' z), z = (x - treated mean) / treated sd, to 1e-13.
ebal <- function(X, t) {
  mt <- colMeans(X[t == 1, , drop = FALSE])
  sdt <- apply(X[t == 1, , drop = FALSE], 2, sd); sdt[!(sdt > 0)] <- 1
  Z <- sweep(sweep(X[t == 0, , drop = FALSE], 2, mt), 2, sdt, "/")
  lam <- rep(0, ncol(Z))
  for (it in 1:100) {
    s <- drop(Z %*% lam); p <- exp(s - max(s)); p <- p / sum(p)
    g <- colSums(Z * p)
    if (max(abs(g)) < 1e-13) break
    H <- crossprod(Z * sqrt(p)) - tcrossprod(g)
    lam <- lam - solve(H, g)
  }
  w <- rep(1, length(t)); w[t == 0] <- p * sum(t == 0); w
}
# Balance columns (every level of a factor), weighted means, SMD over the
# unweighted treated SD (ATT: "treated") or pooled SD (ATE: "pooled"); SDs
# use n - 1, and sqrt(p (1 - p)) for 0/1 columns (MatchIt / cobalt).
sdv <- function(x) if (all(x %in% c(0, 1))) sqrt(mean(x) * (1 - mean(x))) else sd(x)
bal <- function(B, t, w, den) do.call(rbind, lapply(colnames(B), function(nm) {
  x <- B[, nm]; st <- sdv(x[t == 1]); sc <- sdv(x[t == 0])
  d <- if (den == "treated") st else sqrt((st^2 + sc^2) / 2)
  mt <- weighted.mean(x[t == 1], w[t == 1]); mc <- weighted.mean(x[t == 0], w[t == 0])
  data.frame(name = nm, mean_treated = mt, mean_control = mc, smd = (mt - mc) / d)
}))
# AIPW: mu_a from lm(y ~ X, subset = treat == a), predicted for everyone.
aipw <- function(y, t, e, Xo, estimand) {
  d <- data.frame(y = y, Xo)
  m0 <- predict(lm(y ~ ., data = d[t == 0, ]), newdata = d)
  nn <- length(y); nt <- sum(t)
  if (estimand == "ate") {
    m1 <- predict(lm(y ~ ., data = d[t == 1, ]), newdata = d)
    psi <- m1 - m0 + t * (y - m1) / e - (1 - t) * (y - m0) / (1 - e)
    tau <- mean(psi); se <- sqrt(sum((psi - tau)^2)) / nn
  } else {
    r <- y - m0
    tau <- sum(t * r - (1 - t) * e / (1 - e) * r) / nt
    phi <- (t * (r - tau) - (1 - t) * e / (1 - e) * r) * nn / nt
    se <- sqrt(sum(phi^2)) / nn
  }
  c(estimate = tau, se = se)
}

run <- function(d, ps_formula, X, B, Xo, label, cluster = NULL) {
  t <- d$treat
  e <- fitted(glm(ps_formula, data = d, family = binomial()))
  W <- list(att = ps_w(e, t, "att"), ate = ps_w(e, t, "ate"),
            ate_stab = ps_w(e, t, "ate") * ifelse(t == 1, mean(t), 1 - mean(t)),
            att_trim_weights = trim_w(ps_w(e, t, "att"), t, "att", 0.05),
            ate_trim_weights = trim_w(ps_w(e, t, "ate"), t, "ate", 0.05),
            ate_trim_score = ps_w(trim_s(e, 0.05), t, "ate"),
            ebal_means = ebal(X, t))
  nb <- ncol(X)
  Xsq <- X[, apply(X, 2, function(x) !all(x %in% c(0, 1))), drop = FALSE]^2
  colnames(Xsq) <- paste0(colnames(Xsq), "^2")
  W$ebal_squares <- ebal(cbind(X, Xsq), t)
  w15(data.frame(score = e, W), paste0("weights_", label, "_expected.csv"))
  sm <- do.call(rbind, lapply(names(W), function(k) {
    es <- ess(W[[k]], t)
    data.frame(weights = k, quantity = c("ess_treated", "ess_control"), value = unname(es))
  }))
  bt <- rbind(cbind(weights = "att", denominator = "treated", bal(B, t, W$att, "treated")),
              cbind(weights = "ate", denominator = "pooled", bal(B, t, W$ate, "pooled")),
              cbind(weights = "ebal_means", denominator = "treated", bal(B, t, W$ebal_means, "treated")))
  w15(bt, paste0("balance_", label, "_expected.csv"))
  # lm(y ~ treat + Xo, weights = w) with vcovHC HC0 / HC1 and vcovCL.
  dd <- data.frame(y = d$y, treated = t, Xo)
  for (k in c("att", "ate")) {
    fit <- lm(y ~ ., data = dd, weights = W[[k]])
    v <- list(HC0 = sandwich::vcovHC(fit, type = "HC0"), HC1 = sandwich::vcovHC(fit, type = "HC1"))
    if (!is.null(cluster)) v$CL <- sandwich::vcovCL(fit, cluster = d[[cluster]])
    for (vn in names(v)) sm <- rbind(sm, data.frame(weights = k,
      quantity = c(paste0("lm_estimate_", vn), paste0("lm_se_", vn)),
      value = c(coef(fit)[["treated"]], sqrt(v[[vn]]["treated", "treated"]))))
  }
  for (est in c("ate", "att")) {
    a <- aipw(d$y, t, e, Xo, est)
    sm <- rbind(sm, data.frame(weights = "none", quantity = paste0("aipw_", est, c("_estimate", "_se")), value = unname(a)))
  }
  w15(sm, paste0("summary_", label, "_expected.csv"))
}
# model.matrix(~ age + educ + married + region)[, -1]: the balanced columns.
Xs <- model.matrix(~ age + educ + married + region, syn)[, -1]
Bs <- cbind(age = syn$age, educ = syn$educ, married = syn$married,
            regionnorth = 1 * (syn$region == "north"), regionsouth = 1 * (syn$region == "south"),
            regionwest = 1 * (syn$region == "west"))
run(syn, treat ~ age + educ + married + region, Xs, Bs,
    syn[, c("age", "educ", "married")], "synthetic", cluster = "g")
Xl <- model.matrix(~ age + educ + race + married + nodegree + re74 + re75, lal)[, -1]
Bl <- cbind(age = lal$age, educ = lal$educ, raceblack = 1 * (lal$race == "black"),
            racehispan = 1 * (lal$race == "hispan"), racewhite = 1 * (lal$race == "white"),
            married = lal$married, nodegree = lal$nodegree, re74 = lal$re74, re75 = lal$re75)
run(lal, treat ~ age + educ + race + married + nodegree + re74 + re75, Xl, Bl,
    lal[, c("age", "educ", "married", "nodegree", "re74", "re75")], "lalonde")
