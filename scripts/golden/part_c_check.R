# Cross-check of part C's ASB values (scripts/golden/part_c.py) with R's stats package:
#   Rscript scripts/golden/part_c_check.R   (run with R 4.2.2 Patched (2022-11-10 r83330))
# k and T: incidents and person-years of pilot/comparison before/after, as part_c.py derives them.
T <- c(pb=5024, pa=5049, cb=5304, ca=5331); k <- c(pb=142, pa=115, cb=185, ca=168)
for (g in names(T)) { ci <- poisson.test(k[[g]], T[[g]])$conf.int*1000; cat(g, sprintf("%.17g", k[[g]]/T[[g]]*1000), sprintf("%.17g", ci), "\n") }
two <- function(a,b) { r <- poisson.test(c(k[[a]],k[[b]]), c(T[[a]],T[[b]])); cat(a,b, sprintf("%.17g", c(r$estimate, r$conf.int, r$p.value)), "\n") }
two("pa","pb"); two("ca","cb"); two("pb","cb"); two("pa","ca")
rrr <- (k[["pa"]]/T[["pa"]]/(k[["pb"]]/T[["pb"]]))/(k[["ca"]]/T[["ca"]]/(k[["cb"]]/T[["cb"]]))
cat(sprintf("%.17g", c(rrr, exp(log(rrr)+c(-1,1)*qnorm(.975)*sqrt(sum(1/k))))), "\n")
cat(R.version.string, "\n")
# The school_did table's ASB rows: the same four counts in Poisson GLMs (IRLS to a tight tolerance).
a <- data.frame(treat = c(1, 1, 0, 0), post = c(0, 1, 0, 1), k = unname(k[c("pb", "pa", "cb", "ca")]), T = unname(T[c("pb", "pa", "cb", "ca")]))
tight <- glm.control(epsilon = 1e-15, maxit = 100)
gi <- suppressWarnings(glm(k / T ~ treat * post, family = poisson(link = "identity"), weights = T, data = a, control = tight))
si <- summary(gi)$coefficients["treat:post", ]; cat("rate DiD", sprintf("%.17g", c(1000 * si[1], 1000 * (si[1] + c(-1, 1) * qnorm(.975) * si[2]), si[4])), "\n")
gl <- suppressWarnings(glm(k ~ treat * post + offset(log(T)), family = poisson, data = a, control = tight))
sl <- summary(gl)$coefficients["treat:post", ]; cat("RRR", sprintf("%.17g", c(exp(sl[1]), exp(sl[1] + c(-1, 1) * qnorm(.975) * sl[2]), sl[4])), "\n")
# The attendance rows of school_did, from the enrolment x phase rows part_c.py writes with
#   /work/venv/bin/python scripts/golden/part_c.py --did-rows /tmp/did_rows.csv
# (lm weighted by possible sessions for the session rates, unweighted for the 10% and 50% indicators;
# vcovCL(cluster = ~pupil): CR1), when that file is there.
if (file.exists("/tmp/did_rows.csv")) {
  suppressPackageStartupMessages({library(sandwich); library(lmtest)})
  d <- read.csv("/tmp/did_rows.csv", colClasses = c(pupil = "character"))
  o <- d$auth + d$unauth
  for (m in list(list("overall", 100 * o / d$possible, TRUE), list("authorised", 100 * d$auth / d$possible, TRUE),
                 list("unauthorised", 100 * d$unauth / d$possible, TRUE),
                 list("persistent", 100 * (o * 10000 >= 1000 * d$possible), FALSE),
                 list("severe", 100 * (o * 10000 >= 5000 * d$possible), FALSE))) {
    d$y <- m[[2]]
    fit <- if (m[[3]]) lm(y ~ treat * post, data = d, weights = possible) else lm(y ~ treat * post, data = d)
    V <- vcovCL(fit, cluster = ~pupil); ct <- coeftest(fit, vcov. = V); ci <- coefci(fit, vcov. = V)
    cat(m[[1]], sprintf("%.17g", c(ct["treat:post", c(1, 2, 4)], ci["treat:post", ])), "\n")
  }
}
