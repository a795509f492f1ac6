//! `ghiseu backup` and `ghiseu restore`: the embedded default's state (the
//! SQLite key-value files and the object store's folder under `--data`)
//! copied consistently while the platform keeps writing, and put back into
//! an empty data directory.
//!
//! Consistency: each SQLite file is copied with `VACUUM INTO`, one read
//! transaction, so it is the store as of one instant, whatever is written
//! meanwhile. The objects are copied after that: the platform writes an
//! object before the key that refers to it, and never changes an object in
//! place (the object store writes a temporary file and renames it), so every
//! object a copied key names is already there. Objects written after the
//! key-value copy are copied too, if they are there by then; they are simply
//! not referred to yet. The in-memory `ephemeral` store (rate-limit counters)
//! is not copied.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail, ensure};
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

/// What a backup holds; written as `backup.json` beside the copies.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    /// The format of this directory.
    pub format: u32,
    /// When the key-value copy was taken (RFC 3339, UTC).
    pub taken_at: String,
    /// The key-value files: name, keys, SHA-256 of the copy.
    pub key_value: Vec<KvFile>,
    /// Objects copied, and their bytes.
    pub objects: u64,
    /// Bytes of all the objects.
    pub object_bytes: u64,
}

/// One SQLite key-value file in a backup.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct KvFile {
    /// The file's name in the data directory (e.g. `kv.db`).
    pub file: String,
    /// Rows (keys of every store label in it).
    pub keys: u64,
    /// SHA-256 of the copy, hex.
    pub sha256: String,
}

const FORMAT: u32 = 1;
const MANIFEST: &str = "backup.json";
const OBJECTS: &str = "objects";

/// The SQLite files of a data directory: `*.db` at its top.
fn kv_files(data: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(data).with_context(|| format!("reading {}", data.display()))? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "db") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Opens `path` and checks it: SQLite's integrity check passes; the rows.
fn checked_rows(path: &Path) -> anyhow::Result<u64> {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let verdict: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    ensure!(
        verdict == "ok",
        "{}: integrity check: {verdict}",
        path.display()
    );
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM spin_key_value", [], |r| r.get(0))
        .with_context(|| format!("{} is not a Spin key-value file", path.display()))?;
    Ok(rows as u64)
}

/// Whether `dir` is missing or has nothing in it.
fn is_empty_dir(dir: &Path) -> anyhow::Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e).with_context(|| format!("reading {}", dir.display())),
    }
}

/// Copies the object tree `from` into `to` (skipping the object store's
/// temporary files), each file synced; (files, bytes).
fn copy_objects(from: &Path, to: &Path) -> anyhow::Result<(u64, u64)> {
    let (mut files, mut bytes) = (0, 0);
    if !from.exists() {
        return Ok((0, 0));
    }
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let name = entry.file_name();
        let (src, dst) = (entry.path(), to.join(&name));
        let kind = entry.file_type()?;
        if kind.is_dir() {
            let (f, b) = copy_objects(&src, &dst)?;
            files += f;
            bytes += b;
        } else if kind.is_file() {
            let text = name.to_string_lossy();
            if text.starts_with(".tmp.") && text.ends_with(".internal.part") {
                continue;
            }
            match std::fs::copy(&src, &dst) {
                Ok(n) => {
                    std::fs::File::open(&dst)?.sync_all()?;
                    files += 1;
                    bytes += n;
                }
                // Deleted since it was listed (retention): nothing refers to it.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("copying {}", src.display())),
            }
        }
    }
    Ok((files, bytes))
}

/// Backs up the data directory `data` into `to`, which must be empty or
/// missing. Safe while a host serves from `data`.
pub fn backup(data: &Path, to: &Path) -> anyhow::Result<Manifest> {
    ensure!(data.is_dir(), "{} is not a data directory", data.display());
    ensure!(
        is_empty_dir(to)?,
        "{} is not empty: back up into a new directory",
        to.display()
    );
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    // The host is not a component: its one clock read stamps the manifest.
    #[allow(clippy::disallowed_methods)]
    let taken_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut key_value = Vec::new();
    for file in kv_files(data)? {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .context("a key-value file name that is not UTF-8")?
            .to_owned();
        let copy = to.join(&name);
        let conn = rusqlite::Connection::open(&file)?;
        // Wait for a writer rather than fail: the host holds write locks briefly.
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.execute("VACUUM INTO ?1", [copy.to_string_lossy()])
            .with_context(|| format!("copying {}", file.display()))?;
        std::fs::File::open(&copy)?.sync_all()?;
        key_value.push(KvFile {
            keys: checked_rows(&copy)?,
            sha256: sha256_file(&copy)?,
            file: name,
        });
    }
    ensure!(
        !key_value.is_empty(),
        "{} has no key-value file (*.db): is it a data directory of `ghiseu up`?",
        data.display()
    );
    let (objects, object_bytes) = copy_objects(&data.join(OBJECTS), &to.join(OBJECTS))?;
    let manifest = Manifest {
        format: FORMAT,
        taken_at,
        key_value,
        objects,
        object_bytes,
    };
    let path = to.join(MANIFEST);
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest)?)?;
    std::fs::File::open(&path)?.sync_all()?;
    Ok(manifest)
}

