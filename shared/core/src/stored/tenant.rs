//! A tenant, its branding and its departments as stored.

use serde::{Deserialize, Serialize};

use crate::attachment::MediaType;
use crate::department::Department;
use crate::digest::Sha256Digest;
use crate::document_type::Titles;
use crate::ids::{DepartmentCode, TenantSlug};
use crate::lang::Lang;
use crate::regno::RegistrationPrefix;
use crate::tenant::{
    AccentColour, Branding, Logo, PublicBaseUrl, PublicContact, Tenant, TenantKind,
};
use crate::text::DisplayName;

use super::{FORMAT_VERSION, StoredError, check_version, f, opt, some};

/// A tenant as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTenant {
    /// Format version.
    pub v: u32,
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// [`TenantKind::code`].
    pub kind: String,
    /// Registration prefix.
    pub registration_prefix: String,
    /// Language codes.
    pub languages: Vec<String>,
    /// Public base URL.
    pub public_base_url: String,
    /// Accepts new dossiers.
    pub active: bool,
    /// Branding; absent in records written before branding existed.
    #[serde(default)]
    pub branding: StoredBranding,
    /// Public contact; absent in records written before it existed.
    #[serde(default)]
    pub contact: StoredPublicContact,
}

/// A tenant's public contact as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPublicContact {
    /// Address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Telephone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// E-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Opening hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
}

/// A tenant's branding as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredBranding {
    /// Header name.
    pub display_name: Option<String>,
    /// `#rrggbb`.
    pub accent: Option<String>,
    /// The logo's SHA-256 (hex).
    pub logo_sha256: Option<String>,
    /// The logo's MIME type.
    pub logo_media_type: Option<String>,
}

impl Tenant {
    /// The record to persist.
    pub fn to_stored(&self) -> StoredTenant {
        StoredTenant {
            v: FORMAT_VERSION,
            slug: self.slug.to_string(),
            name: self.name.to_string(),
            kind: self.kind.code().to_owned(),
            registration_prefix: self.registration_prefix.to_string(),
            languages: self.languages.iter().map(|l| l.code().to_owned()).collect(),
            public_base_url: self.public_base_url.as_str().to_owned(),
            active: self.active,
            branding: StoredBranding {
                display_name: self.branding.display_name.as_ref().map(ToString::to_string),
                accent: self.branding.accent.as_ref().map(|a| a.as_str().to_owned()),
                logo_sha256: self.branding.logo.as_ref().map(|l| l.sha256.to_hex()),
                logo_media_type: self
                    .branding
                    .logo
                    .as_ref()
                    .map(|l| l.media_type.mime().to_owned()),
            },
            contact: StoredPublicContact {
                address: self.contact.address.clone(),
                phone: self.contact.phone.clone(),
                email: self.contact.email.clone(),
                hours: self.contact.hours.clone(),
            },
        }
    }

    /// Validates a stored record.
    pub fn from_stored(s: &StoredTenant) -> Result<Tenant, StoredError> {
        check_version(s.v)?;
        let langs = s
            .languages
            .iter()
            .map(|l| some("languages", Lang::from_code(l)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Tenant {
            slug: f("slug", TenantSlug::parse(&s.slug))?,
            name: f("name", DisplayName::parse(&s.name))?,
            kind: some("kind", TenantKind::from_code(&s.kind))?,
            registration_prefix: f(
                "registration_prefix",
                RegistrationPrefix::parse(&s.registration_prefix),
            )?,
            languages: Tenant::normalise_languages(&langs),
            public_base_url: f("public_base_url", PublicBaseUrl::parse(&s.public_base_url))?,
            active: s.active,
            branding: Branding {
                display_name: opt(
                    "branding.display_name",
                    s.branding.display_name.as_deref(),
                    DisplayName::parse,
                )?,
                accent: opt(
                    "branding.accent",
                    s.branding.accent.as_deref(),
                    AccentColour::parse,
                )?,
                logo: match (&s.branding.logo_sha256, &s.branding.logo_media_type) {
                    (Some(sha), Some(mime)) => Some(Logo {
                        sha256: f("branding.logo_sha256", Sha256Digest::parse(sha))?,
                        media_type: some("branding.logo_media_type", MediaType::from_mime(mime))?,
                    }),
                    _ => None,
                },
            },
            contact: PublicContact {
                address: f(
                    "contact.address",
                    PublicContact::part(s.contact.address.as_deref()),
                )?,
                phone: f(
                    "contact.phone",
                    PublicContact::part(s.contact.phone.as_deref()),
                )?,
                email: f(
                    "contact.email",
                    PublicContact::part(s.contact.email.as_deref()),
                )?,
                hours: f(
                    "contact.hours",
                    PublicContact::part(s.contact.hours.as_deref()),
                )?,
            },
        })
    }
}

/// A department as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDepartment {
    /// Format version.
    pub v: u32,
    /// Tenant slug.
    pub tenant: String,
    /// Code.
    pub code: String,
    /// The Romanian name (what records written before translations hold, and
    /// what readers that know no other language read).
    pub name: String,
    /// The Hungarian name, if any; absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_hu: Option<String>,
    /// The English name, if any; absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// Active.
    pub active: bool,
}

impl Department {
    /// The record to persist.
    pub fn to_stored(&self) -> StoredDepartment {
        StoredDepartment {
            v: FORMAT_VERSION,
            tenant: self.tenant.to_string(),
            code: self.code.to_string(),
            name: self.name.ro.to_string(),
            name_hu: self.name.hu.as_ref().map(ToString::to_string),
            name_en: self.name.en.as_ref().map(ToString::to_string),
            active: self.active,
        }
    }

    /// Validates a stored record.
    pub fn from_stored(s: &StoredDepartment) -> Result<Department, StoredError> {
        check_version(s.v)?;
        Ok(Department {
            tenant: f("tenant", TenantSlug::parse(&s.tenant))?,
            code: f("code", DepartmentCode::parse(&s.code))?,
            name: Titles {
                ro: f("name", DisplayName::parse(&s.name))?,
                hu: opt("name_hu", s.name_hu.as_deref(), DisplayName::parse)?,
                en: opt("name_en", s.name_en.as_deref(), DisplayName::parse)?,
            },
            active: s.active,
        })
    }
}
