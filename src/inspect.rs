//! The inspection tool (`myna-portal inspect`): institutions run it on their own extracts.
//!
//! Reads `register.csv` (`my_number,name_kanji,name_kana,birth_date,sex,address,household_id`,
//! plus an optional `death_date` or `deceased` column) and `links.csv`
//! (`link_id,my_number,category,institution,name_kanji,name_kana,birth_date,sex,address,link_method`),
//! columns in any order, extra columns ignored, empty cells allowed, and writes one CSV
//! `link_id,my_number,score,verdict,reasons,suggested_my_number`, most suspicious first.
//!
//! The engine is [`crate::domain::linkage`] (Fellegi–Sunter with graded comparisons). A run has
//! three steps: the register is read and indexed (hashes of every attribute, about 200 bytes a
//! person, with each distinct string kept once); the model is trained on this extract (u from
//! random register pairs, m and λ by EM over the first [`TRAIN_LINKS`] links, each compared
//! with the person it is linked to); then every link is scored. `score` is the probability that
//! the link is wrong. With `--explain FILE`, each link's evidence (the weight of every
//! attribute, the rival, the rules) goes to FILE as one JSON object a line.
//!
//! Memory stays bounded: links are streamed, and the ranking goes through one temporary file
//! per score bucket (scores are rounded to [`SCORE_STEPS`] steps) that are concatenated from the
//! highest bucket down. Rows are parsed on one thread and scored on the others.
//!
//! The full My Number is in these files by contract; it is never logged.

pub mod cli;
pub mod evaluate;

use crate::domain::category::Category;
use crate::domain::linkage::features::Features;
use crate::domain::linkage::{
    LinkContext, Model, Patterns, Register, RegisterBuilder, Snapshot, Verdict3,
};
use crate::domain::my_number::MyNumber;
use csv::ByteRecord;
use indicatif::{ProgressBar, ProgressStyle};
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

/// Columns `register.csv` must have.
pub const REGISTER_COLUMNS: [&str; 7] = [
    "my_number",
    "name_kanji",
    "name_kana",
    "birth_date",
    "sex",
    "address",
    "household_id",
];
/// Optional register columns: a non-empty `death_date`, or `deceased` of `1`/`true`/`yes`,
/// marks the person deceased.
pub const REGISTER_OPTIONAL: [&str; 2] = ["death_date", "deceased"];
/// Columns `links.csv` must have.
pub const LINK_COLUMNS: [&str; 10] = [
    "link_id",
    "my_number",
    "category",
    "institution",
    "name_kanji",
    "name_kana",
    "birth_date",
    "sex",
    "address",
    "link_method",
];
/// The output header.
pub const OUTPUT_HEADER: [&str; 6] = [
    "link_id",
    "my_number",
    "score",
    "verdict",
    "reasons",
    "suggested_my_number",
];
/// Scores are rounded to this many steps (3 decimals); one temporary file per occupied step.
pub const SCORE_STEPS: u32 = 1000;
/// Records handed to a worker at a time.
const BATCH: usize = 4096;
/// Links the model is trained on (EM over each compared with its linked person).
pub const TRAIN_LINKS: usize = 200_000;
/// Random register pairs u is estimated from.
pub const U_PAIRS: usize = 300_000;

/// What to inspect.
#[derive(Debug, Clone)]
pub struct InspectOptions {
    pub register: PathBuf,
    pub links: PathBuf,
    pub out: PathBuf,
    /// Skip malformed rows and count them instead of stopping.
    pub skip_bad_rows: bool,
    /// Show a progress bar (on a terminal).
    pub progress: bool,
    /// Worker threads for scoring (0 = one per core).
    pub workers: usize,
    /// Also write each link's evidence, one JSON object a line.
    pub explain: Option<PathBuf>,
}

/// Counts of one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InspectSummary {
    pub register_rows: u64,
    pub register_skipped: u64,
    pub register_duplicates: u64,
    pub links_read: u64,
    pub links_skipped: u64,
    /// Links by verdict, in the order of [`Verdict3::ALL`].
    pub verdicts: [u64; 3],
    pub elapsed: Duration,
    /// The trained model.
    pub model: Option<Model>,
}

