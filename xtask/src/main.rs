//! `cargo xtask up | test | bench`: the project's two commands (and the benchmark).
//!
//! Deliberately std + anyhow (+ serde_json for the seed answer) only, so `cargo xtask`
//! starts in a blink on a fresh clone.
//! Every step shells out to the same `cargo` that launched us, in the workspace root,
//! with the default `target/` directory so all steps share one build.

mod demo;
mod fuzz;
mod privacy;
mod schemathesis;
#[cfg(test)]
mod tidy;

use std::env;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

const WASM_TARGET: &str = "wasm32-wasip2";
const DEFAULT_LISTEN: &str = "127.0.0.1:3000";
const DEFAULT_DATA: &str = ".ghiseu";
const DEFAULT_CLUSTER_DATA: &str = ".ghiseu-cluster";
const LOCAL_RUNTIME_CONFIG: &str = "infra/runtime-config/local.toml";
/// The test-only component: built for tests and the benchmark, never listed in spin.toml.
const PROBE_PACKAGE: &str = "ghiseu-probe";
/// The demo seed `up` loads through the platform admin API.
const DEMO_SEED: &str = "infra/seed/demo.json";
/// The CSC client secret `up` generates unless the caller sets it.
const CSC_SECRET_ENV: &str = "SPIN_VARIABLE_CSC_CLIENT_SECRET";
/// The environment variable that gives the host the platform admin token.
const ADMIN_TOKEN_ENV: &str = "SPIN_VARIABLE_PLATFORM_ADMIN_TOKEN";
/// The platform's public address (spin.toml `public_base_url`).
const PUBLIC_BASE_URL_ENV: &str = "SPIN_VARIABLE_PUBLIC_BASE_URL";

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  up [--listen ADDR] [--data DIR]   build every component and the host, then run the
                                    platform (default http://127.0.0.1:3000, data in ./.ghiseu)
  cluster [--listen ADDR] [--data DIR] [--spin BIN]
                                    three instances on one Redis and one object store
                                    behind nginx (default http://127.0.0.1:3000, data in
                                    ./.ghiseu-cluster); --spin makes the middle one real Spin
  backup --to DIR [--data DIR]      copy the embedded default (key-value files and objects
                                    under --data, default ./.ghiseu) into a new directory,
                                    consistently, while the platform runs
  restore --from DIR --data DIR     put a backup into a new, empty data directory
  test                              every check CI runs: fmt, clippy, build, unit and
                                    integration tests (SQLite and Redis, and a browser
                                    journey in headless Chromium)
  bench                             build in release and print the benchmark table
  fuzz [--seconds N] [--runs N] [--target NAME]
                                    run each fuzz target of fuzz/ (cargo-fuzz on nightly)
                                    for N seconds (default 60) or N executions; crashes
                                    are saved in fuzz/regressions, which `test` replays
  schemathesis [--max-examples N] [--seed N] [--no-build]
                                    build, then check openapi.yaml against a fresh seeded
                                    host with schemathesis (anonymous and signed in)
";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("\nxtask: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let command = args.next();
    let rest: Vec<String> = args.collect();
    match command.as_deref() {
        Some("up") => up(&rest),
        Some("test") => test(&rest),
        Some("cluster") => cluster(&rest),
        Some("backup") => backup_or_restore("backup", &rest),
        Some("restore") => backup_or_restore("restore", &rest),
        Some("bench") => bench(&rest),
        Some("fuzz") => fuzz::fuzz(&rest),
        Some("schemathesis") => schemathesis_command(&rest),
        Some("-h" | "--help" | "help") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}

/// The workspace root: xtask lives in `<root>/xtask`.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits inside the workspace")
        .to_path_buf()
}

/// The cargo that invoked us (`cargo xtask` sets `CARGO`), so toolchain overrides hold.
fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root());
    cmd
}

