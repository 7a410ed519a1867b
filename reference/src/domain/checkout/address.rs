//! Address and contact rules: country codes, email addresses, and what a complete postal
//! address needs.

/// Every officially assigned ISO 3166-1 alpha-2 code.
const ISO_3166_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG \
BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX \
CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN \
GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI \
KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ \
MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR \
PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC \
TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT \
ZA ZM ZW";

/// The upper-case alpha-2 code for `text` (two letters, any case), or `None` when it is not an
/// assigned ISO 3166-1 code.
pub(crate) fn normalize_alpha2(text: &str) -> Option<String> {
    let t = text.trim();
    if t.len() != 2 || !t.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let upper = t.to_ascii_uppercase();
    ISO_3166_ALPHA2
        .split_ascii_whitespace()
        .any(|c| c == upper)
        .then_some(upper)
}

/// A plausible email address: one `@`, a non-empty local part, a dotted domain, no spaces,
/// at most 254 characters.
pub(crate) fn is_valid_email(text: &str) -> bool {
    if text.is_empty() || text.len() > 254 || text.chars().any(char::is_whitespace) {
        return false;
    }
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
}

/// The fields of an address that `checkoutSubmit` requires.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct AddressFields<'a> {
    /// First name.
    pub first_name: Option<&'a str>,
    /// Last name.
    pub last_name: Option<&'a str>,
    /// First address line.
    pub address_line1: Option<&'a str>,
    /// City.
    pub city: Option<&'a str>,
    /// Postal code.
    pub post_code: Option<&'a str>,
    /// Country code.
    pub alpha2: Option<&'a str>,
}

/// The names of the required fields that are missing or blank (empty when complete).
pub(crate) fn missing_fields(a: &AddressFields<'_>) -> Vec<&'static str> {
    let blank = |v: Option<&str>| v.is_none_or(|s| s.trim().is_empty());
    let mut missing = Vec::new();
    for (name, value) in [
        ("firstName", a.first_name),
        ("lastName", a.last_name),
        ("addressLine1", a.address_line1),
        ("city", a.city),
        ("postCode", a.post_code),
        ("alpha2", a.alpha2),
    ] {
        if blank(value) {
            missing.push(name);
        }
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes() {
        assert_eq!(normalize_alpha2("gb").as_deref(), Some("GB"));
        assert_eq!(normalize_alpha2(" FR ").as_deref(), Some("FR"));
        assert_eq!(normalize_alpha2("UK"), None);
        assert_eq!(normalize_alpha2("GBR"), None);
        assert_eq!(normalize_alpha2("G1"), None);
        assert_eq!(normalize_alpha2(""), None);
    }

    #[test]
    fn emails() {
        assert!(is_valid_email("buyer@example.com"));
        assert!(is_valid_email("first.last+tag@mail.example.co.uk"));
        assert!(!is_valid_email("buyer"));
        assert!(!is_valid_email("buyer@example"));
        assert!(!is_valid_email("@example.com"));
        assert!(!is_valid_email("a b@example.com"));
        assert!(!is_valid_email("a@b@example.com"));
        assert!(!is_valid_email("a@example..com"));
    }

    #[test]
    fn complete_addresses() {
        let full = AddressFields {
            first_name: Some("First"),
            last_name: Some("Last"),
            address_line1: Some("1 Record Lane"),
            city: Some("London"),
            post_code: Some("E1 6AN"),
            alpha2: Some("GB"),
        };
        assert!(missing_fields(&full).is_empty());
        let partial = AddressFields {
            city: Some("  "),
            post_code: None,
            ..full
        };
        assert_eq!(missing_fields(&partial), vec!["city", "postCode"]);
    }
}
