//! `myna-portal evaluate`: runs the inspection tool on the project's synthetic population and
//! measures it against the generator's ground truth.
//!
//! The population is exported in the contract format: `register.csv` from the resident rows and
//! `links.csv` from every linked item except the resident-record items (their snapshot is the
//! register row itself, so they would only add certain `consistent` rows). The same
//! [`super::run`] then scores the links, and the output is compared with the truth: recall of
//! `wrong_person` per wrong-link pattern, how many harmless differences of each kind were flagged,
//! precision, and the confusion counts.

use super::{run, InspectError, InspectOptions, InspectSummary, LINK_COLUMNS, REGISTER_COLUMNS};
use crate::domain::category::Category;
use crate::generator::{Config, Generator, Noise, Truth, WrongPattern};
use std::collections::HashMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// What the truth says about one link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Wrong(WrongPattern, u64),
    Noise(Noise),
}

/// Counts for one group of links.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: u64,
    pub wrong_person: u64,
    pub needs_review: u64,
    /// Wrong links only: the suggestion named the rightful owner.
    pub suggestion_right: u64,
}

impl Counts {
    fn add(&mut self, verdict: &str, suggestion_right: bool) {
        self.total += 1;
        match verdict {
            "wrong_person" => self.wrong_person += 1,
            "needs_review" => self.needs_review += 1,
            _ => {}
        }
        if suggestion_right {
            self.suggestion_right += 1;
        }
    }
}

/// The evaluation's figures.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub residents: u64,
    pub links: u64,
    pub patterns: Vec<(WrongPattern, Counts)>,
    pub noise: Vec<(Noise, Counts)>,
    /// Links with no injected error and no noise.
    pub clean: Counts,
    pub true_positives: u64,
    pub false_positives: u64,
    pub false_negatives: u64,
    pub true_negatives: u64,
    pub inspect: InspectSummary,
}

impl Evaluation {
    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

impl std::fmt::Display for Evaluation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} residents, {} links scored",
            self.residents, self.links
        )?;
        writeln!(
            f,
            "| wrong-link pattern | links | flagged wrong_person | recall | right person suggested |"
        )?;
        writeln!(f, "|---|---:|---:|---:|---:|")?;
        for (p, c) in &self.patterns {
            writeln!(
                f,
                "| {} | {} | {} | {:.4} | {} |",
                p.code(),
                c.total,
                c.wrong_person,
                ratio(c.wrong_person, c.total),
                c.suggestion_right
            )?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "| harmless difference | links | flagged wrong_person | needs_review |"
        )?;
        writeln!(f, "|---|---:|---:|---:|")?;
        for (n, c) in &self.noise {
            writeln!(
                f,
                "| {} | {} | {} | {} |",
                n.code(),
                c.total,
                c.wrong_person,
                c.needs_review
            )?;
        }
        writeln!(
            f,
            "| (none) | {} | {} | {} |",
            self.clean.total, self.clean.wrong_person, self.clean.needs_review
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "wrong_person: TP {} FP {} FN {} TN {}",
            self.true_positives, self.false_positives, self.false_negatives, self.true_negatives
        )?;
        write!(
            f,
            "recall {:.4}, precision {:.4} (threshold {})",
            self.recall(),
            self.precision(),
            crate::domain::scan::WRONG_PERSON_THRESHOLD
        )
    }
}

/// Options of one evaluation.
#[derive(Debug, Clone)]
pub struct EvaluateOptions {
    pub residents: u64,
    pub seed: u64,
    pub wrong_rate: f64,
    pub noise_rate: f64,
    /// Where the CSV files go (kept); a temporary directory when `None`.
    pub dir: Option<PathBuf>,
    /// Only write the CSV files (for the benchmark); do not inspect.
    pub export_only: bool,
    /// Stop writing links after this many (for the benchmark).
    pub max_links: Option<u64>,
    pub progress: bool,
}

