//! The outbound services a dossier use case writes through besides the
//! key-value store, configured from the component's variables by the
//! component, once a request.

use crate::Result;
use crate::notify::Gateway;
use crate::s3::S3Client;

/// The tenant's files and the citizens' notification gateway.
pub struct Outbound {
    /// The object store holding the tenants' files.
    pub files: S3Client,
    /// The notification gateway; `None` when notifications are switched off.
    pub notify: Option<Gateway>,
}

impl Outbound {
    /// From the `s3_*`, `notify_url` and `notify_secret` variables.
    pub async fn from_variables() -> Result<Self> {
        Ok(Self {
            files: S3Client::from_variables().await?,
            notify: Gateway::from_variables().await?,
        })
    }
}
