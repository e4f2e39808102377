# Golden values, part D: the matched section's table of estimators
# (matched_estimators) and the balance under the weights (weighted_balance), with R 4.2.2, sandwich 3.0.2 and base R (Debian
# bookworm's r-base-core, r-cran-sandwich). WeightIt is not in Debian: its
# definitions are written out below (METHODS.md, "Weighting and doubly robust
# estimation").
#
#   Rscript scripts/golden/part_d_weighting.R UNITS.csv OUT.csv
#
# UNITS.csv is part B's analysis file (scripts/golden/part_b.py --dump: treat,
# age, sex, area, prior_arrests, y, score, match; no identifier). OUT.csv gets
# one `name,value` row per number, to 17 significant digits.
#
# Calls: glm(treat ~ age + sex + area + prior_arrests, family = binomial) for
# the score; ATT weights 1 (treated) and e / (1 - e) (controls);
# lm(y ~ treat, weights = w) with sandwich::vcovHC(type = "HC1") and a t
# interval on n - 2 df (lmtest::coefci); entropy balancing of the controls to
# the treated means of every design column, by Newton on the dual; augmented
# IPW for the ATT with a control-arm lm(y ~ covariates) and the
# influence-function standard error; Kish's effective sample size
# (sum w)^2 / sum w^2 per arm; the weighted SMD of every balance column.
suppressPackageStartupMessages(library(sandwich))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
d$sex <- factor(d$sex); d$area <- factor(d$area)
out <- list()
put <- function(name, value) out[[name]] <<- value
fit <- glm(treat ~ age + sex + area + prior_arrests, data = d, family = binomial,
           control = glm.control(epsilon = 1e-14, maxit = 100))
e <- fitted(fit)
X <- model.matrix(fit)[, -1, drop = FALSE]
t1 <- d$treat == 1
ess <- function(w) c(sum(w[t1])^2 / sum(w[t1]^2), sum(w[!t1])^2 / sum(w[!t1]^2))
weighted <- function(prefix, w) {
  m <- lm(y ~ treat, data = d, weights = w)
  b <- coef(m)[["treat"]]
  se <- sqrt(vcovHC(m, type = "HC1")["treat", "treat"])
  q <- qt(0.975, df = nrow(d) - 2)
  put(paste0(prefix, ".effect"), b); put(paste0(prefix, ".se"), se)
  put(paste0(prefix, ".lower"), b - q * se); put(paste0(prefix, ".upper"), b + q * se)
  put(paste0(prefix, ".p"), 2 * pt(-abs(b / se), df = nrow(d) - 2))
  es <- ess(w)
  put(paste0(prefix, ".ess_t"), es[1]); put(paste0(prefix, ".ess_c"), es[2])
}
w_ipw <- ifelse(t1, 1, e / (1 - e))
weighted("ipw", w_ipw)
# Entropy balancing: control weights exp(lambda' z) / sum, z = x - treated
# means; Newton on log sum exp(lambda' z) until every moment is met to 1e-13.
Z <- sweep(X[!t1, , drop = FALSE], 2, colMeans(X[t1, , drop = FALSE]))
lam <- rep(0, ncol(Z))
for (it in 1:200) {
  w <- as.vector(exp(Z %*% lam)); w <- w / sum(w)
  g <- colSums(Z * w)
  if (max(abs(g)) < 1e-13) break
  H <- crossprod(Z, Z * w) - tcrossprod(g)
  lam <- lam - solve(H, g)
}
w_eb <- rep(1, nrow(d)); w_eb[!t1] <- w * sum(!t1)
weighted("eb", w_eb)
# Augmented IPW for the ATT.
ctrl <- lm(y ~ age + sex + area + prior_arrests, data = d[!t1, ])
mu0 <- predict(ctrl, newdata = d)
nt <- sum(t1); n <- nrow(d); r <- d$y - mu0; odds <- e / (1 - e)
tau <- sum(ifelse(t1, r, -odds * r)) / nt
phi <- ifelse(t1, r - tau, -odds * r) * n / nt
se <- sqrt(sum(phi^2)) / n
z <- qnorm(0.975)
put("dr.effect", tau); put("dr.se", se)
put("dr.lower", tau - z * se); put("dr.upper", tau + z * se)
put("dr.p", 2 * pnorm(-abs(tau / se)))
# Weighted balance: for every balance column (each level of a categorical
# covariate), (weighted mean of the programme group - weighted mean of the
# comparison group) / the programme group's unweighted SD (sqrt(p (1 - p)) for
# a 0/1 column, sd() otherwise), as MatchIt's summary() with standardize = TRUE.
cols <- list(age = d$age)
for (l in levels(d$sex)) cols[[paste0("sex", l)]] <- as.numeric(d$sex == l)
for (l in levels(d$area)) cols[[paste0("area", l)]] <- as.numeric(d$area == l)
cols[["prior_arrests"]] <- d$prior_arrests
for (nm in names(cols)) {
  x <- cols[[nm]]
  xt <- x[t1]
  s_t <- if (all(x %in% c(0, 1))) sqrt(mean(xt) * (1 - mean(xt))) else sd(xt)
  for (w in list(list("unweighted", rep(1, nrow(d))), list("ipw", w_ipw), list("eb", w_eb))) {
    ww <- w[[2]]
    smd <- (weighted.mean(x[t1], ww[t1]) - weighted.mean(x[!t1], ww[!t1])) / s_t
    put(sprintf("balance.%s.%s", w[[1]], nm), smd)
  }
}
v <- unlist(out)
write.csv(data.frame(name = names(v), value = sprintf("%.17g", v)), args[2],
          row.names = FALSE, quote = FALSE)
cat(sprintf("R %s, sandwich %s\n", getRversion(), packageVersion("sandwich")))
