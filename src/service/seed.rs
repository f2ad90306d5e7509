//! Loads a generated population into the database: generation on one thread, inserts on
//! another, a progress bar, the ground truth written to its own file, accounts for demo
//! residents only.

use super::crypto::{self, NumberHasher};
use crate::generator::{Config, Generator, Truth, WrongPattern};
use crate::store::Db;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::path::Path;

/// A demo resident with the credentials to sign in as them.
#[derive(Debug, Clone)]
pub struct DemoResident {
    pub resident_id: i64,
    pub my_number: String,
    pub password: String,
    pub role: &'static str,
}

#[derive(Debug, Clone, Default)]
pub struct SeedReport {
    pub residents: u64,
    pub items: u64,
    pub wrong_links: u64,
    pub noise: u64,
    pub demo: Vec<DemoResident>,
}

pub struct SeedOptions<'a> {
    pub config: Config,
    pub truth_path: &'a Path,
    pub demo_password: Option<String>,
    pub progress: bool,
}

/// Generates and loads the population. The database must be migrated and empty.
pub async fn seed(
    db: &Db,
    hasher: &NumberHasher,
    opts: SeedOptions<'_>,
) -> anyhow::Result<SeedReport> {
    let total = opts.config.residents;
    let h = hasher.clone();
    let mut generator = Generator::new(opts.config.clone(), Box::new(move |n| h.hash(n)));
    db.insert_institutions(&generator.institutions.rows).await?;

    let bar = if opts.progress {
        ProgressBar::new(total)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} residents ({per_sec}, ETA {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );

    if let Some(dir) = opts.truth_path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut truth_file = std::io::BufWriter::new(std::fs::File::create(opts.truth_path)?);
    writeln!(truth_file, "{}", Truth::CSV_HEADER)?;

    // Generation runs on a blocking thread and hands chunks over a bounded channel.
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let producer = tokio::task::spawn_blocking(move || {
        while !generator.done() {
            let chunk = generator.next_chunk(5_000);
            if tx.blocking_send(chunk).is_err() {
                break;
            }
        }
        generator
    });

    let now = super::clock::Clock::now(&super::clock::SystemClock);
    let mut report = SeedReport::default();
    let mut demo_wrong: Option<(i64, i64)> = None;
    let mut demo_guardian: Option<i64> = None;
    while let Some(chunk) = rx.recv().await {
        db.insert_batch(&chunk.batch, now).await?;
        for t in &chunk.truth {
            writeln!(truth_file, "{}", t.csv_line())?;
            match t {
                Truth::Wrong {
                    pattern: WrongPattern::SameKanaOtherPerson,
                    linked_resident,
                    true_resident,
                    ..
                } => {
                    report.wrong_links += 1;
                    demo_wrong.get_or_insert((*linked_resident, *true_resident));
                }
                Truth::Wrong {
                    pattern: WrongPattern::GuardianOnCertificate,
                    linked_resident,
                    ..
                } => {
                    report.wrong_links += 1;
                    demo_guardian.get_or_insert(*linked_resident);
                }
                Truth::Wrong { .. } => report.wrong_links += 1,
                Truth::Noise { .. } => report.noise += 1,
            }
        }
        report.residents += chunk.residents;
        report.items += chunk.batch.items.len() as u64;
        bar.inc(chunk.residents);
    }
    let generator = producer.await?;
    truth_file.flush()?;
    db.reset_sequences().await?;
    bar.finish_and_clear();

    if let Some(password) = opts.demo_password {
        let mut chosen: Vec<(i64, &'static str)> = Vec::new();
        if let Some((linked, owner)) = demo_wrong {
            chosen.push((linked, "has another person's health insurance linked"));
            chosen.push((owner, "the rightful owner of that record"));
        }
        if let Some(g) = demo_guardian {
            chosen.push((g, "a guardian with a dependant's disability certificate"));
        }
        chosen.push((1, "first resident of the population"));
        chosen.dedup_by_key(|c| c.0);
        let hash = {
            let p = password.clone();
            tokio::task::spawn_blocking(move || crypto::hash_password(&p)).await?
        };
        for (id, role) in chosen
            .into_iter()
            .filter(|(id, _)| *id as u64 <= report.residents)
        {
            db.upsert_account(id, &hash, now).await?;
            report.demo.push(DemoResident {
                resident_id: id,
                my_number: generator.my_number_for(id).expose(),
                password: password.clone(),
                role,
            });
        }
    }
    Ok(report)
}
