//! The production part: the host on the production `spin.toml` (and Spin, when
//! there is a binary), seeded with the demo, against the native tracking baseline.

use super::*;

/// What the production part measured: its rows, the engines' memory, and
/// what is worth saying about Spin.
pub(crate) struct Production {
    pub(crate) rows: Vec<Row>,
    pub(crate) memory: Vec<MemoryRow>,
    pub(crate) notes: Vec<String>,
    pub(crate) spin_version: String,
}

/// The resident memory of one process (or set of processes), in kB.
pub(crate) struct MemoryRow {
    pub(crate) what: &'static str,
    /// After seeding, before any load.
    pub(crate) idle: Option<u64>,
    /// The most sampled during the measured tracking lookups.
    pub(crate) tracking: Option<u64>,
    /// The most sampled during the measured intakes.
    pub(crate) intake: Option<u64>,
    /// VmHWM at the end: the most ever resident (startup included), or the
    /// most sampled if more (the kernel updates VmHWM lazily).
    pub(crate) peak: Option<u64>,
}

impl MemoryRow {
    pub(crate) fn new(
        what: &'static str,
        idle: Option<u64>,
        tracking: Option<u64>,
        intake: Option<u64>,
        hwm: Option<u64>,
    ) -> Self {
        Self {
            what,
            idle,
            tracking,
            intake,
            peak: [idle, tracking, intake, hwm].into_iter().flatten().max(),
        }
    }
}

pub(crate) const SEED_PATH: &str = "/api/v1/platform/seed";

