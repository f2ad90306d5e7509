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

/// A demo staff member with the credentials to sign in as them.
#[derive(Debug, Clone)]
pub struct DemoStaff {
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
    pub institution: Option<String>,
    pub password: String,
    /// Base32 TOTP secret, for an authenticator app (or `myna-portal totp`).
    pub totp_secret: String,
}

#[derive(Debug, Clone, Default)]
pub struct SeedReport {
    pub residents: u64,
    pub items: u64,
    pub wrong_links: u64,
    pub noise: u64,
    pub demo: Vec<DemoResident>,
    pub demo_staff: Vec<DemoStaff>,
    /// The extra accounts of `SeedOptions::accounts` (for load tests).
    pub pool: Vec<DemoResident>,
    /// Residents without an account, each with a one-time activation code (valid 72 hours), to
    /// try passkey activation at /activate.
    pub activation: Vec<DemoActivation>,
}

/// A demo resident who can activate the portal with a passkey.
#[derive(Debug, Clone)]
pub struct DemoActivation {
    pub resident_id: i64,
    pub my_number: String,
    pub code: String,
}

pub struct SeedOptions<'a> {
    pub config: Config,
    pub truth_path: &'a Path,
    pub demo_password: Option<String>,
    /// Also give this many residents, spread evenly over the population, an account with the
    /// demo password (a sign-in pool for load tests). Needs `demo_password`.
    pub accounts: u64,
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
    let mut demo_wrong: Option<(i64, i64, i64)> = None;
    let mut demo_guardian: Option<i64> = None;
    while let Some(chunk) = rx.recv().await {
        db.insert_batch(&chunk.batch, now).await?;
        for t in &chunk.truth {
            writeln!(truth_file, "{}", t.csv_line())?;
            match t {
                // The demo's wrong link is a plain one (no harmless noise on top).
                Truth::Wrong {
                    item_id,
                    pattern: WrongPattern::SameKanaOtherPerson,
                    linked_resident,
                    true_resident,
                    noise,
                } if noise.is_empty() => {
                    report.wrong_links += 1;
                    demo_wrong.get_or_insert((*linked_resident, *true_resident, *item_id));
                }
                Truth::Wrong {
                    pattern: WrongPattern::GuardianOnCertificate,
                    linked_resident,
                    noise,
                    ..
                } if noise.is_empty() => {
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
    // Fresh statistics, or the planner guesses: PostgreSQL scanned all 4.3 million items to find
    // 5,000 by primary key until the first autovacuum.
    db.analyze().await?;
    bar.finish_and_clear();

    if let Some(password) = opts.demo_password {
        let mut chosen: Vec<(i64, &'static str)> = Vec::new();
        if let Some((linked, owner, _)) = demo_wrong {
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
        report.demo_staff = demo_staff(db, demo_wrong.map(|w| w.2), &hash, &password, now).await?;
        // Evenly spread ids, none of them a demo resident's.
        let mut taken: std::collections::HashSet<i64> =
            report.demo.iter().map(|d| d.resident_id).collect();
        let n = opts
            .accounts
            .min(report.residents.saturating_sub(taken.len() as u64));
        let step = (report.residents / n.max(1)).max(1);
        for k in 0..n {
            let mut id = (1 + k * step + step / 2).min(report.residents) as i64;
            while taken.contains(&id) {
                id = id % report.residents as i64 + 1;
            }
            taken.insert(id);
            db.upsert_account(id, &hash, now).await?;
            report.pool.push(DemoResident {
                resident_id: id,
                my_number: generator.my_number_for(id).expose(),
                password: password.clone(),
                role: "load-test pool",
            });
        }
        // Three residents without an account get an activation code each.
        let free: Vec<i64> = (2..=report.residents as i64)
            .filter(|id| !taken.contains(id))
            .take(3)
            .collect();
        for id in free {
            let number = generator.my_number_for(id);
            let (code, _) =
                super::passkeys::issue_activation_code(db, hasher, now, &number, "seed")
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("resident {id} was just loaded"))?;
            report.activation.push(DemoActivation {
                resident_id: id,
                my_number: number.expose(),
                code,
            });
        }
    }
    Ok(report)
}

/// Demo staff for every role: two caseworkers of the institution that linked the demo wrong
/// item (or of the first municipality), one of another institution, two supervisors, a helpdesk
/// operator and an administrator. Each gets a fresh TOTP secret.
async fn demo_staff(
    db: &Db,
    wrong_item: Option<i64>,
    password_hash: &str,
    password: &str,
    now: i64,
) -> anyhow::Result<Vec<DemoStaff>> {
    use crate::store::staff::NewStaff;
    let first = db.institution_names(1).await?.map(|_| 1);
    let home = match wrong_item {
        Some(item) => db.institution_of_item(item).await?.or(first),
        None => first,
    };
    let other = db.another_institution(home.unwrap_or(0)).await?;
    let plan: [(&str, &str, &'static str, Option<i64>); 7] = [
        ("caseworker1", "田中 美咲", "caseworker", home),
        ("caseworker2", "山本 健", "caseworker", home),
        ("caseworker3", "中村 陽子", "caseworker", other),
        ("supervisor1", "小林 誠", "supervisor", None),
        ("supervisor2", "加藤 直子", "supervisor", None),
        ("helpdesk1", "吉田 聡", "helpdesk", None),
        ("admin1", "松本 亮", "administrator", None),
    ];
    let mut out = Vec::new();
    for (username, name, role, institution_id) in plan {
        if role == "caseworker" && institution_id.is_none() {
            continue;
        }
        let secret = super::staff_auth::new_totp_secret();
        db.upsert_staff(
            &NewStaff {
                username,
                display_name: name,
                role,
                institution_id,
                password_hash,
                totp_secret: &secret,
            },
            now,
        )
        .await?;
        let institution = match institution_id {
            Some(id) => db.institution_names(id).await?.map(|n| n.0),
            None => None,
        };
        out.push(DemoStaff {
            username: username.to_string(),
            display_name: name.to_string(),
            role,
            institution,
            password: password.to_string(),
            totp_secret: secret,
        });
    }
    Ok(out)
}
