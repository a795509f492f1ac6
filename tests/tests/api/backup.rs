//! `ghiseu backup` / `ghiseu restore` of the embedded default (SQLite and the
//! object store's folder), taken while registrars keep registering.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ghiseu_tests::{Backend, host_binary, sample_pdf, sha256_hex};

/// Runs `ghiseu ARGS`; its status and output.
async fn ghiseu(args: Vec<std::ffi::OsString>) -> (bool, String) {
    let out = tokio::process::Command::new(host_binary())
        .args(args)
        .output()
        .await
        .expect("running ghiseu");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn a_backup_taken_under_load_restores_every_dossier_acknowledged_before_it() {
    // Arrange: dossiers with scans, acknowledged before the backup begins.
    let mut app = crate::desk::spawn(Backend::Sqlite).await;
    if app.engine().is_spin() {
        return; // the embedded default is the own host's
    }
    let desk = app.desk_sign_in("alfa", "reg", "parola-reg").await;
    let mut before = Vec::new();
    for _ in 0..15 {
        let pdf = sample_pdf();
        let sha = sha256_hex(&pdf);
        let r = desk.intake("petitie", &[("scan.pdf", pdf)], &[]).await;
        assert_eq!(r.status(), 303);
        let id = r.headers()["location"]
            .to_str()
            .unwrap()
            .split('/')
            .nth(3)
            .unwrap()
            .to_owned();
        before.push((id, sha));
    }
    // Registrars keep registering while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let (desk, stop) = (desk.clone(), stop.clone());
            tokio::spawn(async move {
                let mut acknowledged = 0;
                while !stop.load(Ordering::Relaxed) {
                    let r = desk
                        .intake("petitie", &[("scan.pdf", sample_pdf())], &[])
                        .await;
                    assert_eq!(r.status(), 303, "a registration during the backup failed");
                    acknowledged += 1;
                }
                acknowledged
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    // Act: back up while they write, then restore into a new directory.
    let out = tempfile::tempdir().unwrap();
    let (ok, said) = ghiseu(vec![
        "backup".into(),
        "--data".into(),
        app.data_dir().into(),
        "--to".into(),
        out.path().join("backup").into(),
    ])
    .await;
    assert!(ok, "backup failed: {said}");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let mut during = 0;
    for w in writers {
        during += w.await.unwrap();
    }
    assert!(during > 0, "nothing was written during the backup");
    let restored = out.path().join("restored");
    let restore = || {
        ghiseu(vec![
            "restore".into(),
            "--from".into(),
            out.path().join("backup").into(),
            "--data".into(),
            restored.clone().into(),
        ])
    };
    let (ok, said) = restore().await;
    assert!(ok, "restore failed: {said}");
    let (again, refused) = restore().await;
    assert!(!again && refused.contains("not empty"), "{refused}");
    app.restart_on(&restored).await;
    let desk = desk.at(&app.address);

    // Assert: every dossier acknowledged before the backup is there, with its
    // scan byte for byte.
    for (id, sha) in &before {
        let page = desk.get(&format!("/desk/dossiers/{id}")).await;
        assert_eq!(
            page.status(),
            200,
            "dossier {id} is missing after the restore"
        );
        let file = desk.get(&format!("/desk/dossiers/{id}/files/{sha}")).await;
        assert_eq!(file.status(), 200, "the scan of {id} is missing");
        assert_eq!(
            &sha256_hex(&file.bytes().await.unwrap()),
            sha,
            "the scan of {id} differs"
        );
    }
    // The restored platform keeps numbering after what it holds.
    let r = desk
        .intake("petitie", &[("scan.pdf", sample_pdf())], &[])
        .await;
    assert_eq!(r.status(), 303);
}
