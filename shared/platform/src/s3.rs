//! An S3 client for components: requests go out through the component's
//! outbound HTTP (`wasi:http`), so the endpoint must be listed in the
//! component's `allowed_outbound_hosts`.
//!
//! Requests are presigned with `rusty-s3` (SigV4 in the query string, payload
//! unsigned), path-style, so they work against any S3-compatible server: the
//! host's embedded one, Garage, MinIO, Ceph RGW or AWS S3.

use std::time::Duration;

use bytes::Bytes;
use http::{Method, StatusCode, header};
use rusty_s3::actions::ListObjectsV2;
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use url::Url;

use crate::http::read_body;
use crate::{Error, Result};

/// How long a presigned request stays valid: it is used at once, so this only
/// needs to absorb clock skew between the component's host and the server.
const SIGNATURE_TTL: Duration = Duration::from_secs(5 * 60);

/// The most this client buffers of an object or a listing page.
pub const MAX_OBJECT_BYTES: usize = 64 * 1024 * 1024;

/// How much of an S3 error document is kept in [`Error::S3Status`].
const ERROR_DETAIL_BYTES: usize = 4 * 1024;

/// Where and how to reach the object store.
#[derive(Clone)]
pub struct S3Config {
    /// Base URL of the server, e.g. `http://127.0.0.1:9000`.
    pub endpoint: String,
    /// Bucket name.
    pub bucket: String,
    /// Signing region, e.g. `us-east-1` (`garage` for Garage).
    pub region: String,
    /// Access key id.
    pub access_key: String,
    /// Secret access key.
    pub secret_key: String,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key", &self.access_key)
            .finish_non_exhaustive()
    }
}

impl S3Config {
    /// Reads the component variables `s3_endpoint`, `s3_bucket`,
    /// `s3_region`, `s3_access_key` and `s3_secret_key`.
    pub async fn from_variables() -> Result<Self> {
        Ok(Self {
            endpoint: variable("s3_endpoint").await?,
            bucket: variable("s3_bucket").await?,
            region: variable("s3_region").await?,
            access_key: variable("s3_access_key").await?,
            secret_key: variable("s3_secret_key").await?,
        })
    }
}

async fn variable(name: &str) -> Result<String> {
    crate::config::variable(name).map_err(|e| Error::Variable {
        name: name.to_owned(),
        message: describe_variable_error(&e),
    })
}

fn describe_variable_error(e: &spin_sdk::variables::Error) -> String {
    use spin_sdk::variables::Error as E;
    match e {
        E::InvalidName(m) => format!("invalid name: {m}"),
        E::Undefined(m) => format!("undefined: {m}"),
        E::Provider(m) => format!("provider: {m}"),
        E::Other(m) => m.clone(),
    }
}

/// An object as listed by [`S3Client::list_objects`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// The object's key.
    pub key: String,
    /// The object's size in bytes.
    pub size: u64,
}

/// A client for one bucket. Cheap to build; build one per request (no
/// per-request state in globals).
pub struct S3Client {
    bucket: Bucket,
    credentials: Credentials,
}

impl S3Client {
    /// A client for the bucket described by `config`.
    pub fn new(config: S3Config) -> Result<Self> {
        let endpoint = Url::parse(&config.endpoint)
            .map_err(|e| Error::S3Config(format!("s3_endpoint `{}`: {e}", config.endpoint)))?;
        let bucket = Bucket::new(endpoint, UrlStyle::Path, config.bucket, config.region)
            .map_err(|e| Error::S3Config(e.to_string()))?;
        Ok(Self {
            bucket,
            credentials: Credentials::new(config.access_key, config.secret_key),
        })
    }

    /// A client configured from the `s3_*` component variables.
    pub async fn from_variables() -> Result<Self> {
        Self::new(S3Config::from_variables().await?)
    }

    /// Stores `body` at `key` with the given `Content-Type`.
    ///
    /// The body is handed to the outbound stream without being copied.
    pub async fn put_object(
        &self,
        key: &str,
        body: impl Into<Bytes>,
        content_type: &str,
    ) -> Result<()> {
        let body: Bytes = body.into();
        let mut action = self.bucket.put_object(Some(&self.credentials), key);
        // Signed, so a proxy cannot change how the object will be served.
        action.headers_mut().insert("content-type", content_type);
        let url = action.sign(SIGNATURE_TTL);
        let request = http::Request::builder()
            .method(Method::PUT)
            .uri(url.as_str())
            .header(header::CONTENT_TYPE, content_type)
            // S3 refuses chunked uploads (411), so always say the length.
            .header(header::CONTENT_LENGTH, body.len())
            .body(body)
            .map_err(|e| Error::Outbound(e.to_string()))?;
        let response = send("PutObject", request).await?;
        expect_success("PutObject", response).await.map(drop)
    }

