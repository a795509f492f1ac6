//! Loading an application: the engine, every component compiled once (with
//! a `.cwasm` cache next to the `.wasm`), its stores, variables, files and
//! allow-list; and serving one request with a fresh instance, as Spin 3 does
//! for `wasi:http/incoming-handler@0.2` components.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash as _, Hasher as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context as _, bail};
use bytes::Bytes;
use sha2::Digest as _;
use tokio::sync::{Semaphore, oneshot};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store, StoreLimitsBuilder,
};
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::{ErrorCode, Scheme};
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpView as _};

use crate::kv::{KvStore, RedisKv, SqliteKv};
use crate::kv_host::{self, KvCtx};
use crate::manifest::{FileMount, Manifest};
use crate::objects::EmbeddedS3;
use crate::outbound::AllowedHosts;
use crate::router::Router;
use crate::runtime_config::{KvConfig, RuntimeConfig};
use crate::state::{HostState, OutboundHooks, VarsHost};
use crate::variables::AppVariables;

/// Limits that apply to every component.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Linear memory an instance may use, in bytes.
    pub memory_bytes: usize,
    /// Time a request's instance may run, from arrival to the end of the
    /// guest's `handle` (including work it does after sending its response).
    pub request_timeout: Duration,
    /// Largest request body accepted.
    pub max_body_bytes: u64,
    /// Instances that may run at once, across components. Each may grow its
    /// linear memory to `memory_bytes`, so this times `memory_bytes` is the
    /// most guest memory the host can hold: [`Limits::instances_within`]
    /// derives it from a memory budget, so that no mix of requests can
    /// take the host past it (a request over its instance's share traps
    /// alone; one that finds no free instance waits for one).
    pub instances: u32,
}

/// The most instances a host runs at once, whatever its budget.
pub const MAX_INSTANCES: u32 = 256;

impl Limits {
    /// How many instances of `memory_bytes` each fit in `budget_bytes`:
    /// at least one, at most [`MAX_INSTANCES`].
    pub fn instances_within(budget_bytes: u64, memory_bytes: usize) -> u32 {
        let each = (memory_bytes as u64).max(1);
        u32::try_from(budget_bytes / each)
            .unwrap_or(MAX_INSTANCES)
            .clamp(1, MAX_INSTANCES)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_bytes: 64 << 20,
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 10 << 20,
            instances: MAX_INSTANCES,
        }
    }
}

/// The memory this process may use: its cgroup's `memory.max` (v2) or
/// `memory.limit_in_bytes` (v1) when one is set, else the machine's
/// `MemTotal`; `None` where neither can be read.
pub fn usable_memory_bytes() -> Option<u64> {
    let cgroup = [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .filter_map(|path| std::fs::read_to_string(path).ok())
    .find_map(|text| text.trim().parse::<u64>().ok());
    let machine = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| meminfo_total(&text));
    match (cgroup, machine) {
        (Some(limit), Some(total)) => Some(limit.min(total)),
        (limit, total) => limit.or(total),
    }
}

/// `MemTotal` of a `/proc/meminfo` text, in bytes.
fn meminfo_total(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut words = line.split_whitespace().skip(1);
    let kib: u64 = words.next()?.parse().ok()?;
    (words.next() == Some("kB")).then_some(kib * 1024)
}

/// How often the epoch ticker thread advances the engine's epoch. Guests
/// yield at every tick, which is what lets a deadline stop a busy loop.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// A loaded application.
pub struct App {
    /// The compiled route table; indices point into `components`.
    pub router: Router,
    /// One per manifest component.
    pub components: Vec<LoadedComponent>,
    /// Limits in force.
    pub limits: Limits,
    /// The engine (shared with the epoch ticker).
    pub engine: Engine,
    /// The instance slots every component takes from (see [`App::drain`]).
    slots: Arc<Semaphore>,
}

impl App {
    /// Instances running now, including guests still working after they
    /// sent their response.
    pub fn instances_in_use(&self) -> usize {
        self.limits.instances as usize - self.slots.available_permits()
    }

