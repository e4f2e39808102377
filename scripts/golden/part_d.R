# Golden values, part D: the time-to-event tables of the sample report, with
# R 4.2.2 and survival 3.5.3 (Debian bookworm's r-base-core, r-cran-survival).
#
#   Rscript scripts/golden/part_d.R ANALYSIS.csv OUT.csv
#
# ANALYSIS.csv is the analysis file scripts/golden/part_d.py derives from the
# raw files (columns group, time, status; no identifier). OUT.csv gets one
# `name,value` row per number of the four time_to_event tables, printed to 17
# significant digits; part_d.py rounds and clears them.
#
# Calls: survfit(Surv(time, status) ~ 1, conf.type = "log") per group (R's
# default interval), summary(fit, times = months, extend = TRUE),
# summary(fit, times = 0:horizon, extend = TRUE) (the monthly curve),
# summary(fit, rmean = horizon)$table, survdiff(Surv(time, status) ~ group),
# coxph(Surv(time, status) ~ programme, ties = "efron"), the same with
# + cluster(pair) on the matched sample (robust variance),
# cox.zph(fit, transform = "km").
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
months <- as.numeric(strsplit(args[3], ",")[[1]])
horizon <- as.numeric(args[4])
out <- list()
put <- function(name, value) out[[name]] <<- value
for (g in c("programme", "comparison")) {
  s <- d[d$group == g, ]
  fit <- survfit(Surv(time, status) ~ 1, data = s, conf.type = "log")
  sm <- summary(fit, times = months, extend = TRUE)
  for (i in seq_along(months)) {
    m <- months[i]
    put(sprintf("%s.n_risk.%g", g, m), sm$n.risk[i])
    put(sprintf("%s.surv.%g", g, m), sm$surv[i])
    put(sprintf("%s.lower.%g", g, m), sm$lower[i])
    put(sprintf("%s.upper.%g", g, m), sm$upper[i])
  }
  curve <- summary(fit, times = 0:horizon, extend = TRUE)
  for (i in seq_along(curve$time)) {
    m <- curve$time[i]
    put(sprintf("%s.curve.n_risk.%g", g, m), curve$n.risk[i])
    put(sprintf("%s.curve.surv.%g", g, m), curve$surv[i])
    put(sprintf("%s.curve.lower.%g", g, m), curve$lower[i])
    put(sprintf("%s.curve.upper.%g", g, m), curve$upper[i])
  }
  tab <- summary(fit, rmean = horizon)$table
  put(paste0(g, ".n"), tab[["records"]])
  put(paste0(g, ".events"), tab[["events"]])
  put(paste0(g, ".median"), tab[["median"]])
  put(paste0(g, ".median_lower"), tab[["0.95LCL"]])
  put(paste0(g, ".median_upper"), tab[["0.95UCL"]])
  put(paste0(g, ".rmean"), tab[["rmean"]])
  put(paste0(g, ".rmean_se"), tab[["se(rmean)"]])
  z <- qnorm(0.975)
  put(paste0(g, ".rmean_lower"), tab[["rmean"]] - z * tab[["se(rmean)"]])
  put(paste0(g, ".rmean_upper"), tab[["rmean"]] + z * tab[["se(rmean)"]])
}
lr <- survdiff(Surv(time, status) ~ group, data = d)
put("logrank.chisq", lr$chisq)
put("logrank.p", pchisq(lr$chisq, 1, lower.tail = FALSE))
d$programme <- as.numeric(d$group == "programme")
cx <- coxph(Surv(time, status) ~ programme, data = d, ties = "efron")
b <- coef(cx)[[1]]; se <- sqrt(vcov(cx)[1, 1]); z <- qnorm(0.975)
put("cox.hr", exp(b))
put("cox.lower", exp(b - z * se))
put("cox.upper", exp(b + z * se))
put("cox.z", b / se)
put("cox.p", 2 * pnorm(-abs(b / se)))
# The matched sample (pairs from part B's matching), robust variance by pair.
m <- d[!is.na(d$pair), ]
cm <- coxph(Surv(time, status) ~ programme + cluster(pair), data = m, ties = "efron")
bm <- coef(cm)[[1]]; sem <- sqrt(vcov(cm)[1, 1])
put("matched.n", nrow(m))
put("matched.hr", exp(bm))
put("matched.lower", exp(bm - z * sem))
put("matched.upper", exp(bm + z * sem))
put("matched.z", bm / sem)
put("matched.p", 2 * pnorm(-abs(bm / sem)))
zph <- cox.zph(cx, transform = "km")
put("zph.chisq", zph$table["GLOBAL", "chisq"])
put("zph.p", zph$table["GLOBAL", "p"])
# E-value of the hazard ratio (VanderWeele & Ding 2017; EValue's evalues.HR,
# written out: EValue is not in Debian). Common outcome when at least 15% of
# those followed have the event: RR = (1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR));
# rare: RR = HR. Below 1, inverted; E = RR + sqrt(RR (RR - 1)); the limit
# nearer 1 gives 1 when the interval contains 1.
common <- mean(d$status) >= 0.15
to_rr <- function(h) if (common) (1 - 0.5^sqrt(h)) / (1 - 0.5^sqrt(1 / h)) else h
e_of <- function(rr) { if (rr < 1) rr <- 1 / rr; rr + sqrt(rr * (rr - 1)) }
rr <- to_rr(out[["cox.hr"]]); lo <- to_rr(out[["cox.lower"]]); hi <- to_rr(out[["cox.upper"]])
put("evalue.point", e_of(rr))
put("evalue.limit", if (lo <= 1 && hi >= 1) 1 else if (rr > 1) e_of(lo) else e_of(hi))
put("evalue.common", as.numeric(common))
diff <- out[["programme.rmean"]] - out[["comparison.rmean"]]
dse <- sqrt(out[["programme.rmean_se"]]^2 + out[["comparison.rmean_se"]]^2)
put("rmst.diff", diff)
put("rmst.lower", diff - z * dse)
put("rmst.upper", diff + z * dse)
put("rmst.z", diff / dse)
put("rmst.p", 2 * pnorm(-abs(diff / dse)))
v <- unlist(out)
write.csv(data.frame(name = names(v), value = sprintf("%.17g", v)), args[2],
          row.names = FALSE, quote = FALSE)
cat(sprintf("R %s, survival %s\n", getRversion(), packageVersion("survival")))