    /// The bytes stored at `key`, or `None` if there is no such object.
    pub async fn get_object(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let url = self
            .bucket
            .get_object(Some(&self.credentials), key)
            .sign(SIGNATURE_TTL);
        let response = send("GetObject", empty_request(Method::GET, &url)?).await?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        expect_success("GetObject", response).await.map(Some)
    }

    /// Deletes the object at `key`; deleting an absent object succeeds.
    pub async fn delete_object(&self, key: &str) -> Result<()> {
        let url = self
            .bucket
            .delete_object(Some(&self.credentials), key)
            .sign(SIGNATURE_TTL);
        let response = send("DeleteObject", empty_request(Method::DELETE, &url)?).await?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(());
        }
        expect_success("DeleteObject", response).await.map(drop)
    }

    /// When the object at `key` was last written (its `Last-Modified`, to the
    /// second), or `None` if there is no such object. A content-addressed
    /// object written again with the same bytes gets a new time.
    pub async fn last_modified(&self, key: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        let url = self
            .bucket
            .head_object(Some(&self.credentials), key)
            .sign(SIGNATURE_TTL);
        let response = send("HeadObject", empty_request(Method::HEAD, &url)?).await?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        // A HEAD answer has no body to read, whatever its length says.
        let unreadable = |detail: String| Error::S3Response {
            operation: "HeadObject",
            detail,
        };
        if !status.is_success() {
            return Err(Error::S3Status {
                operation: "HeadObject",
                status: status.as_u16(),
                detail: String::new(),
            });
        }
        let modified = response
            .headers()
            .get(header::LAST_MODIFIED)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| unreadable("no Last-Modified".to_owned()))?;
        chrono::DateTime::parse_from_rfc2822(modified)
            .map(|t| Some(t.with_timezone(&chrono::Utc)))
            .map_err(|e| unreadable(format!("Last-Modified `{modified}`: {e}")))
    }

    /// Every object whose key starts with `prefix`, in key order, following
    /// continuation tokens across pages.
    pub async fn list_objects(&self, prefix: &str) -> Result<Vec<ObjectInfo>> {
        let mut objects = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut action = self.bucket.list_objects_v2(Some(&self.credentials));
            if !prefix.is_empty() {
                action.with_prefix(prefix);
            }
            if let Some(token) = &token {
                action.with_continuation_token(token.as_str());
            }
            let url = action.sign(SIGNATURE_TTL);
            let response = send("ListObjectsV2", empty_request(Method::GET, &url)?).await?;
            let body = expect_success("ListObjectsV2", response).await?;
            let page = parse_list_page(&body)?;
            objects.extend(page.objects);
            match page.next {
                Some(next) => token = Some(next),
                None => return Ok(objects),
            }
        }
    }

    /// Checks that the bucket exists and the credentials may use it.
    pub async fn head_bucket(&self) -> Result<()> {
        let url = self
            .bucket
            .head_bucket(Some(&self.credentials))
            .sign(SIGNATURE_TTL);
        let response = send("HeadBucket", empty_request(Method::HEAD, &url)?).await?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        // A HEAD answer has no body to explain itself.
        Err(Error::S3Status {
            operation: "HeadBucket",
            status: status.as_u16(),
            detail: status.canonical_reason().unwrap_or("").to_owned(),
        })
    }
}

/// One page of a ListObjectsV2 answer.
#[derive(Debug, PartialEq, Eq)]
struct ListPage {
    objects: Vec<ObjectInfo>,
    next: Option<String>,
}

/// Parses a ListObjectsV2 XML document with rusty-s3's parser (which also
/// URL-decodes the keys it asked the server to encode).
fn parse_list_page(body: &[u8]) -> Result<ListPage> {
    let malformed = |detail: String| Error::S3Response {
        operation: "ListObjectsV2",
        detail,
    };
    let text = std::str::from_utf8(body).map_err(|e| malformed(e.to_string()))?;
    let parsed = ListObjectsV2::parse_response(text).map_err(|e| malformed(e.to_string()))?;
    Ok(ListPage {
        objects: parsed
            .contents
            .into_iter()
            .map(|c| ObjectInfo {
                key: c.key,
                size: c.size.unwrap_or(0),
            })
            .collect(),
        next: parsed.next_continuation_token,
    })
}

fn empty_request(method: Method, url: &Url) -> Result<http::Request<Bytes>> {
    http::Request::builder()
        .method(method)
        .uri(url.as_str())
        .body(Bytes::new())
        .map_err(|e| Error::Outbound(e.to_string()))
}