impl InspectSummary {
    pub fn count(&self, v: Verdict3) -> u64 {
        self.verdicts[verdict_slot(v)]
    }
}

impl std::fmt::Display for InspectSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "register: {} rows read, {} skipped, {} duplicate numbers",
            self.register_rows, self.register_skipped, self.register_duplicates
        )?;
        writeln!(
            f,
            "links:    {} rows read, {} skipped",
            self.links_read, self.links_skipped
        )?;
        for v in Verdict3::ALL {
            writeln!(f, "  {:<13} {}", v.code(), self.count(v))?;
        }
        write!(f, "time:     {:.1} s", self.elapsed.as_secs_f64())
    }
}

/// Why a run failed. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: {message}")]
    BadFile { file: String, message: String },
    #[error("{file}, line {line}, column {column}: {message}")]
    BadRow {
        file: String,
        line: u64,
        column: String,
        message: String,
    },
}

impl InspectError {
    fn io(file: &Path, source: std::io::Error) -> Self {
        InspectError::Io {
            file: file.display().to_string(),
            source,
        }
    }
}

fn verdict_slot(v: Verdict3) -> usize {
    match v {
        Verdict3::WrongPerson => 0,
        Verdict3::NeedsReview => 1,
        Verdict3::Consistent => 2,
    }
}

/// Positions of the named columns in a header.
struct Columns {
    file: String,
    names: &'static [&'static str],
    required: Vec<usize>,
    optional: Vec<Option<usize>>,
    width: usize,
}

impl Columns {
    fn from_header(
        file: &Path,
        header: &ByteRecord,
        names: &'static [&'static str],
        optional: &[&str],
    ) -> Result<Self, InspectError> {
        let label = file.display().to_string();
        if header.is_empty() || header.iter().all(|h| h.is_empty()) {
            return Err(InspectError::BadFile {
                file: label,
                message: "empty file: no header row".into(),
            });
        }
        let cleaned: Vec<String> = header
            .iter()
            .map(|h| {
                String::from_utf8_lossy(h)
                    .trim_start_matches('\u{feff}')
                    .trim()
                    .to_ascii_lowercase()
            })
            .collect();
        let find = |name: &str| cleaned.iter().position(|h| h == name);
        let mut required = Vec::with_capacity(names.len());
        for name in names {
            match find(name) {
                Some(i) => required.push(i),
                None => {
                    return Err(InspectError::BadFile {
                        file: label,
                        message: format!(
                            "line 1 (header): required column `{name}` is missing (expected a header with {})",
                            names.join(",")
                        ),
                    })
                }
            }
        }
        Ok(Columns {
            file: label,
            names,
            required,
            optional: optional.iter().map(|n| find(n)).collect(),
            width: header.len(),
        })
    }

    fn bad(&self, line: u64, column: usize, message: impl Into<String>) -> InspectError {
        InspectError::BadRow {
            file: self.file.clone(),
            line,
            column: format!("{} ({})", column + 1, self.name_at(column)),
            message: message.into(),
        }
    }

    fn name_at(&self, column: usize) -> &str {
        self.required
            .iter()
            .position(|&i| i == column)
            .map(|k| self.names[k])
            .unwrap_or("extra")
    }

    /// Checks the field count and that the row is UTF-8; returns it with its line number.
    /// The row's text is borrowed from the record (no copy).
    fn row<'r>(&self, rec: &'r ByteRecord) -> Result<(Row<'r>, u64), InspectError> {
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if rec.len() != self.width {
            let column = rec.len().min(self.width);
            return Err(self.bad(
                line,
                column,
                format!(
                    "wrong number of fields: {} in this row, {} in the header",
                    rec.len(),
                    self.width
                ),
            ));
        }
        // The fields one after the other, then each field's bounds on a character boundary
        // (a character split over two fields is not valid): as `StringRecord` checks.
        let text = simdutf8::basic::from_utf8(rec.as_slice())
            .ok()
            .filter(|text| {
                (0..rec.len()).all(|i| {
                    rec.range(i).is_some_and(|r| {
                        text.is_char_boundary(r.start) && text.is_char_boundary(r.end)
                    })
                })
            });
        match text {
            Some(text) => Ok((Row { rec, text }, line)),
            None => {
                let column = rec
                    .iter()
                    .position(|f| std::str::from_utf8(f).is_err())
                    .unwrap_or(0);
                Err(self.bad(line, column, "not valid UTF-8"))
            }
        }
    }

    /// The trimmed cell of required column `k`.
    fn cell<'r>(&self, rec: &Row<'r>, k: usize) -> &'r str {
        rec.get(self.required[k]).map(str::trim).unwrap_or("")
    }

    fn optional_cell<'r>(&self, rec: &Row<'r>, k: usize) -> &'r str {
        self.optional[k]
            .and_then(|i| rec.get(i))
            .map(str::trim)
            .unwrap_or("")
    }
}