/// Runs a command to completion, inheriting stdio; a non-zero exit is an error naming it.
fn exec(mut cmd: Command) -> Result<()> {
    let shown = show(&cmd);
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

fn show(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    parts.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    parts.join(" ")
}

/// Times a named step and prints its name before and its duration after.
struct Steps {
    started: Instant,
    done: Vec<(String, f64)>,
}

impl Steps {
    fn new() -> Self {
        Self {
            started: Instant::now(),
            done: Vec::new(),
        }
    }

    fn step(&mut self, name: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
        println!("\n==> {name}");
        let t = Instant::now();
        let result = f().with_context(|| format!("step `{name}` failed"));
        let secs = t.elapsed().as_secs_f64();
        match &result {
            Ok(()) => println!("==> {name}: ok in {secs:.1}s"),
            Err(_) => println!("==> {name}: FAILED after {secs:.1}s"),
        }
        self.done.push((name.to_owned(), secs));
        result
    }

    fn summary(&self) {
        println!("\nsteps:");
        for (name, secs) in &self.done {
            println!("  {secs:>7.1}s  {name}");
        }
        println!("  {:>7.1}s  total", self.started.elapsed().as_secs_f64());
    }
}

// ---------------------------------------------------------------------------------------
// Workspace discovery (a tiny line-based reading of Cargo.toml files: enough for ours).

/// Member directories listed in the root Cargo.toml's `[workspace] members`.
fn workspace_members() -> Result<Vec<PathBuf>> {
    let text = std::fs::read_to_string(root().join("Cargo.toml")).context("reading Cargo.toml")?;
    let start = text
        .find("members")
        .context("no `members` in the root Cargo.toml")?;
    let open = start + text[start..].find('[').context("malformed members")?;
    let close = open + text[open..].find(']').context("malformed members")?;
    Ok(text[open + 1..close]
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .flat_map(|l| l.split(','))
        .map(|s| s.trim().trim_matches('"'))
        .filter(|s| !s.is_empty())
        .map(|s| root().join(s))
        .collect())
}

/// `name = "..."` of a crate's `[package]`.
fn package_name(dir: &Path) -> Result<String> {
    let text = std::fs::read_to_string(dir.join("Cargo.toml"))
        .with_context(|| format!("reading {}", dir.join("Cargo.toml").display()))?;
    text.lines()
        .map(str::trim)
        .find_map(|l| {
            let value = l.strip_prefix("name")?.trim_start().strip_prefix('=')?;
            Some(value.trim().trim_matches('"').to_owned())
        })
        .with_context(|| format!("no package name in {}", dir.display()))
}

/// Spin components are `cdylib` crates (functions/* and the test probe): wasm32-wasip2 only.
fn is_component(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("Cargo.toml"))
        .map(|t| t.contains("cdylib"))
        .unwrap_or(false)
}

/// Crates that ship as WebAssembly: the components and anything built on spin-sdk.
/// Clippy checks them for wasm32-wasip2, where their real bindings are compiled.
fn wasm_only(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("Cargo.toml"))
        .map(|t| t.contains("cdylib") || t.contains("spin-sdk"))
        .unwrap_or(false)
}

/// Package names of the production components (crates under functions/).
fn production_components() -> Result<Vec<String>> {
    let functions = root().join("functions");
    workspace_members()?
        .into_iter()
        .filter(|d| d.starts_with(&functions) && is_component(d))
        .map(|d| package_name(&d))
        .collect()
}

/// Every component crate, the test probe included.
fn all_components() -> Result<Vec<String>> {
    workspace_members()?
        .into_iter()
        .filter(|d| is_component(d))
        .map(|d| package_name(&d))
        .collect()
}

fn wasm_only_packages() -> Result<Vec<String>> {
    workspace_members()?
        .into_iter()
        .filter(|d| wasm_only(d))
        .map(|d| package_name(&d))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Steps shared by the commands.

fn ensure_wasm_target() -> Result<()> {
    let out = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    match out {
        Ok(out) if out.status.success() => {
            let installed = String::from_utf8_lossy(&out.stdout);
            if installed.lines().any(|l| l.trim() == WASM_TARGET) {
                println!("{WASM_TARGET} is installed");
                return Ok(());
            }
            let mut add = Command::new("rustup");
            add.args(["target", "add", WASM_TARGET]);
            exec(add)
        }
        _ => {
            // No rustup (a distro toolchain): trust that the target exists, the build says
            // clearly if it does not.
            println!("rustup not found; assuming {WASM_TARGET} is available");
            Ok(())
        }
    }
}

fn build_components(packages: &[String]) -> Result<()> {
    if packages.is_empty() {
        bail!("no component crates found in the workspace");
    }
    let mut cmd = cargo();
    cmd.args(["build", "--release", "--target", WASM_TARGET]);
    for p in packages {
        cmd.args(["-p", p]);
    }
    exec(cmd)
}

fn build_host() -> Result<()> {
    let mut cmd = cargo();
    cmd.args(["build", "--release", "-p", "ghiseu-host"]);
    exec(cmd)
}

/// Cargo's target directory: `CARGO_TARGET_DIR` when set (cargo honours it for every
/// build we start), else `<root>/target`.
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root().join(dir),
        _ => root().join("target"),
    }
}

fn host_binary() -> PathBuf {
    target_dir().join("release/ghiseu")
}

fn ensure_redis() -> Result<()> {
    ensure_command("redis-server", "redis-server")
}

