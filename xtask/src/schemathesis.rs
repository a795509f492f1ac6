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
//! printed from schemathesis's NDJSON reports; the reports and the host's log stay
//! in `target/schemathesis/`.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::demo;

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
    let host = Host::start(&dir)?;
    let passes = host.passes()?;
    let mut totals = Totals::default();
    let mut failed = Vec::new();
    for pass in &passes {
        println!("\n--- schemathesis: {} ---", pass.name);
        let report = dir.join(format!("{}.ndjson", pass.name.replace(' ', "-")));
        let mut cmd = Command::new(&st);
        cmd.current_dir(&dir)
            .env("SCHEMATHESIS_HOOKS", crate::root().join(HOOKS))
            .arg("run")
            .arg(crate::root().join("openapi.yaml"))
            .args(["--url", &host.url, "--checks", CHECKS, "--workers", "2"])
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
        if !status.success() {
            failed.push(format!("{} ({status})", pass.name));
        }
        totals.add(&found);
    }
    drop(host);
    totals.print(passes.len());
    if !failed.is_empty() {
        bail!(
            "schemathesis found responses that do not conform to openapi.yaml in: {} \
             (reports and the host's log in {})",
            failed.join(", "),
            dir.display()
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

/// One schemathesis run: its name and the headers sent with every request.
struct Pass {
    name: String,
    headers: Vec<String>,
}

/// The host under test, stopped on drop.
struct Host {
    child: Child,
    url: String,
    admin_token: String,
}

impl Host {
    /// `ghiseu up` on a free port over fresh stores in `dir`, seeded with the demo.
    fn start(dir: &Path) -> Result<Self> {
        let admin_token = crate::random_hex(32)?;
        let log = std::fs::File::create(dir.join("host.log"))?;
        let mut child = Command::new(crate::host_binary())
            .current_dir(crate::root())
            .args(["up", "--manifest", "spin.toml"])
            .args(["--runtime-config", crate::LOCAL_RUNTIME_CONFIG])
            .args(["--listen", "127.0.0.1:0", "--data"])
            .arg(dir.join("data"))
            .env(crate::ADMIN_TOKEN_ENV, &admin_token)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", crate::host_binary().display()))?;
        let mut lines = BufReader::new(child.stdout.take().context("piped stdout")?).lines();
        let url = lines.find_map(|l| {
            let l = l.ok()?;
            Some(l.trim().strip_prefix("ghiseu listening on ")?.to_owned())
        });
        // Keep reading, so the host never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        let mut host = Self {
            child,
            url: url.unwrap_or_default().trim_end_matches('/').to_owned(),
            admin_token,
        };
        if host.url.is_empty() {
            let _ = host.child.wait();
            bail!("the host exited before listening; see {}", dir.display());
        }
        let seed = std::fs::read(crate::root().join(crate::DEMO_SEED))?;
        let url = format!("{}/api/v1/platform/seed", host.url);
        let (status, body) = crate::post_json(&url, &host.admin_token, &seed)?;
        if status != 200 {
            bail!(
                "seeding answered {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        Ok(host)
    }

    /// The passes: anonymous, then each identity.
    fn passes(&self) -> Result<Vec<Pass>> {
        let mut passes = vec![
            Pass {
                name: "anonymous".into(),
                headers: Vec::new(),
            },
            Pass {
                name: "platform admin".into(),
                headers: vec![format!("Authorization: Bearer {}", self.admin_token)],
            },
        ];
        for (role, user, password) in [
            ("registrar", "maria.pop", "demo-registratura-2026"),
            ("signer", "presedinte", "demo-presedinte-2026"),
            ("tenant admin", "admin.cjc", "demo-admin-cjc-2026"),
        ] {
            let cookie = demo::desk_sign_in(&self.url, "cjcluj", user, password)?;
            let session = demo::request(
                "GET",
                &format!("{}/api/v1/admin/session", self.url),
                &[("Cookie", &cookie)],
                b"",
            )?;
            let csrf = serde_json::from_slice::<serde_json::Value>(&session.body)
                .ok()
                .and_then(|v| v["csrf_token"].as_str().map(str::to_owned));
            let mut headers = vec![format!("Cookie: {cookie}")];
            headers.extend(csrf.map(|t| format!("X-CSRF-Token: {t}")));
            passes.push(Pass {
                name: format!("desk {role}"),
                headers,
            });
        }
        passes.push(Pass {
            name: "citizen".into(),
            headers: vec![format!("Cookie: {}", self.citizen()?)],
        });
        Ok(passes)
    }

    /// Signs a citizen up through the portal (the code from the sandbox outbox);
    /// returns the `Cookie` header of their session.
    fn citizen(&self) -> Result<String> {
        const PHONE: &str = "+40745000918";
        const PASSWORD: &str = "o parolă lungă de test";
        let mut jar = Jar::default();
        let csrf = jar.page(&self.url, "/portal/register")?;
        let r = jar.post(
            &self.url,
            "/portal/register",
            &[
                ("csrf", &csrf),
                ("name", "Ana Schemathesis"),
                ("phone", PHONE),
                ("password", PASSWORD),
                ("password2", PASSWORD),
            ],
        )?;
        if r.status != 303 {
            bail!("signing a citizen up answered {}: {}", r.status, r.text());
        }
        let outbox = demo::request(
            "GET",
            &format!("{}/api/v1/sandbox/outbox?to=%2B{}", self.url, &PHONE[1..]),
            &[],
            b"",
        )?;
        let messages: serde_json::Value = serde_json::from_slice(&outbox.body)?;
        let text = messages["messages"][0]["text"].as_str().unwrap_or_default();
        let code = text
            .split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)
            .context("no code in the sandbox outbox")?;
        let csrf = jar.page(&self.url, "/portal/verify")?;
        let r = jar.post(
            &self.url,
            "/portal/verify",
            &[("csrf", &csrf), ("contact", PHONE), ("code", code)],
        )?;
        let session = jar.get("ghiseu_citizen");
        if r.status != 303 || session.is_none() {
            bail!("verifying the citizen answered {}: {}", r.status, r.text());
        }
        Ok(jar.header())
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The cookies a browser would keep, by name.
#[derive(Default)]
struct Jar(std::collections::BTreeMap<String, String>);

impl Jar {
    fn keep(&mut self, answer: &demo::Answer) {
        for cookie in answer.cookies() {
            if let Some((name, value)) = cookie.split_once('=') {
                self.0.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    fn get(&self, name: &str) -> Option<&String> {
        self.0.get(name).filter(|v| !v.is_empty())
    }

    fn header(&self) -> String {
        let pairs: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
        pairs.join("; ")
    }

    /// GETs `path`; returns its form's CSRF token.
    fn page(&mut self, url: &str, path: &str) -> Result<String> {
        let cookie = self.header();
        let r = demo::request("GET", &format!("{url}{path}"), &[("Cookie", &cookie)], b"")?;
        self.keep(&r);
        demo::field(&r.text(), "csrf").with_context(|| format!("no CSRF token on {path}"))
    }

    fn post(&mut self, url: &str, path: &str, pairs: &[(&str, &str)]) -> Result<demo::Answer> {
        let cookie = self.header();
        let r = demo::request(
            "POST",
            &format!("{url}{path}"),
            &[
                ("Cookie", &cookie),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            demo::form(pairs).as_bytes(),
        )?;
        self.keep(&r);
        Ok(r)
    }
}

/// The first two lines of a failure's message (what was received and what is
/// documented), without the schema and value that follow.
fn first_lines(message: &str) -> String {
    message.lines().take(2).collect::<Vec<_>>().join("; ")
}

/// What the runs did, read from their NDJSON reports.
#[derive(Default)]
struct Totals {
    operations: u64,
    examples: u64,
    responses: u64,
    /// `METHOD path: check: message`, once each.
    failures: BTreeSet<String>,
    errors: u64,
}

impl Totals {
    fn read(report: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(report)
            .with_context(|| format!("reading {}", report.display()))?;
        let mut totals = Self::default();
        for line in text.lines() {
            let event: serde_json::Value = serde_json::from_str(line)?;
            if let Some(n) =
                event["LoadingFinished"]["statistic"]["operations"]["selected"].as_u64()
            {
                totals.operations = n;
            }
            if event.get("NonFatalError").is_some() {
                totals.errors += 1;
            }
            let recorder = &event["ScenarioFinished"]["recorder"];
            let count = |key: &str| recorder[key].as_object().map_or(0, |m| m.len() as u64);
            totals.examples += count("cases");
            totals.responses += recorder["interactions"].as_object().map_or(0, |m| {
                m.values().filter(|i| !i["response"].is_null()).count()
            }) as u64;
            let checks = recorder["checks"].as_object().into_iter().flatten();
            for check in checks.flat_map(|(_, c)| c.as_array().into_iter().flatten()) {
                let failure = &check["failure_info"]["failure"];
                if check["status"] == "failure" {
                    totals.failures.insert(format!(
                        "{}: {}: {}",
                        failure["operation"].as_str().unwrap_or("?"),
                        failure["title"].as_str().unwrap_or("?"),
                        first_lines(failure["message"].as_str().unwrap_or(""))
                    ));
                }
            }
        }
        Ok(totals)
    }

    fn add(&mut self, other: &Self) {
        self.operations = self.operations.max(other.operations);
        self.examples += other.examples;
        self.responses += other.responses;
        self.errors += other.errors;
        self.failures.extend(other.failures.iter().cloned());
    }

    fn print(&self, passes: usize) {
        println!(
            "\nschemathesis {VERSION}: {} operations, {passes} passes (anonymous and each \
             identity), {} examples, {} responses checked, {} distinct failures, {} errors",
            self.operations,
            self.examples,
            self.responses,
            self.failures.len(),
            self.errors
        );
        for failure in &self.failures {
            println!("  {failure}");
        }
    }
}
