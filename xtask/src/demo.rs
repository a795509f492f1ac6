//! The demo's signed document: after the seed, `up` signs the documents the
//! seed left in the president's queue the way a person would, through the
//! desk and the sandbox signing provider (enrol a credential, sign in, select,
//! read the code from the sandbox outbox, enter it), so the demo has issued,
//! verifiable acts whose links go to DATA/demo.json.
//!
//! A plain HTTP/1.1 client over std is enough for loopback.

use anyhow::{Context, Result, bail};

/// An HTTP answer.
pub struct Answer {
    pub status: u16,
    head: String,
    pub body: Vec<u8>,
}

impl Answer {
    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    }

    /// The `name=value` of every cookie the answer sets.
    pub fn cookies(&self) -> Vec<String> {
        self.head
            .lines()
            .filter_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case("set-cookie")
                    .then(|| v.trim().split(';').next().unwrap_or("").to_owned())
            })
            .collect()
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request over one connection: `url` is `http://host:port/path`.
pub fn request(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Result<Answer> {
    use std::io::{Read, Write};
    let rest = url
        .strip_prefix("http://")
        .context("the host URL is not http://")?;
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(a, p)| (a, format!("/{p}")));
    let mut stream = std::net::TcpStream::connect(authority)
        .with_context(|| format!("connecting to {authority}"))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("malformed HTTP response")?;
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("no status line")?;
    let mut body = response[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Ok(Answer { status, head, body })
}

/// Joins the chunks of a chunked body.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&raw[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 || raw.len() < eol + 2 + size {
            break;
        }
        out.extend_from_slice(&raw[eol + 2..eol + 2 + size]);
        raw = &raw[(eol + 4 + size).min(raw.len())..];
    }
    out
}

/// `pairs` as an `application/x-www-form-urlencoded` body.
pub fn form(pairs: &[(&str, &str)]) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The value of the first `name="{field}" value="…"` in `html`.
pub fn field(html: &str, name: &str) -> Option<String> {
    let key = format!("name=\"{name}\" value=\"");
    let at = html.find(&key)? + key.len();
    Some(html[at..].split('"').next()?.to_owned())
}

/// A signer of the seed and the phone their codes go to.
pub struct Signer<'a> {
    pub institution: &'a str,
    pub username: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub phone: &'a str,
}

/// Signs `username` of `institution` in at the desk; returns the `Cookie` header of
/// the session.
pub fn desk_sign_in(
    url: &str,
    institution: &str,
    username: &str,
    password: &str,
) -> Result<String> {
    let page = request("GET", &format!("{url}/desk/login"), &[], b"")?;
    let login_cookie = page.cookies().join("; ");
    let csrf = field(&page.text(), "csrf").context("the sign-in form's token")?;
    let r = request(
        "POST",
        &format!("{url}/desk/login"),
        &[
            ("Cookie", &login_cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        form(&[
            ("csrf", &csrf),
            ("institution", institution),
            ("username", username),
            ("password", password),
        ])
        .as_bytes(),
    )?;
    let session = r.cookies().join("; ");
    if r.status != 303 || session.is_empty() {
        bail!("signing in as {username} answered {}", r.status);
    }
    Ok(session)
}

/// The demo's president (institution cjcluj), who signs what the seed leaves in the queue.
pub const PRESIDENT: Signer<'static> = Signer {
    institution: "cjcluj",
    username: "presedinte",
    display_name: "Președintele Consiliului Județean",
    password: "demo-presedinte-2026",
    phone: "+40700000001",
};

/// Signs every document in `signer`'s queue; returns the verification links.
pub fn sign_queue(url: &str, csc_secret: &str, signer: &Signer<'_>) -> Result<Vec<String>> {
    // A credential at the sandbox provider (idempotent).
    let enrol = serde_json::json!({
        "user_id": format!("{}/{}", signer.institution, signer.username),
        "name": signer.display_name,
        "phone": signer.phone,
    });
    let auth = format!("Bearer {csc_secret}");
    let r = request(
        "POST",
        &format!("{url}/api/v1/sandbox/csc/credentials"),
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        enrol.to_string().as_bytes(),
    )?;
    if !(200..300).contains(&r.status) {
        bail!("enrolling the signer answered {}: {}", r.status, r.text());
    }
    let session = desk_sign_in(url, signer.institution, signer.username, signer.password)?;
    let get = |path: &str| request("GET", &format!("{url}{path}"), &[("Cookie", &session)], b"");
    let post = |path: &str, pairs: &[(&str, &str)]| {
        request(
            "POST",
            &format!("{url}{path}"),
            &[
                ("Cookie", &session),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            form(pairs).as_bytes(),
        )
    };
    // Select everything in the queue.
    let queue = get("/desk/sign")?.text();
    let csrf = field(&queue, "csrf").context("the queue's form token")?;
    let ids: Vec<String> = queue
        .match_indices("name=\"d\" value=\"")
        .filter_map(|(at, m)| queue[at + m.len()..].split('"').next().map(str::to_owned))
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut pairs = vec![("csrf", csrf.as_str())];
    pairs.extend(ids.iter().map(|id| ("d", id.as_str())));
    let r = post("/desk/sign/batches", &pairs)?;
    let batch = r
        .header("location")
        .filter(|_| r.status == 303)
        .with_context(|| format!("starting the batch answered {}: {}", r.status, r.text()))?;
    // The code, from the sandbox outbox (newest first): the message's
    // six-digit word (it also says how many documents the code signs).
    let outbox = get(&format!(
        "/api/v1/sandbox/outbox?to={}",
        signer.phone.replace('+', "%2B")
    ))?;
    let messages: serde_json::Value = serde_json::from_slice(&outbox.body)?;
    let code: String = messages["messages"]
        .as_array()
        .and_then(|m| m.first())
        .and_then(|m| m["text"].as_str())
        .context("no code in the sandbox outbox")?
        .split(|c: char| !c.is_ascii_digit())
        .find(|word| word.len() == 6)
        .context("no six-digit code in the SMS")?
        .to_owned();
    let r = post(&batch, &[("csrf", &csrf), ("otp", &code)])?;
    if r.status != 303 {
        bail!("signing the batch answered {}: {}", r.status, r.text());
    }
    let result: serde_json::Value = serde_json::from_slice(&get(&format!("{batch}.json"))?.body)?;
    Ok(result["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["state"] == "signed")
        .filter_map(|i| i["verify"].as_str())
        .map(|t| format!("{url}/verify/{t}"))
        .collect())
}