/// The balancer of `cargo xtask cluster` and of the cluster tests, and `ip`,
/// which gives each instance a network namespace (when run as root).
fn ensure_cluster_tools() -> Result<()> {
    ensure_command("nginx", "nginx")?;
    ensure_command("ip", "iproute2")
}

/// Installs Debian's `package` with apt-get when `command` is not on PATH.
fn ensure_command(command: &str, package: &str) -> Result<()> {
    if which(command).is_some() {
        println!("{command} found");
        return Ok(());
    }
    println!("{command} missing: installing {package} with apt-get");
    apt_install(&["--no-install-recommends", package])?;
    if which(command).is_none() {
        bail!("{command} is still not on PATH after apt-get install");
    }
    Ok(())
}

/// The cerere tests (`shared/cerere/tests`) read the PDF back with poppler's
/// `pdftotext`, `pdffonts` and `pdfinfo`; the browser journey
/// (`tests/browser/journey.mjs`) also renders the receipt with `pdftoppm` and
/// decodes its QR code with zbar's `zbarimg`. The archive containers
/// (`shared/asic`, `tests/tests/api/archive.rs`) are read back with Info-ZIP's
/// `unzip` and their seals checked with `openssl cms -verify`.
fn ensure_poppler() -> Result<()> {
    ensure_command("pdftotext", "poppler-utils")?;
    ensure_command("zbarimg", "zbar-tools")?;
    ensure_command("unzip", "unzip")?;
    ensure_command("openssl", "openssl")
}

/// `apt-get install -y ARGS` as root (or through sudo), non-interactive; the first call
/// runs `apt-get update` before it.
fn apt_install(args: &[&str]) -> Result<()> {
    static UPDATED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let apt = |args: &[&str]| {
        let mut cmd = if is_root {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        exec(cmd)
    };
    if !UPDATED.swap(true, std::sync::atomic::Ordering::SeqCst) {
        apt(&["update"])?;
    }
    apt(&[&["install", "-y"], args].concat())
}

/// The browser test (`tests/tests/api/browser.rs`) drives `/usr/bin/chromium` with
/// playwright-core under Node: install Chromium, Node and npm with apt-get when they
/// are missing, and `npm ci` in tests/browser when node_modules is missing or older
/// than package-lock.json.
fn ensure_browser_toolchain() -> Result<()> {
    let chromium = Path::new("/usr/bin/chromium");
    if chromium.is_file() {
        println!("{} found", chromium.display());
    } else {
        println!(
            "{} missing: installing chromium with apt-get",
            chromium.display()
        );
        apt_install(&["chromium"])?;
        if !chromium.is_file() {
            bail!(
                "{} is still missing after apt-get install",
                chromium.display()
            );
        }
    }
    if which("node").is_some() && which("npm").is_some() {
        println!("node and npm found");
    } else {
        println!("node or npm missing: installing nodejs and npm with apt-get");
        apt_install(&["nodejs", "npm"])?;
        if which("node").is_none() || which("npm").is_none() {
            bail!("node or npm is still not on PATH after apt-get install");
        }
    }
    let dir = root().join("tests/browser");
    if !needs_npm_ci(&dir) {
        println!("tests/browser/node_modules is up to date");
        return Ok(());
    }
    let mut cmd = Command::new("npm");
    cmd.args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    exec(cmd).context("npm ci in tests/browser")
}

/// Whether `dir/node_modules` is missing or older than `dir/package-lock.json` (npm
/// writes `node_modules/.package-lock.json` on every install).
fn needs_npm_ci(dir: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let installed = modified(&dir.join("node_modules/.package-lock.json"));
    let locked = modified(&dir.join("package-lock.json"));
    installed.is_none() || installed < locked
}

/// Every file under `dir`, skipping build output (`target`, `node_modules`).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if !path
                    .file_name()
                    .is_some_and(|n| n == "target" || n == "node_modules")
                {
                    walk(&path, out);
                }
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out
}

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/usr/bin", "/usr/local/bin"].map(PathBuf::from))
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

fn parse_flags(args: &[String], known: &[&str]) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, value) = match arg.split_once('=') {
            Some((f, v)) => (f.to_owned(), v.to_owned()),
            None => {
                let v = it
                    .next()
                    .with_context(|| format!("{arg} needs a value"))?
                    .clone();
                (arg.clone(), v)
            }
        };
        if !known.contains(&flag.as_str()) {
            bail!("unknown option `{flag}`\n\n{USAGE}");
        }
        out.push((flag, value));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Commands.

