//! A year of the registry (or a range of its numbers) for the institution's
//! archive: one ZIP holding, under `dosare/`, the sealed container of every
//! dossier registered under those numbers ([`super::bundle`]), then
//! `index.csv` and `index.json` listing every number of the range: its
//! dossier's type, status, dates and department, the container's name,
//! size and SHA-256, or why the number has no dossier (annulled, or a
//! registration that never finished).
//!
//! Everything is sent as it is made: the dossiers are read [`BATCH`] at a
//! time, their manifests sealed with one authorization, and each container
//! is written into the archive's entry as its files are read, so a year of
//! any size needs the memory of one batch's manifests and one file (and the
//! index's rows). The index comes last, because it holds each container's
//! digest, computed as the container is sent.

use chrono::{DateTime, Utc};
use ghiseu_asic::Zip;
use ghiseu_core::calendar::local_datetime;
use ghiseu_core::{Dossier, RegistrationNumber, RegistrationPrefix, Sha256Digest};
use ghiseu_platform::keys::TenantScope;
use ghiseu_platform::kv::Store;
use ghiseu_platform::repo;
use ghiseu_platform::s3::S3Client;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{ByteSink, Sealer, Unsealed};

/// How many dossiers are read and sealed together.
pub const BATCH: usize = 25;

/// Which numbers to export: `first..=last` of `year`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    /// The tenant's registration prefix (to name the numbers without a dossier).
    pub prefix: RegistrationPrefix,
    /// The registry's year.
    pub year: u16,
    /// The first sequence number (from 1).
    pub first: u32,
    /// The last sequence number, included.
    pub last: u32,
}

/// One number of the range, as the index lists it.
#[derive(Debug, Clone, Serialize)]
pub struct IndexRow {
    /// The registration number.
    pub number: String,
    /// `dossier`, `annulled` or `missing` (taken, never registered).
    pub kind: &'static str,
    /// When it was registered (RFC 3339).
    pub registered_at: Option<String>,
    /// The document type's code.
    pub document_type: Option<String>,
    /// The public status's code.
    pub status: Option<String>,
    /// The local date it was closed, if it is.
    pub closed_on: Option<String>,
    /// The department it is in (or was closed in).
    pub department: Option<String>,
    /// How many documents its container holds (the route not counted).
    pub documents: Option<usize>,
    /// The container's path in the archive.
    pub bundle: Option<String>,
    /// The container's size in bytes.
    pub size: Option<u64>,
    /// The container's SHA-256 (hex).
    pub sha256: Option<String>,
}

/// Sends the archive of `range` (the tenant of `scope`) into `sink`,
/// sealing with `sealer` at `now`. An error stops the sending.
pub async fn send(
    store: &Store,
    s3: &S3Client,
    sealer: &Sealer,
    scope: &TenantScope,
    range: Range,
    now: DateTime<Utc>,
    sink: &mut impl ByteSink,
) -> Result<(), String> {
    let at = local_datetime(now);
    let mut zip = Zip::new();
    let mut rows = Vec::new();
    let seqs: Vec<u32> = (range.first..=range.last).collect();
    for chunk in seqs.chunks(BATCH) {
        let found = repo::registered(scope, range.year, chunk).map_err(|e| e.to_string())?;
        let mut dossiers = Vec::new();
        for (seq, dossier) in found {
            match dossier {
                Some(d) => dossiers.push(d),
                None => rows.push(without_dossier(store, scope, &range, seq).await?),
            }
        }
        let unsealed: Vec<Unsealed> = dossiers
            .iter()
            .map(|d| Unsealed::of(d, scope, now))
            .collect();
        let manifests: Vec<&[u8]> = unsealed.iter().map(Unsealed::manifest).collect();
        let seals = sealer
            .seal(&manifests, now)
            .await
            .map_err(|e| e.to_string())?;
        for ((dossier, unsealed), seal) in dossiers.iter().zip(unsealed).zip(seals) {
            let bundle = unsealed.sealed(seal);
            let path = format!("dosare/{}", bundle.file_name());
            sink.send(&zip.start(&path, at, None).map_err(zip_error)?)
                .await?;
            let mut inner = Nested {
                zip: &mut zip,
                sink,
                sha256: Sha256::new(),
                size: 0,
            };
            let documents = bundle.documents();
            bundle.send(s3, &mut inner).await?;
            let (sha256, size) = (inner.sha256.finalize(), inner.size);
            sink.send(&zip.end().map_err(zip_error)?).await?;
            let mut row = dossier_row(dossier);
            row.documents = Some(documents);
            row.bundle = Some(path);
            row.size = Some(size);
            row.sha256 = Some(Sha256Digest::from_bytes(sha256.into()).to_hex());
            rows.push(row);
        }
    }
    rows.sort_by(|a, b| a.number.cmp(&b.number));
    sink.send(&zip.whole("index.csv", at, &csv(&rows)).map_err(zip_error)?)
        .await?;
    let json = serde_json::to_vec_pretty(&rows).map_err(|e| e.to_string())?;
    sink.send(&zip.whole("index.json", at, &json).map_err(zip_error)?)
        .await?;
    sink.send(&zip.finish().map_err(zip_error)?).await
}

