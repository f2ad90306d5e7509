//! The portal binary: `serve`, `seed` (synthetic population) and `unlock` (staff action).

use clap::{Parser, Subcommand};
use myna_portal::domain::my_number::MyNumber;
use myna_portal::generator::Config;
use myna_portal::server::state::{AppState, ServerConfig};
use myna_portal::service::clock::SystemClock;
use myna_portal::service::crypto::NumberHasher;
use myna_portal::service::seed::{seed, SeedOptions};
use myna_portal::store::Db;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

/// mimalloc: the inspection tool and the scan allocate and free small strings for every row.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(version, about = "Citizen self-check portal (マイナポータル-style)")]
struct Cli {
    /// Database: sqlite://path (default) or postgres://...
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://var/portal.db",
        global = true,
        hide_env_values = true
    )]
    database_url: String,
    /// File holding the key of the My Number hash (created when missing; PORTAL_NUMBER_KEY overrides).
    #[arg(
        long,
        env = "PORTAL_KEY_FILE",
        default_value = "var/number.key",
        global = true
    )]
    key_file: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the current 6-digit staff sign-in code for a TOTP secret (what an authenticator app
    /// shows; for the demo).
    Totp { secret: String },
    /// Integrity scan of CSV extracts (offline; no database): scores every link against the
    /// register and writes them ranked, most suspicious first.
    Inspect {
        /// register.csv: my_number,name_kanji,name_kana,birth_date,sex,address,household_id
        #[arg(long)]
        register: PathBuf,
        /// links.csv: link_id,my_number,category,institution,name_kanji,name_kana,birth_date,sex,address,link_method
        #[arg(long)]
        links: PathBuf,
        /// Output: link_id,my_number,score,verdict,reasons,suggested_my_number
        #[arg(long)]
        out: PathBuf,
        /// Skip malformed rows and count them instead of stopping at the first.
        #[arg(long)]
        skip_bad_rows: bool,
        /// Scoring threads (0: one per core).
        #[arg(long, default_value_t = 0)]
        workers: usize,
    },
    /// Measure the integrity scan on a generated population: recall and precision per pattern.
    Evaluate {
        #[arg(long, default_value_t = 200_000)]
        residents: u64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, default_value_t = 0.004)]
        wrong_rate: f64,
        #[arg(long, default_value_t = 0.03)]
        noise_rate: f64,
        /// Keep register.csv, links.csv and results.csv in this directory.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Only write the CSV files (for bench/inspect.sh).
        #[arg(long)]
        export_only: bool,
        /// Write at most this many links.
        #[arg(long)]
        max_links: Option<u64>,
    },
    /// Serve the portal (configuration in Leptos.toml; LEPTOS_SITE_ADDR overrides the address).
    Serve {
        /// Runtime configuration file.
        #[arg(long, default_value = "Leptos.toml")]
        config: String,
        /// Set cookies with Secure and the __Host- prefix (serve behind HTTPS).
        #[arg(long, env = "PORTAL_SECURE_COOKIES", default_value_t = false)]
        secure_cookies: bool,
        /// Internal address of the Prometheus metrics (`GET /metrics`); "off" to disable.
        #[arg(long, env = "PORTAL_METRICS_ADDR", default_value = "127.0.0.1:9300")]
        metrics_addr: String,
    },
    /// Generate a synthetic population into an empty database.
    Seed {
        #[arg(long, default_value_t = 2_000)]
        residents: u64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Share of non-register items linked to the wrong person.
        #[arg(long, default_value_t = 0.004)]
        wrong_rate: f64,
        /// Share of items with harmless differences (all item-level kinds together; the rest of
        /// the harder test bed has the rates of generator::Hardness).
        #[arg(long, default_value_t = 0.03)]
        noise_rate: f64,
        /// Where the ground truth goes (never into the portal's tables).
        #[arg(long, default_value = "var/ground-truth.csv")]
        truth: PathBuf,
        /// Create sign-in accounts for a few demo residents with this password.
        #[arg(long)]
        demo_password: Option<String>,
        /// Also write the demo credentials as JSON to this file (for end-to-end tests).
        #[arg(long)]
        demo_out: Option<PathBuf>,
        /// Give this many more residents, spread over the population, an account with the demo
        /// password (a sign-in pool for load tests; listed as `pool` in --demo-out).
        #[arg(long, default_value_t = 0, requires = "demo_password")]
        accounts: u64,
        /// Do nothing when the database already holds a population.
        #[arg(long)]
        if_empty: bool,
    },
    /// Check or export the audit trail's hash chain.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Create a staff account, or replace its password and TOTP secret (administrator action).
    /// The password is read from standard input; the new TOTP secret is printed once.
    StaffAdd {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// helpdesk, caseworker, supervisor or administrator.
        #[arg(long)]
        role: String,
        /// A caseworker's institution, by its official code.
        #[arg(long)]
        institution_code: Option<String>,
    },
    /// Record a change to a resident's register entry (a move, a new name, a death), as the
    /// municipality's register feed would, and re-check every item linked to that person at once.
    /// The My Number is read from standard input, so it stays out of shell history.
    RegisterUpdate {
        /// The new address.
        #[arg(long)]
        address: Option<String>,
        /// The new name in kanji.
        #[arg(long)]
        name_kanji: Option<String>,
        /// The new name in kana.
        #[arg(long)]
        name_kana: Option<String>,
        /// The date of death (YYYY-MM-DD).
        #[arg(long)]
        deceased_on: Option<String>,
    },
    /// Run the integrity scan over every linked item now (the job the Inspection page starts),
    /// with a progress bar, and print its throughput and findings.
    Scan,
    /// Link a new item to a resident, as an institution's linking feed would; the resident is
    /// asked "is this yours?" at once and the link is checked. Reads one JSON object from standard
    /// input: {"my_number", "institution" (official code), "link_method", "snapshot", "details"}.
    LinkItem,
    /// Unlock a resident's account after identity checks at the office (staff action).
    Unlock {
        /// The resident's My Number (read from standard input when omitted, so it stays out of shell history).
        my_number: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify the whole chain; exits with status 1 and names the first edited, deleted or missing entry.
    Verify {
        /// A head exported earlier (`SEQ:HEX` from `audit head`), to catch a rewritten chain.
        #[arg(long)]
        expect_head: Option<String>,
    },
    /// Print the head (`SEQ:HEX`) to keep elsewhere.
    Head,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    // LOG_FORMAT=json: one JSON object per line, with the request id of the request's span.
    if std::env::var("LOG_FORMAT").is_ok_and(|f| f == "json") {
        tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    let cli = Cli::parse();
    if let Command::Totp { secret } = &cli.command {
        // Needs no database.
        let now = myna_portal::service::clock::Clock::now(&SystemClock);
        match myna_portal::service::staff_auth::totp_code(secret.trim(), now) {
            Some(code) => println!("{code}"),
            None => anyhow::bail!("not a base32 TOTP secret of at least 128 bits"),
        }
        return Ok(());
    }
    if let Some(result) = myna_portal::inspect::cli::offline(&cli_offline(&cli.command)) {
        // The inspection tool and its evaluation need no database.
        return result;
    }
    let db = Db::connect(&cli.database_url).await?;
    db.migrate().await?;
    let hasher = NumberHasher::load_or_create(&cli.key_file)?;

    match cli.command {
        Command::Serve {
            config,
            secure_cookies,
            metrics_addr,
        } => {
            let conf = leptos::prelude::get_configuration(Some(&config))?;
            let options = conf.leptos_options;
            let addr = options.site_addr;
            let state = AppState::new(
                options,
                db,
                hasher,
                Arc::new(SystemClock),
                ServerConfig { secure_cookies },
            );
            if metrics_addr != "off" {
                let metrics = myna_portal::server::metrics::router(state.clone());
                // A taken metrics port (a second server on this machine) does not stop the portal.
                match tokio::net::TcpListener::bind(&metrics_addr).await {
                    Ok(listener) => {
                        tracing::info!("metrics on http://{metrics_addr}/metrics");
                        tokio::spawn(async move {
                            if let Err(e) = axum::serve(listener, metrics).await {
                                tracing::error!(error = %e, "metrics listener stopped");
                            }
                        });
                    }
                    Err(e) => tracing::warn!(error = %e, %metrics_addr, "no metrics listener"),
                }
            }
            // The background job worker: takes queued scans (one server at a time per job).
            state.inspection.clone().spawn_worker();
            let app = myna_portal::server::router(state);
            let listener = tokio::net::TcpListener::bind(addr).await?;
            tracing::info!("listening on http://{addr}");
            axum::serve(listener, app.into_make_service())
                .with_graceful_shutdown(shutdown_signal())
                .await?;
        }
        Command::Seed {
            residents,
            seed: s,
            wrong_rate,
            noise_rate,
            truth,
            demo_password,
            demo_out,
            accounts,
            if_empty,
        } => {
            if !db.is_empty().await? {
                if if_empty {
                    println!("The database already holds a population; nothing to do.");
                    return Ok(());
                }
                anyhow::bail!("the database already holds a population; use an empty database");
            }
            let started = std::time::Instant::now();
            let report = seed(
                &db,
                &hasher,
                SeedOptions {
                    config: Config {
                        seed: s,
                        residents,
                        wrong_rate,
                        noise_rate,
                        ..Config::default()
                    },
                    truth_path: &truth,
                    demo_password,
                    accounts,
                    progress: std::io::stderr().is_terminal(),
                },
            )
            .await?;
            let secs = started.elapsed().as_secs_f64();
            println!(
                "Generated {} residents and {} linked items in {secs:.1} s ({} wrong links, {} harmless differences; ground truth in {}).",
                report.residents,
                report.items,
                report.wrong_links,
                report.noise,
                truth.display()
            );
            if let Some(path) = demo_out {
                let residents: Vec<_> = report
                    .demo
                    .iter()
                    .map(|d| serde_json::json!({"resident_id": d.resident_id, "my_number": d.my_number, "password": d.password, "role": d.role}))
                    .collect();
                let staff: Vec<_> = report
                    .demo_staff
                    .iter()
                    .map(|s| serde_json::json!({"username": s.username, "display_name": s.display_name, "role": s.role, "institution": s.institution, "password": s.password, "totp_secret": s.totp_secret}))
                    .collect();
                let pool: Vec<_> = report
                    .pool
                    .iter()
                    .map(|d| serde_json::json!({"resident_id": d.resident_id, "my_number": d.my_number, "password": d.password}))
                    .collect();
                let demo =
                    serde_json::json!({"residents": residents, "staff": staff, "pool": pool});
                std::fs::write(&path, serde_json::to_string_pretty(&demo)?)?;
            }
            if !report.demo.is_empty() {
                println!("\nDemo sign-in (http://127.0.0.1:3000/login):");
                for d in &report.demo {
                    println!(
                        "  My Number {}  password {}  — {}",
                        d.my_number, d.password, d.role
                    );
                }
            }
            if !report.demo_staff.is_empty() {
                println!("\nDemo staff (http://127.0.0.1:3000/staff/login; the 6-digit code: `myna-portal totp SECRET` or any authenticator app):");
                for s in &report.demo_staff {
                    println!(
                        "  {:<12} password {}  TOTP secret {}  — {}{}",
                        s.username,
                        s.password,
                        s.totp_secret,
                        s.role,
                        s.institution
                            .as_deref()
                            .map(|i| format!(", {i}"))
                            .unwrap_or_default()
                    );
                }
            }
        }
        Command::Audit { command } => match command {
            AuditCommand::Head => {
                let (seq, hash) = db.audit_head().await?;
                println!("{seq}:{}", hex::encode(hash));
            }
            AuditCommand::Verify { expect_head } => {
                let external = match expect_head {
                    Some(h) => {
                        let (seq, hexhash) = h
                            .split_once(':')
                            .ok_or_else(|| anyhow::anyhow!("--expect-head takes SEQ:HEX"))?;
                        Some((seq.parse::<i64>()?, hex::decode(hexhash)?))
                    }
                    None => None,
                };
                let report = myna_portal::service::audit::verify(&db, external).await?;
                match report.problem {
                    None => println!(
                        "Audit trail intact: {} entries; head {}:{}",
                        report.entries,
                        report.head_seq,
                        hex::encode(&report.head_hash)
                    ),
                    Some(p) => {
                        eprintln!(
                            "Audit trail broken: {p} ({} entries verified before it)",
                            report.entries
                        );
                        std::process::exit(1);
                    }
                }
            }
        },
        Command::Totp { .. } | Command::Inspect { .. } | Command::Evaluate { .. } => {
            unreachable!("answered before the database is opened")
        }
        Command::StaffAdd {
            username,
            display_name,
            role,
            institution_code,
        } => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password)?;
            let service = myna_portal::service::staff_auth::StaffAuthService {
                db,
                clock: Arc::new(SystemClock),
            };
            let account = myna_portal::service::staff_auth::NewStaffAccount {
                username: username.clone(),
                display_name,
                role,
                institution_code,
                password: password.trim_end_matches(['\r', '\n']).to_string(),
            };
            let secret = service.create_account(&account, "admin:cli").await?;
            println!("Staff account {username} is ready. Enrol this TOTP secret in an authenticator app (shown once):");
            println!("{secret}");
        }
        Command::RegisterUpdate {
            address,
            name_kanji,
            name_kana,
            deceased_on,
        } => {
            let mut s = String::new();
            std::io::stdin().read_line(&mut s)?;
            let n = MyNumber::parse(s.trim())
                .map_err(|e| anyhow::anyhow!("not a valid My Number: {e}"))?;
            let resident = db
                .resident_by_number_hash(&hasher.hash(&n))
                .await?
                .ok_or_else(|| anyhow::anyhow!("no resident with the number {n}"))?;
            let inspection = inspection_service(db, hasher);
            let change = myna_portal::store::inspection::RegisterChange {
                address,
                name_kanji,
                name_kana,
                deceased_on,
            };
            let raised = inspection
                .change_register("register_feed", resident.id, &change)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "Updated the register entry of {n}; re-checked its links: {raised} finding(s)."
            );
        }
        Command::Scan => {
            use myna_portal::service::clock::Clock;
            let inspection = inspection_service(db.clone(), hasher);
            let (id, created) = db
                .enqueue_job("inspection", None, SystemClock.now())
                .await?;
            if !created {
                println!("A scan was already queued or running (scan {id}); following it.");
            }
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} scan {msg} [{bar:40}] {human_pos}/{human_len} items ({per_sec}, {eta} left)",
                )?
                .progress_chars("=> "),
            );
            bar.set_message(id.to_string());
            let started = std::time::Instant::now();
            let (poll_db, poll_bar) = (db.clone(), bar.clone());
            let ticker = tokio::spawn(async move {
                loop {
                    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                    if let Ok(Some(j)) = poll_db.job(id).await {
                        poll_bar.set_length(j.progress_total.max(0) as u64);
                        poll_bar.set_position(j.progress_done.max(0) as u64);
                    }
                }
            });
            loop {
                let ran = inspection.run_once().await?;
                let job = db
                    .job(id)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("scan {id} vanished"))?;
                if job.status == "done" || job.status == "failed" {
                    break;
                }
                if !ran {
                    // Another server holds it: follow its progress.
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
            ticker.abort();
            bar.finish_and_clear();
            let job = db
                .job(id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("scan {id} vanished"))?;
            if job.status != "done" {
                anyhow::bail!("scan {id} failed: {}", job.error.unwrap_or_default());
            }
            let counts = db.finding_counts(id, 0).await?;
            let wrong: i64 = counts.iter().map(|c| c.wrong_person).sum();
            let review: i64 = counts.iter().map(|c| c.needs_review).sum();
            let secs = started.elapsed().as_secs_f64();
            println!(
                "scan {id}: {} items in {secs:.1} s ({:.0} items/s); {wrong} likely another person, {review} to review",
                job.progress_done,
                job.progress_done as f64 / secs.max(0.001)
            );
        }
        Command::LinkItem => {
            #[derive(serde::Deserialize)]
            struct Input {
                my_number: String,
                institution: String,
                link_method: myna_portal::domain::category::LinkMethod,
                #[serde(default)]
                snapshot: myna_portal::domain::matching::Identity,
                details: myna_portal::domain::items::ItemDetails,
            }
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
            let input: Input = serde_json::from_str(&s)
                .map_err(|e| anyhow::anyhow!("standard input is not a link: {e}"))?;
            let n = MyNumber::parse(input.my_number.trim())
                .map_err(|e| anyhow::anyhow!("not a valid My Number: {e}"))?;
            let resident = db
                .resident_by_number_hash(&hasher.hash(&n))
                .await?
                .ok_or_else(|| anyhow::anyhow!("no resident with the number {n}"))?;
            let institution = db
                .institution_by_code(&input.institution)
                .await?
                .ok_or_else(|| {
                    anyhow::anyhow!("no institution with the code {}", input.institution)
                })?;
            let inspection = inspection_service(db, hasher);
            let link = myna_portal::service::inspection::NewLink {
                resident_id: resident.id,
                institution_id: institution,
                link_method: input.link_method,
                snapshot: input.snapshot,
                details: input.details,
            };
            let (item, raised) = inspection
                .link_item("link_feed", &link)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "Linked item {item} to {n} and told them; the check raised {raised} finding(s)."
            );
        }
        Command::Unlock { my_number } => {
            let input = match my_number {
                Some(n) => n,
                None => {
                    let mut s = String::new();
                    std::io::stdin().read_line(&mut s)?;
                    s
                }
            };
            let n = MyNumber::parse(input.trim())
                .map_err(|e| anyhow::anyhow!("not a valid My Number: {e}"))?;
            let auth = myna_portal::service::auth::AuthService {
                db,
                hasher,
                clock: Arc::new(SystemClock),
            };
            if auth.unlock(&n).await? {
                println!("Unlocked the account of {n}.");
            } else {
                anyhow::bail!("no account for {n}");
            }
        }
    }
    Ok(())
}