fn up(args: &[String]) -> Result<()> {
    let flags = parse_flags(args, &["--listen", "--data"])?;
    let get = |name: &str, default: &str| {
        flags
            .iter()
            .rev()
            .find(|(f, _)| f == name)
            .map_or(default.to_owned(), |(_, v)| v.clone())
    };
    let listen = get("--listen", DEFAULT_LISTEN);
    let data = get("--data", DEFAULT_DATA);

    let mut steps = Steps::new();
    steps.step("wasm32-wasip2 target", ensure_wasm_target)?;
    steps.step("build components (release)", || {
        build_components(&production_components()?)
    })?;
    steps.step("build host (release)", build_host)?;
    steps.summary();

    let mut cmd = Command::new(host_binary());
    cmd.current_dir(root())
        .args(["up", "--manifest", "spin.toml"])
        .args(["--runtime-config", LOCAL_RUNTIME_CONFIG])
        .args(["--listen", &listen])
        .args(["--data", &data]);
    serve_and_seed(cmd, "ghiseu listening on ", &listen, &data)
}

/// `cargo xtask cluster`: three instances on one Redis and one object store behind
/// nginx (tests/src/cluster.rs), seeded with the demo through the balancer.
fn cluster(args: &[String]) -> Result<()> {
    let flags = parse_flags(args, &["--listen", "--data", "--spin"])?;
    let get = |name: &str| {
        flags
            .iter()
            .rev()
            .find(|(f, _)| f == name)
            .map(|(_, v)| v.clone())
    };
    let listen = get("--listen").unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    let data = get("--data").unwrap_or_else(|| DEFAULT_CLUSTER_DATA.to_owned());

    let mut steps = Steps::new();
    steps.step("wasm32-wasip2 target", ensure_wasm_target)?;
    steps.step("redis-server", ensure_redis)?;
    steps.step("nginx and iproute2", ensure_cluster_tools)?;
    steps.step("build components (release)", || {
        build_components(&production_components()?)
    })?;
    steps.step("build host and cluster runner (release)", || {
        let mut cmd = cargo();
        cmd.args([
            "build",
            "--release",
            "-p",
            "ghiseu-host",
            "-p",
            "ghiseu-tests",
        ])
        .args(["--bin", "ghiseu", "--bin", "ghiseu-cluster"]);
        exec(cmd)
    })?;
    steps.summary();

    let mut cmd = Command::new(target_dir().join("release/ghiseu-cluster"));
    cmd.current_dir(root())
        .args(["--listen", &listen])
        .args(["--data", &data]);
    if let Some(spin) = get("--spin") {
        cmd.args(["--spin", &spin]);
    }
    serve_and_seed(cmd, "ghiseu cluster listening on ", &listen, &data)
}

/// The address a browser on this machine reaches a platform listening on
/// `listen` at: `http://` and the address, loopback for an unspecified one.
fn local_base_url(listen: &str) -> String {
    match listen.parse::<std::net::SocketAddr>() {
        Ok(a) if a.ip().is_unspecified() => format!("http://127.0.0.1:{}", a.port()),
        Ok(a) => format!("http://{a}"),
        Err(_) => format!("http://{listen}"),
    }
}

/// `cargo xtask backup` and `restore`: `ghiseu backup|restore` of the release host.
fn backup_or_restore(command: &str, args: &[String]) -> Result<()> {
    let (known, needed): (&[&str], &[&str]) = match command {
        "backup" => (&["--to", "--data"], &["--to"]),
        _ => (&["--from", "--data"], &["--from", "--data"]),
    };
    let flags = parse_flags(args, known)?;
    for flag in needed {
        if !flags.iter().any(|(f, _)| f == flag) {
            bail!("`cargo xtask {command}` needs {flag}\n\n{USAGE}");
        }
    }
    build_host()?;
    let mut cmd = Command::new(host_binary());
    cmd.current_dir(root()).arg(command);
    if command == "backup" && !flags.iter().any(|(f, _)| f == "--data") {
        cmd.args(["--data", DEFAULT_DATA]);
    }
    for (flag, value) in &flags {
        cmd.args([flag, value]);
    }
    exec(cmd)
}