/// Errors of the evaluation.
#[derive(Debug, thiserror::Error)]
pub enum EvaluateError {
    #[error(transparent)]
    Inspect(#[from] InspectError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Csv(#[from] csv::Error),
}

/// Writes the population as `register.csv` and `links.csv`; returns the truth by link id.
fn export(
    opts: &EvaluateOptions,
    dir: &Path,
) -> Result<(u64, u64, HashMap<i64, Label>), EvaluateError> {
    let mut gen = Generator::new(
        Config {
            seed: opts.seed,
            residents: opts.residents,
            wrong_rate: opts.wrong_rate,
            noise_rate: opts.noise_rate,
            ..Config::default()
        },
        Box::new(|_| Vec::new()),
    );
    let institutions: HashMap<i64, String> = gen
        .institutions
        .rows
        .iter()
        .map(|r| (r.id, r.code.clone()))
        .collect();
    let mut register = csv::Writer::from_writer(BufWriter::with_capacity(
        1 << 20,
        File::create(dir.join("register.csv"))?,
    ));
    register.write_record(REGISTER_COLUMNS)?;
    let mut links = csv::Writer::from_writer(BufWriter::with_capacity(
        1 << 20,
        File::create(dir.join("links.csv"))?,
    ));
    links.write_record(LINK_COLUMNS)?;
    let mut truth = HashMap::new();
    let (mut residents, mut written) = (0u64, 0u64);
    let limit = opts.max_links.unwrap_or(u64::MAX);
    while !gen.done() {
        let chunk = gen.next_chunk(5_000);
        for r in &chunk.batch.residents {
            let n = gen.my_number_for(r.id).expose();
            let hh = r.household_id.to_string();
            register.write_record([
                n.as_str(),
                &r.name_kanji,
                &r.name_kana,
                &r.birth_date,
                &r.sex,
                &r.address,
                &hh,
            ])?;
            residents += 1;
        }
        for t in &chunk.truth {
            match *t {
                Truth::Wrong {
                    item_id,
                    pattern,
                    true_resident,
                    ..
                } => {
                    let owner = gen.my_number_for(true_resident).expose();
                    truth.insert(item_id, Label::Wrong(pattern, owner.parse().unwrap_or(0)));
                }
                Truth::Noise { item_id, noise, .. } => {
                    truth.insert(item_id, Label::Noise(noise));
                }
            }
        }
        for item in &chunk.batch.items {
            let category = item.details.category();
            if category == Category::ResidentRecord || written >= limit {
                continue;
            }
            let s = &item.snapshot;
            let get = |v: &Option<String>| v.clone().unwrap_or_default();
            links.write_record([
                item.id.to_string().as_str(),
                gen.my_number_for(item.resident_id).expose().as_str(),
                category.code(),
                institutions
                    .get(&item.institution_id)
                    .map(String::as_str)
                    .unwrap_or(""),
                &get(&s.name_kanji),
                &get(&s.name_kana),
                &get(&s.birth_date),
                &get(&s.sex),
                &get(&s.address),
                item.link_method,
            ])?;
            written += 1;
        }
    }
    register.flush()?;
    links.flush()?;
    Ok((residents, written, truth))
}

/// Generates, exports, inspects and measures.
pub fn evaluate(opts: &EvaluateOptions) -> Result<Evaluation, EvaluateError> {
    let tmp;
    let dir = match &opts.dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.clone()
        }
        None => {
            tmp = super::TempDir(
                std::env::temp_dir().join(format!("myna-evaluate-{}", std::process::id())),
            );
            std::fs::create_dir_all(&tmp.0)?;
            tmp.0.clone()
        }
    };
    let (residents, links, truth) = export(opts, &dir)?;
    let mut eval = Evaluation {
        residents,
        links,
        ..Evaluation::default()
    };
    if opts.export_only {
        return Ok(eval);
    }
    let out = dir.join("results.csv");
    eval.inspect = run(&InspectOptions {
        register: dir.join("register.csv"),
        links: dir.join("links.csv"),
        out: out.clone(),
        skip_bad_rows: false,
        progress: opts.progress,
        workers: 0,
    })?;
    measure(&mut eval, &out, &truth)?;
    Ok(eval)
}

/// Compares the inspection output with the truth.
fn measure(
    eval: &mut Evaluation,
    results: &Path,
    truth: &HashMap<i64, Label>,
) -> Result<(), EvaluateError> {
    let mut patterns: HashMap<WrongPattern, Counts> = HashMap::new();
    let mut noise: HashMap<Noise, Counts> = HashMap::new();
    let mut rdr = csv::Reader::from_path(results)?;
    for rec in rdr.records() {
        let rec = rec?;
        let id: i64 = rec.get(0).and_then(|s| s.parse().ok()).unwrap_or(-1);
        let verdict = rec.get(3).unwrap_or("");
        let suggested: u64 = rec.get(5).and_then(|s| s.parse().ok()).unwrap_or(0);
        let flagged = verdict == "wrong_person";
        match truth.get(&id) {
            Some(Label::Wrong(p, owner)) => {
                patterns
                    .entry(*p)
                    .or_default()
                    .add(verdict, suggested == *owner);
                if flagged {
                    eval.true_positives += 1;
                } else {
                    eval.false_negatives += 1;
                }
            }
            other => {
                match other {
                    Some(Label::Noise(n)) => noise.entry(*n).or_default().add(verdict, false),
                    _ => eval.clean.add(verdict, false),
                }
                if flagged {
                    eval.false_positives += 1;
                } else {
                    eval.true_negatives += 1;
                }
            }
        }
    }
    eval.patterns = WrongPattern::ALL
        .iter()
        .map(|p| (*p, patterns.get(p).copied().unwrap_or_default()))
        .collect();
    eval.noise = Noise::ALL
        .iter()
        .map(|n| (*n, noise.get(n).copied().unwrap_or_default()))
        .collect();
    Ok(())
}
