# Cross-check of part E's 2x2 and event-study tables with R 4.2.2 (lm, sandwich
# 3.0.2, lmtest 0.9.40; Debian bookworm packages).
#
#   /work/venv/bin/python scripts/golden/part_e.py --dump /tmp/part_e
#   Rscript scripts/golden/part_e.R /tmp/part_e
#
# The dump holds the analysis rows part_e.py derives from the raw files
# (persons numbered, no identifier). Prints, for each outcome of did_effect,
# lm(y ~ programme * after) with vcovCL(cluster = ~person) (CR1) and coeftest,
# and for event_study lm(y ~ factor(person) + factor(period) + D_e) with the
# same vcov, coeftest, and the Wald test of the pre-start D_e (chi-square and F
# via lmtest::waldtest), to compare with tests/data/golden/.
suppressPackageStartupMessages({ library(sandwich); library(lmtest) })
dir <- commandArgs(trailingOnly = TRUE)[1]
for (f in sort(list.files(dir, pattern = "^did_.*\\.csv$"))) {
  d <- read.csv(file.path(dir, f))
  fit <- lm(y ~ programme * after, data = d)
  V <- vcovCL(fit, cluster = ~person, type = "HC1")
  ct <- coeftest(fit, vcov. = V)["programme:after", ]
  ci <- coefci(fit, vcov. = V, parm = "programme:after")
  cat(sprintf("%s: DiD %.6f SE %.6f CI %.6f %.6f p %.6g (n = %d)\n", f, ct[1], ct[2],
              ci[1], ci[2], ct[4], nrow(d)))
}
d <- read.csv(file.path(dir, "event_study.csv"))
es <- sort(unique(d$period[d$programme == 1]))
es <- es[es != -1]
for (e in es) d[[sprintf("D%s", sub("-", "m", e))]] <- as.numeric(d$programme == 1 & d$period == e)
terms <- sprintf("D%s", sub("-", "m", es))
fit <- lm(as.formula(paste("y ~ factor(person) + factor(period) +", paste(terms, collapse = " + "))),
          data = d)
V <- vcovCL(fit, cluster = ~person, type = "HC1")
ct <- coeftest(fit, vcov. = V)[terms, ]
print(ct, digits = 10)
pre <- terms[es < 0]
b <- coef(fit)[pre]
W <- as.numeric(t(b) %*% solve(V[pre, pre]) %*% b)
q <- length(pre)
cat(sprintf("pre-trend: chi-square %.6f (df %d) p %.6g; F %.6f on (%d, %d) p %.6g\n", W, q,
            pchisq(W, q, lower.tail = FALSE), W / q, q, fit$df.residual,
            pf(W / q, q, fit$df.residual, lower.tail = FALSE)))
