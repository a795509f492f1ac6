//! The host under test: `ghiseu up` on a free loopback port over fresh stores,
//! seeded with the demo; the identities schemathesis runs as (the platform admin
//! token, desk sessions, a citizen signed up through the portal); and the names of
//! real things (institutions, tracking and verification tokens, dossiers, files,
//! document types and departments) that the document's path parameters take half
//! of the time, so answers about existing things are checked too.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::demo;

/// One schemathesis run: its name and the headers sent with every request.
pub struct Pass {
    pub name: String,
    pub headers: Vec<String>,
}

/// The desk identities of the demo (institution cjcluj), with their roles' names.
const OFFICIALS: [(&str, &str, &str); 3] = [
    ("registrar", "maria.pop", "demo-registratura-2026"),
    ("signer", demo::PRESIDENT.username, demo::PRESIDENT.password),
    ("tenant admin", "admin.cjc", "demo-admin-cjc-2026"),
];

/// The host, stopped on drop.
pub struct Host {
    child: Child,
    pub url: String,
    admin_token: String,
    csc_secret: String,
    seeded: Value,
}

impl Host {
    /// `ghiseu up` on a free port over fresh stores in `dir`, seeded with the demo;
    /// its log goes to `log` (among the test run's logs, which the privacy step reads).
    pub fn start(dir: &Path, log: &Path) -> Result<Self> {
        let admin_token = crate::random_hex(32)?;
        let csc_secret = crate::random_hex(24)?;
        std::fs::create_dir_all(log.parent().context("a log directory")?)?;
        let log = std::fs::File::create(log)?;
        let mut child = Command::new(crate::host_binary())
            .current_dir(crate::root())
            .args(["up", "--manifest", "spin.toml"])
            .args(["--runtime-config", crate::LOCAL_RUNTIME_CONFIG])
            .args(["--listen", "127.0.0.1:0", "--data"])
            .arg(dir.join("data"))
            .env(crate::ADMIN_TOKEN_ENV, &admin_token)
            .env(crate::CSC_SECRET_ENV, &csc_secret)
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
            csc_secret,
            seeded: Value::Null,
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
        host.seeded = serde_json::from_slice(&body).context("the seed's answer")?;
        Ok(host)
    }

    fn get(&self, path: &str, cookie: &str) -> Result<demo::Answer> {
        demo::request(
            "GET",
            &format!("{}{path}", self.url),
            &[("Cookie", cookie)],
            b"",
        )
    }

