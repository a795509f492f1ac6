//! Open311 GeoReport v2 (read-only): the public shape of an institution's
//! requests and services, for civic-tech clients
//! (<https://wiki.open311.org/GeoReport_v2>).
//!
//! A tenant is a jurisdiction (`jurisdiction_id` = its slug), an active
//! document type is a service, a dossier is a service request whose id is
//! its registration number. Nothing personal is ever part of it: no name,
//! contact, address, form value, file or note; the status notes are the
//! public status's words and the agency is the department holding it.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, Utc};

use crate::calendar;
use crate::document_type::{DocumentType, FieldKind};
use crate::dossier::Dossier;
use crate::lang::Lang;
use crate::public_view::{PublicStatus, status_label};

/// The longest window of a requests query, as the specification allows.
pub const MAX_WINDOW_DAYS: i64 = 90;
/// The most requests one answer lists (the specification's default limit).
pub const MAX_REQUESTS: usize = 1000;

/// Open or closed, the specification's two statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// An answer is still owed.
    Open,
    /// Resolved, rejected, withdrawn, joined to another or forwarded away.
    Closed,
}

impl Status {
    /// `open` or `closed`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
}

/// One service request as Open311 shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRequest {
    /// The registration number.
    pub service_request_id: String,
    /// Open or closed.
    pub status: Status,
    /// The public status, in Romanian (as the tracking page says it).
    pub status_notes: String,
    /// The document type's Romanian title.
    pub service_name: String,
    /// The document type's code.
    pub service_code: String,
    /// The department holding the request.
    pub agency_responsible: String,
    /// When it was registered.
    pub requested_datetime: DateTime<FixedOffset>,
    /// When its route last changed.
    pub updated_datetime: DateTime<FixedOffset>,
    /// The end of its deadline's day, in Romania.
    pub expected_datetime: DateTime<FixedOffset>,
}

impl ServiceRequest {
    /// The request of `dossier`, of the service titled `service_name`, held
    /// by the department named `agency`.
    #[must_use]
    pub fn of(dossier: &Dossier, service_name: &str, agency: &str) -> Self {
        let public = PublicStatus::from(dossier.status());
        let status = if public.answer_owed() && public != PublicStatus::Forwarded {
            Status::Open
        } else {
            Status::Closed
        };
        Self {
            service_request_id: dossier.number().to_string(),
            status,
            status_notes: status_label(public, Lang::Ro).to_owned(),
            service_name: service_name.to_owned(),
            service_code: dossier.document_type().to_string(),
            agency_responsible: agency.to_owned(),
            requested_datetime: local(dossier.registered_at()),
            updated_datetime: local(dossier.updated_at()),
            expected_datetime: end_of_day(dossier.deadline()),
        }
    }
}

/// `at` in Romania's time, with its offset.
#[must_use]
pub fn local(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    let seconds = (calendar::local_datetime(at) - at.naive_utc()).num_seconds();
    let offset = i32::try_from(seconds)
        .ok()
        .and_then(FixedOffset::east_opt)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    at.with_timezone(&offset)
}

/// The last second of `date` in Romania.
fn end_of_day(date: NaiveDate) -> DateTime<FixedOffset> {
    let last = NaiveTime::from_hms_opt(23, 59, 59).expect("valid time");
    local(calendar::from_local_datetime(date.and_time(last)))
}

/// A requests query: its filters, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The statuses asked for (empty: both).
    pub statuses: Vec<Status>,
    /// The services asked for (empty: all).
    pub service_codes: Vec<String>,
    /// Registered at or after this time.
    pub start: DateTime<Utc>,
    /// Registered at or before this time.
    pub end: DateTime<Utc>,
}

/// Why a query is refused (the answer is a 400 with these words).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// A status other than `open` or `closed`.
    #[error("status must be open, closed or both separated by a comma")]
    Status,
    /// A date that is not ISO 8601 / W3C.
    #[error("{0} must be a date and time in W3C format, e.g. 2026-12-01T00:00:00+02:00")]
    Date(&'static str),
    /// The end before the start.
    #[error("end_date is before start_date")]
    Order,
    /// More than [`MAX_WINDOW_DAYS`] between start and end.
    #[error("start_date and end_date may be at most 90 days apart")]
    Window,
}

