//! The submission benchmark: the desk's registry intake, `POST /desk/intake`
//! (multipart), of a paper document with one scanned page of about 1 MB, by
//! the demo seed's first registrar, on the host and on Spin alike (there is no
//! native baseline: the intake path is the whole platform). Every request
//! registers a dossier: the scan goes to the object store (the same bytes every
//! time, so one object, overwritten), the number is taken, the dossier, its
//! indexes and tracking snapshot are written; the answer must be the 303 to its
//! receipt. A fixed number of requests per side and row, so the run is bounded.

use std::net::SocketAddr;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpStream;

use crate::Sample;
use crate::memory::Sampler;
use crate::signing::{field, send, sign_in};

/// Requests measured per side and row, in [`crate::ROUNDS`] alternating
/// rounds of 64 (a multiple of every connection count).
pub const REQUESTS: usize = 192;
/// Unmeasured intakes per side before the first row.
const WARMUP: usize = 4;
/// The scanned page's size.
pub const SCAN_BYTES: usize = 1 << 20;
const PATH: &str = "/desk/intake";

/// Who registers, and what: from the demo seed.
pub struct Registrar {
    tenant: String,
    username: String,
    password: String,
    document_type: String,
}

impl Registrar {
    /// The seed's first tenant's first registrar, and its first document type
    /// that is a petition if there is one.
    pub fn of_seed(seed: &Value) -> Result<Self> {
        let tenant = seed["tenants"].get(0).context("the seed has no tenant")?;
        let official = tenant["officials"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|o| {
                o["roles"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|r| r == "registrar"))
            })
            .context("the seed's first tenant has no registrar")?;
        let types: Vec<&str> = tenant["document_types"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["code"].as_str())
            .collect();
        let document_type = types
            .iter()
            .find(|c| c.contains("petitie"))
            .or(types.first())
            .context("the seed's first tenant has no document type")?;
        let text = |v: &Value, what: &str| {
            v.as_str()
                .map(str::to_owned)
                .with_context(|| format!("the seed has no {what}"))
        };
        Ok(Self {
            tenant: text(&tenant["slug"], "tenant slug")?,
            username: text(&official["username"], "registrar username")?,
            password: text(&official["password"], "registrar password")?,
            document_type: (*document_type).to_owned(),
        })
    }

    pub fn describe(&self) -> String {
        format!(
            "{}/{}, document type {}",
            self.tenant, self.username, self.document_type
        )
    }
}

/// A scanned page: a PDF header, about 1 MB of incompressible bytes (as a
/// scan's image data is), and the end-of-file marker.
pub fn scan() -> Result<Bytes> {
    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let tail = b"\n%%EOF\n";
    let mut filler = vec![0u8; SCAN_BYTES - pdf.len() - tail.len()];
    getrandom::fill(&mut filler).map_err(|e| anyhow::anyhow!("random: {e}"))?;
    pdf.extend(filler);
    pdf.extend(tail);
    Ok(Bytes::from(pdf))
}

/// A registrar signed in on one side, with the intake form ready to post.
#[derive(Clone)]
pub struct Desk {
    pub addr: SocketAddr,
    pub pids: Vec<u32>,
    name: &'static str,
    cookie: String,
    content_type: String,
    body: Bytes,
}

