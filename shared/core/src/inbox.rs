//! The desk's inbox filter: which dossiers a view lists, by status and by
//! deadline. Each is read from its query value (`view=`, `status=`, `due=`),
//! exactly as spelled, and written back with `as_str`.

use crate::dossier::DossierStatus;
use crate::permissions::Actor;
use crate::role::Role;

/// Whose dossiers the inbox lists (`view=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InboxView {
    /// `mine`: the open dossiers assigned to the official.
    Mine,
    /// `department`: the open dossiers of a department (default: the official's).
    Department,
    /// `signature`: the open dossiers waiting for a signature.
    Signature,
    /// `all`: every open dossier of the tenant.
    All,
    /// `registry`: the year's newest registrations, open or not.
    Registry,
}

impl InboxView {
    /// Every view, in the order of the desk's tabs.
    pub const ALL: [InboxView; 5] = [
        Self::Mine,
        Self::Department,
        Self::Signature,
        Self::All,
        Self::Registry,
    ];

    /// The query value: `mine`, `department`, `signature`, `all` or `registry`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mine => "mine",
            Self::Department => "department",
            Self::Signature => "signature",
            Self::All => "all",
            Self::Registry => "registry",
        }
    }

    /// The view with this query value (exactly as spelled).
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == value)
    }

    /// The view shown when the query names none: a signer's queue, all open
    /// dossiers for a registrar or administrator, else the official's
    /// department, else their own.
    pub fn default_for(actor: &Actor) -> Self {
        let has = |r: Role| actor.roles.contains(&r);
        if has(Role::Signer) {
            Self::Signature
        } else if has(Role::Registrar) || has(Role::TenantAdmin) {
            Self::All
        } else if actor.department.is_some() {
            Self::Department
        } else {
            Self::Mine
        }
    }
}

/// The status filter (`status=`): a dossier status by its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InboxStatus {
    /// Dossiers in this status.
    Is(DossierStatus),
    /// A value that names no status: no dossier is kept (a mistyped link lists
    /// nothing rather than everything).
    Unknown,
}

impl InboxStatus {
    /// The statuses the filter offers: those of open dossiers.
    pub const OFFERED: [DossierStatus; 4] = [
        DossierStatus::Registered,
        DossierStatus::InProgress,
        DossierStatus::AwaitingCitizen,
        DossierStatus::AwaitingSignature,
    ];

    /// Reads the query value: any status's [`DossierStatus::code`] (the
    /// registry view lists closed dossiers too), exactly as spelled.
    pub fn parse(value: &str) -> Self {
        DossierStatus::ALL
            .into_iter()
            .find(|s| s.code() == value)
            .map_or(Self::Unknown, Self::Is)
    }

    /// The status's code; empty for [`Unknown`](Self::Unknown).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Is(s) => s.code(),
            Self::Unknown => "",
        }
    }

    /// Whether a dossier whose status has this code is kept.
    pub fn keeps(self, status_code: &str) -> bool {
        match self {
            Self::Is(s) => s.code() == status_code,
            Self::Unknown => false,
        }
    }
}

/// The deadline filter (`due=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InboxDue {
    /// `overdue`: past the deadline.
    Overdue,
    /// `week`: due within the next 7 days (today included).
    Week,
}

impl InboxDue {
    /// Both filters, in the order the desk offers them.
    pub const ALL: [InboxDue; 2] = [Self::Overdue, Self::Week];