/// Runs `cmd` (the host or the cluster) in the foreground with a platform admin
/// token, a CSC client secret (the caller's, or new ones) and the platform's
/// public address (the caller's, or `http://` + `listen`), and seeds the demo
/// once it prints `marker` followed by its URL. Ctrl-C reaches it too (same
/// process group): it stops and we return.
fn serve_and_seed(mut cmd: Command, marker: &str, listen: &str, data: &str) -> Result<()> {
    cmd.stdout(Stdio::piped());
    // The operator's own address stays; otherwise this machine's.
    if std::env::var(PUBLIC_BASE_URL_ENV).map_or(true, |v| v.is_empty()) {
        cmd.env(PUBLIC_BASE_URL_ENV, local_base_url(listen));
    }
    // The seed needs the platform admin token: use the caller's, or make one for
    // this run (the host reads SPIN_VARIABLE_* like Spin does).
    let admin_token = match std::env::var(ADMIN_TOKEN_ENV) {
        Ok(t) if !t.is_empty() => t,
        _ => {
            let t = random_hex(32)?;
            cmd.env(ADMIN_TOKEN_ENV, &t);
            t
        }
    };
    // The signing provider's client secret (the desk and the sandbox share it;
    // the demo's signer is enrolled with it).
    let csc_secret = match std::env::var(CSC_SECRET_ENV) {
        Ok(t) if !t.is_empty() => t,
        _ => {
            let t = random_hex(24)?;
            cmd.env(CSC_SECRET_ENV, &t);
            t
        }
    };
    println!("\nstarting: {}", show(&cmd));
    let mut child = cmd
        .spawn()
        .with_context(|| format!("starting {}", show(&cmd)))?;

    // Forward the host's stdout and announce the URLs once it says it is listening.
    // Ctrl-C reaches the host too (same process group): it shuts down and we return.
    let stdout = child.stdout.take().expect("piped stdout");
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        println!("{line}");
        if let Some(url) = line.trim().strip_prefix(marker) {
            let url = url.trim_end_matches('/');
            println!();
            println!("  Ghiseu is running:  {url}/");
            println!("  health:             {url}/healthz");
            println!("  statistics:         {url}/stats/cjcluj");
            println!("  data:               {data}");
            println!("  stop with Ctrl-C");
            println!();
            // Seed in the background so the host's output keeps flowing.
            let periodic_url = url.to_owned();
            let (url, data, token) = (url.to_owned(), data.to_owned(), admin_token.clone());
            let csc = csc_secret.clone();
            std::thread::spawn(move || {
                if let Err(e) = seed_demo(&url, &data, &token, &csc) {
                    eprintln!("xtask: seeding the demo failed: {e:#}");
                }
            });
            let token = admin_token.clone();
            std::thread::spawn(move || periodic(&periodic_url, &token));
        }
    }
    let status = child.wait().context("waiting for it")?;
    if !status.success() && status.code().is_some() {
        bail!("it exited with {status}");
    }
    Ok(())
}

/// How often `up` runs the platform's scheduled work.
const PERIOD: std::time::Duration = std::time::Duration::from_secs(300);

/// What the CronJobs of `infra/kubernetes/cronjobs.yaml` do in a cluster, every
/// [`PERIOD`] while `up` runs: the officials' deadline digests (one per
/// official and day however often it is called; every page of tenants),
/// retention (erasing what is past its type's retention years; erases each
/// dossier once however often it is called), then the notification outbox's
/// dispatch, which delivers the digests and the citizens' retries to the
/// gateway (locally the sandbox's outbox, `/sandbox/outbox`). A failure is
/// printed and tried again next time.
fn periodic(url: &str, token: &str) {
    loop {
        std::thread::sleep(PERIOD);
        every_page(url, token, "reminders", "/api/v1/platform/reminders/digest");
        every_page(url, token, "retention", "/api/v1/platform/retention/run");
        let dispatch = format!("{url}/api/v1/platform/notifications/dispatch");
        match post_json(&dispatch, token, b"") {
            Ok((200, _)) => {}
            Ok((status, body)) => {
                eprintln!(
                    "xtask: dispatch answered {status}: {}",
                    String::from_utf8_lossy(&body)
                );
            }
            Err(e) => eprintln!("xtask: dispatch: {e:#}"),
        }
    }
}

/// POSTs `path`, then again with `?after={next}` while its report names a
/// `next` page of tenants; prints each report (`what` names it).
fn every_page(url: &str, token: &str, what: &str, path: &str) {
    let mut after = String::new();
    loop {
        let query = if after.is_empty() {
            String::new()
        } else {
            format!("?after={after}")
        };
        match post_json(&format!("{url}{path}{query}"), token, b"") {
            Ok((200, body)) => {
                println!("xtask: {what}: {}", String::from_utf8_lossy(&body));
                let report: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                match report["next"].as_str() {
                    Some(next) if !next.is_empty() => after = next.to_owned(),
                    _ => break,
                }
            }
            Ok((status, body)) => {
                eprintln!(
                    "xtask: {what} answered {status}: {}",
                    String::from_utf8_lossy(&body)
                );
                break;
            }
            Err(e) => {
                eprintln!("xtask: {what}: {e:#}");
                break;
            }
        }
    }
}

