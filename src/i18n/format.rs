//! Dates and numbers written the way each language writes them.
//!
//! The patterns live in the i18n files (`date.months`, `date.long`, `number.group`, …), so a
//! new language brings its own; nothing here is specific to French or English.

use chrono::{Datelike, NaiveDateTime};

/// How a language writes numbers and dates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Formats {
    /// Thousands separator (`"\u{202F}"` in French, `","` in English).
    pub group: String,
    /// Decimal separator.
    pub decimal: String,
    /// Twelve month names.
    pub months: Vec<String>,
    /// Long date pattern with `{day}`, `{month}`, `{year}`.
    pub long: String,
    /// Short date pattern with `{day}`, `{mm}`, `{dd}`, `{month}`, `{year}`.
    pub short: String,
    /// How the first day of a month is written (`1er` in French), if special.
    pub first_day: Option<String>,
}

impl Formats {
    /// Writes an integer with grouping: `35 000`, `35,000`.
    pub fn int(&self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + 8);
        if n < 0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(&self.group);
            }
            out.push(c);
        }
        out
    }

    /// Writes a number with up to `decimals` decimals, trailing zeros removed.
    pub fn number(&self, n: f64, decimals: usize) -> String {
        if !n.is_finite() {
            return n.to_string();
        }
        let s = format!("{:.*}", decimals, n.abs());
        let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
        let frac = frac.trim_end_matches('0');
        let int: i64 = int.parse().unwrap_or(0);
        let mut out = if n < 0.0 && (int != 0 || !frac.is_empty()) { "-".to_string() } else { String::new() };
        out.push_str(&self.int(int));
        if !frac.is_empty() {
            out.push_str(&self.decimal);
            out.push_str(frac);
        }
        out
    }

    /// Writes a year (`2024`) or a month (`2024-05` → `mai 2024`); `None` for anything else.
    pub fn partial_date(&self, s: &str) -> Option<String> {
        let s = s.trim();
        match s.split('-').collect::<Vec<_>>()[..] {
            [y] if y.len() == 4 && y.parse::<u32>().is_ok() => Some(y.to_string()),
            [y, m] if y.len() == 4 && y.parse::<u32>().is_ok() => {
                let m: usize = m.parse().ok().filter(|m| (1..=12).contains(m))?;
                let month = self.months.get(m - 1).cloned().unwrap_or_else(|| format!("{m:02}"));
                Some(format!("{month} {y}"))
            }
            _ => None,
        }
    }

    /// Writes a date with the long or short pattern.
    pub fn date(&self, d: &NaiveDateTime, long: bool) -> String {
        let day = d.day();
        let month =
            self.months.get(d.month0() as usize).cloned().unwrap_or_else(|| format!("{:02}", d.month()));
        let day_text = match (&self.first_day, day) {
            (Some(first), 1) => first.clone(),
            _ => day.to_string(),
        };
        let pattern = if long { &self.long } else { &self.short };
        let pattern = if pattern.is_empty() { "{year}-{mm}-{dd}" } else { pattern };
        pattern
            .replace("{day}", &day_text)
            .replace("{dd}", &format!("{day:02}"))
            .replace("{mm}", &format!("{:02}", d.month()))
            .replace("{month}", &month)
            .replace("{year}", &d.year().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn fr() -> Formats {
        Formats {
            group: "\u{202F}".into(),
            decimal: ",".into(),
            months: [
                "janvier",
                "février",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "août",
                "septembre",
                "octobre",
                "novembre",
                "décembre",
            ]
            .map(String::from)
            .to_vec(),
            long: "{day} {month} {year}".into(),
            short: "{dd}/{mm}/{year}".into(),
            first_day: Some("1er".into()),
        }
    }

    fn en() -> Formats {
        Formats {
            group: ",".into(),
            decimal: ".".into(),
            months: [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ]
            .map(String::from)
            .to_vec(),
            long: "{day} {month} {year}".into(),
            short: "{year}-{mm}-{dd}".into(),
            first_day: None,
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(fr().int(35000), "35\u{202F}000");
        assert_eq!(en().int(35000), "35,000");
        assert_eq!(en().int(-1234567), "-1,234,567");
        assert_eq!(en().int(999), "999");
        assert_eq!(fr().number(1234.5, 2), "1\u{202F}234,5");
        assert_eq!(en().number(0.26, 1), "0.3");
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(0, 0, 0).unwrap();
        assert_eq!(fr().date(&d, true), "28 novembre 2026");
        assert_eq!(en().date(&d, true), "28 November 2026");
        assert_eq!(fr().date(&d, false), "28/11/2026");
        let first = NaiveDate::from_ymd_opt(2025, 4, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
        assert_eq!(fr().date(&first, true), "1er avril 2025");
        assert_eq!(fr().partial_date("2024-05").as_deref(), Some("mai 2024"));
        assert_eq!(en().partial_date("2024").as_deref(), Some("2024"));
        assert_eq!(en().partial_date("2024-05-01"), None);
    }
}
