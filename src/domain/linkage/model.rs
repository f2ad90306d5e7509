//! The Fellegi–Sunter model: for every level of every comparison, the probability `m` of seeing
//! it when the record and the person are the same, and `u` when they are not. A level's match
//! weight is `log2(m / u)` bits; a pair's weight is the sum over the compared attributes.
//!
//! How the parameters are found, with no evaluation truth anywhere:
//! - `u` from random pairs of register people ([`Model::estimate_u`]): almost all of them are
//!   different people, so the share of each level among them estimates `u`.
//! - `m` and `λ` (the share of links that are right) by expectation–maximisation over the links
//!   themselves, each compared with the person it is linked to, with `u` held fixed
//!   ([`Model::train_m`]); this is Splink's "EM with fixed u".
//! - Both start from, and are smoothed towards, the a-priori values of [`Model::prior`], so a
//!   small extract still gets sensible weights.
//! - Exact name agreement is weighed by the name's frequency in the register (term-frequency
//!   adjustment, [`tf_u`]): 佐藤 agreeing is weaker evidence than 勅使河原.

use super::compare::{Gamma, COMPARISONS, K, NONE};
use serde::{Deserialize, Serialize};

/// Pseudo-counts that pull the estimates towards the prior (documented, not fitted).
pub const U_PSEUDO: f64 = 200.0;
pub const M_PSEUDO: f64 = 50.0;
/// λ is kept in this range whatever EM says.
pub const LAMBDA_MIN: f64 = 0.80;
pub const LAMBDA_MAX: f64 = 0.998;
/// No u is taken below this (a name shared by no one else still weighs at most ~27 bits).
pub const U_FLOOR: f64 = 1e-8;
/// EM iterations (it converges in far fewer on the aggregated patterns).
pub const EM_ITERATIONS: usize = 40;

/// The model's parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Share of links that are right (the prior).
    pub lambda: f64,
    pub m: Vec<Vec<f64>>,
    pub u: Vec<Vec<f64>>,
    /// Links EM was trained on, and register pairs u was estimated from (0 = prior only).
    pub trained_links: usize,
    pub u_pairs: usize,
}

/// A-priori m and u per level, in the order of [`COMPARISONS`]. They express what is known
/// before any data is seen: agreement is common among the same person and rare among strangers;
/// typos are rarer than agreement; differing birth dates and sexes are rare for the same person.
const PRIOR_M: [&[f64]; K] = [
    &[0.90, 0.005, 0.04, 0.02, 0.01, 0.025],
    &[0.85, 0.05, 0.003, 0.04, 0.02, 0.01, 0.01, 0.017],
    &[0.80, 0.08, 0.06, 0.03, 0.01, 0.02],
    &[0.95, 0.005, 0.02, 0.005, 0.02],
    &[0.98, 0.02],
    &[0.75, 0.05, 0.03, 0.02, 0.03, 0.05, 0.07],
];
const PRIOR_U: [&[f64]; K] = [
    &[0.0005, 0.00001, 0.0005, 0.005, 0.02, 0.97449],
    &[0.0005, 0.0002, 0.00001, 0.0005, 0.005, 0.02, 0.005, 0.96879],
    &[0.0005, 0.0005, 0.001, 0.02, 0.01, 0.968],
    &[0.00004, 0.00002, 0.0015, 0.0002, 0.99824],
    &[0.5, 0.5],
    &[0.0001, 0.00005, 0.0002, 0.0001, 0.002, 0.02, 0.97755],
];
const PRIOR_LAMBDA: f64 = 0.95;

fn normalized(v: Vec<f64>) -> Vec<f64> {
    let total: f64 = v.iter().sum();
    if total > 0.0 {
        v.into_iter().map(|x| x / total).collect()
    } else {
        v
    }
}

impl Default for Model {
    fn default() -> Self {
        Self::prior()
    }
}

/// Counts of gamma patterns (EM runs on distinct patterns, not on every pair).
#[derive(Debug, Default, Clone)]
pub struct Patterns {
    counts: std::collections::HashMap<Gamma, f64>,
    pub total: usize,
}

impl Patterns {
    pub fn add(&mut self, g: Gamma) {
        *self.counts.entry(g).or_insert(0.0) += 1.0;
        self.total += 1;
    }

