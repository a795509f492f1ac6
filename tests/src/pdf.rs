//! Signed PDFs: real documents to sign and the outside tools that judge them.

/// A real PDF (the cerere renderer's, one page) whose only field says `text`:
/// different texts give different documents.
pub fn real_pdf(text: &str) -> Vec<u8> {
    use chrono::TimeZone;
    let fields = [ghiseu_cerere::Field {
        label: "Conținut",
        value: text,
    }];
    ghiseu_cerere::render(&ghiseu_cerere::Cerere {
        lang: ghiseu_cerere::Lang::Ro,
        institution: "Consiliul Județean Alfa",
        document_type: "Răspuns",
        applicant: ghiseu_cerere::Applicant {
            name: "Instituția",
            ..ghiseu_cerere::Applicant::default()
        },
        fields: &fields,
        attachments: &[],
        submitted_at: chrono::Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap(),
        reference: None,
    })
    .expect("rendering a test PDF")
    .bytes
}

/// An installed command-line tool (poppler-utils, openssl), or a clear failure.
fn tool(name: &str, package: &str) -> std::process::Command {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`{name}` is not installed: these tests need Debian `{package}` \
         (`cargo xtask test` installs it)"
    );
    std::process::Command::new(name)
}

/// Poppler's `pdfsig` report on `pdf` (stdout and stderr).
pub fn pdfsig(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signed.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = tool("pdfsig", "poppler-utils")
        .arg(&path)
        .env("TZ", "UTC")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned() + &*String::from_utf8_lossy(&out.stderr)
}

/// Poppler's `pdftotext` of every page of `pdf`.
pub fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = tool("pdftotext", "poppler-utils")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `openssl cms -verify` of the last signature of `pdf` (its CMS, over its
/// byte ranges) against the CA certificate `ca_pem`: (verified, output).
pub fn openssl_cms_verify(pdf: &[u8], ca_pem: &str) -> (bool, String) {
    let (signed, cms) = split_signed(pdf);
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("content"), signed).unwrap();
    std::fs::write(p("sig.der"), cms).unwrap();
    std::fs::write(p("ca.pem"), ca_pem).unwrap();
    let out = tool("openssl", "openssl")
        .args(["cms", "-verify", "-binary", "-inform", "DER", "-in"])
        .arg(p("sig.der"))
        .arg("-content")
        .arg(p("content"))
        .arg("-CAfile")
        .arg(p("ca.pem"))
        .args(["-purpose", "any", "-out", "/dev/null"])
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &*String::from_utf8_lossy(&out.stderr),
    )
}

/// The bytes a PDF's last signature covers and its DER CMS (without the zero
/// padding), read from the last `/ByteRange` the way a validator does.
pub fn split_signed(pdf: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let key = b"/ByteRange [";
    let at = pdf
        .windows(key.len())
        .rposition(|w| w == key)
        .expect("a /ByteRange")
        + key.len();
    let end = at + pdf[at..].iter().position(|&b| b == b']').unwrap();
    let range: Vec<usize> = std::str::from_utf8(&pdf[at..end])
        .unwrap()
        .split_whitespace()
        .map(|s| s.parse().unwrap())
        .collect();
    let (a, b) = (range[1], range[2]);
    let mut signed = pdf[..a].to_vec();
    signed.extend_from_slice(&pdf[b..b + range[3]]);
    let bytes: Vec<u8> = pdf[a + 1..b - 1]
        .chunks(2)
        .map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap(), 16).unwrap())
        .collect();
    assert_eq!(bytes[0], 0x30, "a DER SEQUENCE");
    let len = if bytes[1] < 0x80 {
        2 + usize::from(bytes[1])
    } else {
        let n = usize::from(bytes[1] & 0x7f);
        2 + n
            + bytes[2..2 + n]
                .iter()
                .fold(0usize, |acc, &b| acc << 8 | usize::from(b))
    };
    (signed, bytes[..len].to_vec())
}
