//! The languages of the public pages: Romanian (default), Hungarian, English.

/// A supported language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Lang {
    /// Romanian, the default.
    #[default]
    Ro,
    /// Hungarian.
    Hu,
    /// English.
    En,
}

impl Lang {
    /// Every supported language, default first.
    pub const ALL: [Lang; 3] = [Lang::Ro, Lang::Hu, Lang::En];

    /// The one of `[ro, hu, en]` in this language: how every text the
    /// platform shows in three languages is chosen.
    pub fn pick<T>(self, [ro, hu, en]: [T; 3]) -> T {
        match self {
            Lang::Ro => ro,
            Lang::Hu => hu,
            Lang::En => en,
        }
    }

    /// The BCP 47 primary tag: `ro`, `hu` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ro => "ro",
            Lang::Hu => "hu",
            Lang::En => "en",
        }
    }

    /// The language of a primary tag or full tag (`hu`, `hu-HU`, `EN-gb`).
    pub fn from_code(tag: &str) -> Option<Lang> {
        let primary = tag.split('-').next().unwrap_or("");
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    /// Picks the language from an `Accept-Language` header (RFC 9110 §12.5.4):
    /// the supported language with the highest q-value wins, the earlier one on a
    /// tie; `q=0` means "not this one"; `*` stands for Romanian. Malformed entries
    /// are ignored, and Romanian is the answer when nothing supported is acceptable.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(u16, Lang)> = None;
        for entry in header.split(',') {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let mut q = Some(1000);
            for param in parts {
                let param = param.trim();
                if let Some(v) = param
                    .strip_prefix("q=")
                    .or_else(|| param.strip_prefix("Q="))
                {
                    q = parse_qvalue(v.trim());
                }
            }
            let (Some(q), Some(lang)) = (
                q,
                if tag == "*" {
                    Some(Lang::Ro)
                } else {
                    Lang::from_code(tag)
                },
            ) else {
                continue;
            };
            if q > 0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::Ro, |(_, l)| l)
    }
}

/// A q-value in thousandths: `0`, `1`, `0.8`, `1.000`; `None` if malformed.
fn parse_qvalue(v: &str) -> Option<u16> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_value: u16 = format!("{frac:0<3}").parse().ok()?;
    match int {
        "0" => Some(frac_value),
        "1" if frac_value == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pick_takes_the_languages_own() {
        let all = Lang::ALL.map(|l| l.pick(["ro", "hu", "en"]));
        assert_eq!(all, ["ro", "hu", "en"]);
        assert_eq!(all, Lang::ALL.map(Lang::code));
    }

    #[test]
    fn accept_language_table() {
        let cases = [
            ("", Lang::Ro),
            ("ro", Lang::Ro),
            ("hu", Lang::Hu),
            ("hu-HU,hu;q=0.9,en;q=0.8", Lang::Hu),
            ("en-US,en;q=0.9", Lang::En),
            ("de-DE,de;q=0.9,en;q=0.5", Lang::En),
            ("en;q=0.5,hu;q=0.8", Lang::Hu),
            ("en;q=0.8,hu;q=0.8", Lang::En),
            ("fr,de", Lang::Ro),
            ("en;q=0", Lang::Ro),
            ("en;q=0,hu;q=0.001", Lang::Hu),
            ("*", Lang::Ro),
            ("en;q=0.4,*;q=0.5", Lang::Ro),
            ("EN-gb", Lang::En),
            ("en;q=2,hu;q=0.1", Lang::Hu),
            ("en;q=abc,hu;q=0.1", Lang::Hu),
            ("en;q=0.1234,hu;q=0.1", Lang::Hu),
            (" hu ; q=1.0 , en", Lang::Hu),
            ("english", Lang::Ro),
            (",,;", Lang::Ro),
        ];
        for (header, want) in cases {
            assert_eq!(Lang::from_accept_language(header), want, "{header:?}");
        }
    }

    #[test]
    fn codes_round_trip() {
        for l in Lang::ALL {
            assert_eq!(Lang::from_code(l.code()), Some(l));
        }
        assert_eq!(Lang::from_code("de"), None);
    }
}
