//! Replays every saved fuzz input through its target on stable: the corpus
//! the fuzzer kept (`fuzz/corpus/<target>`) and every crash it found
//! (`fuzz/regressions/<target>`, kept forever once fixed).

use std::path::{Path, PathBuf};

use ghiseu_fuzz_targets::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of `dir` (none when it does not exist), sorted.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|f| f.is_file());
    files.sort();
    files
}

fn replay(kind: &str) -> usize {
    let mut failed = Vec::new();
    let mut count = 0;
    for (name, target, _) in TARGETS {
        for file in inputs(&fuzz_dir().join(kind).join(name)) {
            let data = std::fs::read(&file).expect("readable input");
            count += 1;
            if std::panic::catch_unwind(|| target(&data)).is_err() {
                failed.push(file.display().to_string());
            }
        }
    }
    assert!(
        failed.is_empty(),
        "inputs that fail their target: {failed:#?}"
    );
    count
}

#[test]
fn every_corpus_input_passes_its_target() {
    for (name, _, _) in TARGETS {
        let dir = fuzz_dir().join("corpus").join(name);
        assert!(
            !inputs(&dir).is_empty(),
            "no saved corpus for {name} in {}",
            dir.display()
        );
    }
    assert!(replay("corpus") > 0);
}

#[test]
fn every_crash_found_stays_fixed() {
    replay("regressions");
}

#[test]
fn every_saved_directory_names_a_target() {
    for kind in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz_dir().join(kind)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                TARGETS.iter().any(|(t, _, _)| *t == name),
                "fuzz/{kind}/{name} is no target's"
            );
        }
    }
}
