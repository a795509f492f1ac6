//! The archives are read back by Info-ZIP's `unzip` (installed by `cargo xtask
//! test`), a reader that is not ours.

use super::*;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use std::process::Command;

fn at() -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, 5)
        .unwrap()
        .and_hms_opt(9, 30, 14)
        .unwrap()
}

/// Writes `bytes` to a file and runs `unzip args... file`.
fn unzip(bytes: &[u8], args: &[&str]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.zip");
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("unzip")
        .args(args)
        .arg(&path)
        .output()
        .expect("unzip is installed (cargo xtask test installs it)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// An archive of a known entry, a streamed one in three pieces and a known
/// one after it.
fn sample(mut zip: Zip) -> Vec<u8> {
    let mut out = zip.whole("mimetype", at(), MIMETYPE.as_bytes()).unwrap();
    out.extend(zip.start("01-cerere.pdf", at(), None).unwrap());
    for piece in [&b"%PDF-1.7 "[..], b"one ", b"two"] {
        zip.data(piece).unwrap();
        out.extend_from_slice(piece);
    }
    out.extend(zip.end().unwrap());
    out.extend(zip.whole("dosar/traseu.json", at(), b"{}").unwrap());
    assert_eq!(zip.written(), out.len() as u64);
    out.extend(zip.finish().unwrap());
    out
}

#[test]
fn unzip_reads_known_and_streamed_entries() {
    let bytes = sample(Zip::new());
    let (ok, report) = unzip(&bytes, &["-t"]);
    assert!(ok, "{report}");
    assert!(report.contains("No errors detected"), "{report}");
    let (ok, text) = unzip(&bytes, &["-p"]);
    assert!(ok);
    assert_eq!(text, format!("{MIMETYPE}%PDF-1.7 one two{{}}"));
    let (_, listing) = unzip(&bytes, &["-l"]);
    assert!(listing.contains("2026-12-05 09:30"), "{listing}");
}

#[test]
fn zip64_fields_are_read_by_unzip() {
    // Every offset and size from 10 bytes on is a ZIP64 field, as past 4 GiB.
    let bytes = sample(Zip::with_zip64_from(10));
    assert!(bytes.windows(4).any(|w| w == 0x0606_4b50u32.to_le_bytes()));
    let (ok, report) = unzip(&bytes, &["-t"]);
    assert!(ok, "{report}");
    let (_, text) = unzip(&bytes, &["-p"]);
    assert_eq!(text, format!("{MIMETYPE}%PDF-1.7 one two{{}}"));
}

#[test]
fn the_mimetype_entry_is_where_asic_readers_look_for_it() {
    let bytes = sample(Zip::new());
    // ETSI EN 319 162-1 §A.1: "mimetype" at offset 30 and its content at 38,
    // stored, no extra field.
    assert_eq!(&bytes[30..38], b"mimetype");
    assert_eq!(&bytes[38..38 + MIMETYPE.len()], MIMETYPE.as_bytes());
    assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), 0, "stored");
    assert_eq!(u16::from_le_bytes([bytes[28], bytes[29]]), 0, "no extra");
}

#[test]
fn bad_entries_are_refused() {
    let mut zip = Zip::new();
    for name in ["", "/etc/passwd", "a/../b", "a\\b", "dir/", "a//b", "x\ny"] {
        assert_eq!(
            zip.start(name, at(), None),
            Err(ZipError::Name(name.to_owned()))
        );
    }
    zip.whole("a", at(), b"1").unwrap();
    assert_eq!(
        zip.whole("a", at(), b"2"),
        Err(ZipError::Duplicate("a".into()))
    );
    let wrong = Known { crc32: 1, size: 3 };
    zip.start("b", at(), Some(wrong)).unwrap();
    assert_eq!(zip.start("c", at(), None), Err(ZipError::Order));
    zip.data(b"abc").unwrap();
    assert_eq!(zip.end(), Err(ZipError::Mismatch("b".into())));
    assert_eq!(zip.end(), Err(ZipError::Order));
}

#[test]
fn the_manifest_lists_every_object_with_its_digest() {
    let data = b"%PDF-1.7";
    let objects = [
        DataObject {
            name: entry_name(1, "cerere semnată.pdf"),
            media_type: "application/pdf".into(),
            sha256: Sha256::digest(data).into(),
        },
        DataObject {
            name: "traseu.json".into(),
            media_type: "application/json".into(),
            sha256: [0; 32],
        },
    ];
    let xml = String::from_utf8(manifest(&objects)).unwrap();
    assert!(xml.contains(
        "<asic:SigReference URI=\"META-INF/signature.p7s\" MimeType=\"application/pkcs7-signature\"/>"
    ));
    assert!(xml.contains("URI=\"01-cerere-semnata.pdf\" MimeType=\"application/pdf\""));
    assert!(xml.contains(&format!(
        "<ds:DigestValue>{}</ds:DigestValue>",
        B64.encode(Sha256::digest(data))
    )));
    assert_eq!(xml.matches("<asic:DataObjectReference").count(), 2);
}

#[test]
fn entry_names_are_safe_and_keep_their_extension() {
    assert_eq!(
        entry_name(3, "Plan etaj 1 (final).PDF"),
        "03-Plan-etaj-1--final-.PDF"
    );
    assert_eq!(entry_name(12, "Szőke Bálint.jpg"), "12-Szoke-Balint.jpg");
    assert_eq!(entry_name(1, "../../x"), "01-x");
    assert_eq!(entry_name(1, "日本"), "01-document");
    let long = entry_name(2, &format!("{}.pdf", "a".repeat(200)));
    assert!(long.len() <= 83 && long.ends_with(".pdf"), "{long}");
    assert_eq!(uri("a b%.pdf"), "a%20b%25.pdf");
}