/// Restores the backup `from` into the data directory `data`, which must be
/// empty or missing (no host may be serving from it). Checks every copy
/// against the backup's manifest first.
pub fn restore(from: &Path, data: &Path) -> anyhow::Result<Manifest> {
    let manifest_path = from.join(MANIFEST);
    let text = std::fs::read(&manifest_path)
        .with_context(|| format!("{} is not a backup (no {MANIFEST})", from.display()))?;
    let manifest: Manifest = serde_json::from_slice(&text)
        .with_context(|| format!("reading {}", manifest_path.display()))?;
    if manifest.format != FORMAT {
        bail!(
            "backup format {} is not known (this ghiseu reads {FORMAT})",
            manifest.format
        );
    }
    for kv in &manifest.key_value {
        let path = from.join(&kv.file);
        ensure!(
            sha256_file(&path)? == kv.sha256,
            "{}: the file differs from the one backed up",
            path.display()
        );
        ensure!(
            checked_rows(&path)? == kv.keys,
            "{}: key count differs",
            path.display()
        );
    }
    ensure!(
        is_empty_dir(data)?,
        "{} is not empty: restore into a new data directory (move the current one aside)",
        data.display()
    );
    std::fs::create_dir_all(data).with_context(|| format!("creating {}", data.display()))?;
    for kv in &manifest.key_value {
        let dst = data.join(&kv.file);
        std::fs::copy(from.join(&kv.file), &dst)?;
        std::fs::File::open(&dst)?.sync_all()?;
    }
    let (objects, bytes) = copy_objects(&from.join(OBJECTS), &data.join(OBJECTS))?;
    ensure!(
        (objects, bytes) == (manifest.objects, manifest.object_bytes),
        "restored {objects} objects ({bytes} bytes), the backup lists {} ({} bytes)",
        manifest.objects,
        manifest.object_bytes
    );
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let conn = rusqlite::Connection::open(dir.path().join("kv.db")).unwrap();
        conn.execute_batch(
            "CREATE TABLE spin_key_value (store TEXT, key TEXT, value BLOB, PRIMARY KEY (store, key));
             INSERT INTO spin_key_value VALUES ('default', 'a', x'01'), ('default', 'b', x'02');",
        )
        .unwrap();
        let bucket = dir.path().join("objects/ghiseu/scans");
        std::fs::create_dir_all(&bucket).unwrap();
        std::fs::write(bucket.join("one.pdf"), b"%PDF one").unwrap();
        std::fs::write(bucket.join(".tmp.7.internal.part"), b"half").unwrap();
        dir
    }

    #[test]
    fn a_backup_restores_into_an_empty_directory_only() {
        let data = data_dir();
        let out = tempfile::tempdir().unwrap();
        let to = out.path().join("b");
        let taken = backup(data.path(), &to).unwrap();
        assert_eq!(taken.key_value[0].keys, 2);
        assert_eq!(taken.objects, 1, "the temporary part is not an object");

        let into = out.path().join("restored");
        assert_eq!(restore(&to, &into).unwrap(), taken);
        assert_eq!(
            std::fs::read(into.join("objects/ghiseu/scans/one.pdf")).unwrap(),
            b"%PDF one"
        );
        let again = restore(&to, &into).unwrap_err().to_string();
        assert!(again.contains("not empty"), "{again}");
        let twice = backup(data.path(), &to).unwrap_err().to_string();
        assert!(twice.contains("not empty"), "{twice}");
    }

    #[test]
    fn a_damaged_backup_is_refused_and_nothing_is_restored() {
        let data = data_dir();
        let out = tempfile::tempdir().unwrap();
        let to = out.path().join("b");
        backup(data.path(), &to).unwrap();
        std::fs::write(to.join("kv.db"), b"not sqlite").unwrap();
        let into = out.path().join("restored");
        let err = restore(&to, &into).unwrap_err().to_string();
        assert!(err.contains("differs"), "{err}");
        assert!(!into.exists(), "a refused restore wrote something");
        let none = restore(out.path(), &into).unwrap_err().to_string();
        assert!(none.contains("not a backup"), "{none}");
    }
}