/// The tracking and intake parts: the production manifest on the host and, if
/// there is a Spin binary, on Spin, both seeded through the platform API with
/// the demo seed; then the JSON and HTML lookups of one demo dossier at 1, 16
/// and 64 connections against the native baseline, and the desk's intake of a
/// 1 MB scan on both engines.
pub(crate) async fn production_rows(
    root: &Path,
    host_bin: &Path,
    spin_bin: &std::result::Result<PathBuf, String>,
    opts: &Options,
) -> Result<Production> {
    let dirs = ProductionDirs::new("ghiseu-bench-track-")?;
    let data = &dirs.data;
    let admin = random_hex()?;
    // The same variables for both engines (the host reads them from the
    // environment as Spin does).
    let env = [
        ("SPIN_VARIABLE_PLATFORM_ADMIN_TOKEN", admin.as_str()),
        // The benchmark is one client on purpose; the limit would stop it.
        ("SPIN_VARIABLE_TRACK_RATE_LIMIT", "1000000000"),
        ("SPIN_VARIABLE_SANDBOX_ENABLED", "true"),
    ];
    let manifest = root.join("spin.toml");
    let (mut child, host_addr) =
        start_host(host_bin, &manifest, &dirs.runtime_config, data, &env, &[]).await?;
    let host_pids: Vec<u32> = child.id().into_iter().collect();
    let result = async {
        let mut notes = Vec::new();
        let (spin, spin_version) = match spin_bin {
            Ok(bin) => {
                let version = spin::version(bin).await;
                println!(
                    "starting {version} ({}) on the same spin.toml ...",
                    bin.display()
                );
                let started = Instant::now();
                let spin = spin::Spin::start(bin, host_bin, &manifest, &env).await?;
                println!(
                    "Spin serving on http://{} after {:.1} s",
                    spin.addr,
                    started.elapsed().as_secs_f64()
                );
                let version = format!(
                    "Spin: {version}, `spin up` on the production spin.toml, SQLite key-value \
                     store, objects in `ghiseu s3`"
                );
                (Some(spin), version)
            }
            Err(_) => (None, String::new()),
        };
        let seed = std::fs::read(root.join("infra/seed/demo.json"))?;
        let registrar = intake::Registrar::of_seed(&serde_json::from_slice(&seed)?)?;
        let answer = post_json(host_addr, SEED_PATH, &admin, seed.clone()).await?;
        let host_token = tracking::pick_token(&answer)?;
        let spin_token = match &spin {
            Some(spin) => {
                let answer = post_json(spin.addr, SEED_PATH, &admin, seed.clone())
                    .await
                    .context("seeding the demo on Spin")?;
                Some(tracking::pick_token(&answer)?)
            }
            None => None,
        };
        let (native, native_addr) = spawn_native("tracking", &data.join("kv.db")).await?;
        let native_pids: Vec<u32> = native.id().into_iter().collect();
        let api = |token: &str| format!("/api/v1/track/{token}");
        let page = |token: &str| format!("/track/{token}");
        for path in [api(&host_token), page(&host_token)] {
            let host = get_once(host_addr, &path).await?;
            let native = get_once(native_addr, &path).await?;
            tracking::same_body(&host, &native, &path)?;
        }
        if let (Some(spin), Some(token)) = (&spin, &spin_token) {
            for (host_path, spin_path) in [
                (api(&host_token), api(token)),
                (page(&host_token), page(token)),
            ] {
                let host = get_once(host_addr, &host_path).await?;
                let on_spin = get_once(spin.addr, &spin_path)
                    .await
                    .with_context(|| format!("Spin: GET {spin_path}"))?;
                if let Some(note) = tracking::same_but_token(&host, &host_token, &on_spin, token) {
                    notes.push(format!("note: GET {spin_path} on Spin: {note}"));
                }
            }
        }
        let spin_pids = spin.as_ref().map(|s| s.pids.clone()).unwrap_or_default();
        let s3_pids = spin.as_ref().map(|s| s.s3_pid.clone()).unwrap_or_default();
        let idle = [
            memory::rss_kb(&native_pids),
            memory::rss_kb(&host_pids),
            memory::rss_kb(&spin_pids),
            memory::rss_kb(&s3_pids),
        ];

        let mut rows = Vec::new();
        if opts.runs("tracking") {
            println!(
                "\nGET {} and GET {}{}, 1, 16 and 64 connections, {:.1} s measured per side \
                 and row in {ROUNDS} alternating rounds (each after {:.1} s of warm-up)",
                api(&host_token),
                page(&host_token),
                if spin.is_some() {
                    " (on Spin the same of its own seed)"
                } else {
                    ""
                },
                opts.duration.as_secs_f64(),
                opts.warmup.as_secs_f64()
            );
            for (scenario, path) in [
                ("tracking JSON", &api as &dyn Fn(&str) -> String),
                ("tracking HTML", &page),
            ] {
                for conns in CONNECTIONS {
                    let host_path = path(&host_token);
                    let spin_path = spin_token.as_deref().map(path);
                    let mut sides = vec![
                        Side::new(native_addr, &host_path, &native_pids),
                        Side::new(host_addr, &host_path, &host_pids),
                    ];
                    if let (Some(spin), Some(spin_path)) = (&spin, &spin_path) {
                        sides.push(Side::new(spin.addr, spin_path, &spin.pids));
                    }
                    let mut stats = compare(&sides, conns, opts).await?.into_iter();
                    let native = stats.next();
                    rows.push(Row {
                        scenario,
                        conns,
                        native,
                        host: stats.next().context("the host's measurement")?,
                        spin: stats.next(),
                    });
                }
            }
        }
        if opts.runs("intake") {
            let scan = intake::scan()?;
            println!(
                "\nPOST /desk/intake as {} with one {} byte PDF, {} intakes per side and \
                 row in {ROUNDS} alternating rounds (after a few unmeasured ones)",
                registrar.describe(),
                scan.len(),
                intake::REQUESTS
            );
            let mut desks = vec![
                intake::Desk::sign_in("the host", host_addr, host_pids.clone(), &registrar, &scan)
                    .await?,
            ];
            if let Some(spin) = &spin {
                desks.push(
                    intake::Desk::sign_in("Spin", spin.addr, spin.pids.clone(), &registrar, &scan)
                        .await?,
                );
            }
            for (conns, stats) in intake::measure(&desks).await? {
                let mut stats = stats.into_iter();
                rows.push(Row {
                    scenario: INTAKE_ROW,
                    conns,
                    native: None,
                    host: stats.next().context("the host's measurement")?,
                    spin: stats.next(),
                });
            }
        }

        let most = |pick: fn(&Row) -> Option<&Stats>, intake: bool| {
            rows.iter()
                .filter(|r| (r.scenario == INTAKE_ROW) == intake)
                .filter_map(|r| pick(r)?.rss_kb)
                .max()
        };
        let mut memory = vec![
            MemoryRow::new(
                "native baseline (tracking)",
                idle[0],
                most(|r| r.native.as_ref(), false),
                None,
                memory::hwm_kb(&native_pids),
            ),
            MemoryRow::new(
                "host: ghiseu up",
                idle[1],
                most(|r| Some(&r.host), false),
                most(|r| Some(&r.host), true),
                memory::hwm_kb(&host_pids),
            ),
        ];
        if spin.is_some() {
            memory.push(MemoryRow::new(
                "Spin: spin up + trigger",
                idle[2],
                most(|r| r.spin.as_ref(), false),
                most(|r| r.spin.as_ref(), true),
                memory::hwm_kb(&spin_pids),
            ));
            memory.push(MemoryRow::new(
                "Spin's objects: ghiseu s3",
                idle[3],
                None,
                None,
                memory::hwm_kb(&s3_pids),
            ));
            if spin_pids.len() > 1 {
                notes.push(format!(
                    "Spin's memory is that of `spin up` (pid {}) and the `spin trigger http` it \
                     runs the application in: {} MB and {} MB at the end",
                    spin_pids[0],
                    memory::mb(memory::rss_kb(&spin_pids[..1])),
                    memory::mb(memory::rss_kb(&spin_pids[1..]))
                ));
            }
        }
        drop(spin);
        Ok(Production {
            rows,
            memory,
            notes,
            spin_version,
        })
    }
    .await;
    let _ = child.kill().await;
    result
}