impl Query {
    /// The query of the parameters `status`, `service_code`, `start_date` and
    /// `end_date` (`get` gives a parameter's value) at `now`: without dates,
    /// the last 90 days; with one, 90 days from or to it.
    pub fn parse<'a>(
        get: impl Fn(&str) -> Option<&'a str>,
        now: DateTime<Utc>,
    ) -> Result<Self, QueryError> {
        let list = |name: &str| -> Vec<&'a str> {
            get(name)
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        let statuses = list("status")
            .into_iter()
            .map(|s| Status::parse(s).ok_or(QueryError::Status))
            .collect::<Result<Vec<_>, _>>()?;
        let service_codes = list("service_code")
            .into_iter()
            .map(str::to_owned)
            .collect();
        let date = |name: &'static str| -> Result<Option<DateTime<Utc>>, QueryError> {
            get(name)
                .filter(|v| !v.trim().is_empty())
                .map(|v| parse_date(v.trim()).ok_or(QueryError::Date(name)))
                .transpose()
        };
        let window = Duration::days(MAX_WINDOW_DAYS);
        let (start, end) = match (date("start_date")?, date("end_date")?) {
            (Some(s), Some(e)) => (s, e),
            (Some(s), None) => (s, (s + window).min(now)),
            (None, Some(e)) => (e - window, e),
            (None, None) => (now - window, now),
        };
        if end < start {
            return Err(QueryError::Order);
        }
        if end - start > window {
            return Err(QueryError::Window);
        }
        Ok(Self {
            statuses,
            service_codes,
            start,
            end,
        })
    }

    /// Whether `r` is asked for (its registration time is checked by the
    /// caller, which reads only the window).
    #[must_use]
    pub fn wants(&self, r: &ServiceRequest) -> bool {
        (self.statuses.is_empty() || self.statuses.contains(&r.status))
            && (self.service_codes.is_empty() || self.service_codes.contains(&r.service_code))
    }
}

/// A W3C date-time (`2026-12-01T10:00:00+02:00`, `...Z`), or a plain date
/// (`2026-12-01`, midnight in Romania).
fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(calendar::start_of_local_day(date))
}

/// One attribute of a service definition (a field of the type's form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// The field's name.
    pub code: String,
    /// `string`, `number`, `datetime`, `text`, `singlevaluelist`.
    pub datatype: &'static str,
    /// Whether a value is required.
    pub required: bool,
    /// The field's Romanian label.
    pub description: String,
    /// Its place in the form, from 1.
    pub order: usize,
    /// For a list: each option's stored value and Romanian label.
    pub values: Vec<(String, String)>,
}

/// The attributes of `t`'s form, in order (files are sent with the request
/// in the portal, not as attributes: they are left out).
#[must_use]
pub fn attributes(t: &DocumentType) -> Vec<Attribute> {
    t.fields
        .iter()
        .filter(|f| !matches!(f.kind, FieldKind::Attachment { .. }))
        .enumerate()
        .map(|(i, f)| {
            let (datatype, values) = match &f.kind {
                FieldKind::Number { .. } => ("number", Vec::new()),
                FieldKind::Date => ("datetime", Vec::new()),
                FieldKind::Multiline { .. } | FieldKind::Address => ("text", Vec::new()),
                FieldKind::Select { options } => (
                    "singlevaluelist",
                    options
                        .iter()
                        .map(|o| {
                            (
                                o.value.as_str().to_owned(),
                                o.label.get(Lang::Ro).as_str().to_owned(),
                            )
                        })
                        .collect(),
                ),
                _ => ("string", Vec::new()),
            };
            Attribute {
                code: f.name.as_str().to_owned(),
                datatype,
                required: f.required,
                description: f.label.get(Lang::Ro).as_str().to_owned(),
                order: i + 1,
                values,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn query(pairs: &[(&str, &str)], now: &str) -> Result<Query, QueryError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Query::parse(
            |name| {
                pairs
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.as_str())
            },
            at(now),
        )
    }

    #[test]
    fn without_dates_the_last_90_days_are_asked_for() {
        let q = query(&[], "2026-12-05T10:00:00Z").unwrap();
        assert_eq!(q.end, at("2026-12-05T10:00:00Z"));
        assert_eq!(q.start, at("2026-09-06T10:00:00Z"));
        assert!(q.statuses.is_empty() && q.service_codes.is_empty());
    }

    #[test]
    fn dates_statuses_and_services_are_read_and_checked() {
        let q = query(
            &[
                ("status", "open,closed"),
                ("service_code", "petitie, certificat-urbanism"),
                ("start_date", "2026-11-01"),
                ("end_date", "2026-11-30T23:00:00+02:00"),
            ],
            "2026-12-05T10:00:00Z",
        )
        .unwrap();
        assert_eq!(q.statuses, [Status::Open, Status::Closed]);
        assert_eq!(q.service_codes, ["petitie", "certificat-urbanism"]);
        // Midnight in Romania (UTC+2 in November).
        assert_eq!(q.start, at("2026-10-31T22:00:00Z"));
        assert_eq!(q.end, at("2026-11-30T21:00:00Z"));
        assert_eq!(
            query(&[("status", "pending")], "2026-12-05T10:00:00Z"),
            Err(QueryError::Status)
        );
        assert_eq!(
            query(&[("start_date", "yesterday")], "2026-12-05T10:00:00Z"),
            Err(QueryError::Date("start_date"))
        );
        assert_eq!(
            query(
                &[("start_date", "2026-01-01"), ("end_date", "2026-06-01")],
                "2026-12-05T10:00:00Z"
            ),
            Err(QueryError::Window)
        );
        assert_eq!(
            query(
                &[("start_date", "2026-06-01"), ("end_date", "2026-01-01")],
                "2026-12-05T10:00:00Z"
            ),
            Err(QueryError::Order)
        );
    }

    #[test]
    fn a_deadline_ends_at_the_last_second_of_its_day_in_romania() {
        let d = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        assert_eq!(end_of_day(d).to_rfc3339(), "2026-07-01T23:59:59+03:00");
    }
}
