# Expected values for the time-to-event estimators (`outcomes::stats::survival`),
# checked by tests/suite/survival.rs.
#
# Run with R 4.2.2 Patched (2022-11-10 r83330), survival 3.5.3 (Debian
# bookworm packages r-base-core and r-cran-survival), from the project root:
#
#   Rscript scripts/reference/survival.R
#
# It writes, under tests/data/survival/:
#
# * lung.csv, veteran.csv: survival::lung (NCCTG advanced lung cancer trial)
#   and survival::veteran (Veterans' Administration lung cancer trial), public
#   data sets shipped with the survival package, exported as they are
#   (write.csv, NA for missing);
# * synthetic.csv: a synthetic data set made here (set.seed(20261204)), 240
#   people, follow-up in whole months (so many tied times), about 30%
#   censored, a continuous and a binary covariate, two groups, three strata
#   and 120 matched pairs;
# * expected.csv: one value per row, `case,quantity,index,value` (17
#   significant digits).
#
# The R calls, per data set d (lung: status 2 is the event; veteran and
# synthetic: status 1):
#
# * fit <- survfit(Surv(time, status) ~ 1, data = d, conf.type = ct) for ct in
#   "log", "log-log", "plain": fit$time, n.risk, n.event, n.censor, surv,
#   std.err, lower, upper; summary(fit)$table (median, 0.95LCL, 0.95UCL);
#   summary(fit, times = h) at h = 6, 12, 24 months (days for lung and
#   veteran: 182.625, 365.25, 730.5); summary(fit, rmean = tau)$table
#   (rmean, se(rmean)), tau = 365.25 days or 24 months;
# * survfit(Surv(time, status) ~ g, data = d) with summary(..., rmean = tau)
#   for the per-group RMST (g: sex, trt, group);
# * survdiff(Surv(time, status) ~ g, data = d) and, stratified,
#   survdiff(Surv(time, status) ~ g + strata(s), data = d) (veteran: s =
#   celltype; synthetic: s = stratum): obs, exp, var, chisq;
# * coxph(Surv(time, status) ~ covariates, data = d, ties = "efron" and
#   "breslow"): coef, sqrt(diag(vcov)), loglik, score, iter, wald.test;
#   lung ~ age + sex, veteran ~ trt + karno + age, synthetic ~ x1 + x2;
#   synthetic also with cluster = pair (robust se, naive se, wald.test), with
#   robust = TRUE, stratified: ~ x1 + x2 + strata(stratum) with cluster = pair
#   (coef, robust and naive se, loglik, score, iter, cox.zph chisq) and
#   ~ x1 + x2 + strata(pair) (one stratum per matched pair: coef, se, loglik,
#   iter);
# * cox.zph(fit) (transform "km") for each Efron fit, and for the synthetic
#   Efron fit transform = "identity", "rank" and "log" too: table (chisq, p).

library(survival)
out_dir <- "tests/data/survival"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

lung <- survival::lung
veteran <- survival::veteran
write.csv(lung, file.path(out_dir, "lung.csv"), row.names = FALSE)
write.csv(veteran, file.path(out_dir, "veteran.csv"), row.names = FALSE)

set.seed(20261204)
n <- 240
pair <- rep(1:(n / 2), each = 2)
group <- rep(c("a", "b"), n / 2)
frailty <- rep(rnorm(n / 2, sd = 0.5), each = 2)
x1 <- round(rnorm(n), 3)
x2 <- rbinom(n, 1, 0.4)
stratum <- sample(c("s1", "s2", "s3"), n, replace = TRUE)
rate <- 0.05 * exp(0.5 * x1 - 0.7 * x2 + 0.4 * (group == "b") + frailty)
t_event <- rexp(n, rate)
t_cens <- runif(n, 6, 60)
time <- pmin(ceiling(t_event), ceiling(t_cens))
status <- as.integer(ceiling(t_event) <= ceiling(t_cens))
synthetic <- data.frame(time, status, x1, x2, group, stratum, pair)
write.csv(synthetic, file.path(out_dir, "synthetic.csv"), row.names = FALSE)

rows <- list()
put <- function(case, quantity, values) {
  values <- as.numeric(values)
  rows[[length(rows) + 1]] <<- data.frame(
    case = case, quantity = quantity, index = seq_along(values),
    value = sprintf("%.17g", values)
  )
}

lung$event <- as.integer(lung$status == 2)
veteran$event <- veteran$status
synthetic$event <- synthetic$status
sets <- list(
  lung = list(d = lung, h = c(182.625, 365.25, 730.5), tau = 365.25, g = "sex",
              s = NULL, cov = "age + sex"),
  veteran = list(d = veteran, h = c(182.625, 365.25, 730.5), tau = 365.25, g = "trt",
                 s = "celltype", cov = "trt + karno + age"),
  synthetic = list(d = synthetic, h = c(6, 12, 24), tau = 24, g = "group",
                   s = "stratum", cov = "x1 + x2")
)

