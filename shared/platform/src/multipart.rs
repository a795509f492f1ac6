//! `multipart/form-data` (RFC 7578) over a fully read, size-limited body: a
//! pure function, unit-tested natively (and a fuzzing target).

use std::collections::HashMap;

/// One part of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The field name.
    pub name: String,
    /// The file name, for file fields.
    pub filename: Option<String>,
    /// The part's bytes.
    pub data: Vec<u8>,
}

/// Why a body is not a well-formed form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed multipart/form-data: {0}")]
pub struct MultipartError(pub &'static str);

/// The boundary of a `multipart/form-data` Content-Type.
#[must_use]
pub fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let kind = params.next()?.trim();
    if !kind.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty() && b.len() <= 70)
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The parameters of a `Content-Disposition: form-data; name="a"; filename="b"`.
fn disposition(value: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for param in value.split(';').skip(1) {
        if let Some((k, v)) = param.split_once('=') {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            out.insert(k.trim().to_ascii_lowercase(), v.replace("\\\"", "\""));
        }
    }
    out
}

/// The text of the first part named `name` that is not a file, if it is
/// valid UTF-8.
#[must_use]
pub fn text<'a>(parts: &'a [Part], name: &str) -> Option<&'a str> {
    parts
        .iter()
        .find(|p| p.name == name && p.filename.is_none())
        .and_then(|p| std::str::from_utf8(&p.data).ok())
}

/// Splits `body` into its parts, at most `max_parts`.
pub fn parse(body: &[u8], boundary: &str, max_parts: usize) -> Result<Vec<Part>, MultipartError> {
    let delimiter = format!("--{boundary}");
    let next_delimiter = format!("\r\n--{boundary}");
    let mut pos =
        find(body, delimiter.as_bytes(), 0).ok_or(MultipartError("no boundary"))? + delimiter.len();
    let mut parts = Vec::new();
    loop {
        let rest = &body[pos..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        if !rest.starts_with(b"\r\n") {
            return Err(MultipartError("boundary not followed by CRLF"));
        }
        pos += 2;
        let head_end =
            find(body, b"\r\n\r\n", pos).ok_or(MultipartError("unterminated headers"))?;
        let head = std::str::from_utf8(&body[pos..head_end])
            .map_err(|_| MultipartError("headers not UTF-8"))?;
        let mut name = None;
        let mut filename = None;
        for line in head.split("\r\n") {
            let Some((k, v)) = line.split_once(':') else {
                return Err(MultipartError("malformed header"));
            };
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                let params = disposition(v);
                name = params.get("name").cloned();
                filename = params.get("filename").cloned();
            }
        }
        let name = name.ok_or(MultipartError("part without a name"))?;
        let data_start = head_end + 4;
        let data_end = find(body, next_delimiter.as_bytes(), data_start)
            .ok_or(MultipartError("unterminated part"))?;
        if parts.len() == max_parts {
            return Err(MultipartError("too many parts"));
        }
        parts.push(Part {
            name,
            filename,
            data: body[data_start..data_end].to_vec(),
        });
        pos = data_end + next_delimiter.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields_and_files() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue 1\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"scan.pdf\"\r\n\
Content-Type: application/pdf\r\n\r\n%PDF-1.4\r\n\x00\xff\r\n--XyZ--\r\n";
        let parts = parse(body, "XyZ", 10).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "a");
        assert_eq!(parts[0].data, b"value 1");
        assert_eq!(parts[1].filename.as_deref(), Some("scan.pdf"));
        assert_eq!(parts[1].data, b"%PDF-1.4\r\n\x00\xff");
    }

    #[test]
    fn refuses_malformed_bodies() {
        for body in [
            &b""[..],
            b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end",
            b"--XyZ\r\nno colon\r\n\r\nx\r\n--XyZ--",
            b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--",
            b"--XyZxx",
        ] {
            assert!(parse(body, "XyZ", 10).is_err(), "{body:?}");
        }
        let two = b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b\r\n\
Content-Disposition: form-data; name=\"a\"\r\n\r\n2\r\n--b--";
        assert!(parse(two, "b", 1).is_err());
        assert_eq!(parse(two, "b", 2).unwrap().len(), 2);
    }

    #[test]
    fn boundary_from_content_type() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"abc\"").as_deref(),
            Some("abc")
        );
        assert_eq!(
            boundary("multipart/form-data;boundary=x1").as_deref(),
            Some("x1")
        );
        assert_eq!(boundary("application/json"), None);
    }
}