    pub fn merge(&mut self, other: Patterns) {
        for (g, n) in other.counts {
            *self.counts.entry(g).or_insert(0.0) += n;
        }
        self.total += other.total;
    }

    pub fn distinct(&self) -> usize {
        self.counts.len()
    }
}

impl Model {
    /// The a-priori model.
    pub fn prior() -> Model {
        Model {
            lambda: PRIOR_LAMBDA,
            m: PRIOR_M.iter().map(|l| normalized(l.to_vec())).collect(),
            u: PRIOR_U.iter().map(|l| normalized(l.to_vec())).collect(),
            trained_links: 0,
            u_pairs: 0,
        }
    }

    /// Whether the parameters have the shape of this engine's comparisons, and are
    /// probabilities: a model kept from an older engine (other levels) is not used.
    pub fn fits(&self) -> bool {
        let shaped = |v: &Vec<Vec<f64>>| {
            v.len() == K
                && v.iter().zip(COMPARISONS.iter()).all(|(l, c)| {
                    l.len() == c.levels.len() && l.iter().all(|x| x.is_finite() && *x >= 0.0)
                })
        };
        shaped(&self.m) && shaped(&self.u) && self.lambda > 0.0 && self.lambda < 1.0
    }

    /// A model kept as JSON (a scan's), when it [`fits`](Model::fits) this engine.
    pub fn from_json(json: &str) -> Option<Model> {
        serde_json::from_str::<Model>(json).ok().filter(Model::fits)
    }

    /// Sets `u` from the level counts of random register pairs, smoothed towards the prior.
    pub fn estimate_u(&mut self, pairs: &Patterns) {
        for k in 0..K {
            let levels = COMPARISONS[k].levels.len();
            let mut counts = vec![0.0; levels];
            let mut n = 0.0;
            for (g, c) in &pairs.counts {
                if g[k] != NONE {
                    counts[g[k] as usize] += c;
                    n += c;
                }
            }
            let prior = normalized(PRIOR_U[k].to_vec());
            self.u[k] = normalized(
                (0..levels)
                    .map(|l| (counts[l] + U_PSEUDO * prior[l]) / (n + U_PSEUDO))
                    .collect(),
            );
        }
        self.u_pairs = pairs.total;
    }

    /// Log-likelihoods of a pattern under "same person" and "different people".
    fn likelihoods(&self, g: &Gamma) -> (f64, f64) {
        let (mut lm, mut lu) = (0.0, 0.0);
        for (k, lvl) in g.iter().enumerate() {
            if *lvl != NONE {
                lm += self.m[k][*lvl as usize].max(1e-12).ln();
                lu += self.u[k][*lvl as usize].max(1e-12).ln();
            }
        }
        (lm, lu)
    }

    /// Estimates `m` and λ by expectation–maximisation over the linked pairs, `u` fixed.
    pub fn train_m(&mut self, links: &Patterns) {
        if links.total == 0 {
            return;
        }
        let prior_m: Vec<Vec<f64>> = PRIOR_M.iter().map(|l| normalized(l.to_vec())).collect();
        for _ in 0..EM_ITERATIONS {
            let mut sums: Vec<Vec<f64>> = COMPARISONS
                .iter()
                .map(|c| vec![0.0; c.levels.len()])
                .collect();
            let mut weight_k = [0.0; K];
            let (mut matched, mut all) = (0.0, 0.0);
            for (g, c) in &links.counts {
                let (lm, lu) = self.likelihoods(g);
                let a = self.lambda.ln() + lm;
                let b = (1.0 - self.lambda).ln() + lu;
                let p = 1.0 / (1.0 + (b - a).exp());
                matched += p * c;
                all += c;
                for k in 0..K {
                    if g[k] != NONE {
                        sums[k][g[k] as usize] += p * c;
                        weight_k[k] += p * c;
                    }
                }
            }
            for k in 0..K {
                let levels = sums[k].len();
                self.m[k] = normalized(
                    (0..levels)
                        .map(|l| (sums[k][l] + M_PSEUDO * prior_m[k][l]) / (weight_k[k] + M_PSEUDO))
                        .collect(),
                );
            }
            self.lambda = (matched / all).clamp(LAMBDA_MIN, LAMBDA_MAX);
        }
        self.trained_links = links.total;
    }