/// The inspection service for a command-line action (the system clock; this process as worker).
fn inspection_service(
    db: myna_portal::store::Db,
    hasher: myna_portal::service::crypto::NumberHasher,
) -> myna_portal::service::inspection::Inspection {
    let workflow = myna_portal::service::workflow::Workflow {
        db,
        hasher,
        clock: Arc::new(SystemClock),
    };
    myna_portal::service::inspection::Inspection::new(
        workflow,
        format!("cli-{}", std::process::id()),
    )
}

/// Resolves on Ctrl-C or SIGTERM: the server then stops accepting connections and finishes the
/// requests in flight before it exits.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// The offline subcommands, handed to `myna_portal::inspect::cli`.
fn cli_offline(command: &Command) -> myna_portal::inspect::cli::Offline {
    use myna_portal::inspect::cli::Offline;
    match command {
        Command::Inspect {
            register,
            links,
            out,
            skip_bad_rows,
            workers,
        } => Offline::Inspect(myna_portal::inspect::InspectOptions {
            register: register.clone(),
            links: links.clone(),
            out: out.clone(),
            skip_bad_rows: *skip_bad_rows,
            progress: std::io::stderr().is_terminal(),
            workers: *workers,
        }),
        Command::Evaluate {
            residents,
            seed,
            wrong_rate,
            noise_rate,
            dir,
            export_only,
            max_links,
        } => Offline::Evaluate(myna_portal::inspect::evaluate::EvaluateOptions {
            residents: *residents,
            seed: *seed,
            wrong_rate: *wrong_rate,
            noise_rate: *noise_rate,
            dir: dir.clone(),
            export_only: *export_only,
            max_links: *max_links,
            progress: std::io::stderr().is_terminal(),
        }),
        _ => Offline::None,
    }
}
