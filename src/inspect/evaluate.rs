//! `myna-portal evaluate`: measures the inspection tool against a known truth, on three kinds of
//! data:
//! - the project's own synthetic population (generated, exported in the contract format, with
//!   the generator's truth);
//! - any labelled set in the contract format: a directory with `register.csv`, `links.csv` and
//!   `truth.csv` (`link_id,label,pattern,true_my_number`, label `wrong` or `correct`), such as
//!   the public FEBRL benchmark recast as link verification and the independent Japanese set in
//!   `data/eval/` (made by scripts that share no code with the generator).
//!
//! Each set is inspected exactly as an institution would run `inspect` (the model is trained on
//! the extract itself; the truth is read only afterwards) and gets: precision, recall and F1 of
//! `wrong_person`, the average precision of the ranking by score, recall and suggestion accuracy
//! per wrong-link pattern, and for correct links per kind of harmless difference how many were
//! flagged `wrong_person` or sent to `needs_review`.

use super::{run, InspectError, InspectOptions, InspectSummary, LINK_COLUMNS, REGISTER_COLUMNS};
use crate::domain::category::Category;
use crate::generator::{Config, Generator, Truth};
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// The bar a set must reach (issue 11).
pub const BAR_RECALL: f64 = 0.98;
pub const BAR_PRECISION: f64 = 0.95;
pub const BAR_AVERAGE_PRECISION: f64 = 0.98;
pub const BAR_SUGGESTION: f64 = 0.95;
/// Share of correct links sent to `needs_review`, at most.
pub const BAR_REVIEW_SHARE: f64 = 0.05;

/// What the truth says about one link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub wrong: bool,
    /// The wrong-link pattern, or the kind of harmless difference (`clean` for none).
    pub pattern: String,
    /// Whose record it really is.
    pub owner: u64,
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

/// One set's figures.
#[derive(Debug, Clone, Default)]
pub struct SetEvaluation {
    pub name: String,
    pub register_rows: u64,
    pub links: u64,
    /// Wrong links by pattern.
    pub patterns: BTreeMap<String, Counts>,
    /// Correct links by kind of harmless difference (a link with several counts under each).
    pub harmless: BTreeMap<String, Counts>,
    /// Correct links by their whole combination of harmless differences (`a+b`).
    pub harmless_combined: BTreeMap<String, Counts>,
    pub true_positives: u64,
    pub false_positives: u64,
    pub false_negatives: u64,
    pub true_negatives: u64,
    /// Correct links sent to `needs_review`.
    pub correct_reviewed: u64,
    pub suggestion_right: u64,
    pub average_precision: f64,
    /// Links in the results that the truth does not know (should be 0).
    pub unlabelled: u64,
    pub inspect: InspectSummary,
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

impl SetEvaluation {
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

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    pub fn wrong_links(&self) -> u64 {
        self.true_positives + self.false_negatives
    }

    pub fn correct_links(&self) -> u64 {
        self.false_positives + self.true_negatives
    }

    /// Share of wrong links whose suggestion named the rightful owner.
    pub fn suggestion_accuracy(&self) -> f64 {
        ratio(self.suggestion_right, self.wrong_links())
    }

    /// Share of correct links sent to `needs_review`.
    pub fn review_share(&self) -> f64 {
        ratio(self.correct_reviewed, self.correct_links())
    }

