//! `xsd:dateTime` syntax, as ReqIF uses it for `CREATION-TIME`, `LAST-CHANGE` and DATE values.

/// Is `s` a lexically valid `xsd:dateTime`: `[-]YYYY-MM-DDThh:mm:ss[.f+][Z|(+|-)hh:mm]`?
///
/// Field ranges are checked (month 1–12, day 1–31, hour 0–23 or `24:00:00`, minute and
/// second 0–59, zone within ±14:00), days per month are not: this decides between a warning
/// and silence, and a writer that gets the shape right gets the calendar right too. The
/// check is strict where real tools fail: a space instead of `T` (rejected by XSD
/// validators) and a missing seconds field are invalid.
pub(crate) fn is_xsd_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    // Year: at least four digits, no leading zero when longer.
    let year_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let year_len = i - year_start;
    if year_len < 4 || (year_len > 4 && b[year_start] == b'0') {
        return false;
    }
    let Some(rest) = b.get(i..) else {
        return false;
    };
    // "-MM-DDThh:mm:ss" is 15 bytes.
    if rest.len() < 15 || rest[0] != b'-' || rest[3] != b'-' || rest[6] != b'T' || rest[9] != b':' || rest[12] != b':' {
        return false;
    }
    let two = |at: usize| -> Option<u32> {
        let (h, l) = (rest[at], rest[at + 1]);
        (h.is_ascii_digit() && l.is_ascii_digit()).then(|| u32::from(h - b'0') * 10 + u32::from(l - b'0'))
    };
    let (Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (two(1), two(4), two(7), two(10), two(13))
    else {
        return false;
    };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || minute > 59 || second > 59 {
        return false;
    }
    let mut j = 15;
    let mut fraction_nonzero = false;
    if rest.get(j) == Some(&b'.') {
        j += 1;
        let start = j;
        while j < rest.len() && rest[j].is_ascii_digit() {
            fraction_nonzero |= rest[j] != b'0';
            j += 1;
        }
        if j == start {
            return false;
        }
    }
    if hour > 24 || (hour == 24 && (minute != 0 || second != 0 || fraction_nonzero)) {
        return false;
    }
    match &rest[j..] {
        [] | [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            let digits = [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit());
            let hh = u32::from(h1.wrapping_sub(b'0')) * 10 + u32::from(h2.wrapping_sub(b'0'));
            let mm = u32::from(m1.wrapping_sub(b'0')) * 10 + u32::from(m2.wrapping_sub(b'0'));
            digits && mm <= 59 && (hh < 14 || (hh == 14 && mm == 0))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_xsd_datetime;

    #[test]
    fn accepts_what_tools_write() {
        for s in [
            "2018-10-12T16:43:58",
            "2017-11-14T15:44:26.000+02:00",
            "2021-07-01T01:12:06.121Z",
            "2022-02-01T08:22:28.005-08:00",
            "2026-01-01T00:00:00Z",
            "12026-01-01T24:00:00Z",
        ] {
            assert!(is_xsd_datetime(s), "{s}");
        }
    }

    #[test]
    fn rejects_what_validators_reject() {
        for s in [
            "2024-01-01 10:00:00",
            "aaa",
            "",
            "2024-13-01T00:00:00",
            "2024-01-01T00:00",
            "2024-01-01T24:00:01",
            "2024-01-01T00:00:00.",
            "2024-01-01T00:00:00+2:00",
            "2024-01-01T00:00:00+15:00",
            "024-01-01T00:00:00",
            "2024-01-01T00:00:00Zjunk",
        ] {
            assert!(!is_xsd_datetime(s), "{s}");
        }
    }
}
