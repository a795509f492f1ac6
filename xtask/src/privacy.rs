//! No personal data in any log line: after the test run, every log the
//! harness kept (`target/test-logs/`, each host's, Spin's and the cluster's
//! output) is searched for the personal data the tests and the demo seed
//! use: phone numbers, e-mail addresses and CNPs (personal numeric codes).
//! The values are taken from the test sources and the seeds themselves, so a
//! new test's data is covered without a list to keep.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

/// Files the personal data is taken from.
fn sources(root: &Path) -> Vec<PathBuf> {
    ["tests/tests", "tests/src", "tests/browser", "infra/seed"]
        .iter()
        .flat_map(|dir| crate::files_under(&root.join(dir)))
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "rs" || e == "mjs" || e == "json")
        })
        .collect()
}

/// Runs of ASCII digits in `text`, with the byte before each.
fn digit_runs(text: &str) -> impl Iterator<Item = (Option<u8>, &str)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let before = start.checked_sub(1).map(|b| bytes[b]);
        Some((before, &text[start..i]))
    })
}

/// Whether `digits` is a CNP: 13 digits, a first digit 1-8, a month and a
/// day of birth that exist, and the control digit of the official weights.
fn is_cnp(digits: &str) -> bool {
    let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
    if d.len() != 13 || !(1..=8).contains(&d[0]) {
        return false;
    }
    let (month, day) = (d[3] * 10 + d[4], d[5] * 10 + d[6]);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return false;
    }
    let weights = [2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9];
    let sum: u32 = d.iter().zip(weights).map(|(a, w)| a * w).sum();
    let control = match sum % 11 {
        10 => 1,
        c => c,
    };
    control == d[12]
}

/// The phone numbers, e-mail addresses and CNPs written in `text`.
pub fn personal_data(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (before, run) in digit_runs(text) {
        let international = before == Some(b'+') && run.len() == 11 && run.starts_with("407");
        let national = run.len() == 10 && run.starts_with("07");
        if international {
            found.push(format!("+{run}"));
            found.push(format!("0{}", &run[2..]));
        } else if national || is_cnp(run) {
            found.push(run.to_owned());
        }
    }
    for (at, _) in text.match_indices('@') {
        let local = text[..at]
            .bytes()
            .rev()
            .take_while(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(b))
            .count();
        let domain = text[at + 1..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || b".-".contains(b))
            .count();
        let domain_text = text[at + 1..at + 1 + domain].trim_end_matches('.');
        if local > 0 && domain_text.contains('.') {
            found.push(format!("{}@{domain_text}", &text[at - local..at]));
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Whether `value` appears in `line` as a whole: not as part of a longer run
/// of digits (a request id, a duration) or of a longer address.
fn appears(line: &str, value: &str) -> bool {
    let part_of = |b: u8| b.is_ascii_alphanumeric() || b"._%+-@".contains(&b);
    line.match_indices(value).any(|(at, _)| {
        let before = line[..at].bytes().next_back();
        let rest = &line.as_bytes()[at + value.len()..];
        // A full stop ends a sentence unless more of a name or number follows.
        let after_ok = match rest {
            [] => true,
            [b'.', next, ..] => !next.is_ascii_alphanumeric(),
            [b'.'] => true,
            [b, ..] => !part_of(*b),
        };
        !before.is_some_and(part_of) && after_ok
    })
}

/// Fails if any log under `logs` holds personal data from the sources.
pub fn check(root: &Path, logs: &Path) -> Result<()> {
    let mut values = Vec::new();
    for source in sources(root) {
        let text = std::fs::read_to_string(&source)
            .with_context(|| format!("reading {}", source.display()))?;
        values.extend(personal_data(&text));
    }
    values.sort();
    values.dedup();
    if values.len() < 5 {
        bail!(
            "only {} personal values found in the test sources: the search is broken",
            values.len()
        );
    }
    let files = crate::files_under(logs);
    let mut bytes = 0;
    let mut leaks = Vec::new();
    for file in &files {
        let text = String::from_utf8_lossy(&std::fs::read(file)?).into_owned();
        bytes += text.len();
        for (n, line) in text.lines().enumerate() {
            for value in &values {
                if appears(line, value) {
                    leaks.push(format!(
                        "{}:{}: {value}: {}",
                        file.display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    if files.is_empty() || bytes == 0 {
        bail!(
            "no test logs under {}: the harness did not keep them",
            logs.display()
        );
    }
    println!(
        "searched {} log files ({} KB) for {} phone numbers, e-mail addresses and CNPs \
         from the tests and seeds",
        files.len(),
        bytes / 1024,
        values.len()
    );
    if !leaks.is_empty() {
        leaks.truncate(30);
        bail!(
            "personal data in the logs (first {}):\n{}",
            leaks.len(),
            leaks.join("\n")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_phones_emails_and_cnps_but_not_other_numbers() {
        let text = r#"phone: "+40745123456", "0745000111", mail ana.pop@example.ro.
            cnp "1800101221144" and a timestamp 1796400000000, id 5000000000275"#;
        let found = personal_data(text);
        for want in [
            "+40745123456",
            "0745123456",
            "0745000111",
            "ana.pop@example.ro",
            "1800101221144",
        ] {
            assert!(found.contains(&want.to_owned()), "{want} in {found:?}");
        }
        assert!(!found.iter().any(|f| f == "1796400000000"), "{found:?}");
        assert!(!found.iter().any(|f| f == "5000000000275"), "{found:?}");
    }

    #[test]
    fn a_value_counts_only_as_a_whole() {
        assert!(appears("sms to +40745123456 sent", "+40745123456"));
        assert!(appears("to=0745123456,", "0745123456"));
        assert!(!appears("ms=0.61010745123456001", "0745123456"));
        assert!(!appears("id=ab0745123456cd", "0745123456"));
        assert!(appears("mail ana.pop@example.ro.", "ana.pop@example.ro"));
        assert!(!appears("xana.pop@example.ro", "ana.pop@example.ro"));
    }

    #[test]
    fn a_log_line_with_a_seeded_phone_fails_the_check() {
        let dir = std::env::temp_dir().join(format!("xtask-privacy-{}", std::process::id()));
        let logs = dir.join("logs");
        std::fs::create_dir_all(&logs).unwrap();
        std::fs::write(logs.join("a.log"), "sent code to +40745123456\n").unwrap();
        let err = check(&crate::root(), &logs).unwrap_err().to_string();
        assert!(err.contains("+40745123456"), "{err}");
        std::fs::write(logs.join("a.log"), "sent a code\n").unwrap();
        check(&crate::root(), &logs).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
