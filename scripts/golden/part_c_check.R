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
