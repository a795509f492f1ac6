//! The sandbox's signing provider (CSC API v2) alone.

use super::*;

/// The bearer token of the CSC service-level authentication in the CSC tests.
pub const TEST_CSC_CLIENT_SECRET: &str = "test-csc-client-secret";

/// The HMAC key of asynchronous signing results in the CSC tests.
pub const TEST_CSC_CALLBACK_SECRET: &str = "test-csc-callback-secret";

/// The desk's and the portal's signing client variables (`csc_*`), pointing
/// at the sandbox's provider.
pub(crate) fn csc_client_variables() -> String {
    format!(
        "csc_url = \"http://sandbox.spin.internal/sandbox/csc/v2\"\n\
         csc_client_secret = \"{TEST_CSC_CLIENT_SECRET}\"\n\
         csc_callback_secret = \"{TEST_CSC_CALLBACK_SECRET}\"\n"
    )
}

/// The sandbox provider's variables.
pub(crate) fn csc_provider_variables(otp_ttl_seconds: &str, multisign: &str) -> String {
    format!(
        "csc_client_secret = \"{TEST_CSC_CLIENT_SECRET}\"\n\
         csc_callback_secret = \"{TEST_CSC_CALLBACK_SECRET}\"\n\
         csc_multisign = \"{multisign}\"\ncsc_otp_ttl_seconds = \"{otp_ttl_seconds}\"\n\
         sandbox_key_secret = \"test-sandbox-key-secret\"\n"
    )
}

/// The sandbox, alone on a "default" store, as the CSC tests configure it:
/// `otp_ttl_seconds` and `multisign` as given (written once per process and
/// configuration).
pub(crate) fn csc_manifest(otp_ttl_seconds: &str, multisign: u32) -> PathBuf {
    let dir = target_dir().join("desk-test");
    std::fs::create_dir_all(&dir).expect("creating target/desk-test");
    let path = dir.join(format!(
        "spin-csc-{}-{}-{multisign}.toml",
        std::process::id(),
        otp_ttl_seconds.replace('.', "_")
    ));
    let manifest = format!(
        "spin_manifest_version = 2\n[application]\nname = \"ghiseu-csc-test\"\n\
         version = \"0.0.0\"\n[variables]\ns3_endpoint = {{ required = true }}\n\
         s3_bucket = {{ default = \"ghiseu\" }}\ns3_region = {{ default = \"us-east-1\" }}\n\
         s3_access_key = {{ required = true }}\n\
         s3_secret_key = {{ required = true, secret = true }}\n\
         [[trigger.http]]\nroute = \"/sandbox/...\"\ncomponent = \"sandbox\"\n\
         [[trigger.http]]\nroute = \"/api/v1/sandbox/...\"\ncomponent = \"sandbox\"\n\
         [component.sandbox]\nsource = {sandbox:?}\nkey_value_stores = [\"default\"]\n\
         allowed_outbound_hosts = [\"http://sandbox.spin.internal\"]\n\
         [component.sandbox.variables]\nenabled = \"true\"\nnotify_secret = \"{TEST_NOTIFY_SECRET}\"\n\
         {provider}",
        sandbox = sandbox_wasm().display().to_string(),
        provider = csc_provider_variables(otp_ttl_seconds, &multisign.to_string()),
    );
    std::fs::write(&path, manifest).expect("writing the CSC test manifest");
    path
}

impl App {
    /// The sandbox's signing provider on SQLite, with OTPs living
    /// `otp_ttl_seconds` and `multisign` hashes per authorization.
    pub fn csc(otp_ttl_seconds: &str, multisign: u32) -> Self {
        Self {
            manifest: ManifestSource::File(csc_manifest(otp_ttl_seconds, multisign)),
            ..Self::probe(Backend::Sqlite)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_keeps_unreserved_characters() {
        assert_eq!(
            percent_encode("http://127.0.0.1:80/a?b=c"),
            "http%3A%2F%2F127.0.0.1%3A80%2Fa%3Fb%3Dc"
        );
    }

    #[test]
    fn sha256_of_empty_input() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
