//! Submission quotas: how many online submissions an institution accepts
//! from one citizen's account and from one client address, per hour and
//! per day (issue 18, item 2).
//!
//! A citizen may file many legitimate requests, so the limits are the
//! institution's to set ([`SubmissionQuota`], edited by its administrator),
//! and the default is one no real person meets: it stops a script, not a
//! busy applicant. The counting is the platform's one fixed-window counter
//! (increment first, decide on the count); which limit refused, and how long
//! to wait, is [`Limit`].

use thiserror::Error;

/// What one submission is counted against, in the order they are checked:
/// the account's hour and day, then the address's hour and day. A
/// submission refused by one is not counted against the ones after it, so a
/// script on one account does not use up the quota of the other citizens
/// behind the same address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Submissions of one account in an hour.
    AccountHour,
    /// Submissions of one account in a day.
    AccountDay,
    /// Submissions from one client address in an hour.
    AddressHour,
    /// Submissions from one client address in a day.
    AddressDay,
}

impl Limit {
    /// Every limit, in the order a submission is checked against them.
    pub const ALL: [Limit; 4] = [
        Limit::AccountHour,
        Limit::AccountDay,
        Limit::AddressHour,
        Limit::AddressDay,
    ];

    /// The window's length in seconds.
    pub fn window_secs(self) -> i64 {
        match self {
            Self::AccountHour | Self::AddressHour => 3600,
            Self::AccountDay | Self::AddressDay => 86_400,
        }
    }

    /// Whether the limit counts per account (else per client address).
    pub fn per_account(self) -> bool {
        matches!(self, Self::AccountHour | Self::AccountDay)
    }

    /// The form field and stored name of the limit.
    pub fn code(self) -> &'static str {
        match self {
            Self::AccountHour => "account_hour",
            Self::AccountDay => "account_day",
            Self::AddressHour => "address_hour",
            Self::AddressDay => "address_day",
        }
    }
}

/// The largest value of a limit.
pub const MAX_LIMIT: u32 = 100_000;

/// An institution's submission quotas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubmissionQuota {
    /// Per account, per hour.
    pub account_hour: u32,
    /// Per account, per day.
    pub account_day: u32,
    /// Per client address, per hour.
    pub address_hour: u32,
    /// Per client address, per day.
    pub address_day: u32,
}

impl Default for SubmissionQuota {
    /// 30 an hour and 100 a day per account, 100 an hour and 500 a day per
    /// address (an office or a public access point files for many people).
    fn default() -> Self {
        Self {
            account_hour: 30,
            account_day: 100,
            address_hour: 100,
            address_day: 500,
        }
    }
}

/// Why a quota was refused: the limit, out of 1 to [`MAX_LIMIT`] or not a
/// number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("a submission limit is a whole number from 1 to 100000")]
pub struct QuotaError(pub Limit);

impl SubmissionQuota {
    /// The value of `limit`.
    pub fn get(&self, limit: Limit) -> u32 {
        match limit {
            Limit::AccountHour => self.account_hour,
            Limit::AccountDay => self.account_day,
            Limit::AddressHour => self.address_hour,
            Limit::AddressDay => self.address_day,
        }
    }

    fn slot(&mut self, limit: Limit) -> &mut u32 {
        match limit {
            Limit::AccountHour => &mut self.account_hour,
            Limit::AccountDay => &mut self.account_day,
            Limit::AddressHour => &mut self.address_hour,
            Limit::AddressDay => &mut self.address_day,
        }
    }

    /// Reads the four limits from `value_of` (a form's fields by
    /// [`Limit::code`]); every limit that is not a number from 1 to
    /// [`MAX_LIMIT`] is named.
    pub fn parse(value_of: impl Fn(&str) -> Option<String>) -> Result<Self, Vec<QuotaError>> {
        let mut quota = Self::default();
        let mut errors = Vec::new();
        for limit in Limit::ALL {
            let raw = value_of(limit.code()).unwrap_or_default();
            match raw.trim().parse::<u32>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => *quota.slot(limit) = n,
                _ => errors.push(QuotaError(limit)),
            }
        }
        if errors.is_empty() {
            Ok(quota)
        } else {
            Err(errors)
        }
    }

    /// The stored text: `{account_hour}/{account_day}/{address_hour}/{address_day}`.
    pub fn to_stored(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.account_hour, self.account_day, self.address_hour, self.address_day
        )
    }

    /// Reads [`to_stored`](Self::to_stored)'s text back, strictly.
    pub fn from_stored(stored: &str) -> Option<Self> {
        let parts: Vec<&str> = stored.split('/').collect();
        let [a, b, c, d] = parts.as_slice() else {
            return None;
        };
        let values = [*a, *b, *c, *d];
        Self::parse(|code| {
            let at = Limit::ALL.iter().position(|l| l.code() == code)?;
            Some(values[at].to_owned())
        })
        .ok()
        .filter(|q| q.to_stored() == stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_read_from_a_form_with_every_problem_named() {
        let form = |a: &str, b: &str, c: &str, d: &str| {
            let values = [a.to_owned(), b.to_owned(), c.to_owned(), d.to_owned()];
            SubmissionQuota::parse(move |code| {
                let at = Limit::ALL.iter().position(|l| l.code() == code)?;
                Some(values[at].clone())
            })
        };
        assert_eq!(
            form("12", " 40 ", "15", "100000"),
            Ok(SubmissionQuota {
                account_hour: 12,
                account_day: 40,
                address_hour: 15,
                address_day: 100_000,
            })
        );
        assert_eq!(
            form("0", "40", "-1", "100001"),
            Err(vec![
                QuotaError(Limit::AccountHour),
                QuotaError(Limit::AddressHour),
                QuotaError(Limit::AddressDay),
            ])
        );
        assert_eq!(
            form("x", "", "1.5", "2"),
            Err(vec![
                QuotaError(Limit::AccountHour),
                QuotaError(Limit::AccountDay),
                QuotaError(Limit::AddressHour),
            ])
        );
    }

    #[test]
    fn the_stored_text_reads_back_strictly() {
        let q = SubmissionQuota {
            account_hour: 12,
            account_day: 40,
            address_hour: 15,
            address_day: 900,
        };
        assert_eq!(q.to_stored(), "12/40/15/900");
        assert_eq!(SubmissionQuota::from_stored("12/40/15/900"), Some(q));
        for bad in [
            "",
            "12/40/15",
            "12/40/15/900/1",
            "012/40/15/900",
            "0/1/1/1",
            "a/b/c/d",
        ] {
            assert_eq!(SubmissionQuota::from_stored(bad), None, "{bad}");
        }
        let d = SubmissionQuota::default();
        assert_eq!(SubmissionQuota::from_stored(&d.to_stored()), Some(d));
    }

    #[test]
    fn limits_and_their_windows() {
        assert_eq!(Limit::AccountHour.window_secs(), 3600);
        assert_eq!(Limit::AddressDay.window_secs(), 86_400);
        assert!(Limit::AccountDay.per_account() && !Limit::AddressHour.per_account());
        let d = SubmissionQuota::default();
        assert!(d.account_hour <= d.address_hour && d.account_day <= d.address_day);
        assert_eq!(Limit::ALL.map(|l| d.get(l)), [30, 100, 100, 500]);
    }
}