    /// The query value: `overdue` or `week`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Overdue => "overdue",
            Self::Week => "week",
        }
    }

    /// The filter with this query value (exactly as spelled); any other value
    /// filters nothing.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == value)
    }

    /// Whether a dossier with `days_left` to its deadline (negative: overdue;
    /// see [`crate::deadline::days_left`]) is kept.
    pub fn keeps(self, days_left: i64) -> bool {
        match self {
            Self::Overdue => days_left < 0,
            Self::Week => (0..7).contains(&days_left),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{DepartmentCode, TenantSlug, Username};

    #[test]
    fn views_by_query_value() {
        let cases = [
            ("mine", Some(InboxView::Mine)),
            ("department", Some(InboxView::Department)),
            ("signature", Some(InboxView::Signature)),
            ("all", Some(InboxView::All)),
            ("registry", Some(InboxView::Registry)),
            ("", None),
            ("All", None),
            (" all", None),
            ("open", None),
        ];
        for (value, want) in cases {
            assert_eq!(InboxView::parse(value), want, "{value:?}");
            if let Some(v) = want {
                assert_eq!(v.as_str(), value);
            }
        }
    }

    #[test]
    fn default_view_by_role() {
        let actor = |roles: &[Role], department: Option<&str>| Actor {
            username: Username::parse("ana.pop").unwrap(),
            tenant: TenantSlug::parse("cj-cluj").unwrap(),
            roles: roles.iter().copied().collect(),
            department: department.map(|d| DepartmentCode::parse(d).unwrap()),
        };
        let cases = [
            (actor(&[Role::Signer], None), InboxView::Signature),
            (
                actor(&[Role::Signer, Role::TenantAdmin], Some("juridic")),
                InboxView::Signature,
            ),
            (
                actor(&[Role::Registrar], Some("registratura")),
                InboxView::All,
            ),
            (actor(&[Role::TenantAdmin], None), InboxView::All),
            (
                actor(&[Role::HeadOfDepartment], Some("urbanism")),
                InboxView::Department,
            ),
            (
                actor(&[Role::Official], Some("urbanism")),
                InboxView::Department,
            ),
            (actor(&[Role::Official], None), InboxView::Mine),
            (actor(&[], None), InboxView::Mine),
        ];
        for (a, want) in cases {
            assert_eq!(InboxView::default_for(&a), want, "{:?}", a.roles);
        }
    }

    #[test]
    fn statuses_by_query_value() {
        use DossierStatus as S;
        let cases = [
            ("registered", InboxStatus::Is(S::Registered)),
            ("in_progress", InboxStatus::Is(S::InProgress)),
            ("awaiting_citizen", InboxStatus::Is(S::AwaitingCitizen)),
            ("awaiting_signature", InboxStatus::Is(S::AwaitingSignature)),
            ("resolved", InboxStatus::Is(S::Resolved)),
            ("joined", InboxStatus::Is(S::Joined)),
            ("In_progress", InboxStatus::Unknown),
            (" in_progress", InboxStatus::Unknown),
            ("open", InboxStatus::Unknown),
        ];
        for (value, want) in cases {
            assert_eq!(InboxStatus::parse(value), want, "{value:?}");
        }
        for s in S::ALL {
            assert_eq!(InboxStatus::parse(s.code()).as_str(), s.code());
        }
        assert!(InboxStatus::OFFERED.iter().all(|s| !s.is_terminal()));
    }

    #[test]
    fn status_filter_keeps() {
        let cases = [
            (InboxStatus::parse("in_progress"), "in_progress", true),
            (InboxStatus::parse("in_progress"), "registered", false),
            (InboxStatus::parse("resolved"), "resolved", true),
            (InboxStatus::Unknown, "in_progress", false),
            (InboxStatus::Unknown, "", false),
        ];
        for (filter, status, want) in cases {
            assert_eq!(filter.keeps(status), want, "{filter:?} {status:?}");
        }
    }

    #[test]
    fn due_filters() {
        assert_eq!(InboxDue::parse("overdue"), Some(InboxDue::Overdue));
        assert_eq!(InboxDue::parse("week"), Some(InboxDue::Week));
        assert_eq!(InboxDue::parse("Week"), None);
        assert_eq!(InboxDue::parse(""), None);
        for d in InboxDue::ALL {
            assert_eq!(InboxDue::parse(d.as_str()), Some(d));
        }
        let cases = [
            (InboxDue::Overdue, -1, true),
            (InboxDue::Overdue, 0, false),
            (InboxDue::Week, -1, false),
            (InboxDue::Week, 0, true),
            (InboxDue::Week, 6, true),
            (InboxDue::Week, 7, false),
        ];
        for (due, days_left, want) in cases {
            assert_eq!(due.keeps(days_left), want, "{due:?} {days_left}");
        }
    }
}