    /// The weight in bits of one level, with `u` replaced by `tf_u` when given.
    pub fn bits(&self, k: usize, level: u8, tf_u: Option<f64>) -> f64 {
        let m = self.m[k][level as usize].max(1e-12);
        let u = tf_u.unwrap_or(self.u[k][level as usize]).max(U_FLOOR);
        (m / u).log2()
    }

    /// The prior log-odds in bits that a link is right.
    pub fn prior_bits(&self) -> f64 {
        (self.lambda / (1.0 - self.lambda)).log2()
    }
}

/// The term-frequency `u` of a name: the share of register people with the family name times
/// the share with the given name (or the whole name's share when it is not split).
pub fn tf_u(counts: &[u32], people: usize) -> Option<f64> {
    if people == 0 || counts.is_empty() || counts.contains(&0) {
        return None;
    }
    Some(
        counts
            .iter()
            .map(|c| f64::from(*c) / people as f64)
            .product::<f64>()
            .max(U_FLOOR),
    )
}

/// Probability from log-odds in bits.
pub fn probability(bits: f64) -> f64 {
    1.0 / (1.0 + (-bits).exp2())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prior_is_normalized_and_agreement_weighs_positive() {
        let m = Model::prior();
        for (k, c) in COMPARISONS.iter().enumerate() {
            assert!((m.m[k].iter().sum::<f64>() - 1.0).abs() < 1e-9);
            assert!((m.u[k].iter().sum::<f64>() - 1.0).abs() < 1e-9);
            assert!(m.bits(k, 0, None) > 0.0, "{}", c.code);
            let last = (c.levels.len() - 1) as u8;
            assert!(m.bits(k, last, None) < 0.0, "{}", c.code);
        }
    }

    #[test]
    fn em_learns_that_a_noisy_extract_has_many_typos() {
        // 1,000 links: 900 right with a kana typo in 30% of them, 100 wrong.
        let mut links = Patterns::default();
        for i in 0..900 {
            let kana = if i % 10 < 3 { 3 } else { 0 };
            links.add([0, kana, NONE, 0, 0, 0]);
        }
        for _ in 0..100 {
            links.add([5, 7, NONE, 4, 0, 6]);
        }
        let mut m = Model::prior();
        let before = m.bits(1, 3, None);
        m.train_m(&links);
        assert!((m.lambda - 0.9).abs() < 0.02, "{}", m.lambda);
        assert!(m.m[1][3] > 0.2, "{:?}", m.m[1]);
        assert!(m.bits(1, 3, None) > before);
    }

    #[test]
    fn common_names_weigh_less_than_rare_ones() {
        let m = Model::prior();
        let common = m.bits(0, 0, tf_u(&[15_000, 2_000], 1_000_000));
        let rare = m.bits(0, 0, tf_u(&[3, 2_000], 1_000_000));
        assert!(rare > common + 8.0, "{rare} {common}");
        assert_eq!(tf_u(&[0, 1], 10), None);
    }

    #[test]
    fn a_kept_model_is_used_only_when_it_fits_the_comparisons() {
        let m = Model::prior();
        let json = serde_json::to_string(&m).unwrap_or_default();
        // JSON keeps every weight to the last bit or so.
        let back = Model::from_json(&json);
        assert!(back.is_some(), "the a-priori model fits");
        let back = back.unwrap_or_default();
        let close = |a: &Vec<Vec<f64>>, b: &Vec<Vec<f64>>| {
            a.iter()
                .flatten()
                .zip(b.iter().flatten())
                .all(|(x, y)| (x - y).abs() <= 1e-15 * x.abs().max(1e-300))
        };
        assert!(
            back.fits() && close(&back.m, &m.m) && close(&back.u, &m.u),
            "{back:?}"
        );
        assert_eq!(back.lambda, m.lambda);
        let mut other = m.clone();
        other.lambda = 0.9;
        let json = serde_json::to_string(&other).unwrap_or_default();
        assert_eq!(Model::from_json(&json).map(|b| b.lambda), Some(0.9));
        let mut short = m.clone();
        short.m[0].pop();
        let json = serde_json::to_string(&short).unwrap_or_default();
        assert_eq!(Model::from_json(&json), None);
        let mut bad = m;
        bad.lambda = 1.0;
        let json = serde_json::to_string(&bad).unwrap_or_default();
        assert_eq!(Model::from_json(&json), None);
        assert_eq!(Model::from_json("not json"), None);
    }
}
