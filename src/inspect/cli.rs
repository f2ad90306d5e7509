//! The command-line face of `inspect` and `evaluate`: runs them and prints the summary.

use super::evaluate::{evaluate, EvaluateOptions};
use super::{run, InspectOptions};

/// An offline subcommand, or none.
pub enum Offline {
    Inspect(InspectOptions),
    Evaluate(EvaluateOptions),
    None,
}

/// Runs an offline subcommand; `None` when the command needs the database. Errors name the file,
/// line and column; the caller exits non-zero on them.
pub fn offline(cmd: &Offline) -> Option<anyhow::Result<()>> {
    match cmd {
        Offline::Inspect(opts) => Some(inspect(opts)),
        Offline::Evaluate(opts) => Some(run_evaluation(opts)),
        Offline::None => None,
    }
}

fn inspect(opts: &InspectOptions) -> anyhow::Result<()> {
    let summary = run(opts)?;
    tracing::info!(
        links = summary.links_read,
        skipped = summary.links_skipped,
        "inspection finished"
    );
    eprintln!("{summary}");
    eprintln!("results: {}", opts.out.display());
    Ok(())
}

fn run_evaluation(opts: &EvaluateOptions) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let eval = evaluate(opts)?;
    if opts.export_only {
        for s in &eval.sets {
            println!(
                "wrote {} register rows and {} links in {:.1} s",
                s.register_rows,
                s.links,
                started.elapsed().as_secs_f64()
            );
        }
        return Ok(());
    }
    println!("{eval}");
    for s in &eval.sets {
        println!("\n{}: inspection\n{}", s.name, s.inspect);
        if let Some(m) = &s.inspect.model {
            println!(
                "model: λ {:.4} (trained on {} links, u from {} register pairs)",
                m.lambda, m.trained_links, m.u_pairs
            );
        }
    }
    println!("total {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
