# R reference values for tests/suite/stats_reference.rs
cat(R.version.string, "\n")
x <- c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30)
y <- c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29)
for (alt in c("two.sided", "greater", "less")) { r <- wilcox.test(x, y, paired = TRUE, alternative = alt); cat("exact", alt, r$statistic, sprintf("%.17g", r$p.value), "\n") }
a <- c(10, 12, 9, 15, 11, 10, 14, 8, 13, 12, 10, 9, 11, 16, 7)
b <- c(12, 12, 11, 14, 14, 13, 14, 11, 13, 15, 12, 12, 10, 18, 9)
for (alt in c("two.sided", "greater", "less")) { r <- suppressWarnings(wilcox.test(b, a, paired = TRUE, alternative = alt)); cat("approx", alt, r$statistic, sprintf("%.17g", r$p.value), "\n") }
tab <- matrix(c(30, 4, 12, 20), 2)  # [[30,12],[4,20]]
print(tab); r <- mcnemar.test(tab); cat("mcnemar", sprintf("%.17g", r$statistic), sprintf("%.17g", r$p.value), "\n")
r <- binom.test(4, 16); cat("binom 4/16", sprintf("%.17g", r$p.value), "\n")
p <- c(0.01, 0.04, 0.03, 0.005, 0.20, 0.04, 0.5, 0.0001)
cat("holm", sprintf("%.17g", p.adjust(p, "holm")), "\n")
cat("BH", sprintf("%.17g", p.adjust(p, "BH")), "\n")
m <- matrix(c(18, 9, 32, 41), 2)
cat("chisq yates", sprintf("%.17g", chisq.test(m)$p.value), "nocorr", sprintf("%.17g", chisq.test(m, correct = FALSE)$p.value), "\n")
u1 <- c(3.1, 4.5, 2.2, 5.9, 4.0); u2 <- c(6.3, 5.1, 7.7, 4.8, 6.9, 8.2, 5.5)
r <- wilcox.test(u1, u2); cat("mwu exact", r$statistic, sprintf("%.17g", r$p.value), "\n")
g1 <- c(1, 2, 2, 3, 3, 3, 4, 5, 5, 6); g2 <- c(2, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8)
r <- suppressWarnings(wilcox.test(g1, g2)); cat("mwu ties", r$statistic, sprintf("%.17g", r$p.value), "\n")
cat("prop.test wilson", sprintf("%.17g", prop.test(19, 30, correct = FALSE)$conf.int), "\n")