    /// Waits until no instance runs (every slot is free again), or until
    /// `deadline`; returns how many were still running then. The server
    /// calls it on shutdown, after it stopped accepting, so that work a
    /// guest does after its response (a notification, a signature) ends.
    pub async fn drain(&self, deadline: tokio::time::Instant) -> usize {
        match tokio::time::timeout_at(deadline, self.slots.acquire_many(self.limits.instances))
            .await
        {
            Ok(Ok(all)) => {
                drop(all);
                0
            }
            _ => self.instances_in_use(),
        }
    }
}

/// A component ready to serve: everything needed to create an instance.
pub struct LoadedComponent {
    /// The manifest id.
    pub id: String,
    engine: Engine,
    pre: ProxyPre<HostState>,
    kv: KvCtx,
    vars: Arc<BTreeMap<String, String>>,
    allowed: Arc<AllowedHosts>,
    mounts: Vec<(PathBuf, String)>,
    limits: Limits,
    /// Free instance slots of the pooling allocator, shared by every component.
    slots: Arc<Semaphore>,
}

/// Why a request got no response from its component.
#[derive(Debug)]
pub enum Failure {
    /// The request's deadline passed first; its instance was stopped.
    Deadline,
    /// The guest trapped (including running out of memory), or its instance
    /// could not be created.
    Trap(anyhow::Error),
    /// The guest's `handle` returned without setting a response.
    NoResponse,
    /// The guest set an error instead of a response.
    Guest(ErrorCode),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Deadline => write!(f, "deadline exceeded, instance stopped"),
            Failure::Trap(e) => write!(f, "{e:#}"),
            Failure::NoResponse => write!(f, "returned without setting a response"),
            Failure::Guest(code) => write!(f, "set an error response: {code:?}"),
        }
    }
}

fn engine(limits: &Limits) -> anyhow::Result<Engine> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    // The pool's sizes: a request waits for a free slot (see `App::slots`)
    // rather than failing when all are in use.
    let instances = limits.instances;
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(instances);
    pool.total_core_instances(instances * 8);
    pool.total_memories(instances * 2);
    pool.total_tables(instances * 4);
    pool.max_memories_per_component(4);
    pool.max_memory_size(limits.memory_bytes);
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    Engine::new(&config).map_err(|e| anyhow::anyhow!("creating the wasmtime engine: {e:?}"))
}

/// Loads a component, from the `.cwasm` cache when it matches both the
/// `.wasm` bytes and this engine.
fn load_component(engine: &Engine, wasm: &Path) -> anyhow::Result<Component> {
    let bytes = std::fs::read(wasm).with_context(|| {
        format!(
            "reading component {} (build it first: `cargo xtask up` does)",
            wasm.display()
        )
    })?;
    let mut compat = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut compat);
    let digest = sha2::Sha256::new()
        .chain_update(&bytes)
        .chain_update(compat.finish().to_le_bytes())
        .finalize();
    let tag: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let stem = wasm
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("component");
    let dir = wasm.parent().unwrap_or(Path::new("."));
    let cached = dir.join(format!("{stem}.{tag}.cwasm"));
    if cached.exists()
        && let Ok(component) = deserialize(engine, &cached)
    {
        return Ok(component);
    }
    let compiled = engine
        .precompile_component(&bytes)
        .map_err(|e| anyhow::anyhow!("compiling {}: {e:?}", wasm.display()))?;
    // Replace older cache entries of this component, then write atomically.
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(&format!("{stem}.")) && name.ends_with(".cwasm") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let tmp = cached.with_extension("cwasm.tmp");
    if std::fs::write(&tmp, &compiled)
        .and_then(|()| std::fs::rename(&tmp, &cached))
        .is_err()
    {
        tracing::warn!("could not cache compiled component at {}", cached.display());
    }
    deserialize_bytes(engine, &compiled)
}