/// A row checked to be UTF-8, its fields borrowed from the record.
struct Row<'r> {
    rec: &'r ByteRecord,
    text: &'r str,
}

impl<'r> Row<'r> {
    fn get(&self, i: usize) -> Option<&'r str> {
        self.rec.range(i).and_then(|r| self.text.get(r))
    }
}

/// Checks a `YYYY-MM-DD` date (or empty).
fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|p| p.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    if !s[0..4]
        .bytes()
        .chain(s[5..7].bytes())
        .chain(s[8..10].bytes())
        .all(|c| c.is_ascii_digit())
    {
        return false;
    }
    crate::domain::linkage::features::is_calendar_date(y, m, d)
}

/// The identity attributes shared by both files, validated: kanji and kana name, birth date,
/// sex and address, each `None` when the cell is empty (borrowed from the row).
fn identity_of<'r>(
    cols: &Columns,
    rec: &Row<'r>,
    line: u64,
    at: [usize; 5],
) -> Result<[Option<&'r str>; 5], InspectError> {
    let opt = |k: usize| Some(cols.cell(rec, k)).filter(|v| !v.is_empty());
    let [kanji, kana, birth, sex, address] = at;
    let birth_date = opt(birth);
    if let Some(b) = birth_date {
        if !valid_date(b) {
            return Err(cols.bad(
                line,
                cols.required[birth],
                format!("birth date `{b}` is not a date in the form YYYY-MM-DD"),
            ));
        }
    }
    let sex_value = opt(sex);
    if let Some(s) = sex_value {
        if s != "M" && s != "F" {
            return Err(cols.bad(
                line,
                cols.required[sex],
                format!("sex `{s}` must be M, F or empty"),
            ));
        }
    }
    Ok([opt(kanji), opt(kana), birth_date, sex_value, opt(address)])
}

/// Parses a My Number cell to its integer form. The message never repeats the number.
fn number_of(cols: &Columns, rec: &Row<'_>, line: u64, k: usize) -> Result<u64, InspectError> {
    let raw = cols.cell(rec, k);
    let n = MyNumber::parse(raw).map_err(|e| {
        cols.bad(
            line,
            cols.required[k],
            format!("not a valid My Number: {e}"),
        )
    })?;
    n.expose()
        .parse()
        .map_err(|_| cols.bad(line, cols.required[k], "not a valid My Number"))
}

/// Parses one register row into the builder.
fn register_row(
    cols: &Columns,
    rec: &ByteRecord,
    into: &mut RegisterBuilder,
) -> Result<(), InspectError> {
    let (rec, line) = cols.row(rec)?;
    let number = number_of(cols, &rec, line, 0)?;
    let identity = identity_of(cols, &rec, line, [1, 2, 3, 4, 5])?;
    let death = cols.optional_cell(&rec, 0);
    let deceased_flag = cols.optional_cell(&rec, 1);
    let deceased = !death.is_empty()
        || ["1", "true", "yes"]
            .iter()
            .any(|v| deceased_flag.eq_ignore_ascii_case(v));
    into.add_features(
        number,
        Features::of_cells(identity),
        cols.cell(&rec, 6),
        deceased,
    );
    Ok(())
}

