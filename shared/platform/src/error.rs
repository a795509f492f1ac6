//! The one error type of `ghiseu-platform`.
//!
//! Its mapping to HTTP lives in one place: [`crate::problem::Problem::from_error`].

/// A `Result` whose error defaults to [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while talking to the platform's stores, to
/// outbound HTTP or while reading a request body.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The key-value store `label` failed or could not be opened.
    #[error("key-value store `{label}`: {message}")]
    KeyValue {
        /// The store label, as declared in `spin.toml`.
        label: String,
        /// What the store reported.
        message: String,
    },

    /// A component variable could not be read.
    #[error("variable `{name}`: {message}")]
    Variable {
        /// The variable name.
        name: String,
        /// What the variables provider reported.
        message: String,
    },

    /// The S3 configuration (the `s3_*` variables) is not usable.
    #[error("S3 configuration: {0}")]
    S3Config(String),

    /// The S3 server answered with an unexpected status.
    #[error("S3 {operation} answered {status}: {detail}")]
    S3Status {
        /// The S3 operation, e.g. `PutObject`.
        operation: &'static str,
        /// The HTTP status the server answered.
        status: u16,
        /// The start of the server's error body (an S3 error document).
        detail: String,
    },

    /// The S3 server answered with a body this client cannot parse.
    #[error("S3 {operation}: unreadable response: {detail}")]
    S3Response {
        /// The S3 operation, e.g. `ListObjectsV2`.
        operation: &'static str,
        /// Why the body could not be parsed.
        detail: String,
    },

    /// An outbound HTTP request failed before a response arrived (refused by
    /// the host's `allowed_outbound_hosts`, connection refused, timeout...).
    #[error("outbound HTTP: {0}")]
    Outbound(String),

    /// A body (of a request or of an upstream response) is larger than the
    /// limit the caller set, or than the host's own limit (then `limit` is
    /// `None`: the host cut the body off and said why).
    #[error("body too large (limit: {})", limit.map_or("the host's".to_owned(), |n| format!("{n} bytes")))]
    BodyTooLarge {
        /// The caller's limit, in bytes, when it was the caller's.
        limit: Option<usize>,
    },

    /// A stored record could not be read back (wrong shape or version).
    #[error("stored record `{key}` is unreadable: {detail}")]
    Corrupt {
        /// The key-value key.
        key: String,
        /// Why it could not be parsed.
        detail: String,
    },

    /// A body could not be read to its end (client went away, bad framing).
    #[error("body could not be read: {0}")]
    BodyRead(String),
}

impl Error {
    /// Whether the error was caused by the client's request (and so maps to a
    /// 4xx) rather than by the platform (a 5xx).
    #[must_use]
    pub fn is_client_error(&self) -> bool {
        matches!(self, Error::BodyTooLarge { .. } | Error::BodyRead(_))
    }
}