    /// The passes: anonymous, then each identity.
    pub fn passes(&self) -> Result<Vec<Pass>> {
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
        for (role, user, password) in OFFICIALS {
            let cookie = demo::desk_sign_in(&self.url, "cjcluj", user, password)?;
            let session = self.get("/api/v1/admin/session", &cookie)?;
            let csrf = serde_json::from_slice::<Value>(&session.body)
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
        let outbox = self.get(&format!("/api/v1/sandbox/outbox?to=%2B{}", &PHONE[1..]), "")?;
        let messages: Value = serde_json::from_slice(&outbox.body)?;
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
        if r.status != 303 || jar.get("ghiseu_citizen").is_none() {
            bail!("verifying the citizen answered {}: {}", r.status, r.text());
        }
        Ok(jar.header())
    }

    /// A schemathesis config (`schemathesis.toml`) whose dictionaries hold the
    /// names of real things, each path parameter taking one of them half of the
    /// time. The president signs the demo's queue first, so issued documents have
    /// verification tokens.
    pub fn known_values(&self) -> Result<String> {
        let verify = demo::sign_queue(&self.url, &self.csc_secret, &demo::PRESIDENT)?;
        let last_segment = |url: &str| url.rsplit('/').next().unwrap_or_default().to_owned();
        let strings = |v: &Value| -> Vec<String> {
            let items = v.as_array().into_iter().flatten();
            items
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        };
        let mut tokens: Vec<String> = verify.iter().map(|u| last_segment(u)).collect();
        for d in self.seeded["dossiers"].as_array().into_iter().flatten() {
            tokens.extend(d["tracking_url"].as_str().map(last_segment));
        }
        let (_, user, password) = OFFICIALS[0];
        let registrar = demo::desk_sign_in(&self.url, "cjcluj", user, password)?;
        let registry = self.get("/desk?view=registry", &registrar)?.text();
        let dossiers = links(&registry, "/desk/dossiers/");
        let mut files = Vec::new();
        for id in dossiers.iter().take(20) {
            let page = self
                .get(&format!("/desk/dossiers/{id}"), &registrar)?
                .text();
            files.extend(links(&page, &format!("/desk/dossiers/{id}/files/")));
        }
        let (_, user, password) = OFFICIALS[2];
        let admin = demo::desk_sign_in(&self.url, "cjcluj", user, password)?;
        let mut codes = Vec::new();
        for list in ["document-types", "departments"] {
            let answer = self.get(&format!("/api/v1/admin/{list}"), &admin)?;
            let items: Value = serde_json::from_slice(&answer.body).unwrap_or_default();
            let items = items.as_array().into_iter().flatten();
            codes.extend(items.filter_map(|i| i["code"].as_str().map(str::to_owned)));
        }
        Ok(config(&[
            (
                "tenants",
                strings(&self.seeded["tenants"]),
                &["slug", "tenant"],
            ),
            ("tokens", tokens, &["token"]),
            ("dossiers", dossiers, &["id"]),
            ("files", files, &["sha256"]),
            ("codes", codes, &["code", "type"]),
        ]))
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Each distinct path segment that follows `prefix` in an `href` of `html`.
fn links(html: &str, prefix: &str) -> Vec<String> {
    let key = format!("href=\"{prefix}");
    let mut found: Vec<String> = html
        .match_indices(&key)
        .filter_map(|(at, _)| {
            let rest = &html[at + key.len()..];
            let end = rest.find(['"', '/', '?'])?;
            Some(rest[..end].to_owned())
        })
        .filter(|s| !s.is_empty())
        .collect();
    found.sort();
    found.dedup();
    found
}

/// `schemathesis.toml` with one dictionary per entry, bound to the path
/// parameters it names with probability one half; empty dictionaries are left out.
fn config(entries: &[(&str, Vec<String>, &[&str])]) -> String {
    let quote = |s: &str| Value::from(s).to_string();
    let mut dictionaries = String::new();
    let mut parameters = String::from("[parameters]\n");
    for (name, values, params) in entries.iter().filter(|(_, v, _)| !v.is_empty()) {
        let values: Vec<String> = values.iter().map(|v| quote(v)).collect();
        dictionaries.push_str(&format!(
            "[dictionaries.{name}]\nvalues = [{}]\n\n",
            values.join(", ")
        ));
        for param in *params {
            parameters.push_str(&format!(
                "{} = {{ dictionary = {}, probability = 0.5 }}\n",
                quote(&format!("path.{param}")),
                quote(name)
            ));
        }
    }
    dictionaries + &parameters
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_the_config_of_known_values() {
        let html = r#"<a href="/desk/dossiers/A1">x</a><a href="/desk/dossiers/B2/receipt">
            <a href="/desk/dossiers/A1?x=1">"#;
        assert_eq!(links(html, "/desk/dossiers/"), ["A1", "B2"]);
        let toml = config(&[
            ("tenants", vec!["cjcluj".into()], &["slug", "tenant"]),
            ("files", Vec::new(), &["sha256"]),
        ]);
        assert_eq!(
            toml,
            "[dictionaries.tenants]\nvalues = [\"cjcluj\"]\n\n[parameters]\n\
             \"path.slug\" = { dictionary = \"tenants\", probability = 0.5 }\n\
             \"path.tenant\" = { dictionary = \"tenants\", probability = 0.5 }\n"
        );
    }
}