for (name in names(sets)) {
  st <- sets[[name]]
  d <- st$d
  for (ct in c("log", "log-log", "plain")) {
    fit <- survfit(Surv(time, event) ~ 1, data = d, conf.type = ct)
    case <- paste(name, "km", ct, sep = "/")
    put(case, "time", fit$time)
    put(case, "n.risk", fit$n.risk)
    put(case, "n.event", fit$n.event)
    put(case, "n.censor", fit$n.censor)
    put(case, "surv", fit$surv)
    put(case, "std.err", fit$std.err)
    put(case, "lower", fit$lower)
    put(case, "upper", fit$upper)
    tab <- summary(fit)$table
    put(case, "median", tab[c("median", "0.95LCL", "0.95UCL")])
    sh <- summary(fit, times = st$h)
    put(case, "horizon.time", sh$time)
    put(case, "horizon.n.risk", sh$n.risk)
    put(case, "horizon.surv", sh$surv)
    put(case, "horizon.std.err", sh$std.err)
    put(case, "horizon.lower", sh$lower)
    put(case, "horizon.upper", sh$upper)
    rt <- summary(fit, rmean = st$tau)$table
    put(case, "rmean", rt[c("rmean", "se(rmean)")])
  }
  f <- as.formula(paste("Surv(time, event) ~", st$g))
  gfit <- survfit(f, data = d)
  rt <- summary(gfit, rmean = st$tau)$table
  put(paste(name, "rmst", sep = "/"), "rmean", rt[, "rmean"])
  put(paste(name, "rmst", sep = "/"), "se", rt[, "se(rmean)"])

  sd <- survdiff(f, data = d)
  case <- paste(name, "logrank", sep = "/")
  put(case, "obs", sd$obs)
  put(case, "exp", sd$exp)
  put(case, "var", sd$var)
  put(case, "chisq", sd$chisq)
  if (!is.null(st$s)) {
    fs <- as.formula(paste("Surv(time, event) ~", st$g, "+ strata(", st$s, ")"))
    sd <- survdiff(fs, data = d)
    case <- paste(name, "logrank_strata", sep = "/")
    put(case, "obs", rowSums(sd$obs))
    put(case, "exp", rowSums(sd$exp))
    put(case, "var", sd$var)
    put(case, "chisq", sd$chisq)
  }

  fc <- as.formula(paste("Surv(time, event) ~", st$cov))
  for (ties in c("efron", "breslow")) {
    fit <- coxph(fc, data = d, ties = ties)
    case <- paste(name, "cox", ties, sep = "/")
    put(case, "coef", coef(fit))
    put(case, "se", sqrt(diag(vcov(fit))))
    put(case, "loglik", fit$loglik)
    put(case, "score", fit$score)
    put(case, "wald", fit$wald.test)
    put(case, "iter", fit$iter)
    z <- cox.zph(fit)
    put(paste(name, "zph", ties, "km", sep = "/"), "chisq", z$table[, "chisq"])
    put(paste(name, "zph", ties, "km", sep = "/"), "p", z$table[, "p"])
    if (name == "synthetic") {
      for (tr in c("identity", "rank", "log")) {
        z <- cox.zph(fit, transform = tr)
        put(paste(name, "zph", ties, tr, sep = "/"), "chisq", z$table[, "chisq"])
      }
      fr <- coxph(fc, data = d, ties = ties, cluster = pair)
      case <- paste(name, "cox_cluster", ties, sep = "/")
      put(case, "coef", coef(fr))
      put(case, "robust.se", sqrt(diag(vcov(fr))))
      put(case, "naive.se", sqrt(diag(fr$naive.var)))
      put(case, "wald", fr$wald.test)
      fr <- coxph(fc, data = d, ties = ties, robust = TRUE)
      put(paste(name, "cox_robust", ties, sep = "/"), "robust.se", sqrt(diag(vcov(fr))))
      fs <- coxph(Surv(time, event) ~ x1 + x2 + strata(stratum), data = d, ties = ties,
                  cluster = pair)
      case <- paste(name, "cox_strata", ties, sep = "/")
      put(case, "coef", coef(fs))
      put(case, "robust.se", sqrt(diag(vcov(fs))))
      put(case, "naive.se", sqrt(diag(fs$naive.var)))
      put(case, "loglik", fs$loglik)
      put(case, "score", fs$score)
      put(case, "iter", fs$iter)
      put(case, "zph", cox.zph(fs)$table[, "chisq"])
      fp <- coxph(Surv(time, event) ~ x1 + x2 + strata(pair), data = d, ties = ties)
      case <- paste(name, "cox_pairs", ties, sep = "/")
      put(case, "coef", coef(fp))
      put(case, "se", sqrt(diag(vcov(fp))))
      put(case, "loglik", fp$loglik)
      put(case, "iter", fp$iter)
    }
  }
}

write.csv(do.call(rbind, rows), file.path(out_dir, "expected.csv"), row.names = FALSE,
          quote = FALSE)
