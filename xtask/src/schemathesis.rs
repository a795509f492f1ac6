//! `cargo xtask schemathesis`, and a step of `cargo xtask test`: the OpenAPI document
//! (`openapi.yaml`) against what the server answers.
//!
//! A fresh host on a free loopback port with fresh stores, seeded with the demo
//! (`infra/seed/demo.json`), is driven by schemathesis (a pinned version, installed
//! with pip into a virtualenv under the target directory when missing) over every
//! operation of the document, once without credentials and once with each of: the
//! platform admin token, a registrar's, a signer's and a tenant administrator's desk
//! session (with the session's CSRF token for the admin API), and a citizen's
//! session (signed up through the portal). A run fails on any 5xx and on any
//! response whose status, content type, headers or body the document does not
//! declare. The totals (operations, examples, responses checked, failures) are
//! printed from schemathesis's NDJSON reports, which stay in `target/schemathesis/`;
//! the host's log joins the test run's logs (`target/test-logs/`).

mod host;
mod report;

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};

use host::Host;
use report::Totals;

/// The schemathesis release the step installs and runs.
const VERSION: &str = "4.32.5";
/// What every response is checked for.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_headers_conformance,response_schema_conformance";
/// Serializers for the document's binary request bodies.
const HOOKS: &str = "xtask/schemathesis_hooks.py";
/// Test cases per operation and phase (the default budget of `cargo xtask test`).
const MAX_EXAMPLES: u32 = 10;
/// The fixed seed of `cargo xtask test`, so a run is reproducible.
const SEED: u64 = 18;

/// How many examples, from which seed.
pub struct Budget {
    /// `--max-examples` of every run.
    pub max_examples: u32,
    /// `--seed` of every run.
    pub seed: u64,
    /// `--no-build`: use the components and host in target/ as they are (to iterate
    /// on openapi.yaml alone).
    pub no_build: bool,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            max_examples: MAX_EXAMPLES,
            seed: SEED,
            no_build: false,
        }
    }
}

impl Budget {
    /// `--max-examples N`, `--seed N` and `--no-build` of `cargo xtask schemathesis`.
    pub fn from_args(args: &[String]) -> Result<Self> {
        let mut budget = Self::default();
        let mut args = args.to_vec();
        args.retain(|a| {
            let flag = a == "--no-build";
            budget.no_build |= flag;
            !flag
        });
        for (flag, value) in crate::parse_flags(&args, &["--max-examples", "--seed"])? {
            let n: u64 = value
                .parse()
                .with_context(|| format!("{flag} takes a number, not `{value}`"))?;
            match flag.as_str() {
                "--max-examples" => budget.max_examples = u32::try_from(n.max(1))?,
                _ => budget.seed = n,
            }
        }
        Ok(budget)
    }
}

fn work_dir() -> PathBuf {
    crate::target_dir().join("schemathesis")
}

/// Runs every pass against a fresh, seeded host; the host and components must be
/// built (release).
pub fn check(budget: &Budget) -> Result<()> {
    let st = ensure_schemathesis()?;
    let dir = work_dir();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let log = crate::target_dir().join("test-logs/schemathesis-host.log");
    let host = Host::start(&dir, &log)?;
    let passes = host.passes()?;
    let config = dir.join("schemathesis.toml");
    std::fs::write(&config, host.known_values()?)?;
    let mut totals = Totals::default();
    let mut failed = Vec::new();
    for pass in &passes {
        println!("\n--- schemathesis: {} ---", pass.name);
        let report = dir.join(format!("{}.ndjson", pass.name.replace(' ', "-")));
        let mut cmd = Command::new(&st);
        cmd.current_dir(&dir)
            .env("SCHEMATHESIS_HOOKS", crate::root().join(HOOKS))
            .arg("--config-file")
            .arg(&config)
            .arg("run")
            .arg(crate::root().join("openapi.yaml"))
            .args(["--url", &host.url, "--checks", CHECKS])
            // One worker: CPython 3.11 before 3.11.8 (3.11.7 here) fails `ast` calls
            // made from two threads at once (python/cpython gh-106905), which
            // Hypothesis makes; and the generation, not the server, is the bottleneck.
            .args(["--workers", "1"])
            .args(["--max-redirects", "0"])
            .args(["--max-examples", &budget.max_examples.to_string()])
            .args(["--seed", &budget.seed.to_string()])
            .args(["--generation-database", "none", "--no-color"])
            .args(["--report", "ndjson", "--report-ndjson-path"])
            .arg(&report);
        for header in &pass.headers {
            cmd.args(["--header", header]);
        }
        let status = cmd
            .status()
            .with_context(|| format!("starting {}", st.display()))?;
        let found = Totals::read(&report)?;
        // A failure or an error in the report fails the pass, and so does a non-zero
        // exit the report does not explain.
        if !found.clean() || !status.success() {
            failed.push(format!("{} ({status})", pass.name));
        }
        totals.add(&found);
    }
    drop(host);
    totals.print(VERSION, passes.len());
    if !failed.is_empty() {
        bail!(
            "schemathesis found responses that do not conform to openapi.yaml in: {} \
             (reports in {}, the host's log in {})",
            failed.join(", "),
            dir.display(),
            log.display()
        );
    }
    Ok(())
}

/// The virtualenv's `schemathesis`, installed (with python3-venv and pip from
/// apt-get when the machine lacks them) unless the pinned version is there.
fn ensure_schemathesis() -> Result<PathBuf> {
    let venv = crate::target_dir().join("schemathesis-venv");
    let st = venv.join("bin/schemathesis");
    let installed = Command::new(&st)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains(&format!("version {VERSION}")))
        .unwrap_or(false);
    if installed {
        println!("schemathesis {VERSION} found");
        return Ok(st);
    }
    println!("installing schemathesis {VERSION} into {}", venv.display());
    let python = venv.join("bin/python");
    if !python.is_file() {
        let has_venv = Command::new("python3")
            .args(["-c", "import venv, ensurepip"])
            .status()
            .is_ok_and(|s| s.success());
        if !has_venv {
            println!("python3 with venv and pip missing: installing them with apt-get");
            crate::apt_install(&["python3", "python3-venv", "python3-pip"])?;
        }
        let mut cmd = Command::new("python3");
        cmd.args(["-m", "venv"]).arg(&venv);
        crate::exec(cmd)?;
    }
    let mut cmd = Command::new(&python);
    cmd.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ])
    .arg(format!("schemathesis=={VERSION}"));
    crate::exec(cmd)?;
    Ok(st)
}