/// One parsed link: id, linked number, category, snapshot.
struct LinkRow {
    link_id: String,
    my_number: u64,
    context: LinkContext,
    snapshot: Snapshot,
}

fn link_row(cols: &Columns, rec: &ByteRecord) -> Result<LinkRow, InspectError> {
    let (rec, line) = cols.row(rec)?;
    let link_id = cols.cell(&rec, 0);
    if link_id.is_empty() {
        return Err(cols.bad(line, cols.required[0], "link_id is empty"));
    }
    let my_number = number_of(cols, &rec, line, 1)?;
    let category = cols.cell(&rec, 2);
    let Some(category) = Category::from_code(category) else {
        return Err(cols.bad(
            line,
            cols.required[2],
            format!(
                "category `{category}` must be one of resident, tax, health_insurance, pension, disability, public_fund_account"
            ),
        ));
    };
    let identity = identity_of(cols, &rec, line, [4, 5, 6, 7, 8])?;
    Ok(LinkRow {
        link_id: link_id.to_string(),
        my_number,
        context: LinkContext {
            category: Some(category),
        },
        snapshot: Snapshot::of_features(Features::of_cells(identity)),
    })
}

/// Opens a CSV file and reads its header.
fn open_csv(
    path: &Path,
    names: &'static [&'static str],
    optional: &[&str],
) -> Result<(csv::Reader<BufReader<File>>, Columns, u64), InspectError> {
    let file = File::open(path).map_err(|e| InspectError::io(path, e))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(BufReader::with_capacity(1 << 20, file));
    let header = rdr.byte_headers().map_err(|e| csv_error(path, e))?.clone();
    let cols = Columns::from_header(path, &header, names, optional)?;
    Ok((rdr, cols, size))
}

fn csv_error(path: &Path, e: csv::Error) -> InspectError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    match e.into_kind() {
        csv::ErrorKind::Io(io) => InspectError::io(path, io),
        other => InspectError::BadRow {
            file: path.display().to_string(),
            line,
            column: "?".into(),
            message: format!("{other:?}"),
        },
    }
}