    /// Where the set misses the bar (empty when it reaches it).
    pub fn misses(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut check = |ok: bool, what: String| {
            if !ok {
                out.push(what);
            }
        };
        check(
            self.recall() >= BAR_RECALL,
            format!("recall {:.4} < {BAR_RECALL}", self.recall()),
        );
        check(
            self.precision() >= BAR_PRECISION,
            format!("precision {:.4} < {BAR_PRECISION}", self.precision()),
        );
        check(
            self.average_precision >= BAR_AVERAGE_PRECISION,
            format!(
                "average precision {:.4} < {BAR_AVERAGE_PRECISION}",
                self.average_precision
            ),
        );
        check(
            self.suggestion_accuracy() >= BAR_SUGGESTION,
            format!(
                "suggestion accuracy {:.4} < {BAR_SUGGESTION}",
                self.suggestion_accuracy()
            ),
        );
        check(
            self.review_share() < BAR_REVIEW_SHARE,
            format!(
                "correct links sent to review {:.4} >= {BAR_REVIEW_SHARE}",
                self.review_share()
            ),
        );
        check(
            self.unlabelled == 0,
            format!("{} unlabelled links", self.unlabelled),
        );
        out
    }
}

impl std::fmt::Display for SetEvaluation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "## {}: {} register rows, {} links ({} wrong)",
            self.name,
            self.register_rows,
            self.links,
            self.wrong_links()
        )?;
        writeln!(
            f,
            "precision {:.4}, recall {:.4}, F1 {:.4}, average precision {:.4}, right owner suggested {:.4}, correct links to review {:.4}",
            self.precision(),
            self.recall(),
            self.f1(),
            self.average_precision,
            self.suggestion_accuracy(),
            self.review_share()
        )?;
        writeln!(
            f,
            "wrong_person: TP {} FP {} FN {} TN {}",
            self.true_positives, self.false_positives, self.false_negatives, self.true_negatives
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "| wrong-link pattern | links | wrong_person | recall | needs_review | right owner suggested |"
        )?;
        writeln!(f, "|---|---:|---:|---:|---:|---:|")?;
        for (p, c) in &self.patterns {
            writeln!(
                f,
                "| {p} | {} | {} | {:.4} | {} | {:.4} |",
                c.total,
                c.wrong_person,
                ratio(c.wrong_person, c.total),
                c.needs_review,
                ratio(c.suggestion_right, c.total)
            )?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "| harmless difference | links | wrong_person | needs_review |"
        )?;
        writeln!(f, "|---|---:|---:|---:|")?;
        for (n, c) in &self.harmless {
            writeln!(
                f,
                "| {n} | {} | {} | {} |",
                c.total, c.wrong_person, c.needs_review
            )?;
        }
        let misses = self.misses();
        writeln!(f)?;
        if misses.is_empty() {
            write!(f, "bar: reached")
        } else {
            write!(f, "bar: MISSED ({})", misses.join("; "))
        }
    }
}

/// The whole evaluation: one entry per set.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub sets: Vec<SetEvaluation>,
}

impl std::fmt::Display for Evaluation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, s) in self.sets.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
                writeln!(f)?;
            }
            write!(f, "{s}")?;
        }
        Ok(())
    }
}

/// Options of one evaluation.
#[derive(Debug, Clone)]
pub struct EvaluateOptions {
    /// Residents of the generated population (0: no generated set).
    pub residents: u64,
    pub seed: u64,
    pub wrong_rate: f64,
    pub noise_rate: f64,
    /// Labelled sets to evaluate too (directories with register.csv, links.csv, truth.csv).
    pub sets: Vec<PathBuf>,
    /// Where the generated set's CSV files go (kept); a temporary directory when `None`.
    pub dir: Option<PathBuf>,
    /// Only write the generated set's CSV files (for the benchmark); do not inspect.
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
    #[error("{file}, line {line}: {message}")]
    Truth {
        file: String,
        line: u64,
        message: String,
    },
}

