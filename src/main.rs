//! The portal binary: `serve`, `seed` (synthetic population) and `unlock` (staff action).

use clap::{Parser, Subcommand};
use myna_portal::domain::my_number::MyNumber;
use myna_portal::generator::Config;
use myna_portal::server::state::{AppState, ServerConfig};
use myna_portal::service::audit::checkpoint::CheckpointSigner;
use myna_portal::service::clock::SystemClock;
use myna_portal::service::crypto::{NumberHasher, PasswordGate};
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
    /// File holding the audit key, the HMAC key of the audit chain (created when missing;
    /// PORTAL_AUDIT_KEY overrides). Default: audit.key beside the number key.
    #[arg(long, env = "PORTAL_AUDIT_KEY_FILE", global = true)]
    audit_key_file: Option<PathBuf>,
    /// File holding the Ed25519 key that signs audit checkpoints (created when missing;
    /// PORTAL_AUDIT_SIGNING_KEY overrides). Default: audit-signing.key beside the number key.
    #[arg(long, env = "PORTAL_AUDIT_SIGNING_KEY_FILE", global = true)]
    audit_signing_key_file: Option<PathBuf>,
    /// Append-only log of signed checkpoints of the audit chain's head, outside the database.
    /// Default: audit-checkpoints.log beside the number key.
    #[arg(long, env = "PORTAL_AUDIT_CHECKPOINTS", global = true)]
    audit_checkpoints: Option<PathBuf>,
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
        /// Also write each link's evidence (weights per attribute, rival, rules) to this file,
        /// one JSON object a line.
        #[arg(long)]
        explain: Option<PathBuf>,
    },
    /// Measure the integrity engine against a known truth: on a generated population, and on
    /// labelled sets (directories with register.csv, links.csv and truth.csv, see data/eval/).
    Evaluate {
        /// Residents of the generated population (0: evaluate only the --set directories).
        #[arg(long, default_value_t = 200_000)]
        residents: u64,
        /// A labelled set to evaluate too (repeatable).
        #[arg(long = "set")]
        sets: Vec<PathBuf>,
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
        /// Per-client-address limits on sign-in and anonymous POSTs: "on" (20 sign-ins, then 20
        /// a minute; 60 anonymous POSTs, then 2 a second) or "off" (a load generator on one
        /// address).
        #[arg(long, env = "PORTAL_THROTTLE", default_value = "on", value_parser = ["on", "off"])]
        throttle: String,
        /// The header a trusted reverse proxy sets to the client's address (for example
        /// X-Forwarded-For; its last entry is taken). Without it the socket's peer is the client.
        #[arg(long, env = "PORTAL_CLIENT_IP_HEADER")]
        client_ip_header: Option<String>,
        /// Password checks (argon2) at once; 0: one per core. More are queued briefly, then
        /// answered 503.
        #[arg(long, env = "PORTAL_PASSWORD_WORKERS", default_value_t = 0)]
        password_workers: usize,
        /// Seconds between signed checkpoints of the audit chain's head (0: none).
        #[arg(long, env = "PORTAL_AUDIT_CHECKPOINT_SECS", default_value_t = 300)]
        checkpoint_secs: u64,
        /// The portal's public address; passkeys are bound to its host, which must be a domain
        /// name (default: http://localhost with the serving port; any port on localhost works).
        #[arg(long, env = "PORTAL_PUBLIC_ORIGIN")]
        public_origin: Option<String>,
    },
    /// Issue a one-time activation code for a resident (the municipality's step): with it and
    /// their number the resident registers a passkey at /activate. Valid 72 hours, single use,
    /// stored hashed. The My Number is read from standard input; the code is printed once.
    ActivationCode {
        /// Who issues it, for the audit trail (for example the office and the clerk).
        #[arg(long, default_value = "staff:cli")]
        issued_by: String,
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
    /// Clear the sign-in back-off of a resident's number after identity checks at the office, or
    /// of a staff username with --staff (staff action).
    Unlock {
        /// The resident's My Number (read from standard input when omitted, so it stays out of shell history).
        my_number: Option<String>,
        /// A staff username instead of a number.
        #[arg(long, conflicts_with = "my_number")]
        staff: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify the whole chain against the newest signed checkpoint; exits with status 1 and names
    /// the first edited, deleted, missing or cut entry, or a forged checkpoint.
    Verify {
        /// A head exported earlier (`SEQ:HEX` from `audit head`), to catch a rewritten chain.
        #[arg(long)]
        expect_head: Option<String>,
        /// A checkpoint line kept elsewhere (as `audit head` prints it), checked as well.
        #[arg(long)]
        checkpoint: Option<String>,
    },
    /// Verify the entries since the last checkpoint, sign the head, append the checkpoint to the
    /// log and print it (`SEQ:HEX`, then the signed line) to keep elsewhere.
    Head,
}

/// Where the audit chain's keys and checkpoints live.
struct AuditFiles {
    key: PathBuf,
    signing_key: PathBuf,
    checkpoints: PathBuf,
}

impl AuditFiles {
    /// The given paths, or files beside the number key.
    fn from_cli(cli: &Cli) -> Self {
        let dir = cli
            .key_file
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        AuditFiles {
            key: cli
                .audit_key_file
                .clone()
                .unwrap_or_else(|| dir.join("audit.key")),
            signing_key: cli
                .audit_signing_key_file
                .clone()
                .unwrap_or_else(|| dir.join("audit-signing.key")),
            checkpoints: cli
                .audit_checkpoints
                .clone()
                .unwrap_or_else(|| dir.join("audit-checkpoints.log")),
        }
    }
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
    let audit_files = AuditFiles::from_cli(&cli);
    let audit_key = myna_portal::service::crypto::load_or_create_secret(
        "PORTAL_AUDIT_KEY",
        &audit_files.key,
        "audit key",
    )?;
    myna_portal::service::audit::install_chain_key(audit_key).map_err(anyhow::Error::msg)?;

    match cli.command {
        Command::Serve {
            config,
            secure_cookies,
            metrics_addr,
            throttle,
            client_ip_header,
            password_workers,
            checkpoint_secs,
            public_origin,
        } => {
            let client_ip_header = client_ip_header
                .map(|h| http::HeaderName::from_bytes(h.trim().as_bytes()))
                .transpose()
                .map_err(|_| anyhow::anyhow!("--client-ip-header is not a header name"))?;
            let signer = CheckpointSigner::load_or_create(&audit_files.signing_key)?;
            let conf = leptos::prelude::get_configuration(Some(&config))?;
            let options = conf.leptos_options;
            let addr = options.site_addr;
            let public_origin =
                public_origin.unwrap_or_else(|| format!("http://localhost:{}", addr.port()));
            myna_portal::service::passkeys::relying_party(&public_origin)
                .map_err(|e| anyhow::anyhow!("--public-origin: {e}"))?;
            let state = AppState::new(
                options,
                db.clone(),
                hasher,
                Arc::new(SystemClock),
                ServerConfig {
                    secure_cookies,
                    throttle: (throttle == "on").then(Default::default),
                    client_ip_header,
                    password_workers,
                    public_origin,
                },
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
            let checkpoints = audit_files.checkpoints.clone();
            if checkpoint_secs > 0 {
                let (db, signer, path) = (db.clone(), signer.clone(), checkpoints.clone());
                tokio::spawn(async move {
                    let period = std::time::Duration::from_secs(checkpoint_secs);
                    let mut tick = tokio::time::interval(period);
                    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    loop {
                        tick.tick().await;
                        audit_checkpoint(&db, &signer, &path, true).await;
                    }
                });
            }
            // Hourly housekeeping: sign-in back-off rows untouched for 90 days go.
            {
                let auth = state.auth.clone();
                tokio::spawn(async move {
                    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
                    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    loop {
                        tick.tick().await;
                        match auth.prune_backoff().await {
                            Ok(0) => {}
                            Ok(n) => {
                                tracing::info!(rows = n, "old sign-in back-off rows forgotten")
                            }
                            Err(e) => tracing::warn!(error = %e, "back-off housekeeping failed"),
                        }
                    }
                });
            }
            let app = myna_portal::server::router(state);
            let listener = tokio::net::TcpListener::bind(addr).await?;
            tracing::info!("listening on http://{addr}");
            // The peer address is the client's for the per-client limits (unless a trusted
            // proxy's header is configured).
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .with_graceful_shutdown(shutdown_signal())
            .await?;
            if checkpoint_secs > 0 {
                audit_checkpoint(&db, &signer, &checkpoints, true).await;
            }
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
                let activation: Vec<_> = report
                    .activation
                    .iter()
                    .map(|a| serde_json::json!({"resident_id": a.resident_id, "my_number": a.my_number, "code": a.code}))
                    .collect();
                let demo = serde_json::json!({"residents": residents, "staff": staff, "pool": pool, "activation": activation});
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
            if !report.activation.is_empty() {
                println!("\nDemo passkey activation (http://localhost:3000/activate; codes valid 72 hours, once):");
                for a in &report.activation {
                    println!("  My Number {}  activation code {}", a.my_number, a.code);
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
        Command::Audit { command } => {
            // Tampering and bad input end with a message and a status, never a backtrace:
            // 1 when the trail is broken, 2 when it cannot be checked.
            let code = audit_command(&db, &audit_files, command).await;
            if code != 0 {
                std::process::exit(code);
            }
        }
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
                hasher,
                gate: PasswordGate::new(1),
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
        Command::ActivationCode { issued_by } => {
            let mut s = String::new();
            std::io::stdin().read_line(&mut s)?;
            let n = MyNumber::parse(s.trim())
                .map_err(|e| anyhow::anyhow!("not a valid My Number: {e}"))?;
            let now = myna_portal::service::clock::Clock::now(&SystemClock);
            match myna_portal::service::passkeys::issue_activation_code(
                &db, &hasher, now, &n, &issued_by,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            {
                Some((code, expires)) => {
                    let until = chrono::DateTime::from_timestamp(expires, 0)
                        .map(|t| t.to_rfc3339())
                        .unwrap_or_default();
                    println!("Activation code for {n}: {code}");
                    println!(
                        "Valid until {until} (72 hours), once. Hand it to the resident in person."
                    );
                }
                None => anyhow::bail!("no resident with the number {n}"),
            }
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
        Command::Unlock {
            staff: Some(username),
            ..
        } => {
            let service = myna_portal::service::staff_auth::StaffAuthService {
                db,
                clock: Arc::new(SystemClock),
                hasher,
                gate: PasswordGate::new(1),
            };
            if service.unlock(&username).await? {
                println!("Cleared the sign-in back-off of staff {}.", username.trim());
            } else {
                anyhow::bail!("no staff account {}", username.trim());
            }
        }
        Command::Unlock { my_number, .. } => {
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
                gate: PasswordGate::new(1),
            };
            if auth.unlock(&n).await? {
                println!("Cleared the sign-in back-off of {n}.");
            } else {
                anyhow::bail!("no account for {n}");
            }
        }
    }
    Ok(())
}

/// Writes a checkpoint for the server's schedule (and at shutdown), logging what happened.
async fn audit_checkpoint(
    db: &Db,
    signer: &CheckpointSigner,
    path: &std::path::Path,
    only_if_moved: bool,
) {
    use myna_portal::service::audit::checkpoint::{write, Written};
    let now = myna_portal::service::clock::Clock::now(&SystemClock);
    match write(db, signer, path, now, only_if_moved).await {
        Ok(Written::New(c)) => {
            tracing::info!(checkpoint = %c.to_line(), "audit checkpoint written")
        }
        Ok(Written::Unchanged(c)) => tracing::debug!(
            seq = c.seq,
            "audit head unchanged since the last checkpoint"
        ),
        Err(e) => tracing::error!(error = %e, "audit checkpoint"),
    }
}

/// `audit head` and `audit verify`; the exit status.
async fn audit_command(db: &Db, files: &AuditFiles, command: AuditCommand) -> i32 {
    use myna_portal::service::audit::checkpoint::{self, Checkpoint, Written};
    use myna_portal::service::audit::{Anchor, AnchorKind};
    let signer = match CheckpointSigner::load_or_create(&files.signing_key) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("audit: {e}");
            return 2;
        }
    };
    match command {
        AuditCommand::Head => {
            let now = myna_portal::service::clock::Clock::now(&SystemClock);
            match checkpoint::write(db, &signer, &files.checkpoints, now, false).await {
                Ok(Written::New(c) | Written::Unchanged(c)) => {
                    println!("{}:{}", c.seq, hex::encode(&c.head));
                    println!("{}", c.to_line());
                    eprintln!(
                        "Checkpoint appended to {}. Keep the line above elsewhere; it verifies with the public key {} (key id {}).",
                        files.checkpoints.display(),
                        hex::encode(signer.verifying_key().as_bytes()),
                        c.key_id
                    );
                    0
                }
                Err(checkpoint::CheckpointError::Broken(p)) => {
                    eprintln!("Audit trail broken, no checkpoint written: {p}");
                    1
                }
                Err(e) => {
                    eprintln!("audit head: {e}");
                    2
                }
            }
        }
        AuditCommand::Verify {
            expect_head,
            checkpoint: kept,
        } => {
            let mut anchors = Vec::new();
            if let Some(h) = expect_head {
                let parsed = h.trim().split_once(':').and_then(|(seq, hash)| {
                    let seq = seq.parse::<i64>().ok().filter(|s| *s >= 0)?;
                    let hash = hex::decode(hash).ok().filter(|h| h.len() == 32)?;
                    Some(Anchor {
                        seq,
                        hash,
                        kind: AnchorKind::ExpectedHead,
                    })
                });
                match parsed {
                    Some(a) => anchors.push(a),
                    None => {
                        eprintln!("audit verify: --expect-head takes SEQ:HEX as `audit head` prints it (a number, a colon and 64 hex digits)");
                        return 2;
                    }
                }
            }
            if let Some(line) = kept {
                match Checkpoint::parse(line.trim()).and_then(|c| {
                    c.check(&signer.verifying_key())?;
                    Ok(c)
                }) {
                    Ok(c) => anchors.push(c.anchor()),
                    Err(reason) => {
                        eprintln!("Audit trail broken: the checkpoint given with --checkpoint is forged or damaged: {reason}");
                        return 1;
                    }
                }
            }
            let result = checkpoint::verify_with_log(
                db,
                &files.checkpoints,
                &signer.verifying_key(),
                &anchors,
            )
            .await;
            match result {
                Ok((report, newest)) => match report.problem {
                    None => {
                        println!(
                            "Audit trail intact: {} entries; head {}:{}",
                            report.entries,
                            report.head_seq,
                            hex::encode(&report.head_hash)
                        );
                        match newest {
                            Some(c) => println!(
                                "Checked against the signed checkpoint of entry {} ({}).",
                                c.seq,
                                files.checkpoints.display()
                            ),
                            None => println!(
                                "No checkpoint in {} yet: a cut tail with a rewritten head row is caught only once one is written (`audit head`, or the server every few minutes).",
                                files.checkpoints.display()
                            ),
                        }
                        0
                    }
                    Some(p) => {
                        eprintln!(
                            "Audit trail broken: {p} ({} entries verified before it)",
                            report.entries
                        );
                        1
                    }
                },
                Err(e) => {
                    eprintln!("audit verify: {e}");
                    2
                }
            }
        }
    }
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
            explain,
        } => Offline::Inspect(myna_portal::inspect::InspectOptions {
            register: register.clone(),
            links: links.clone(),
            out: out.clone(),
            skip_bad_rows: *skip_bad_rows,
            progress: std::io::stderr().is_terminal(),
            workers: *workers,
            explain: explain.clone(),
        }),
        Command::Evaluate {
            residents,
            sets,
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
            sets: sets.clone(),
            dir: dir.clone(),
            export_only: *export_only,
            max_links: *max_links,
            progress: std::io::stderr().is_terminal(),
        }),
        _ => Offline::None,
    }
}
