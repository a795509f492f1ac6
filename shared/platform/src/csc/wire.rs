use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

/// `info` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct InfoResponse {
    #[serde(default)]
    pub specs: String,
    pub name: String,
    #[serde(default)]
    pub logo: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub lang: String,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "authType", default)]
    pub auth_type: Vec<String>,
    #[serde(default)]
    pub methods: Vec<String>,
}

/// `credentials/list` request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListRequest {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "credentialInfo", default)]
    pub credential_info: bool,
}

impl ListRequest {
    #[must_use]
    pub fn new(user_id: &str) -> Self {
        Self {
            user_id: user_id.to_owned(),
            credential_info: false,
        }
    }
}

/// `credentials/list` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListResponse {
    #[serde(rename = "credentialIDs")]
    pub credential_ids: Vec<String>,
}

/// `credentials/info` request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InfoRequest {
    #[serde(rename = "credentialID")]
    pub credential_id: String,
    /// `none`, `single` or `chain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificates: Option<String>,
    #[serde(rename = "certInfo", default)]
    pub cert_info: bool,
    #[serde(rename = "authInfo", default)]
    pub auth_info: bool,
}

impl InfoRequest {
    /// Everything, with the whole chain.
    #[must_use]
    pub fn chain(credential_id: &str) -> Self {
        Self {
            credential_id: credential_id.to_owned(),
            certificates: Some("chain".to_owned()),
            cert_info: true,
            auth_info: true,
        }
    }
}

/// `key` of `credentials/info`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyInfo {
    pub status: String,
    pub algo: Vec<String>,
    pub len: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curve: Option<String>,
}

/// `cert` of `credentials/info`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CertInfo {
    #[serde(default)]
    pub status: String,
    /// Base64 DER, signer first.
    #[serde(default)]
    pub certificates: Vec<String>,
    #[serde(rename = "issuerDN", default, skip_serializing_if = "Option::is_none")]
    pub issuer_dn: Option<String>,
    #[serde(
        rename = "serialNumber",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub serial_number: Option<String>,
    #[serde(rename = "subjectDN", default, skip_serializing_if = "Option::is_none")]
    pub subject_dn: Option<String>,
    #[serde(rename = "validFrom", default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    #[serde(rename = "validTo", default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<String>,
}

/// One authentication object of `auth`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthObject {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub description: String,
}

/// `auth` of `credentials/info`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthInfo {
    pub mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    #[serde(default)]
    pub objects: Vec<AuthObject>,
}

/// `credentials/info` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CredentialInfoResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub key: KeyInfo,
    pub cert: CertInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthInfo>,
    /// The v1 spelling of `auth.mode`, still sent for older clients.
    #[serde(rename = "authMode", default, skip_serializing_if = "Option::is_none")]
    pub auth_mode: Option<String>,
    #[serde(rename = "SCAL", default, skip_serializing_if = "Option::is_none")]
    pub scal: Option<String>,
    pub multisign: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// `credentials/sendOTP` request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendOtpRequest {
    #[serde(rename = "credentialID")]
    pub credential_id: String,
    /// How many signatures the code will authorize (as `authorize` takes
    /// it), for the provider's message; not in CSC's sendOTP.
    #[serde(
        rename = "numSignatures",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub num_signatures: Option<u32>,
    /// For whom (CSC's authorization `description`, at most 500 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The language of the provider's message (`ro`, `hu`, `en`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// One `authData` entry of `credentials/authorize`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthDatum {
    pub id: String,
    pub value: String,
}

/// `credentials/authorize` request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthorizeRequest {
    #[serde(rename = "credentialID")]
    pub credential_id: String,
    #[serde(rename = "numSignatures")]
    pub num_signatures: u32,
    #[serde(default)]
    pub hashes: Vec<String>,
    #[serde(rename = "hashAlgorithmOID", default)]
    pub hash_algorithm_oid: String,
    #[serde(rename = "authData", default)]
    pub auth_data: Vec<AuthDatum>,
    /// The v1 spelling of the OTP, accepted by the sandbox.
    #[serde(rename = "OTP", default, skip_serializing_if = "Option::is_none")]
    pub otp: Option<String>,
}

impl AuthorizeRequest {
    #[must_use]
    pub fn new(credential_id: &str, hashes: &[[u8; 32]], otp: &str) -> Self {
        Self {
            credential_id: credential_id.to_owned(),
            num_signatures: u32::try_from(hashes.len()).unwrap_or(u32::MAX),
            hashes: hashes.iter().map(|h| B64.encode(h)).collect(),
            hash_algorithm_oid: super::SHA256_OID.to_owned(),
            auth_data: vec![AuthDatum {
                id: "OTP".to_owned(),
                value: otp.to_owned(),
            }],
            otp: None,
        }
    }

    /// An authorization of `hashes` with no data from a person: a seal's
    /// (`authMode` `implicit`: the client's own credentials suffice).
    #[must_use]
    pub fn implicit(credential_id: &str, hashes: &[[u8; 32]]) -> Self {
        Self {
            auth_data: Vec::new(),
            ..Self::new(credential_id, hashes, "")
        }
    }

    /// The OTP, from `authData` (v2) or `OTP` (v1).
    #[must_use]
    pub fn otp(&self) -> Option<&str> {
        self.auth_data
            .iter()
            .find(|d| d.id == "OTP")
            .map(|d| d.value.as_str())
            .or(self.otp.as_deref())
    }
}

/// `credentials/authorize` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthorizeResponse {
    #[serde(rename = "SAD")]
    pub sad: String,
    #[serde(rename = "expiresIn", default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u32>,
}

/// `signatures/signHash` request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignHashRequest {
    #[serde(rename = "credentialID")]
    pub credential_id: String,
    #[serde(rename = "SAD")]
    pub sad: String,
    #[serde(default)]
    pub hashes: Vec<String>,
    #[serde(rename = "hashAlgorithmOID", default)]
    pub hash_algorithm_oid: String,
    #[serde(rename = "signAlgo", default)]
    pub sign_algo: String,
    /// `S` (synchronous, the default) or `A`.
    #[serde(
        rename = "operationMode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub operation_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_uri: Option<String>,
    #[serde(
        rename = "clientData",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub client_data: Option<String>,
}

impl SignHashRequest {
    #[must_use]
    pub fn new(
        credential_id: &str,
        sad: &super::Sad,
        hashes: &[[u8; 32]],
        algo: super::KeyAlgorithm,
    ) -> Self {
        Self {
            credential_id: credential_id.to_owned(),
            sad: sad.sad.clone(),
            hashes: hashes.iter().map(|h| B64.encode(h)).collect(),
            hash_algorithm_oid: super::SHA256_OID.to_owned(),
            sign_algo: super::sign_algo_oid(algo).to_owned(),
            operation_mode: None,
            response_uri: None,
            client_data: None,
        }
    }
}

/// `signatures/signHash` answer: `signatures` (synchronous) or
/// `responseID` (asynchronous).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SignHashResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signatures: Option<Vec<String>>,
    #[serde(
        rename = "responseID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub response_id: Option<String>,
}

/// A CSC error.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorResponse {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

/// An asynchronous result POSTed to `response_uri`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CallbackBody {
    #[serde(rename = "responseID")]
    pub response_id: String,
    #[serde(
        rename = "clientData",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub client_data: Option<String>,
    #[serde(default)]
    pub signatures: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}