fn zip_error(e: ghiseu_asic::ZipError) -> String {
    e.to_string()
}

/// The row of a number without a dossier: annulled, or never finished.
async fn without_dossier(
    store: &Store,
    scope: &TenantScope,
    range: &Range,
    seq: u32,
) -> Result<IndexRow, String> {
    let annulled = repo::annulment(store, scope, range.year, seq)
        .await
        .map_err(|e| e.to_string())?
        .is_some();
    let number = RegistrationNumber::new(range.prefix.clone(), range.year, seq)
        .map_err(|e| e.to_string())?
        .to_string();
    Ok(IndexRow {
        number,
        kind: if annulled { "annulled" } else { "missing" },
        registered_at: None,
        document_type: None,
        status: None,
        closed_on: None,
        department: None,
        documents: None,
        bundle: None,
        size: None,
        sha256: None,
    })
}

fn dossier_row(d: &Dossier) -> IndexRow {
    IndexRow {
        number: d.number().to_string(),
        kind: "dossier",
        registered_at: Some(d.registered_at().to_rfc3339()),
        document_type: Some(d.document_type().as_str().to_owned()),
        status: Some(d.status().code().to_owned()),
        closed_on: d.closed_on().map(|c| c.format("%Y-%m-%d").to_string()),
        department: Some(d.current_department().as_str().to_owned()),
        documents: None,
        bundle: None,
        size: None,
        sha256: None,
    }
}

/// The index as CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheet
/// programs read the diacritics right, CRLF line ends).
fn csv(rows: &[IndexRow]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    out.push_str(
        "number,kind,registered_at,document_type,status,closed_on,department,documents,bundle,size,sha256\r\n",
    );
    let cell = |v: Option<&str>| -> String {
        let v = v.unwrap_or("");
        if v.contains([',', '"', '\r', '\n']) {
            format!("\"{}\"", v.replace('"', "\"\""))
        } else {
            v.to_owned()
        }
    };
    for r in rows {
        let fields = [
            cell(Some(&r.number)),
            cell(Some(r.kind)),
            cell(r.registered_at.as_deref()),
            cell(r.document_type.as_deref()),
            cell(r.status.as_deref()),
            cell(r.closed_on.as_deref()),
            cell(r.department.as_deref()),
            r.documents.map(|n| n.to_string()).unwrap_or_default(),
            cell(r.bundle.as_deref()),
            r.size.map(|n| n.to_string()).unwrap_or_default(),
            cell(r.sha256.as_deref()),
        ];
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// A container sent as the data of the archive's open entry: counted by the
/// archive, hashed, and passed on.
struct Nested<'a, S> {
    zip: &'a mut Zip,
    sink: &'a mut S,
    sha256: Sha256,
    size: u64,
}

impl<S: ByteSink> ByteSink for Nested<'_, S> {
    async fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.zip.data(bytes).map_err(zip_error)?;
        self.sha256.update(bytes);
        self.size += bytes.len() as u64;
        self.sink.send(bytes).await
    }
}

/// The archive's file name: `arhiva-{tenant}-{year}[-{first}-{last}].zip`.
#[must_use]
pub fn file_name(tenant: &str, range: &Range, whole_year: bool) -> String {
    if whole_year {
        format!("arhiva-{tenant}-{}.zip", range.year)
    } else {
        format!(
            "arhiva-{tenant}-{}-{:06}-{:06}.zip",
            range.year, range.first, range.last
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_quotes_what_needs_quoting() {
        let mut row = IndexRow {
            number: "ALF-2026-000001".into(),
            kind: "dossier",
            registered_at: Some("2026-12-05T09:00:00+00:00".into()),
            document_type: Some("petitie".into()),
            status: Some("in_progress".into()),
            closed_on: None,
            department: Some("registratura".into()),
            documents: Some(2),
            bundle: Some("dosare/dosar-ALF-2026-000001.asice".into()),
            size: Some(1234),
            sha256: Some("ab".repeat(32)),
        };
        let text = String::from_utf8(csv(std::slice::from_ref(&row))).unwrap();
        assert!(text.starts_with("\u{feff}number,kind,"));
        assert!(text.ends_with(&format!(
            "ALF-2026-000001,dossier,2026-12-05T09:00:00+00:00,petitie,in_progress,,registratura,2,dosare/dosar-ALF-2026-000001.asice,1234,{}\r\n",
            "ab".repeat(32)
        )));
        row.department = Some("a,\"b\"".into());
        let text = String::from_utf8(csv(&[row])).unwrap();
        assert!(text.contains(",\"a,\"\"b\"\"\","), "{text}");
    }
}
