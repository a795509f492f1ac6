//! Tenants: the institutions sharing the platform (the county council, town halls).

use thiserror::Error;

use crate::attachment::MediaType;
use crate::digest::Sha256Digest;
use crate::ids::TenantSlug;
use crate::lang::Lang;
use crate::regno::RegistrationPrefix;
use crate::text::DisplayName;
use crate::token::TrackingToken;

/// What kind of institution a tenant is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TenantKind {
    /// Consiliul Județean.
    CountyCouncil,
    /// Primăria a municipiului (e.g. Cluj-Napoca, Turda).
    Municipality,
    /// Primăria a orașului.
    Town,
    /// Primăria a comunei (e.g. Florești).
    Commune,
}

impl TenantKind {
    /// A stable code: `county_council`, `municipality`, `town`, `commune`.
    pub fn code(self) -> &'static str {
        match self {
            Self::CountyCouncil => "county_council",
            Self::Municipality => "municipality",
            Self::Town => "town",
            Self::Commune => "commune",
        }
    }

    /// The kind with this [`code`](Self::code).
    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::CountyCouncil,
            Self::Municipality,
            Self::Town,
            Self::Commune,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }
}

/// Why a public base URL was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error(
    "the public base URL is an http(s) origin with an optional path, without query or fragment"
)]
pub struct UrlError;

/// The absolute URL under which a tenant's public pages are reached, e.g.
/// `https://ghiseu.cjcluj.ro`. Stored without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PublicBaseUrl(String);

impl PublicBaseUrl {
    /// Validates `raw`: `http://` or `https://`, a non-empty host, printable ASCII,
    /// no whitespace, query or fragment. A trailing `/` is dropped.
    pub fn parse(raw: &str) -> Result<Self, UrlError> {
        let s = raw.trim().trim_end_matches('/');
        let rest = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
            .ok_or(UrlError)?;
        let host = rest.split('/').next().unwrap_or("");
        let ok = !host.is_empty()
            && s.len() <= 200
            && s.bytes()
                .all(|b| b.is_ascii_graphic() && b != b'?' && b != b'#');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(UrlError)
        }
    }

    /// The URL, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The absolute tracking page URL of `token` (what the QR code holds is
    /// [`Self::qr_url`], which redirects here).
    pub fn tracking_url(&self, token: &TrackingToken) -> String {
        format!("{}/track/{token}", self.0)
    }

    /// The short URL printed on receipts and encoded in QR codes: `{base}/q/{token}`.
    pub fn qr_url(&self, token: &TrackingToken) -> String {
        format!("{}/q/{token}", self.0)
    }
}

/// Why an accent colour was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("the accent colour is written #rrggbb, e.g. #0b4f9c")]
pub struct ColourError;

/// An accent colour, `#rrggbb` (stored lowercase).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccentColour(String);

impl AccentColour {
    /// Validates `raw`: `#` and six hex digits.
    pub fn parse(raw: &str) -> Result<Self, ColourError> {
        let s = raw.trim();
        match s.strip_prefix('#') {
            Some(hex) if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Ok(Self(s.to_ascii_lowercase()))
            }
            _ => Err(ColourError),
        }
    }

    /// `#rrggbb`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The largest logo accepted, in bytes.
pub const MAX_LOGO_BYTES: usize = 256 * 1024;

/// Why a logo was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum LogoError {
    /// Not a PNG or JPEG by content.
    #[error("the logo must be a PNG or JPEG image")]
    Type,
    /// Larger than [`MAX_LOGO_BYTES`].
    #[error("the logo must be at most 256 KiB")]
    TooLarge,
}

/// A tenant's logo: a PNG or JPEG stored content-addressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    /// The SHA-256 of the image (its storage name).
    pub sha256: Sha256Digest,
    /// PNG or JPEG.
    pub media_type: MediaType,
}

impl Logo {
    /// Checks an uploaded image by content and size.
    pub fn check(content: &[u8]) -> Result<Logo, LogoError> {
        if content.len() > MAX_LOGO_BYTES {
            return Err(LogoError::TooLarge);
        }
        match MediaType::sniff(content) {
            Some(m @ (MediaType::Png | MediaType::Jpeg)) => Ok(Logo {
                sha256: Sha256Digest::of(content),
                media_type: m,
            }),
            _ => Err(LogoError::Type),
        }
    }
}

/// How a tenant's pages look: set by its administrator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Branding {
    /// The name shown in page headers, when it differs from the official name.
    pub display_name: Option<DisplayName>,
    /// The accent colour.
    pub accent: Option<AccentColour>,
    /// The logo.
    pub logo: Option<Logo>,
}

/// An institution on the platform. Municipalities join by being created as
/// tenants; nothing else is needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    /// The slug, unique on the platform.
    pub slug: TenantSlug,
    /// The public name, e.g. "Consiliul Județean Cluj".
    pub name: DisplayName,
    /// The kind of institution.
    pub kind: TenantKind,
    /// The prefix of its registration numbers.
    pub registration_prefix: RegistrationPrefix,
    /// Languages offered on its pages; Romanian is always offered and first.
    pub languages: Vec<Lang>,
    /// Where its public pages live.
    pub public_base_url: PublicBaseUrl,
    /// Whether it accepts new dossiers.
    pub active: bool,
    /// Display name, accent colour and logo.
    pub branding: Branding,
    /// Where and when citizens can reach it (the front door shows it).
    pub contact: PublicContact,
}

