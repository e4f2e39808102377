# Cross-check of part B's matched comparison with R 4.2.2 (glm, MatchIt 4.5.1,
# sandwich 3.0.2, lmtest 0.9.40; Debian bookworm packages).
#
#   /work/venv/bin/python scripts/golden/part_b.py --dump /tmp/part_b_units.csv
#   Rscript scripts/golden/part_b.R /tmp/part_b_units.csv
#
# The dump is the analysis file part_b.py derives from the raw files (no
# identifier): treatment, covariates, outcome, its score and its match. This
# script refits the score with glm, matches with MatchIt and prints every
# number of the propensity_model, matched_counts, balance and matched_effect
# tables next to part_b.py's, and the controls MatchIt picks differently.
#
# MatchIt 4.5.1 compares distances after C's integer abs() (upstream issue
# #163): the distance is passed as round(fitted(glm) * 1e9), so every
# difference is an integer and the truncation is exact. With ratio 1, 4.5.1
# then computes MatchIt 4.5.4's rule: ties between equally distant controls
# go to the lower-score neighbour in the sorted order (tied scores in data
# order), the spec's default tie_rule = "sorted_neighbour", which part_b.py
# and the crate follow: no treated unit should get another control.
suppressPackageStartupMessages({
  library(MatchIt); library(sandwich); library(lmtest)
})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
d$sex <- factor(d$sex); d$area <- factor(d$area)
fit <- glm(treat ~ age + sex + area + prior_arrests, data = d, family = binomial,
           control = glm.control(epsilon = 1e-14, maxit = 100))
cat("== propensity_model (glm)\n"); print(coef(summary(fit)), digits = 12)
cat("max |fitted - part_b score|:", max(abs(fitted(fit) - d$score)), "\n")

m <- matchit(treat ~ age + sex + area + prior_arrests, data = d, method = "nearest",
             distance = round(d$score * 1e9), m.order = "largest", replace = FALSE)

mm <- m$match.matrix
r_ctrl <- as.integer(mm[, 1])
names(r_ctrl) <- rownames(mm)
py <- d$match[d$treat == 1]
diff <- which(r_ctrl != py)
cat("treated units whose control differs from part_b.py:", length(diff), "\n")
for (i in diff) {
  t <- as.integer(names(r_ctrl)[i])
  cat(sprintf("  treated row %d score %.17g: MatchIt row %d (%.17g), part_b.py row %d (%.17g)\n",
              t, d$score[t], r_ctrl[i], d$score[r_ctrl[i]], py[i], d$score[py[i]]))
}
s <- summary(m, standardize = TRUE)
cat("== matched_counts (MatchIt)\n"); print(s$nn)
cat("== balance before (MatchIt summary)\n"); print(s$sum.all[, c(3, 4, 6)], digits = 12)
cat("== balance after (MatchIt summary)\n"); print(s$sum.matched[, c(3, 4, 6)], digits = 12)

md <- match.data(m)
for (f in list(y ~ treat, y ~ treat + age + sex + area + prior_arrests)) {
  e <- lm(f, data = md, weights = weights)
  ct <- coeftest(e, vcov. = vcovCL, cluster = ~subclass)
  ci <- coefci(e, vcov. = vcovCL, cluster = ~subclass, parm = "treat")
  cat("== matched_effect", deparse(f), "n =", nrow(md), "\n")
  print(ct["treat", ], digits = 12); print(ci, digits = 12)
}

# The same estimates on part_b.py's pairs (the crate's rule): these are the
# numbers of the matched_effect table.
tr <- which(d$treat == 1 & d$match > 0)
pd <- rbind(data.frame(d[tr, ], subclass = seq_along(tr)),
            data.frame(d[d$match[tr], ], subclass = seq_along(tr)))
pd$weights <- 1
for (f in list(y ~ treat, y ~ treat + age + sex + area + prior_arrests)) {
  e <- lm(f, data = pd, weights = weights)
  ct <- coeftest(e, vcov. = vcovCL, cluster = ~subclass)
  ci <- coefci(e, vcov. = vcovCL, cluster = ~subclass, parm = "treat")
  cat("== matched_effect on part_b.py's pairs", deparse(f), "n =", nrow(pd), "\n")
  print(ct["treat", ], digits = 12); print(ci, digits = 12)
}
