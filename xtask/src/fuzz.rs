//! `cargo xtask fuzz [--seconds N] [--runs N] [--target NAME]`: runs the
//! coverage-guided fuzz targets of `fuzz/` (cargo-fuzz and libFuzzer on the
//! nightly toolchain, both installed here when missing), one after another,
//! each for `--seconds` (default 60) or `--runs` executions, whichever ends
//! first.
//!
//! Each target starts from its saved corpus (`fuzz/corpus/<target>`) and
//! writes what it finds to a scratch corpus under `fuzz/target`; the inputs
//! that reach new edges are then merged into the saved corpus, so it grows
//! only by what adds coverage. A crash is copied into
//! `fuzz/regressions/<target>`, which `cargo xtask test` replays on stable
//! (`tests/fuzz/tests/replay.rs`) once the parser is fixed. The table at the
//! end gives each target's executions and crashes.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::{exec, parse_flags, root, show, which};

/// What one target's run came to.
struct Outcome {
    target: String,
    executions: u64,
    crashes: Vec<PathBuf>,
}

/// The command.
pub fn fuzz(args: &[String]) -> Result<()> {
    let mut seconds = 60u64;
    let mut runs = None;
    let mut only = None;
    for (flag, value) in parse_flags(args, &["--seconds", "--runs", "--target"])? {
        match flag.as_str() {
            "--seconds" => seconds = value.parse().context("--seconds takes a number")?,
            "--runs" => runs = Some(value.parse::<u64>().context("--runs takes a number")?),
            _ => only = Some(value),
        }
    }
    ensure_nightly()?;
    ensure_cargo_fuzz()?;
    let all = targets()?;
    let chosen: Vec<String> = match only {
        Some(t) if all.contains(&t) => vec![t],
        Some(t) => bail!("no fuzz target `{t}`; the targets are: {}", all.join(", ")),
        None => all,
    };
    let mut outcomes = Vec::new();
    for target in &chosen {
        outcomes.push(run(target, seconds, runs)?);
    }
    println!("\n{:<22} {:>14}  crashes", "target", "executions");
    for o in &outcomes {
        println!("{:<22} {:>14}  {}", o.target, o.executions, o.crashes.len());
    }
    let crashes: Vec<&PathBuf> = outcomes.iter().flat_map(|o| &o.crashes).collect();
    if !crashes.is_empty() {
        bail!(
            "crashes found, saved as regressions (fix the parser; `cargo xtask test` replays them): {crashes:#?}"
        );
    }
    Ok(())
}

fn fuzz_dir() -> PathBuf {
    root().join("fuzz")
}

/// `rustup run nightly cargo fuzz ...` in the fuzz crate's own workspace and
/// target directory, without the stable toolchain's variables that `cargo
/// xtask` inherited.
fn cargo_fuzz(args: &[&str]) -> Command {
    let mut cmd = Command::new("rustup");
    cmd.args(["run", "nightly", "cargo", "fuzz"]).args(args);
    for var in ["CARGO", "RUSTC", "RUSTDOC", "RUSTUP_TOOLCHAIN", "RUSTFLAGS"] {
        cmd.env_remove(var);
    }
    cmd.env("CARGO_TARGET_DIR", fuzz_dir().join("target"));
    cmd.current_dir(fuzz_dir());
    cmd
}

fn ensure_nightly() -> Result<()> {
    let out = Command::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .context("running rustup (the fuzz targets need rustup's nightly toolchain)")?;
    if String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.starts_with("nightly"))
    {
        println!("nightly toolchain found");
        return Ok(());
    }
    println!("nightly toolchain missing: installing it with rustup");
    let mut cmd = Command::new("rustup");
    cmd.args(["toolchain", "install", "nightly", "--profile", "minimal"]);
    exec(cmd)
}

fn ensure_cargo_fuzz() -> Result<()> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    let installed =
        which("cargo-fuzz").is_some() || home.is_some_and(|h| h.join("bin/cargo-fuzz").is_file());
    if installed {
        println!("cargo-fuzz found");
        return Ok(());
    }
    println!("cargo-fuzz missing: installing it with cargo install");
    let mut cmd = Command::new("cargo");
    cmd.args(["install", "cargo-fuzz", "--locked"]);
    exec(cmd)
}