fn progress_bar(show: bool, len: u64, what: &str) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} [{{elapsed_precise}}] {{wide_bar}} {{bytes}}/{{total_bytes}} {what} ({{bytes_per_sec}}, ETA {{eta}})"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Reads a file on this thread and hands batches of records to `workers` threads, each with its
/// own state. A bad row stops the run (the error with the lowest line wins) unless
/// `skip_bad_rows`, in which case it is counted. Returns each worker's state and the skip count.
fn fan_out<S: Send>(
    path: &Path,
    mut rdr: csv::Reader<BufReader<File>>,
    bar: &ProgressBar,
    workers: usize,
    skip_bad_rows: bool,
    make_state: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, &ByteRecord) -> Result<(), InspectError> + Sync,
) -> Result<(Vec<S>, u64), InspectError> {
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::sync_channel::<Vec<ByteRecord>>(workers * 4);
    let rx = Mutex::new(rx);
    // Batches come back once read, and the reader fills their records again: no record is
    // allocated (or freed on another thread) per row.
    let (back_tx, back_rx) = mpsc::channel::<Vec<ByteRecord>>();
    let errors: Mutex<Vec<(u64, InspectError)>> = Mutex::new(Vec::new());
    let outcome = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let back_tx = back_tx.clone();
                scope.spawn(|| {
                    let back_tx = back_tx;
                    let mut state = make_state();
                    let mut skipped = 0u64;
                    loop {
                        let batch = match rx.lock() {
                            Ok(guard) => guard.recv(),
                            Err(_) => break,
                        };
                        let Ok(batch) = batch else { break };
                        // After a fatal error, keep draining so the reader never blocks.
                        if stop.load(Ordering::SeqCst) {
                            continue;
                        }
                        for rec in &batch {
                            match work(&mut state, rec) {
                                Ok(()) => {}
                                Err(InspectError::BadRow { .. }) if skip_bad_rows => skipped += 1,
                                Err(e) => {
                                    let line = rec.position().map(|p| p.line()).unwrap_or(0);
                                    if let Ok(mut errs) = errors.lock() {
                                        errs.push((line, e));
                                    }
                                    stop.store(true, Ordering::SeqCst);
                                    break;
                                }
                            }
                        }
                        let _ = back_tx.send(batch);
                    }
                    (state, skipped)
                })
            })
            .collect();

        let read = (|| {
            let fresh = || {
                back_rx
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(BATCH))
            };
            let mut batch: Vec<ByteRecord> = fresh();
            // Records of `batch` filled so far.
            let mut filled = 0usize;
            let mut count = 0u64;
            loop {
                if stop.load(Ordering::SeqCst) {
                    return Ok(());
                }
                if filled == batch.len() {
                    batch.push(ByteRecord::new());
                }
                match rdr.read_byte_record(&mut batch[filled]) {
                    Ok(true) => {
                        filled += 1;
                        count += 1;
                        if filled == BATCH {
                            if count.is_multiple_of(BATCH as u64 * 16) {
                                let at = batch[filled - 1].position().map(|p| p.byte());
                                bar.set_position(at.unwrap_or(0));
                            }
                            batch.truncate(filled);
                            let full = std::mem::replace(&mut batch, fresh());
                            filled = 0;
                            if tx.send(full).is_err() {
                                return Ok(());
                            }
                        }
                    }
                    Ok(false) => break,
                    Err(e) => return Err(csv_error(path, e)),
                }
            }
            batch.truncate(filled);
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
            Ok(())
        })();
        drop(tx);
        drop(back_tx);
        let results: Vec<(S, u64)> = handles.into_iter().filter_map(|h| h.join().ok()).collect();
        (read, results)
    });
    let (read, results) = outcome;
    if results.len() != workers {
        return Err(InspectError::BadFile {
            file: path.display().to_string(),
            message: "a worker thread failed".into(),
        });
    }
    let mut errs = errors.into_inner().unwrap_or_default();
    errs.sort_by_key(|(line, _)| *line);
    if let Some((_, e)) = errs.into_iter().next() {
        return Err(e);
    }
    read?;
    bar.finish_and_clear();
    let skipped = results.iter().map(|(_, s)| s).sum();
    Ok((results.into_iter().map(|(s, _)| s).collect(), skipped))
}

/// Loads and indexes the register.
pub fn load_register(
    path: &Path,
    skip_bad_rows: bool,
    progress: bool,
    workers: usize,
) -> Result<(Register, InspectSummary), InspectError> {
    let (rdr, cols, size) = open_csv(path, &REGISTER_COLUMNS, &REGISTER_OPTIONAL)?;
    let bar = progress_bar(progress, size, "register");
    // Room for every row in each loading thread's builder (a register row is at least about 40
    // bytes): the memory is taken from the system only as it is filled, no builder grows by
    // copying, and the first takes the others' rows without a copy of its own.
    // (At most 2^26 rows, 8 GiB of address space, reserved this way; a bigger register grows.)
    let room = usize::try_from(size / 40)
        .unwrap_or(usize::MAX)
        .clamp(1024, 1 << 26);
    let (parts, skipped) = fan_out(
        path,
        rdr,
        &bar,
        workers,
        skip_bad_rows,
        || RegisterBuilder::with_capacity(room),
        |b: &mut RegisterBuilder, rec| register_row(&cols, rec, b),
    )?;
    let total: usize = parts.iter().map(|p| p.people.len()).sum();
    let read = Instant::now();
    let builder = RegisterBuilder::merge_all(parts);
    tracing::info!(
        rows = total,
        merge_secs = read.elapsed().as_secs_f64(),
        "register rows read and merged"
    );
    let (index, duplicates) =
        Register::build(builder, skip_bad_rows).map_err(|d| InspectError::BadFile {
            file: path.display().to_string(),
            message: format!(
                "{} rows repeat a My Number held by an earlier row (use --skip-bad-rows to keep the first)",
                d.0
            ),
        })?;
    let summary = InspectSummary {
        register_rows: total as u64,
        register_skipped: skipped,
        register_duplicates: duplicates as u64,
        ..InspectSummary::default()
    };
    Ok((index, summary))
}