/// `n` random bytes from the OS, hex-encoded.
fn random_hex(n: usize) -> Result<String> {
    use std::io::Read;
    let mut buf = vec![0u8; n];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .context("reading /dev/urandom")?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// POSTs `body` as JSON to `url` (plain `http://host:port/path`) with a bearer
/// token; returns the status and the body.
fn post_json(url: &str, token: &str, body: &[u8]) -> Result<(u16, Vec<u8>)> {
    let auth = format!("Bearer {token}");
    let r = demo::request(
        "POST",
        url,
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        body,
    )?;
    Ok((r.status, r.body))
}

/// Enrolls each demo institution's electronic seal at the sandbox provider,
/// so the dossiers' archive containers can be sealed (idempotent).
fn enroll_demo_seals(url: &str, csc_secret: &str, seed: &[u8]) -> Result<()> {
    let seed_json: serde_json::Value = serde_json::from_slice(seed).context("the demo seed")?;
    for t in seed_json["tenants"].as_array().into_iter().flatten() {
        let (slug, name) = (t["slug"].as_str(), t["name"].as_str());
        if let (Some(slug), Some(name)) = (slug, name) {
            let seal =
                serde_json::json!({"user_id": format!("seal:{slug}"), "name": name, "seal": true});
            let url = format!("{url}/api/v1/sandbox/csc/credentials");
            match post_json(&url, csc_secret, seal.to_string().as_bytes()) {
                Ok((200 | 201, _)) => {}
                Ok((status, body)) => eprintln!(
                    "xtask: enrolling the seal of {slug} answered {status}: {}",
                    String::from_utf8_lossy(&body)
                ),
                Err(e) => eprintln!("xtask: enrolling the seal of {slug}: {e:#}"),
            }
        }
    }
    Ok(())
}

/// Loads the demo seed, prints the demo logins and tracking links and writes
/// them to DATA/demo.json.
fn seed_demo(url: &str, data: &str, token: &str, csc_secret: &str) -> Result<()> {
    let seed = std::fs::read(root().join(DEMO_SEED)).context("reading the demo seed")?;
    let (status, body) = post_json(&format!("{url}/api/v1/platform/seed"), token, &seed)?;
    if status != 200 {
        bail!(
            "POST /api/v1/platform/seed answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    let mut answer: serde_json::Value = serde_json::from_slice(&body).context("the seed answer")?;
    enroll_demo_seals(url, csc_secret, &seed)?;
    // The president signs what the seed left in the queue: issued, verifiable acts.
    match demo::sign_queue(url, csc_secret, &demo::PRESIDENT) {
        Ok(links) => answer["verification_urls"] = serde_json::json!(links),
        Err(e) => eprintln!("xtask: signing the demo documents failed: {e:#}"),
    }
    let data_dir = root().join(data);
    std::fs::create_dir_all(&data_dir)?;
    let out = data_dir.join("demo.json");
    std::fs::write(&out, serde_json::to_vec_pretty(&answer)?)?;
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_owned();
    println!("\n  Demo logins ({url}/desk/login):");
    for l in answer["logins"].as_array().into_iter().flatten() {
        println!(
            "    {:<10} {:<16} {:<24} {}",
            text(&l["institution"]),
            text(&l["username"]),
            text(&l["password"]),
            l["roles"]
                .as_array()
                .into_iter()
                .flatten()
                .map(text)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    println!("\n  Demo tracking links:");
    for d in answer["dossiers"].as_array().into_iter().flatten() {
        println!(
            "    {:<20} {:<12} {}",
            text(&d["registration_number"]),
            text(&d["status"]),
            text(&d["tracking_url"])
        );
    }
    println!("\n  Issued, signed demo documents (public verification):");
    for v in answer["verification_urls"].as_array().into_iter().flatten() {
        println!("    {}", text(v));
    }
    println!("\n  (also written to {})\n", out.display());
    Ok(())
}

fn test(args: &[String]) -> Result<()> {
    if !args.is_empty() {
        bail!("`cargo xtask test` takes no options\n\n{USAGE}");
    }
    let wasm_only = wasm_only_packages()?;

    let mut steps = Steps::new();
    let result = (|| {
        steps.step("wasm32-wasip2 target", ensure_wasm_target)?;
        steps.step("cargo fmt --check", || {
            let mut cmd = cargo();
            cmd.args(["fmt", "--all", "--", "--check"]);
            exec(cmd).context("formatting differs: run `cargo fmt --all`")
        })?;
        // Every crate also builds natively (spin-sdk compiles to stubs off wasm), so the
        // native pass covers the platform's and components' unit tests too; the wasm pass
        // checks what actually ships.
        steps.step("clippy (native, whole workspace)", || {
            let mut cmd = cargo();
            cmd.args(["clippy", "--workspace", "--all-targets"]);
            cmd.args(["--", "-D", "warnings"]);
            exec(cmd)
        })?;
        steps.step("clippy (wasm32-wasip2 crates)", || {
            let mut cmd = cargo();
            cmd.args(["clippy", "--target", WASM_TARGET]);
            for p in &wasm_only {
                cmd.args(["-p", p]);
            }
            cmd.args(["--", "-D", "warnings"]);
            exec(cmd)
        })?;
        steps.step("build components (release, wasm32-wasip2)", || {
            build_components(&all_components()?)
        })?;
        // One build of every test and of the host binary, in the workspace's
        // feature resolution (the host's own integration test makes cargo build
        // `ghiseu` here). Building the host alone first (`build_host`) resolves
        // features differently and compiled wasmtime and cranelift a second time.
        steps.step("build tests and host (release)", || {
            let mut cmd = cargo();
            cmd.args(["test", "--release", "--workspace", "--no-run"]);
            exec(cmd)
        })?;
        steps.step("fuzz corpora and crashes found, replayed (fuzz/)", || {
            let mut cmd = cargo();
            cmd.args([
                "test",
                "--release",
                "-p",
                "ghiseu-fuzz-targets",
                "--test",
                "replay",
            ]);
            exec(cmd)
        })?;
        steps.step("redis-server", ensure_redis)?;
        steps.step("nginx and iproute2 (the cluster)", ensure_cluster_tools)?;
        steps.step("browser test toolchain", ensure_browser_toolchain)?;
        steps.step(
            "poppler-utils, zbar-tools, unzip and openssl",
            ensure_poppler,
        )?;
        let logs = target_dir().join("test-logs");
        let _ = std::fs::remove_dir_all(&logs);
        steps.step("cargo test (unit and integration, release)", || {
            let mut cmd = cargo();
            // --no-fail-fast: one failing crate must not hide the others' results.
            cmd.args(["test", "--release", "--workspace", "--no-fail-fast"]);
            exec(cmd)
        })?;
        steps.step("openapi.yaml against the server (schemathesis)", || {
            schemathesis::check(&schemathesis::Budget::default())
        })?;
        steps.step("SpinKube manifests (infra/kubernetes/check.sh)", || {
            let mut cmd = Command::new("bash");
            cmd.arg("infra/kubernetes/check.sh").current_dir(root());
            match spin_binary() {
                Some(spin) => cmd.env("SPIN_BIN", spin),
                None => cmd.env_remove("SPIN_BIN"),
            };
            exec(cmd)
        })?;
        match spin_binary() {
            Some(spin) => {
                for backend in ["sqlite", "redis"] {
                    steps.step(&format!("the application on real Spin ({backend})"), || {
                        exec(on_spin(&spin, backend))
                    })?;
                }
            }
            None => println!(
                "\nSKIPPED the checks on real Spin: no Spin binary (SPIN_BIN is unset and \
                 there is no `spin` on PATH). Set SPIN_BIN to a Spin 3.6+ binary to run them."
            ),
        }
        steps.step("no personal data in the test run's logs", || {
            privacy::check(&root(), &logs)
        })?;
        Ok(())
    })();
    steps.summary();
    if result.is_ok() {
        println!("\nall checks passed");
    }
    result
}

/// The Spin binary the tests use: `SPIN_BIN` if it names a file, else `spin` on PATH.
fn spin_binary() -> Option<PathBuf> {
    if let Some(bin) = env::var_os("SPIN_BIN").filter(|b| !b.is_empty()) {
        let bin = PathBuf::from(bin);
        return bin.is_file().then_some(bin);
    }
    let path = env::var_os("PATH").unwrap_or_default();
    env::split_paths(&path)
        .map(|d| d.join("spin"))
        .find(|p| p.is_file())
}

/// The application's integration suites (everything but the own host's limits and the
/// browser journeys) with every app under `spin up` on `backend`.
fn on_spin(spin: &Path, backend: &str) -> Command {
    const SUITES: [&str; 16] = [
        "health::",
        "key_value::",
        "object_store::",
        "variables::",
        "tracking::",
        "desk::",
        "signing::",
        "csc::",
        "payment::",
        "portal::",
        "admin::",
        "stats::",
        "retention::",
        "archive::",
        "my_data::",
        "my_data_closing::",
    ];
    let mut cmd = cargo();
    cmd.args([
        "test",
        "--release",
        "-p",
        "ghiseu-tests",
        "--test",
        "api",
        "--",
    ])
    .args(SUITES)
    .args(["--skip", "browser"])
    // One test at a time: on two cores, a heavy test beside the 16-client
    // increment test once made Spin's Redis store answer one of its 1,000
    // increments with an error (500), which did not recur alone; the cause
    // inside Spin was not found.
    .arg("--test-threads=1")
    .env("GHISEU_TEST_ENGINE", "spin")
    .env("GHISEU_TEST_BACKEND", backend)
    .env("SPIN_BIN", spin);
    cmd
}

/// `cargo xtask schemathesis`: builds the components and the host, then the step of
/// `test` alone.
fn schemathesis_command(args: &[String]) -> Result<()> {
    let budget = schemathesis::Budget::from_args(args)?;
    let mut steps = Steps::new();
    let result = (|| {
        if !budget.no_build {
            steps.step("wasm32-wasip2 target", ensure_wasm_target)?;
            steps.step("build components (release)", || {
                build_components(&production_components()?)
            })?;
            steps.step("build host (release)", build_host)?;
        }
        steps.step("openapi.yaml against the server (schemathesis)", || {
            schemathesis::check(&budget)
        })
    })();
    steps.summary();
    result
}

fn bench(args: &[String]) -> Result<()> {
    let mut steps = Steps::new();
    steps.step("wasm32-wasip2 target", ensure_wasm_target)?;
    steps.step("build components and the probe (release)", || {
        let components = all_components()?;
        if !components.iter().any(|c| c == PROBE_PACKAGE) {
            bail!("the benchmark needs the test probe ({PROBE_PACKAGE}) in the workspace");
        }
        build_components(&components)
    })?;
    steps.step("build host (release)", build_host)?;
    steps.step("build bench (release)", || {
        let mut cmd = cargo();
        cmd.args(["build", "--release", "-p", "ghiseu-bench"]);
        exec(cmd)
    })?;
    steps.summary();
    println!();
    let mut cmd = Command::new(target_dir().join("release/ghiseu-bench"));
    cmd.current_dir(root()).args(args.iter().map(OsStr::new));
    exec(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_lists_the_probe_and_host() {
        let names: Vec<String> = workspace_members()
            .unwrap()
            .iter()
            .map(|d| package_name(d).unwrap())
            .collect();
        assert!(names.iter().any(|n| n == "ghiseu-host"), "{names:?}");
        assert!(names.iter().any(|n| n == PROBE_PACKAGE), "{names:?}");
    }

    #[test]
    fn the_probe_is_a_component_but_not_a_production_one() {
        assert!(all_components().unwrap().iter().any(|n| n == PROBE_PACKAGE));
        assert!(
            !production_components()
                .unwrap()
                .iter()
                .any(|n| n == PROBE_PACKAGE)
        );
    }

    #[test]
    fn npm_ci_runs_when_node_modules_is_missing_or_stale() {
        use std::time::{Duration, SystemTime};
        let dir = std::env::temp_dir().join(format!("xtask-npm-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("node_modules")).unwrap();
        let write_at = |name: &str, secs: u64| {
            let f = std::fs::File::create(dir.join(name)).unwrap();
            f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
                .unwrap();
        };
        write_at("package-lock.json", 1_000);
        assert!(needs_npm_ci(&dir), "no install yet");
        write_at("node_modules/.package-lock.json", 2_000);
        assert!(!needs_npm_ci(&dir), "installed after the lock");
        write_at("package-lock.json", 3_000);
        assert!(needs_npm_ci(&dir), "the lock changed since");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn flags_accept_both_spellings() {
        let args = ["--listen=0.0.0.0:8080", "--data", "/tmp/x"].map(String::from);
        let flags = parse_flags(&args, &["--listen", "--data"]).unwrap();
        assert_eq!(
            flags,
            vec![
                ("--listen".into(), "0.0.0.0:8080".into()),
                ("--data".into(), "/tmp/x".into())
            ]
        );
        assert!(parse_flags(&["--nope=1".into()], &["--data"]).is_err());
    }

    #[test]
    fn the_local_public_address_is_one_a_browser_here_reaches() {
        assert_eq!(local_base_url("0.0.0.0:8080"), "http://127.0.0.1:8080");
        assert_eq!(local_base_url("127.0.0.1:3000"), "http://127.0.0.1:3000");
        assert_eq!(local_base_url("[::]:3000"), "http://127.0.0.1:3000");
        assert_eq!(local_base_url("localhost:3000"), "http://localhost:3000");
    }
}