#[allow(unsafe_code)]
fn deserialize(engine: &Engine, path: &Path) -> anyhow::Result<Component> {
    // SAFETY: the file was produced by `Engine::precompile_component` of an
    // engine with the same compatibility hash (it is part of the file name),
    // written by this host into the build directory.
    unsafe { Component::deserialize_file(engine, path) }.map_err(|e| anyhow::anyhow!("{e:?}"))
}

#[allow(unsafe_code)]
fn deserialize_bytes(engine: &Engine, bytes: &[u8]) -> anyhow::Result<Component> {
    // SAFETY: the bytes were just produced by `precompile_component` of this
    // very engine.
    unsafe { Component::deserialize(engine, bytes) }.map_err(|e| anyhow::anyhow!("{e:?}"))
}

fn linker(engine: &Engine) -> anyhow::Result<Linker<HostState>> {
    let mut linker = Linker::<HostState>::new(engine);
    let wrap = |e: wasmtime::Error| anyhow::anyhow!("{e:?}");
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(wrap)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).map_err(wrap)?;
    kv_host::add_to_linker(&mut linker, HostState::kv_view).map_err(wrap)?;
    crate::bindings::fermyon::spin::variables::add_to_linker::<_, VarsHost>(
        &mut linker,
        |s: &mut HostState| &*s.vars,
    )
    .map_err(wrap)?;
    Ok(linker)
}

/// Opens every key-value store any component names.
async fn open_stores(
    manifest: &Manifest,
    runtime: &RuntimeConfig,
    data: &Path,
) -> anyhow::Result<HashMap<String, KvStore>> {
    let mut stores = HashMap::new();
    for label in manifest
        .component
        .values()
        .flat_map(|c| &c.key_value_stores)
    {
        if stores.contains_key(label) {
            continue;
        }
        let store = match runtime.kv(label) {
            Some(KvConfig::Spin { path: Some(path) }) => {
                KvStore::Sqlite(SqliteKv::open(&data.join(path), label)?)
            }
            Some(KvConfig::Spin { path: None }) => KvStore::Sqlite(SqliteKv::in_memory(label)?),
            Some(KvConfig::Redis { url }) => KvStore::Redis(RedisKv::connect(&url).await?),
            None => bail!(
                "a component uses key-value store {label:?}, which the runtime config does not define \
                 (add [key_value_store.{label}])"
            ),
        };
        stores.insert(label.clone(), store);
    }
    Ok(stores)
}