/// Trains the register's model on this extract: u from random register pairs, then m and λ by
/// EM over the first [`TRAIN_LINKS`] links (malformed rows are left to the scoring pass).
pub fn train(index: &mut Register, links: &Path) -> Result<(), InspectError> {
    let (mut rdr, cols, _) = open_csv(links, &LINK_COLUMNS, &[])?;
    let mut patterns = Patterns::default();
    let mut rec = ByteRecord::new();
    while patterns.total < TRAIN_LINKS {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {
                if let Ok(link) = link_row(&cols, &rec) {
                    if let Some(g) = index.linked_gamma(&link.snapshot, link.my_number) {
                        patterns.add(g);
                    }
                }
            }
            Ok(false) => break,
            Err(e) => return Err(csv_error(links, e)),
        }
    }
    index.train(&patterns, U_PAIRS);
    Ok(())
}

/// One worker's output: a CSV writer per occupied score bucket, and counts.
struct Buckets {
    dir: PathBuf,
    worker: usize,
    writers: Vec<Option<csv::Writer<File>>>,
    verdicts: [u64; 3],
    rows: u64,
    /// Whether evidence lines are wanted, and their writer (opened on the first line).
    explain: bool,
    explain_writer: Option<BufWriter<File>>,
    /// The reasons cell, kept between rows.
    reasons: String,
}

impl Buckets {
    fn new(dir: PathBuf, worker: usize, explain: bool) -> Self {
        Buckets {
            dir,
            worker,
            writers: (0..=SCORE_STEPS).map(|_| None).collect(),
            verdicts: [0; 3],
            rows: 0,
            explain,
            explain_writer: None,
            reasons: String::new(),
        }
    }

    fn explain_path(dir: &Path, worker: usize) -> PathBuf {
        dir.join(format!("explain-{worker:02}.jsonl"))
    }

    fn explain_writer(&mut self) -> Result<&mut BufWriter<File>, InspectError> {
        if self.explain_writer.is_none() {
            let path = Self::explain_path(&self.dir, self.worker);
            let file = File::create(&path).map_err(|e| InspectError::io(&path, e))?;
            self.explain_writer = Some(BufWriter::with_capacity(1 << 16, file));
        }
        self.explain_writer
            .as_mut()
            .ok_or_else(|| InspectError::BadFile {
                file: self.dir.display().to_string(),
                message: "explain writer".into(),
            })
    }

    fn path(dir: &Path, worker: usize, bucket: usize) -> PathBuf {
        dir.join(format!("{bucket:04}-{worker:02}.csv"))
    }

    fn writer(&mut self, bucket: usize) -> Result<&mut csv::Writer<File>, InspectError> {
        if self.writers[bucket].is_none() {
            let path = Self::path(&self.dir, self.worker, bucket);
            let file = File::create(&path).map_err(|e| InspectError::io(&path, e))?;
            self.writers[bucket] = Some(
                csv::WriterBuilder::new()
                    .buffer_capacity(1 << 16)
                    .from_writer(file),
            );
        }
        self.writers[bucket]
            .as_mut()
            .ok_or_else(|| InspectError::BadFile {
                file: self.dir.display().to_string(),
                message: "bucket writer".into(),
            })
    }

    fn flush(&mut self) -> Result<(), InspectError> {
        for w in self.writers.iter_mut().flatten() {
            w.flush().map_err(|e| InspectError::io(&self.dir, e))?;
        }
        if let Some(w) = self.explain_writer.as_mut() {
            w.flush().map_err(|e| InspectError::io(&self.dir, e))?;
        }
        Ok(())
    }
}