impl Desk {
    /// Signs in on `addr`, reads the session's CSRF token, builds the form,
    /// and registers one document to check that the intake works.
    pub async fn sign_in(
        name: &'static str,
        addr: SocketAddr,
        pids: Vec<u32>,
        who: &Registrar,
        scan: &Bytes,
    ) -> Result<Self> {
        let cookie = sign_in(addr, &who.tenant, &who.username, &who.password)
            .await
            .with_context(|| format!("{name}: signing in"))?;
        let inbox = send(
            addr,
            Method::GET,
            "/desk",
            &[("cookie", &cookie)],
            Vec::new(),
        )
        .await?;
        if inbox.status != StatusCode::OK {
            bail!("{name}: GET /desk answered {}", inbox.status);
        }
        let csrf = field(&inbox.text(), "csrf").context("the desk has no csrf field")?;
        let boundary = format!("ghiseu-bench-{}", crate::random_hex()?);
        let mut body = Vec::with_capacity(scan.len() + 1024);
        for (name, value) in [
            ("csrf", csrf.as_str()),
            ("document_type", &who.document_type),
        ] {
            body.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n\
                     {value}\r\n"
                )
                .into_bytes(),
            );
        }
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"scan\"; \
                 filename=\"cerere.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .into_bytes(),
        );
        body.extend_from_slice(scan);
        body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
        let desk = Self {
            addr,
            pids,
            name,
            cookie,
            content_type: format!("multipart/form-data; boundary={boundary}"),
            body: Bytes::from(body),
        };
        let mut sender = desk.connect().await?;
        desk.post(&mut sender)
            .await
            .with_context(|| format!("{name}: the first intake"))?;
        Ok(desk)
    }

    async fn connect(&self) -> Result<Sender> {
        let stream = TcpStream::connect(self.addr).await?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        Ok(sender)
    }

    /// One intake; it must answer the redirect to the new dossier's receipt.
    async fn post(&self, sender: &mut Sender) -> Result<()> {
        sender.ready().await?;
        let req = Request::post(PATH)
            .header("host", self.addr.to_string())
            .header("cookie", &self.cookie)
            .header("content-type", &self.content_type)
            .body(Full::new(self.body.clone()))?;
        let response = sender.send_request(req).await?;
        let status = response.status();
        let location = response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = response.into_body().collect().await?.to_bytes();
        if status != StatusCode::SEE_OTHER || !location.ends_with("/receipt") {
            let text = String::from_utf8_lossy(&body);
            bail!(
                "POST {PATH} answered {status} {location}: {}",
                text.chars().take(300).collect::<String>()
            );
        }
        Ok(())
    }

    /// `count` intakes over `conns` keep-alive connections, each posting its
    /// share back to back; the resident memory of the side sampled meanwhile.
    async fn load(&self, conns: usize, count: usize) -> Result<Sample> {
        let mut senders = Vec::with_capacity(conns);
        for _ in 0..conns {
            senders.push(self.connect().await?);
        }
        let sampler = Sampler::start(&self.pids);
        let start = Instant::now();
        let mut tasks = Vec::with_capacity(conns);
        for (i, mut sender) in senders.into_iter().enumerate() {
            let share = count / conns + usize::from(i < count % conns);
            let desk = self.clone();
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(share);
                let (mut errors, mut first_error) = (0usize, None);
                for _ in 0..share {
                    let t = Instant::now();
                    match desk.post(&mut sender).await {
                        Ok(()) => latencies.push(t.elapsed()),
                        Err(e) => {
                            errors += 1;
                            first_error.get_or_insert(format!("{e:#}"));
                            if let Ok(s) = desk.connect().await {
                                sender = s;
                            }
                        }
                    }
                }
                (latencies, errors, first_error)
            }));
        }
        let mut sample = Sample::default();
        let mut first_error = None;
        for task in tasks {
            let (latencies, errors, error) = task.await?;
            sample.latencies.extend(latencies);
            sample.errors += errors;
            first_error = first_error.or(error);
        }
        sample.measured = start.elapsed();
        sample.rss_kb = sampler.stop().await;
        if let Some(e) = first_error {
            println!(
                "warning: {} of {count} intakes failed on {} at {conns} connections; first: {e}",
                sample.errors, self.name
            );
        }
        Ok(sample)
    }
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

/// Every side at 1, 16 and 64 connections, [`REQUESTS`] intakes per side and
/// row in alternating rounds (after a few unmeasured ones); per row, the
/// sides' measurements in the order of `desks`.
pub async fn measure(desks: &[Desk]) -> Result<Vec<(usize, Vec<crate::Stats>)>> {
    for desk in desks {
        let mut sender = desk.connect().await?;
        for _ in 0..WARMUP {
            desk.post(&mut sender).await?;
        }
    }
    let per_round = REQUESTS / crate::ROUNDS as usize;
    let mut rows = Vec::new();
    for conns in crate::CONNECTIONS {
        let mut samples: Vec<Sample> = desks.iter().map(|_| Sample::default()).collect();
        for _ in 0..crate::ROUNDS {
            for (desk, sample) in desks.iter().zip(&mut samples) {
                sample.add(desk.load(conns, per_round).await?);
            }
        }
        rows.push((conns, samples.into_iter().map(Sample::stats).collect()));
    }
    Ok(rows)
}