/// Writes the generated population as `register.csv` and `links.csv`; returns the counts and
/// the truth by link id.
fn export(
    opts: &EvaluateOptions,
    dir: &Path,
) -> Result<(u64, u64, HashMap<String, Label>), EvaluateError> {
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
    // Labels of the items the truth names; every other item is a clean correct link.
    let mut named: HashMap<i64, (bool, String, i64)> = HashMap::new();
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
            match t {
                Truth::Wrong {
                    item_id,
                    pattern,
                    true_resident,
                    ..
                } => {
                    named.insert(*item_id, (true, pattern.code().to_string(), *true_resident));
                }
                Truth::Noise {
                    item_id,
                    noise,
                    more,
                    resident,
                } => {
                    // Every harmless kind of the link, joined (each is counted on its own).
                    let kinds: Vec<&str> = std::iter::once(noise.code())
                        .chain(more.iter().map(|n| n.code()))
                        .collect();
                    named.insert(*item_id, (false, kinds.join("+"), *resident));
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
            let linked = gen.my_number_for(item.resident_id).expose();
            links.write_record([
                item.id.to_string().as_str(),
                linked.as_str(),
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
            let label = match named.remove(&item.id) {
                Some((wrong, pattern, owner)) => Label {
                    wrong,
                    pattern,
                    owner: gen.my_number_for(owner).expose().parse().unwrap_or(0),
                },
                None => Label {
                    wrong: false,
                    pattern: "clean".into(),
                    owner: linked.parse().unwrap_or(0),
                },
            };
            truth.insert(item.id.to_string(), label);
            written += 1;
        }
    }
    register.flush()?;
    links.flush()?;
    // The truth in the same form as the labelled sets', so the exported directory is one too.
    let mut t = csv::Writer::from_path(dir.join("truth.csv"))?;
    t.write_record(["link_id", "label", "pattern", "true_my_number"])?;
    let mut ids: Vec<(&String, &Label)> = truth.iter().collect();
    ids.sort_by_key(|(id, _)| id.parse::<i64>().unwrap_or(0));
    for (id, l) in ids {
        t.write_record([
            id.as_str(),
            if l.wrong { "wrong" } else { "correct" },
            l.pattern.as_str(),
            &format!("{:012}", l.owner),
        ])?;
    }
    t.flush()?;
    Ok((residents, written, truth))
}

/// Reads a set's `truth.csv`.
pub fn read_truth(path: &Path) -> Result<HashMap<String, Label>, EvaluateError> {
    let mut rdr = csv::Reader::from_path(path)?;
    let headers = rdr.headers()?.clone();
    let col = |name: &str| -> Result<usize, EvaluateError> {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| EvaluateError::Truth {
                file: path.display().to_string(),
                line: 1,
                message: format!("column `{name}` is missing"),
            })
    };
    let (id, label, pattern, owner) = (
        col("link_id")?,
        col("label")?,
        col("pattern")?,
        col("true_my_number")?,
    );
    let mut out = HashMap::new();
    for rec in rdr.records() {
        let rec = rec?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let bad = |message: String| EvaluateError::Truth {
            file: path.display().to_string(),
            line,
            message,
        };
        let wrong = match rec.get(label).map(str::trim) {
            Some("wrong") => true,
            Some("correct") => false,
            other => return Err(bad(format!("label {other:?} must be wrong or correct"))),
        };
        let owner: u64 = rec
            .get(owner)
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| bad("true_my_number is not a number".into()))?;
        out.insert(
            rec.get(id).unwrap_or("").trim().to_string(),
            Label {
                wrong,
                pattern: rec.get(pattern).unwrap_or("").trim().to_string(),
                owner,
            },
        );
    }
    Ok(out)
}

/// Inspects one labelled set in `dir` (register.csv and links.csv) and measures it.
pub fn evaluate_files(
    name: &str,
    dir: &Path,
    truth: &HashMap<String, Label>,
    progress: bool,
) -> Result<SetEvaluation, EvaluateError> {
    let out = dir.join("results.csv");
    let inspect = run(&InspectOptions {
        register: dir.join("register.csv"),
        links: dir.join("links.csv"),
        out: out.clone(),
        skip_bad_rows: false,
        progress,
        workers: 0,
        explain: None,
    })?;
    let mut eval = measure(&out, truth)?;
    eval.name = name.to_string();
    eval.register_rows = inspect.register_rows;
    eval.links = inspect.links_read;
    eval.inspect = inspect;
    Ok(eval)
}

/// Evaluates a set directory with its own `truth.csv`, writing results to a scratch copy of
/// nothing: results go to `results.csv` in a temporary directory.
pub fn evaluate_set(dir: &Path, progress: bool) -> Result<SetEvaluation, EvaluateError> {
    let truth = read_truth(&dir.join("truth.csv"))?;
    let tmp = super::TempDir(std::env::temp_dir().join(format!(
        "myna-evaluate-set-{}-{}",
        std::process::id(),
        dir.file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default()
    )));
    std::fs::create_dir_all(&tmp.0)?;
    std::fs::copy(dir.join("register.csv"), tmp.0.join("register.csv"))?;
    std::fs::copy(dir.join("links.csv"), tmp.0.join("links.csv"))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| dir.display().to_string());
    evaluate_files(&name, &tmp.0, &truth, progress)
}

