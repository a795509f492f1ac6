//! The bulk-signing benchmark (DESIGN §8: "25 documents in under 1 s end to
//! end on the sandbox provider; cost linear in N up to 500"; issue 19 asks
//! for 25 in at most 0.3 s and 500 in at most 5 s, [`TARGETS`]).
//!
//! The host runs the production `spin.toml` with the sandbox signing provider.
//! For every N a fresh tenant is seeded (setup, not measured) with N dossiers
//! waiting for signature, each with a one-page response PDF rendered by the
//! seed; the signer is enrolled at the sandbox provider and signs in at the
//! desk. Then, timed, the two requests a signer makes:
//!
//! - select: `POST /desk/sign/batches` with the N dossier ids (each PDF gets
//!   its visible stamp, the hashes are computed, the provider sends a code);
//! - sign: `POST /desk/sign/batches/{id}` with the code (one authorize and one
//!   signHash, then per document: embed the CMS, store the signed PDF, record
//!   signed + issued, publish the tracking snapshot, notify the citizen, write
//!   the verification record).
//!
//! Reading the code from the sandbox outbox between the two (the person
//! typing it) and the redirects' pages are not timed. Every document must come
//! out signed, or the run fails.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::HeaderMap;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpStream;

/// The batch sizes measured; 500 is the most one batch may hold.
pub const SIZES: [usize; 4] = [1, 25, 100, 500];
/// The end-to-end targets (issue 19): a batch's size and the most its select
/// and sign may take together.
const TARGETS: [(usize, Duration); 2] = [
    (25, Duration::from_millis(300)),
    (500, Duration::from_secs(5)),
];
/// Dossiers per seed request, so no single request nears the host's deadline.
const SEED_CHUNK: usize = 25;
const SIGNER: &str = "semnatar";
const SIGNER_PASSWORD: &str = "parola-semnatar-bench";

/// One measured batch.
pub struct Row {
    pub documents: usize,
    pub select: Duration,
    pub sign: Duration,
}

impl Row {
    fn total(&self) -> Duration {
        self.select + self.sign
    }

    fn per_document(&self) -> Duration {
        self.total() / self.documents.max(1) as u32
    }
}