/// The S3 server is ours to run (or a provider's): a minute is ample for a
/// 10 MB object, and it bounds a request to a server that hangs.
const S3_TIMEOUTS: crate::wasi_http::Timeouts = crate::wasi_http::Timeouts::new(
    std::time::Duration::from_secs(5),
    std::time::Duration::from_secs(60),
);

async fn send(
    operation: &'static str,
    request: http::Request<Bytes>,
) -> Result<http::Response<crate::http::Incoming>> {
    crate::wasi_http::send(request, S3_TIMEOUTS)
        .await
        .map_err(|e| Error::Outbound(format!("{operation}: {e}")))
}

/// The body of a 2xx answer, or the answer as an [`Error::S3Status`].
async fn expect_success(
    operation: &'static str,
    response: http::Response<crate::http::Incoming>,
) -> Result<Vec<u8>> {
    let (parts, body) = response.into_parts();
    if parts.status.is_success() {
        // A body that breaks off or overflows is the server's fault, not the
        // client's: report it as a bad S3 answer (a 5xx), never as a 4xx.
        return read_body(&parts.headers, body, MAX_OBJECT_BYTES)
            .await
            .map_err(|e| match e {
                Error::BodyRead(detail) => Error::S3Response { operation, detail },
                Error::BodyTooLarge { .. } => Error::S3Response {
                    operation,
                    detail: format!("answer larger than {MAX_OBJECT_BYTES} bytes"),
                },
                other => other,
            });
    }
    // The error document is only for diagnostics: cap it, ignore read errors.
    let detail = match read_body(&parts.headers, body, ERROR_DETAIL_BYTES).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => String::new(),
    };
    Err(Error::S3Status {
        operation,
        status: parts.status.as_u16(),
        detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>ghiseu</Name>
  <Prefix>dossiers/</Prefix>
  <KeyCount>2</KeyCount>
  <MaxKeys>1000</MaxKeys>
  <EncodingType>url</EncodingType>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>tok-1</NextContinuationToken>
  <Contents>
    <Key>dossiers/a%20b.pdf</Key>
    <LastModified>2025-11-20T10:00:00.000Z</LastModified>
    <ETag>"abc"</ETag>
    <Size>5242880</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents>
    <Key>dossiers/c.png</Key>
    <Size>0</Size>
  </Contents>
</ListBucketResult>"#;

    #[test]
    fn parses_a_truncated_listing_page() {
        let page = parse_list_page(PAGE.as_bytes()).unwrap();
        assert_eq!(
            page,
            ListPage {
                objects: vec![
                    ObjectInfo {
                        key: "dossiers/a b.pdf".into(),
                        size: 5_242_880
                    },
                    ObjectInfo {
                        key: "dossiers/c.png".into(),
                        size: 0
                    },
                ],
                next: Some("tok-1".into()),
            }
        );
    }

    #[test]
    fn parses_an_empty_final_page() {
        let xml = r#"<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
            <Name>ghiseu</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated>
        </ListBucketResult>"#;
        let page = parse_list_page(xml.as_bytes()).unwrap();
        assert!(page.objects.is_empty());
        assert_eq!(page.next, None);
    }

    #[test]
    fn rejects_a_non_listing_document() {
        let err = parse_list_page(b"<Error><Code>NoSuchBucket</Code></Error>").unwrap_err();
        assert!(matches!(err, Error::S3Response { .. }), "{err}");
    }

    #[test]
    fn config_debug_hides_the_secret() {
        let config = S3Config {
            endpoint: "http://127.0.0.1:9000".into(),
            bucket: "ghiseu".into(),
            region: "us-east-1".into(),
            access_key: "AK".into(),
            secret_key: "very-secret".into(),
        };
        assert!(!format!("{config:?}").contains("very-secret"));
    }

    #[test]
    fn client_rejects_a_bad_endpoint() {
        let config = S3Config {
            endpoint: "not a url".into(),
            bucket: "ghiseu".into(),
            region: "us-east-1".into(),
            access_key: "AK".into(),
            secret_key: "SK".into(),
        };
        assert!(matches!(S3Client::new(config), Err(Error::S3Config(_))));
    }

    #[test]
    fn presigned_urls_are_path_style() {
        let config = S3Config {
            endpoint: "http://127.0.0.1:9000".into(),
            bucket: "ghiseu".into(),
            region: "us-east-1".into(),
            access_key: "AK".into(),
            secret_key: "SK".into(),
        };
        let client = S3Client::new(config).unwrap();
        let url = client
            .bucket
            .put_object(Some(&client.credentials), "dossiers/x.pdf")
            .sign(SIGNATURE_TTL);
        assert!(
            url.as_str()
                .starts_with("http://127.0.0.1:9000/ghiseu/dossiers/x.pdf?X-Amz-Algorithm="),
            "{url}"
        );
    }
}