/// Removes the temporary directory however the run ends.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn worker_count(requested: usize) -> usize {
    if requested > 0 {
        return requested;
    }
    // The reader thread mostly waits on the workers, so one worker per core.
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Runs the inspection: loads the register, trains the model on this extract, scores every
/// link, writes the ranked output (and the evidence, when asked).
pub fn run(opts: &InspectOptions) -> Result<InspectSummary, InspectError> {
    let started = Instant::now();
    let workers = worker_count(opts.workers);
    let (mut index, mut summary) =
        load_register(&opts.register, opts.skip_bad_rows, opts.progress, workers)?;
    tracing::info!(
        people = index.len(),
        secs = started.elapsed().as_secs_f64(),
        "register indexed"
    );
    train(&mut index, &opts.links)?;
    summary.model = Some(index.model().clone());
    tracing::info!(
        secs = started.elapsed().as_secs_f64(),
        lambda = index.model().lambda,
        "model trained"
    );

    let (rdr, cols, size) = open_csv(&opts.links, &LINK_COLUMNS, &[])?;
    let tmp = TempDir(temp_dir_for(&opts.out));
    std::fs::create_dir_all(&tmp.0).map_err(|e| InspectError::io(&tmp.0, e))?;
    let bar = progress_bar(opts.progress, size, "links");
    let counter = std::sync::atomic::AtomicUsize::new(0);
    let explain = opts.explain.is_some();
    let (parts, skipped) = fan_out(
        &opts.links,
        rdr,
        &bar,
        workers,
        opts.skip_bad_rows,
        || {
            Buckets::new(
                tmp.0.clone(),
                counter.fetch_add(1, Ordering::SeqCst),
                explain,
            )
        },
        |b: &mut Buckets, rec| score_link(&index, &cols, b, rec),
    )?;
    drop(index);

    summary.links_skipped = skipped;
    let mut parts = parts;
    for p in &mut parts {
        p.flush()?;
        summary.links_read += p.rows;
        for (total, n) in summary.verdicts.iter_mut().zip(p.verdicts) {
            *total += n;
        }
    }
    let occupied: Vec<(usize, usize)> = parts
        .iter()
        .flat_map(|p| {
            p.writers
                .iter()
                .enumerate()
                .filter(|(_, w)| w.is_some())
                .map(move |(bucket, _)| (bucket, p.worker))
        })
        .collect();
    let explained: Vec<usize> = parts
        .iter()
        .filter(|p| p.explain_writer.is_some())
        .map(|p| p.worker)
        .collect();
    drop(parts);
    concatenate(&opts.out, &tmp.0, occupied)?;
    if let Some(path) = &opts.explain {
        let file = File::create(path).map_err(|e| InspectError::io(path, e))?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        for worker in explained {
            let part_path = Buckets::explain_path(&tmp.0, worker);
            let mut part = File::open(&part_path).map_err(|e| InspectError::io(&part_path, e))?;
            std::io::copy(&mut part, &mut w).map_err(|e| InspectError::io(path, e))?;
        }
        w.flush().map_err(|e| InspectError::io(path, e))?;
    }
    summary.links_read += summary.links_skipped;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

fn temp_dir_for(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "results".into());
    out.with_file_name(format!(".{name}.parts-{}", std::process::id()))
}

/// One line of `--explain`.
#[derive(serde::Serialize)]
struct ExplainLine<'a> {
    link_id: &'a str,
    verdict: &'static str,
    score: f64,
    reasons: &'a [&'static str],
    evidence: &'a crate::domain::linkage::Evidence,
}

