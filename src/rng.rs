//! A small, seeded, dependency-free random number generator.
//!
//! Bootstrap resampling, random matching order and the synthetic cohort
//! generator all need randomness that is reproducible from a seed on every
//! platform and across versions of this crate's dependencies. [`Rng`] is
//! xoshiro256++ (Blackman & Vigna 2019) seeded through SplitMix64, with the
//! few distributions the crate needs.

/// Seeded xoshiro256++ generator.
///
/// The same seed gives the same stream on every platform.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator seeded from `seed`.
    pub fn new(seed: u64) -> Self {
        let mut st = seed;
        let s = [
            splitmix64(&mut st),
            splitmix64(&mut st),
            splitmix64(&mut st),
            splitmix64(&mut st),
        ];
        Rng { s }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[0]
            .wrapping_add(self.s[3])
            .rotate_left(23)
            .wrapping_add(self.s[0]);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform on `[0, 1)` with 53 bits of precision.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `0..n` (unbiased, Lemire's method). `n` must be > 0;
    /// `n == 0` returns 0.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        // A draw is rejected when its low half is below `2^64 mod n` (< n).
        // That threshold costs a division, so it is computed only when the
        // low half is below n, which is rare: the same draws are accepted.
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u64
    }

    /// Standard normal deviate (Marsaglia polar method).
    pub fn normal(&mut self) -> f64 {
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * (-2.0 * s.ln() / s).sqrt();
            }
        }
    }

    /// Gamma(shape, scale = 1) deviate (Marsaglia & Tsang 2000). `shape > 0`.
    pub fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            // Boost: Gamma(a) = Gamma(a + 1) * U^(1/a).
            let u = self.uniform().max(f64::MIN_POSITIVE);
            return self.gamma(shape + 1.0) * u.powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = 1.0 + c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = self.uniform();
            if u < 1.0 - 0.0331 * x * x * x * x
                || u.max(f64::MIN_POSITIVE).ln() < 0.5 * x * x + d * (1.0 - v + v.ln())
            {
                return d * v;
            }
        }
    }

    /// Poisson deviate with mean `lambda >= 0` (Knuth for small means, a
    /// normal approximation with continuity correction above 500).
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda <= 0.0 || !lambda.is_finite() {
            return 0;
        }
        if lambda > 500.0 {
            let x = lambda + lambda.sqrt() * self.normal() + 0.5;
            return x.max(0.0).floor() as u64;
        }
        if lambda > 30.0 {
            // Split into smaller pieces to keep exp(-lambda) representable.
            let half = lambda / 2.0;
            return self.poisson(half) + self.poisson(lambda - half);
        }
        let l = (-lambda).exp();
        let mut k = 0u64;
        let mut p = 1.0;
        loop {
            p *= self.uniform();
            if p <= l {
                return k;
            }
            k += 1;
        }
    }

    /// Negative binomial count with the given `mean` and dispersion `size`
    /// (variance = mean + mean²/size), as a gamma–Poisson mixture. This gives
    /// the heavy right skew of service-use counts.
    pub fn neg_binomial(&mut self, mean: f64, size: f64) -> u64 {
        if mean <= 0.0 {
            return 0;
        }
        let lambda = self.gamma(size) * mean / size;
        self.poisson(lambda)
    }

    /// Bernoulli trial with probability `p`.
    pub fn bernoulli(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Shuffle a slice in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    }

    #[test]
    fn moments_are_plausible() {
        let mut r = Rng::new(7);
        let n = 200_000;
        let mean_u: f64 = (0..n).map(|_| r.uniform()).sum::<f64>() / n as f64;
        assert!((mean_u - 0.5).abs() < 0.005, "{mean_u}");
        let xs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n as f64;
        assert!(m.abs() < 0.01 && (v - 1.0).abs() < 0.02, "{m} {v}");
        let p: f64 = (0..n).map(|_| r.poisson(3.5) as f64).sum::<f64>() / n as f64;
        assert!((p - 3.5).abs() < 0.03, "{p}");
        let nb: Vec<f64> = (0..n).map(|_| r.neg_binomial(2.0, 0.5) as f64).collect();
        let m = nb.iter().sum::<f64>() / n as f64;
        let v = nb.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n as f64;
        assert!((m - 2.0).abs() < 0.05, "{m}");
        assert!((v - (2.0 + 4.0 / 0.5)).abs() < 0.6, "{v}");
    }

    /// `below` draws what Lemire's rule with the threshold computed on
    /// every draw draws, consuming the same raw values, including for `n`
    /// where rejections are common (just above 2^63).
    #[test]
    fn below_matches_the_plain_rejection_rule() {
        fn plain(r: &mut Rng, n: u64) -> u64 {
            loop {
                let m = u128::from(r.next_u64()) * u128::from(n);
                if (m as u64) >= n.wrapping_neg() % n {
                    return (m >> 64) as u64;
                }
            }
        }
        for &n in &[
            1u64,
            2,
            3,
            7,
            1000,
            500_000,
            (1 << 63) + 1,
            u64::MAX - 1,
            u64::MAX,
        ] {
            let (mut a, mut b) = (Rng::new(n), Rng::new(n));
            for _ in 0..20_000 {
                assert_eq!(a.below(n), plain(&mut b, n), "n = {n}");
            }
            assert_eq!(a.next_u64(), b.next_u64(), "n = {n}: streams diverged");
        }
    }

    #[test]
    fn below_is_in_range_and_shuffle_is_a_permutation() {
        let mut r = Rng::new(3);
        for n in 1..50u64 {
            assert!(r.below(n) < n);
        }
        let mut v: Vec<u32> = (0..100).collect();
        r.shuffle(&mut v);
        let mut s = v.clone();
        s.sort_unstable();
        assert_eq!(s, (0..100).collect::<Vec<_>>());
    }
}
