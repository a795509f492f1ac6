//! What a schemathesis run did, read from its NDJSON report: operations, examples,
//! responses checked, the failures of the checks (once each) and the run's errors.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result};

/// The totals of one run, or of several added up.
#[derive(Default)]
pub struct Totals {
    pub operations: u64,
    pub examples: u64,
    pub responses: u64,
    /// `METHOD path: check: message`, once each.
    pub failures: BTreeSet<String>,
    /// Errors of the run (a case that could not be generated or sent), once each.
    pub errors: BTreeSet<String>,
}

impl Totals {
    pub fn read(report: &Path) -> Result<Self> {
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
            totals.error(&event["NonFatalError"]);
            let recorder = &event["ScenarioFinished"]["recorder"];
            totals.examples += recorder["cases"].as_object().map_or(0, |m| m.len() as u64);
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

    fn error(&mut self, error: &serde_json::Value) {
        if error.is_null() {
            return;
        }
        let message = error["value"]["message"].as_str().unwrap_or("");
        self.errors.insert(format!(
            "{}: {}: {}",
            error["label"].as_str().unwrap_or("?"),
            error["value"]["type"].as_str().unwrap_or("?"),
            first_lines(message)
        ));
    }

    /// Whether the run found nothing to fail on.
    pub fn clean(&self) -> bool {
        self.failures.is_empty() && self.errors.is_empty()
    }

    pub fn add(&mut self, other: &Self) {
        self.operations = self.operations.max(other.operations);
        self.examples += other.examples;
        self.responses += other.responses;
        self.failures.extend(other.failures.iter().cloned());
        self.errors.extend(other.errors.iter().cloned());
    }

    pub fn print(&self, version: &str, passes: usize) {
        println!(
            "\nschemathesis {version}: {} operations, {passes} passes (anonymous and each \
             identity), {} examples, {} responses checked, {} distinct failures, {} errors",
            self.operations,
            self.examples,
            self.responses,
            self.failures.len(),
            self.errors.len()
        );
        for line in self.failures.iter().chain(&self.errors) {
            println!("  {line}");
        }
    }
}

/// The first two lines of a message (what was received and what is documented),
/// without the schema and value that follow.
fn first_lines(message: &str) -> String {
    message.lines().take(2).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_adds_up_and_fails_on_a_check_or_an_error() {
        let dir = std::env::temp_dir().join(format!("xtask-st-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let report = dir.join("r.ndjson");
        let lines = [
            r#"{"LoadingFinished":{"statistic":{"operations":{"selected":3}}}}"#,
            r#"{"ScenarioFinished":{"recorder":{"label":"GET /a","cases":{"x":{},"y":{}},"interactions":{"x":{"response":{"status_code":200}},"y":{"response":null}},"checks":{"x":[{"name":"not_a_server_error","status":"success"}]}}}}"#,
        ];
        std::fs::write(&report, lines.join("\n")).unwrap();
        let clean = Totals::read(&report).unwrap();
        assert_eq!(
            (clean.operations, clean.examples, clean.responses),
            (3, 2, 1)
        );
        assert!(clean.clean());

        let failing = [
            r#"{"ScenarioFinished":{"recorder":{"label":"GET /a","cases":{"z":{}},"interactions":{"z":{"response":{"status_code":500}}},"checks":{"z":[{"name":"not_a_server_error","status":"failure","failure_info":{"failure":{"operation":"GET /a","title":"Server error","message":"Received: 500\nmore"}}}]}}}}"#,
            r#"{"NonFatalError":{"label":"POST /b","value":{"type":"SerializationNotPossible","message":"No serializer"}}}"#,
        ];
        std::fs::write(&report, failing.join("\n")).unwrap();
        let failed = Totals::read(&report).unwrap();
        assert!(!failed.clean());
        assert_eq!(
            failed.failures.iter().collect::<Vec<_>>(),
            ["GET /a: Server error: Received: 500; more"]
        );
        assert_eq!(failed.errors.len(), 1);

        let mut sum = Totals::default();
        sum.add(&clean);
        sum.add(&failed);
        assert_eq!((sum.operations, sum.examples, sum.responses), (3, 3, 2));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