/// Loads `manifest` with `runtime` config, `data` directory and, when the
/// runtime config asks for it, the embedded object store `s3`.
pub async fn load(
    manifest_path: &Path,
    runtime: &RuntimeConfig,
    data: &Path,
    s3: Option<&EmbeddedS3>,
    limits: Limits,
) -> anyhow::Result<App> {
    let manifest = Manifest::load(manifest_path)?;
    let manifest_dir = manifest_path
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf();

    let mut host_vars = BTreeMap::new();
    if let Some(s3) = s3 {
        host_vars.insert("s3_endpoint".to_owned(), s3.endpoint.clone());
        host_vars.insert("s3_bucket".to_owned(), s3.bucket.clone());
        host_vars.insert("s3_access_key".to_owned(), s3.access_key.clone());
        host_vars.insert("s3_secret_key".to_owned(), s3.secret_key.clone());
        host_vars.retain(|k, _| manifest.variables.contains_key(k));
    }
    let app_vars =
        AppVariables::resolve(&manifest.variables, &host_vars, &runtime.variables, |k| {
            std::env::var(k).ok()
        })?;

    let engine = engine(&limits)?;
    let linker = linker(&engine)?;
    let stores = open_stores(&manifest, runtime, data).await?;

    let mut router = Router::default();
    let mut components = Vec::new();
    let slots = Arc::new(Semaphore::new(limits.instances as usize));
    let mut index_of = HashMap::new();
    for (id, def) in &manifest.component {
        let wasm = def.wasm_path(&manifest_dir);
        let component = load_component(&engine, &wasm)?;
        let pre = linker
            .instantiate_pre(&component)
            .map_err(|e| anyhow::anyhow!("component {id}: {e:?}"))?;
        let pre = match ProxyPre::new(pre) {
            Ok(pre) => pre,
            Err(e) => bail!(
                "component {id} does not export wasi:http/incoming-handler@0.2 \
                 (build it with spin-sdk 5's #[http_component]): {e:?}"
            ),
        };
        let mut vars = BTreeMap::new();
        for (name, template) in &def.variables {
            crate::variables::check_name(name)?;
            let value = app_vars
                .expand_optional(template)
                .with_context(|| format!("component {id}, variable {name}"))?;
            if let Some(value) = value {
                vars.insert(name.clone(), value);
            }
        }
        let hosts = def
            .allowed_outbound_hosts
            .iter()
            .map(|h| app_vars.expand(h))
            .collect::<anyhow::Result<Vec<_>>>()
            .with_context(|| format!("component {id}"))?;
        let allowed = AllowedHosts::parse(hosts.iter().map(String::as_str))
            .with_context(|| format!("component {id}"))?;
        let kv = KvCtx::new(
            def.key_value_stores
                .iter()
                .map(|l| (l.clone(), stores[l].clone()))
                .collect(),
        );
        let mounts =
            mounts(&manifest_dir, &def.files).with_context(|| format!("component {id}: files"))?;
        index_of.insert(id.clone(), components.len());
        components.push(LoadedComponent {
            id: id.clone(),
            engine: engine.clone(),
            pre,
            kv,
            vars: Arc::new(vars),
            allowed: Arc::new(allowed),
            mounts,
            limits: limits.clone(),
            slots: slots.clone(),
        });
    }
    for trigger in &manifest.trigger.http {
        router.add(&trigger.route, index_of[&trigger.component])?;
    }
    Ok(App {
        slots,
        router,
        components,
        limits,
        engine,
    })
}

/// Directory mounts for `files`. A pattern mounts its leading literal
/// directory at the same path under `/` (read-only).
fn mounts(manifest_dir: &Path, files: &[FileMount]) -> anyhow::Result<Vec<(PathBuf, String)>> {
    files
        .iter()
        .map(|f| {
            let (source, dest) = match f {
                FileMount::Placement {
                    source,
                    destination,
                } => (source.clone(), destination.clone()),
                FileMount::Pattern(p) => {
                    let literal: Vec<&str> = p
                        .split('/')
                        .take_while(|s| !s.contains(['*', '?', '[']))
                        .collect();
                    let dir = literal.join("/");
                    (dir.clone(), format!("/{dir}"))
                }
            };
            let host = manifest_dir.join(&source);
            if !host.is_dir() {
                bail!("{} is not a directory", host.display());
            }
            Ok((host, dest))
        })
        .collect()
}

