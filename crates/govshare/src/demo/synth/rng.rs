//! A small deterministic random number generator (SplitMix64), so that the same seed gives the
//! same bytes on every platform and with every version of every dependency.

/// SplitMix64 (Steele, Lea and Flood, 2014): one 64-bit state, full period, good enough for test
/// data and fast.
#[derive(Debug, Clone)]
pub(super) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(mix(seed, 0x5DEE_CE66_D1CE_4E5B))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        finalize(self.0)
    }

    /// A number in `0..n` (`n > 0`), by multiply-shift; the bias is below 2⁻³² for the small `n`
    /// used here.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// An index into a slice of length `n`.
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo) as u64 + 1) as i64
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < u64::from(percent)
    }

    pub fn pick(&mut self, items: &[&'static str]) -> &'static str {
        items[self.index(items.len())]
    }
}

/// The SplitMix64 output function: a good 64-bit mixer.
fn finalize(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hashes two numbers into one, for seeding a sub-generator from (seed, what, index).
pub(super) fn mix(a: u64, b: u64) -> u64 {
    finalize(a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ finalize(b.wrapping_add(0x632B_E59B_D9B4_E019)))
}

/// A bijection of `0..n`: `k ↦ (a·k + b) mod n` with `a` coprime to `n`. Used to turn a row
/// number into a unique but unordered-looking code.
#[derive(Debug, Clone, Copy)]
pub(super) struct Permutation {
    n: u64,
    a: u64,
    b: u64,
}

impl Permutation {
    pub fn new(n: u64, salt: u64) -> Permutation {
        let n = n.max(1);
        let mut a = (mix(salt, n) % n).max(1);
        // A multiplier near n·0.618 spreads neighbours apart; any coprime one is a bijection.
        a = (a / 2 + n / 2 + n / 8) % n;
        while gcd(a, n) != 1 {
            a = (a + 1) % n;
        }
        Permutation { n, a: a.max(1), b: mix(salt, 7) % n }
    }

    pub fn apply(&self, k: u64) -> u64 {
        ((u128::from(k % self.n) * u128::from(self.a) + u128::from(self.b)) % u128::from(self.n)) as u64
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        let mut c = Rng::new(43);
        let xs: Vec<u64> = (0..10).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..10).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..10).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn below_and_range_stay_in_bounds() {
        let mut r = Rng::new(1);
        for _ in 0..10_000 {
            assert!(r.below(7) < 7);
            let v = r.range(-3, 3);
            assert!((-3..=3).contains(&v));
        }
    }

    #[test]
    fn permutations_are_bijections() {
        for n in [1u64, 2, 10, 97, 1000, 887_503_681] {
            let p = Permutation::new(n, 5);
            let m = n.min(5000);
            let seen: HashSet<u64> = (0..m).map(|k| p.apply(k)).collect();
            assert_eq!(seen.len() as u64, m, "n = {n}");
            assert!(seen.iter().all(|&v| v < n));
        }
    }
}