/// Starts the host with the production manifest and the sandbox provider,
/// signs a warm-up batch of one document, then one batch of every size.
pub async fn rows(root: &Path, host_bin: &Path) -> Result<Vec<Row>> {
    let dirs = crate::ProductionDirs::new("ghiseu-bench-sign-")?;
    let admin = crate::random_hex()?;
    let csc = crate::random_hex()?;
    let (callback, sandbox_key, notify) = (
        crate::random_hex()?,
        crate::random_hex()?,
        crate::random_hex()?,
    );
    let env = [
        ("SPIN_VARIABLE_PLATFORM_ADMIN_TOKEN", admin.as_str()),
        ("SPIN_VARIABLE_SANDBOX_ENABLED", "true"),
        ("SPIN_VARIABLE_CSC_CLIENT_SECRET", csc.as_str()),
        ("SPIN_VARIABLE_CSC_CALLBACK_SECRET", callback.as_str()),
        ("SPIN_VARIABLE_SANDBOX_KEY_SECRET", sandbox_key.as_str()),
        ("SPIN_VARIABLE_NOTIFY_SECRET", notify.as_str()),
        (
            "SPIN_VARIABLE_PUBLIC_BASE_URL",
            "http://ghiseu.bench.invalid",
        ),
    ];
    // A batch of 500 may outlast the default 30 s deadline on a slow machine;
    // the table should show how long it takes rather than a timeout.
    let (mut child, addr) = crate::start_host(
        host_bin,
        &root.join("spin.toml"),
        &dirs.runtime_config,
        &dirs.data,
        &env,
        &["--request-timeout-ms", "600000"],
    )
    .await?;
    let result = async {
        let mut rows = Vec::new();
        // The first batch pays for cold code paths; it is not reported.
        for (i, n) in std::iter::once(1).chain(SIZES).enumerate() {
            let slug = if i == 0 {
                "bench-warmup".to_owned()
            } else {
                format!("bench-{n}")
            };
            let phone = format!("+407000{i:05}");
            let started = Instant::now();
            seed(addr, &admin, &slug, n).await?;
            enroll(addr, &csc, &slug, &phone).await?;
            println!(
                "{slug}: {n} dossiers awaiting signature, seeded in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            let row = sign_all(addr, &slug, &phone, n).await?;
            if i > 0 {
                rows.push(row);
            }
        }
        Ok(rows)
    }
    .await;
    let _ = child.kill().await;
    result
}

fn tenant(slug: &str, with_officials: bool, dossiers: Vec<Value>) -> Value {
    let officials = if with_officials {
        json!([
            {"username": "registru", "display_name": "Rita Registru", "department": "registratura",
             "roles": ["registrar"], "password": "parola-registru-bench"},
            {"username": "sef", "display_name": "Sorin Șef", "department": "urbanism",
             "roles": ["head_of_department"], "password": "parola-sef-bench"},
            {"username": SIGNER, "display_name": "Silviu Semnatar", "department": null,
             "roles": ["signer"], "password": SIGNER_PASSWORD}
        ])
    } else {
        // Officials are kept between seeds; not naming them again saves
        // checking their passwords on every chunk.
        json!([])
    };
    json!({
        "slug": slug, "name": format!("Consiliul Județean {slug}"), "kind": "county_council",
        "registration_prefix": "BEN", "languages": ["ro"],
        "departments": [
            {"code": "registratura", "name": "Registratura"},
            {"code": "urbanism", "name": "Direcția Urbanism"}
        ],
        "officials": officials,
        "document_types": [
            {"code": "certificat-urbanism", "titles": {"ro": "Certificat de urbanism"},
             "deadline": {"count": "calendar_days", "days": 30}, "first_department": "urbanism",
             "signature": "qualified"}
        ],
        "demo_dossiers": dossiers,
    })
}

/// One dossier waiting for signature: assigned, a response letter attached
/// (the seed renders it as a one-page PDF), sent for signature. The citizen
/// has an e-mail address, so issuing notifies them.
fn dossier(slug: &str, i: usize) -> Value {
    json!({
        "key": format!("semnat-{i}"), "document_type": "certificat-urbanism",
        "registrar": "registru", "citizen_name": "Petent Bench",
        "email": format!("petent{i}@example.ro"),
        "actions": [
            {"by": "sef", "action": "assign", "department": "urbanism"},
            {"by": "sef", "action": "attach_response", "text": format!(
                "Ca urmare a cererii nr. {i} adresate instituției {slug}, se emite certificatul \
                 de urbanism pentru imobilul din strada Eroilor nr. {i}, în scopul informării. \
                 Certificatul este valabil 24 de luni de la data emiterii.")},
            {"by": "sef", "action": "send_for_signature"}
        ]
    })
}

/// Seeds tenant `slug` with `n` dossiers waiting for signature, in chunks.
async fn seed(addr: SocketAddr, admin: &str, slug: &str, n: usize) -> Result<()> {
    let mut first = true;
    let mut done = 0;
    while first || done < n {
        let chunk: Vec<Value> = (done..n.min(done + SEED_CHUNK))
            .map(|i| dossier(slug, i))
            .collect();
        let count = chunk.len();
        let body = json!({"tenants": [tenant(slug, first, chunk)]});
        let answer = crate::post_json(
            addr,
            "/api/v1/platform/seed",
            admin,
            body.to_string().into_bytes(),
        )
        .await
        .with_context(|| format!("seeding {slug}"))?;
        for d in answer["dossiers"].as_array().into_iter().flatten() {
            if d["status"] != "awaiting_signature" {
                bail!("seeded dossier {d} is not awaiting signature");
            }
        }
        first = false;
        done += count;
    }
    Ok(())
}

/// Enrolls the tenant's signer at the sandbox provider, codes going to `phone`.
async fn enroll(addr: SocketAddr, csc_secret: &str, slug: &str, phone: &str) -> Result<()> {
    let body =
        json!({"user_id": format!("{slug}/{SIGNER}"), "name": "Silviu Semnatar", "phone": phone});
    crate::post_json(
        addr,
        "/api/v1/sandbox/csc/credentials",
        csc_secret,
        body.to_string().into_bytes(),
    )
    .await
    .with_context(|| format!("enrolling {slug}/{SIGNER}"))?;
    Ok(())
}

/// Signs in as the signer, selects the whole queue (which must hold `n`
/// documents), enters the code, and checks that all `n` were signed.
async fn sign_all(addr: SocketAddr, slug: &str, phone: &str, n: usize) -> Result<Row> {
    let session = sign_in(addr, slug, SIGNER, SIGNER_PASSWORD).await?;
    let get = |path: String| {
        let session = session.clone();
        async move {
            let r = send(
                addr,
                Method::GET,
                &path,
                &[("cookie", &session)],
                Vec::new(),
            )
            .await?;
            if r.status != StatusCode::OK {
                bail!("GET {path} answered {}: {}", r.status, r.text());
            }
            Ok(r)
        }
    };
    let queue = get("/desk/sign".to_owned()).await?.text();
    let csrf = field(&queue, "csrf").context("the signing queue has no csrf field")?;
    let ids = all_fields(&queue, "d");
    if ids.len() != n {
        bail!(
            "{slug}: the signing queue lists {} documents, not {n}",
            ids.len()
        );
    }
    let mut pairs = vec![("csrf", csrf.as_str())];
    pairs.extend(ids.iter().map(|id| ("d", id.as_str())));
    let form_headers = [
        ("cookie", session.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];

    let t = Instant::now();
    let r = send(
        addr,
        Method::POST,
        "/desk/sign/batches",
        &form_headers,
        form(&pairs).into_bytes(),
    )
    .await?;
    let select = t.elapsed();
    let batch = match r.header("location") {
        Some(l) if r.status == StatusCode::SEE_OTHER => l,
        _ => bail!(
            "selecting {n} documents answered {}: {}",
            r.status,
            r.text()
        ),
    };

    let outbox = get(format!(
        "/api/v1/sandbox/outbox?to={}",
        phone.replace('+', "%2B")
    ))
    .await?;
    let messages: Value = serde_json::from_slice(&outbox.body)?;
    // The code is the message's six-digit word (it also says how many
    // documents it signs).
    let code: String = messages["messages"][0]["text"]
        .as_str()
        .context("no code in the sandbox outbox")?
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .context("no six-digit code in the SMS")?
        .to_owned();

    let t = Instant::now();
    let r = send(
        addr,
        Method::POST,
        &batch,
        &form_headers,
        form(&[("csrf", &csrf), ("otp", &code)]).into_bytes(),
    )
    .await?;
    let sign = t.elapsed();
    if r.status != StatusCode::SEE_OTHER {
        bail!("signing {n} documents answered {}: {}", r.status, r.text());
    }

    let result: Value = serde_json::from_slice(&get(format!("{batch}.json")).await?.body)?;
    let items = result["items"]
        .as_array()
        .context("the batch has no items")?;
    let signed = items.iter().filter(|i| i["state"] == "signed").count();
    if items.len() != n || signed != n {
        let failed: Vec<&Value> = items.iter().filter(|i| i["state"] != "signed").collect();
        bail!(
            "{slug}: {signed} of {n} documents signed ({} items); not signed: {}",
            items.len(),
            serde_json::to_string(&failed.iter().take(3).collect::<Vec<_>>())?
        );
    }
    Ok(Row {
        documents: n,
        select,
        sign,
    })
}

/// Signs in at the desk as `user` of tenant `slug`; the session cookie.
pub async fn sign_in(addr: SocketAddr, slug: &str, user: &str, password: &str) -> Result<String> {
    let page = send(addr, Method::GET, "/desk/login", &[], Vec::new()).await?;
    let login_cookie = page.cookies();
    let csrf = field(&page.text(), "csrf").context("the sign-in form has no csrf field")?;
    let r = send(
        addr,
        Method::POST,
        "/desk/login",
        &[
            ("cookie", &login_cookie),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        form(&[
            ("csrf", &csrf),
            ("institution", slug),
            ("username", user),
            ("password", password),
        ])
        .into_bytes(),
    )
    .await?;
    let session = r.cookies();
    if r.status != StatusCode::SEE_OTHER || !session.contains("ghiseu_desk=") {
        bail!("signing in as {slug}/{user} answered {}", r.status);
    }
    Ok(session)
}

pub struct Answer {
    pub status: StatusCode,
    headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        Some(self.headers.get(name)?.to_str().ok()?.to_owned())
    }

    /// The `name=value` pairs of the answer's `set-cookie` headers, as a
    /// `cookie` header.
    fn cookies(&self) -> String {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request on a new connection (loopback: connecting costs microseconds).
pub async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Result<Answer> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let response = sender
        .send_request(req.body(Full::new(Bytes::from(body)))?)
        .await
        .with_context(|| format!("requesting {path}"))?;
    let (parts, body) = response.into_parts();
    Ok(Answer {
        status: parts.status,
        headers: parts.headers,
        body: body.collect().await?.to_bytes(),
    })
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// The value of every `name="{name}" value="…"` in `html`.
fn all_fields(html: &str, name: &str) -> Vec<String> {
    let key = format!("name=\"{name}\" value=\"");
    html.match_indices(&key)
        .filter_map(|(at, m)| html[at + m.len()..].split('"').next().map(str::to_owned))
        .collect()
}

pub fn field(html: &str, name: &str) -> Option<String> {
    all_fields(html, name).into_iter().next()
}

/// The section of the printed output.
pub fn print_table(rows: &[Row]) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "| {:>9} | {:>9} | {:>9} | {:>9} | {:>11} |",
        "documents", "select ms", "sign ms", "total ms", "ms/document"
    );
    println!(
        "|{:->11}|{:->11}|{:->11}|{:->11}|{:->13}|",
        "", "", "", "", ""
    );
    for r in rows {
        println!(
            "| {:>9} | {:>9.0} | {:>9.0} | {:>9.0} | {:>11.1} |",
            r.documents,
            ms(r.select),
            ms(r.sign),
            ms(r.total()),
            ms(r.per_document())
        );
    }
    let find = |n: usize| rows.iter().find(|r| r.documents == n);
    // Issue 19: 25 documents in at most 0.3 s and 500 in at most 5 s, end
    // to end (select + sign), on the sandbox provider on a 2-core machine.
    for (n, target) in TARGETS {
        if let Some(r) = find(n) {
            println!(
                "{n} documents end to end: {:.0} ms ({} the {:.1} s target)",
                ms(r.total()),
                if r.total() <= target {
                    "within"
                } else {
                    "OVER"
                },
                target.as_secs_f64()
            );
        }
    }
    if let (Some(small), Some(large)) = (find(25), find(500)) {
        println!(
            "per document at 500 vs 25: {:.1} ms vs {:.1} ms ({:.2}×; 1.00 is linear)",
            ms(large.per_document()),
            ms(small.per_document()),
            large.per_document().as_secs_f64() / small.per_document().as_secs_f64()
        );
    }
    println!("every document of every batch came out signed");
}