/// How citizens reach an institution: each part optional, one line of at
/// most [`MAX_CONTACT_CHARS`] characters without control characters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicContact {
    /// Postal address of the registry office, e.g. "Calea Dorobanților 106, Cluj-Napoca".
    pub address: Option<String>,
    /// Telephone, as it should be dialled.
    pub phone: Option<String>,
    /// E-mail address for questions.
    pub email: Option<String>,
    /// Opening hours of the counter, e.g. "Luni–Joi 8:30–16:30, Vineri 8:30–14:00".
    pub hours: Option<String>,
}

/// The longest part of a [`PublicContact`].
pub const MAX_CONTACT_CHARS: usize = 200;

impl PublicContact {
    /// Checks one part: trimmed, empty is absent, at most
    /// [`MAX_CONTACT_CHARS`] characters, no control character.
    pub fn part(raw: Option<&str>) -> Result<Option<String>, ContactPartError> {
        let Some(v) = raw.map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        if v.chars().count() > MAX_CONTACT_CHARS || v.chars().any(char::is_control) {
            return Err(ContactPartError);
        }
        Ok(Some(v.to_owned()))
    }
}

/// A contact part too long or with a control character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("one line of at most 200 characters")]
pub struct ContactPartError;

impl Tenant {
    /// The name to show in page headers: the branding's display name, else the
    /// official name.
    pub fn header_name(&self) -> &DisplayName {
        self.branding.display_name.as_ref().unwrap_or(&self.name)
    }

    /// Normalises a language list: Romanian first, no duplicates, order kept.
    pub fn normalise_languages(langs: &[Lang]) -> Vec<Lang> {
        let mut out = vec![Lang::Ro];
        for l in langs {
            if !out.contains(l) {
                out.push(*l);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_table() {
        let cases = [
            ("https://ghiseu.cjcluj.ro", Some("https://ghiseu.cjcluj.ro")),
            (
                "https://ghiseu.cjcluj.ro/",
                Some("https://ghiseu.cjcluj.ro"),
            ),
            ("http://127.0.0.1:3000", Some("http://127.0.0.1:3000")),
            ("https://example.ro/turda", Some("https://example.ro/turda")),
            ("ftp://example.ro", None),
            ("https://", None),
            ("https://example.ro/?a=1", None),
            ("https://exa mple.ro", None),
        ];
        for (raw, want) in cases {
            assert_eq!(
                PublicBaseUrl::parse(raw)
                    .ok()
                    .as_ref()
                    .map(PublicBaseUrl::as_str),
                want,
                "{raw}"
            );
        }
        let base = PublicBaseUrl::parse("https://g.ro/").unwrap();
        let t = TrackingToken::from_random([0; 16]);
        assert_eq!(base.qr_url(&t), "https://g.ro/q/00000000000000000000000000");
        assert_eq!(
            base.tracking_url(&t),
            "https://g.ro/track/00000000000000000000000000"
        );
    }

    #[test]
    fn languages_start_with_romanian() {
        assert_eq!(
            Tenant::normalise_languages(&[Lang::Hu, Lang::Ro, Lang::Hu]),
            vec![Lang::Ro, Lang::Hu]
        );
        assert_eq!(TenantKind::from_code("commune"), Some(TenantKind::Commune));
    }

    #[test]
    fn accent_colour_table() {
        let cases = [
            ("#0B4F9C", Some("#0b4f9c")),
            (" #abcdef ", Some("#abcdef")),
            ("0b4f9c", None),
            ("#0b4f9", None),
            ("#0b4f9cc", None),
            ("#0b4f9g", None),
            ("red", None),
            ("#0b4f9c;x", None),
        ];
        for (raw, want) in cases {
            assert_eq!(
                AccentColour::parse(raw)
                    .ok()
                    .as_ref()
                    .map(AccentColour::as_str),
                want,
                "{raw}"
            );
        }
    }

    #[test]
    fn logos_are_png_or_jpeg_by_content_and_small() {
        let png = b"\x89PNG\r\n\x1a\nrest".to_vec();
        assert_eq!(Logo::check(&png).unwrap().media_type, MediaType::Png);
        assert_eq!(
            Logo::check(&[0xff, 0xd8, 0xff, 0xe0]).unwrap().media_type,
            MediaType::Jpeg
        );
        assert_eq!(Logo::check(b"%PDF-1.7"), Err(LogoError::Type));
        assert_eq!(Logo::check(b"<svg/>"), Err(LogoError::Type));
        let mut big = png.clone();
        big.resize(MAX_LOGO_BYTES + 1, 0);
        assert_eq!(Logo::check(&big), Err(LogoError::TooLarge));
    }
}