/// The targets, as `cargo fuzz list` names them.
fn targets() -> Result<Vec<String>> {
    let mut cmd = cargo_fuzz(&["list"]);
    let shown = show(&cmd);
    let out = cmd
        .output()
        .with_context(|| format!("could not start `{shown}`"))?;
    if !out.status.success() {
        bail!("`{shown}` failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect())
}

/// The build options of `target`: the host's targets need its feature.
fn build_options(target: &str) -> Vec<&'static str> {
    // No sanitizer: the code under test has no `unsafe` (the workspace
    // denies it), so AddressSanitizer would halve the executions for nothing;
    // debug assertions and overflow checks stay on.
    let mut options = vec!["--sanitizer", "none"];
    if target.starts_with("host_") {
        options.extend(["--features", "host"]);
    }
    options
}

fn run(target: &str, seconds: u64, runs: Option<u64>) -> Result<Outcome> {
    let dir = fuzz_dir();
    let corpus = dir.join("corpus").join(target);
    let scratch = dir.join("target/scratch-corpus").join(target);
    let artifacts = dir.join("artifacts").join(target);
    for d in [&corpus, &scratch, &artifacts] {
        std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
    }
    let before = crash_files(&artifacts);
    let (scratch_s, corpus_s) = (scratch.display().to_string(), corpus.display().to_string());
    let time = format!("-max_total_time={seconds}");
    let runs = runs.map(|r| format!("-runs={r}"));
    let mut args = vec!["run"];
    args.extend(build_options(target));
    args.extend([
        target,
        &scratch_s,
        &corpus_s,
        "--",
        &time,
        "-print_final_stats=1",
    ]);
    args.extend(runs.as_deref());
    println!("\n==> fuzz {target}");
    let executions = run_counting(cargo_fuzz(&args))?;
    let crashes = save_regressions(target, &artifacts, &before)?;
    if crashes.is_empty() {
        // Only the inputs that reach new code (new edges, not new counts or
        // comparisons) join the saved corpus, so it stays small.
        let mut args = vec!["run"];
        args.extend(build_options(target));
        args.extend([target, &corpus_s, &scratch_s, "--", "-merge=1"]);
        args.extend(["-use_counters=0", "-use_cmp=0", "-use_value_profile=0"]);
        exec(cargo_fuzz(&args))?;
    }
    Ok(Outcome {
        target: target.to_owned(),
        executions,
        crashes,
    })
}

/// Runs libFuzzer, passing its output through, and returns its count of
/// executions (`stat::number_of_executed_units`). A crash makes libFuzzer
/// exit non-zero; that is reported by the artifacts it leaves, not here.
fn run_counting(mut cmd: Command) -> Result<u64> {
    let shown = show(&cmd);
    let mut child = cmd
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start `{shown}`"))?;
    let mut executions = 0;
    let stderr = child.stderr.take().context("libFuzzer's stderr")?;
    for line in BufReader::new(stderr).lines() {
        let line = line?;
        eprintln!("{line}");
        if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
            executions = n.trim().parse().unwrap_or(0);
        }
    }
    child.wait()?;
    Ok(executions)
}

fn crash_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|f| f.is_file());
    files
}

/// Copies the crashes this run left in `artifacts` into
/// `fuzz/regressions/<target>`.
fn save_regressions(target: &str, artifacts: &Path, before: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let regressions = fuzz_dir().join("regressions").join(target);
    let mut saved = Vec::new();
    for file in crash_files(artifacts) {
        if before.contains(&file) {
            continue;
        }
        std::fs::create_dir_all(&regressions)?;
        let to = regressions.join(file.file_name().context("a file name")?);
        std::fs::copy(&file, &to)
            .with_context(|| format!("copying {} to {}", file.display(), to.display()))?;
        saved.push(to);
    }
    Ok(saved)
}