impl LoadedComponent {
    fn new_store(&self) -> anyhow::Result<Store<HostState>> {
        let mut wasi = WasiCtxBuilder::new();
        wasi.inherit_stdout().inherit_stderr();
        for (host, guest) in &self.mounts {
            wasi.preopened_dir(host, guest, FsPerms::ReadOnly)
                .map_err(|e| anyhow::anyhow!("mounting {}: {e:?}", host.display()))?;
        }
        let state = HostState {
            table: ResourceTable::new(),
            wasi: wasi.build(),
            http: WasiHttpCtx::new(),
            hooks: OutboundHooks {
                allowed: self.allowed.clone(),
            },
            limits: StoreLimitsBuilder::new()
                .memory_size(self.limits.memory_bytes)
                .trap_on_grow_failure(true)
                .build(),
            kv: self.kv.clone(),
            vars: self.vars.clone(),
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        // Yield to the async runtime at every epoch tick, so that the
        // request's deadline (a timer around the guest) can stop a busy loop.
        store.epoch_deadline_async_yield_and_update(1);
        store.set_epoch_deadline(1);
        Ok(store)
    }

    /// Serves one request with a fresh instance.
    ///
    /// The instance runs in a task of its own, so the response goes out as
    /// soon as the guest sets it (`response-outparam.set`) while the guest
    /// keeps running to the end of `handle` (writing the body, or doing work
    /// after a 202), bounded by the request's deadline. The instance and its
    /// store are dropped when `handle` returns, traps or runs out of time.
    pub async fn handle<B>(
        &self,
        req: http::Request<B>,
    ) -> Result<http::Response<HyperOutgoingBody>, Failure>
    where
        B: hyper::body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<wasmtime_wasi_http::Error>,
    {
        let deadline = tokio::time::Instant::now() + self.limits.request_timeout;
        let slot = match tokio::time::timeout_at(deadline, self.slots.clone().acquire_owned()).await
        {
            Ok(Ok(slot)) => slot,
            Ok(Err(closed)) => return Err(Failure::Trap(closed.into())),
            Err(_) => return Err(Failure::Deadline),
        };
        let mut store = self.new_store().map_err(Failure::Trap)?;
        let (tx, rx) = oneshot::channel();
        let responded = Arc::new(AtomicBool::new(false));
        let (req, out) = {
            let mut http = store.data_mut().http();
            let req = http
                .new_incoming_request(Scheme::Http, req)
                .map_err(|e| Failure::Trap(anyhow::anyhow!("{e:?}")))?;
            let flag = responded.clone();
            let out = http
                .new_response_outparam_from_callback(move |res| {
                    flag.store(true, Ordering::Relaxed);
                    // The receiver is gone only if the client went away.
                    let _ = tx.send(res);
                })
                .map_err(|e| Failure::Trap(anyhow::anyhow!("{e:?}")))?;
            (req, out)
        };
        let pre = self.pre.clone();
        let id = self.id.clone();
        let task = tokio::spawn(async move {
            let run = async {
                let proxy = pre.instantiate_async(&mut store).await?;
                proxy
                    .wasi_http_incoming_handler()
                    .call_handle(&mut store, req, out)
                    .await
            };
            let result = match tokio::time::timeout_at(deadline, run).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(Failure::Trap(anyhow::anyhow!("{e:#}"))),
                Err(_) => Err(Failure::Deadline),
            };
            drop(store);
            drop(slot);
            match result {
                Ok(()) => Ok(()),
                // The client has its response; this is the only report.
                Err(failure) if responded.load(Ordering::Relaxed) => {
                    tracing::warn!("component {id}: after its response: {failure}");
                    Ok(())
                }
                Err(failure) => Err(failure),
            }
        });
        match rx.await {
            Ok(Ok(res)) => Ok(res),
            Ok(Err(code)) => Err(Failure::Guest(code)),
            // The outparam was dropped unset: `handle` has ended one way or
            // another, and the task says which.
            Err(_) => match task.await {
                Ok(Ok(())) => Err(Failure::NoResponse),
                Ok(Err(failure)) => Err(failure),
                Err(join) => Err(Failure::Trap(join.into())),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instances_fit_the_budget_at_their_memory_limit() {
        const MIB: u64 = 1 << 20;
        // Table: budget in MiB, memory per instance in MiB, instances.
        for (budget, each, instances) in [
            (16_384, 64, 256),
            (12_288, 64, 192),
            (1_024, 64, 16),
            (1_000, 64, 15),
            (64, 64, 1),
            (10, 64, 1),
            (1 << 40, 64, MAX_INSTANCES),
        ] {
            let got = Limits::instances_within(budget * MIB, (each * MIB) as usize);
            assert_eq!(got, instances, "{budget} MiB at {each} MiB each");
            assert!(got == 1 || u64::from(got) * each <= budget);
        }
    }

    #[test]
    fn meminfo_total_is_read_in_bytes() {
        let text = "MemTotal:       24576000 kB\nMemFree:        1000 kB\n";
        assert_eq!(meminfo_total(text), Some(24_576_000 * 1024));
        assert_eq!(meminfo_total("MemFree: 1 kB\n"), None);
        assert_eq!(meminfo_total("MemTotal: x kB\n"), None);
    }
}
