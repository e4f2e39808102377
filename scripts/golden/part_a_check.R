# Cross-check of scripts/golden/part_a.py's paired tests against R (4.2.2):
# t.test(paired = TRUE), wilcox.test(paired = TRUE, exact = NULL, correct = TRUE)
# and binom.test on the signs, for the NDT total and the 26 service-use rows.
#
#   /work/venv/bin/python scripts/golden/part_a.py --dump /tmp/part_a
#   Rscript scripts/golden/part_a_check.R /tmp/part_a
dir <- commandArgs(trailingOnly = TRUE)[1]
x <- read.csv(file.path(dir, "pairs.csv"))
p <- read.csv(file.path(dir, "python.csv"))
rel <- function(a, b) abs(a - b) / abs(b)
worst <- c(t = 0, wilcoxon = 0, sign = 0)
for (i in seq_len(nrow(p))) {
  d <- subset(x, table == p$table[i] & group == p$group[i] & category == p$category[i])
  diff <- d$after - d$before
  r <- c(
    t.test(d$after, d$before, paired = TRUE)$p.value,
    suppressWarnings(wilcox.test(d$after, d$before, paired = TRUE, exact = NULL,
                                 correct = TRUE)$p.value),
    binom.test(sum(diff > 0), sum(diff != 0))$p.value
  )
  worst <- pmax(worst, rel(c(p$p_t[i], p$p_w[i], p$p_sign[i]), r))
}
cat(R.version.string, "\n", nrow(p), "rows; largest relative difference:\n")
print(worst)
stopifnot(all(worst < 1e-12))