fn score_link(
    index: &Register,
    cols: &Columns,
    b: &mut Buckets,
    rec: &ByteRecord,
) -> Result<(), InspectError> {
    let link = link_row(cols, rec)?;
    let a = if b.explain {
        index.assess(&link.snapshot, link.my_number, link.context)
    } else {
        index.assess_brief(&link.snapshot, link.my_number, link.context)
    };
    let bucket = (a.score * f64::from(SCORE_STEPS))
        .round()
        .clamp(0.0, f64::from(SCORE_STEPS)) as usize;
    let score = score_cell(bucket);
    // The verdict is the engine's (rules can hold a high score below wrong_person).
    let verdict = a.verdict;
    let mut number_buf = [0u8; 20];
    let number = zero_padded_12(link.my_number, &mut number_buf);
    let mut suggested_buf = [0u8; 20];
    let suggested: &[u8] = match a.suggestion {
        Some(s) => zero_padded_12(s.my_number, &mut suggested_buf),
        None => b"",
    };
    let mut reasons = std::mem::take(&mut b.reasons);
    reasons.clear();
    for (i, r) in a.reasons.iter().enumerate() {
        if i > 0 {
            reasons.push(';');
        }
        reasons.push_str(r);
    }
    b.verdicts[verdict_slot(verdict)] += 1;
    b.rows += 1;
    if b.explain {
        let line = ExplainLine {
            link_id: &link.link_id,
            verdict: verdict.code(),
            score: a.score,
            reasons: &a.reasons,
            evidence: &a.evidence,
        };
        let w = b.explain_writer()?;
        serde_json::to_writer(&mut *w, &line).map_err(|e| InspectError::BadFile {
            file: "explain".into(),
            message: e.to_string(),
        })?;
        w.write_all(b"\n")
            .map_err(|e| InspectError::io(Path::new("explain"), e))?;
    }
    let written = b.writer(bucket)?.write_record([
        link.link_id.as_bytes(),
        number,
        &score,
        verdict.code().as_bytes(),
        reasons.as_bytes(),
        suggested,
    ]);
    b.reasons = reasons;
    written.map_err(|e| csv_error(&b.dir, e))
}

/// A bucket's score with three decimals, as `format!("{:.3}", bucket / 1000)` writes it.
fn score_cell(bucket: usize) -> [u8; 5] {
    [
        b'0' + (bucket / 1000 % 10) as u8,
        b'.',
        b'0' + (bucket / 100 % 10) as u8,
        b'0' + (bucket / 10 % 10) as u8,
        b'0' + (bucket % 10) as u8,
    ]
}

/// `format!("{n:012}")` into `buf`, without allocating.
fn zero_padded_12(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    while n > 0 || buf.len() - at < 12 {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    &buf[at..]
}

/// Writes the header, then the buckets from the highest score down.
fn concatenate(
    out: &Path,
    dir: &Path,
    mut occupied: Vec<(usize, usize)>,
) -> Result<(), InspectError> {
    occupied.sort_unstable_by(|a, b| b.cmp(a));
    let file = File::create(out).map_err(|e| InspectError::io(out, e))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    writeln!(w, "{}", OUTPUT_HEADER.join(",")).map_err(|e| InspectError::io(out, e))?;
    for (bucket, worker) in occupied {
        let path = Buckets::path(dir, worker, bucket);
        let mut part = File::open(&path).map_err(|e| InspectError::io(&path, e))?;
        std::io::copy(&mut part, &mut w).map_err(|e| InspectError::io(out, e))?;
    }
    w.flush().map_err(|e| InspectError::io(out, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_scores_are_written_as_format_writes_them() {
        for n in [
            0u64,
            7,
            123_456_789_018,
            999_999_999_999,
            1_000_000_000_000,
            u64::MAX,
        ] {
            let mut buf = [0u8; 20];
            assert_eq!(zero_padded_12(n, &mut buf), format!("{n:012}").as_bytes());
        }
        for bucket in 0..=SCORE_STEPS as usize {
            let text = format!("{:.3}", bucket as f64 / f64::from(SCORE_STEPS));
            assert_eq!(score_cell(bucket), text.as_bytes());
        }
    }

    #[test]
    fn dates_are_checked_strictly() {
        assert!(valid_date("2000-02-29"));
        assert!(!valid_date("1900-02-29"));
        assert!(!valid_date("1985-13-01"));
        assert!(!valid_date("1985/01/01"));
        assert!(!valid_date("1985-1-1"));
        assert!(!valid_date("１９８５-01-01"));
    }
}