/// Generates, exports, inspects and measures the synthetic population; then each labelled set.
pub fn evaluate(opts: &EvaluateOptions) -> Result<Evaluation, EvaluateError> {
    let mut all = Evaluation::default();
    if opts.residents > 0 {
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
        if opts.export_only {
            all.sets.push(SetEvaluation {
                name: "generated".into(),
                register_rows: residents,
                links,
                ..SetEvaluation::default()
            });
            return Ok(all);
        }
        let name = format!(
            "generated (seed {}, {} residents, wrong rate {}, noise rate {})",
            opts.seed, opts.residents, opts.wrong_rate, opts.noise_rate
        );
        all.sets
            .push(evaluate_files(&name, &dir, &truth, opts.progress)?);
    }
    for set in &opts.sets {
        all.sets.push(evaluate_set(set, opts.progress)?);
    }
    Ok(all)
}

/// Compares the inspection output with the truth.
fn measure(results: &Path, truth: &HashMap<String, Label>) -> Result<SetEvaluation, EvaluateError> {
    let mut eval = SetEvaluation::default();
    // (score, is wrong) for the average precision.
    let mut ranked: Vec<(f64, bool)> = Vec::new();
    let mut rdr = csv::Reader::from_path(results)?;
    for rec in rdr.records() {
        let rec = rec?;
        let id = rec.get(0).unwrap_or("");
        let score: f64 = rec.get(2).and_then(|s| s.parse().ok()).unwrap_or(0.0);
        let verdict = rec.get(3).unwrap_or("");
        let suggested: u64 = rec.get(5).and_then(|s| s.parse().ok()).unwrap_or(0);
        let flagged = verdict == "wrong_person";
        let Some(label) = truth.get(id) else {
            eval.unlabelled += 1;
            continue;
        };
        ranked.push((score, label.wrong));
        if label.wrong {
            let right = suggested == label.owner;
            eval.patterns
                .entry(label.pattern.clone())
                .or_default()
                .add(verdict, right);
            if right {
                eval.suggestion_right += 1;
            }
            if flagged {
                eval.true_positives += 1;
            } else {
                eval.false_negatives += 1;
            }
        } else {
            eval.harmless_combined
                .entry(label.pattern.clone())
                .or_default()
                .add(verdict, false);
            // A link with several harmless differences counts under each of them.
            for kind in label.pattern.split('+').filter(|k| !k.is_empty()) {
                eval.harmless
                    .entry(kind.to_string())
                    .or_default()
                    .add(verdict, false);
            }
            if verdict == "needs_review" {
                eval.correct_reviewed += 1;
            }
            if flagged {
                eval.false_positives += 1;
            } else {
                eval.true_negatives += 1;
            }
        }
    }
    eval.average_precision = average_precision(&mut ranked);
    Ok(eval)
}

/// Average precision of a ranking by score, highest first; links with equal scores count as
/// one threshold (as scikit-learn's `average_precision_score` does), so ties are not broken in
/// the engine's favour.
pub fn average_precision(ranked: &mut [(f64, bool)]) -> f64 {
    let positives = ranked.iter().filter(|(_, w)| *w).count();
    if positives == 0 {
        return 1.0;
    }
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut tp, mut seen, mut ap, mut last_recall) = (0usize, 0usize, 0.0, 0.0);
    let mut i = 0;
    while i < ranked.len() {
        let score = ranked[i].0;
        while i < ranked.len() && ranked[i].0 == score {
            seen += 1;
            if ranked[i].1 {
                tp += 1;
            }
            i += 1;
        }
        let recall = tp as f64 / positives as f64;
        let precision = tp as f64 / seen as f64;
        ap += (recall - last_recall) * precision;
        last_recall = recall;
    }
    ap
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_precision_counts_ties_as_one_threshold() {
        let mut perfect = vec![(0.9, true), (0.8, true), (0.1, false)];
        assert!((average_precision(&mut perfect) - 1.0).abs() < 1e-12);
        let mut tied = vec![(0.5, true), (0.5, false)];
        assert!((average_precision(&mut tied) - 0.5).abs() < 1e-12);
        let mut worst = vec![(0.9, false), (0.1, true)];
        assert!((average_precision(&mut worst) - 0.5).abs() < 1e-12);
    }
}
