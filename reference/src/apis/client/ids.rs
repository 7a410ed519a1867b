//! Identifiers as the client API shows them: short checkout codes ("abc-AbC1d"), the order id
//! reserved for each checkout ("ord-AbC1d"), short line ids, and numeric customer ids.

use rand::Rng;
use rand::distributions::Alphanumeric;

const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// A new checkout code and the order id reserved for it: three letters, a dash and five
/// letters or digits (the seed's "abc-AbC1d"); the order id is "ord-" and the same five.
pub(crate) fn checkout_code() -> (String, String) {
    let mut rng = rand::thread_rng();
    let prefix: String = (0..3)
        .map(|_| char::from(LETTERS[rng.gen_range(0..LETTERS.len())]))
        .collect();
    let suffix: String = (0..5)
        .map(|_| char::from(rng.sample(Alphanumeric)))
        .collect();
    (format!("{prefix}-{suffix}"), order_code_for(&suffix))
}

/// The order id for a checkout code's five-character suffix.
pub(crate) fn order_code_for(suffix: &str) -> String {
    format!("ord-{suffix}")
}

/// A short id for a checkout line.
pub(crate) fn line_code() -> String {
    let mut rng = rand::thread_rng();
    (0..8)
        .map(|_| char::from(rng.sample(Alphanumeric)))
        .collect()
}

/// A numeric customer id: a whole number exact in a JSON float (below 2^53) and above 2^31,
/// like the real service's ids.
pub(crate) fn numeric_id() -> i64 {
    rand::thread_rng().gen_range(10_000_000_000_i64..4_000_000_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_look_like_the_seed() {
        for _ in 0..100 {
            let (code, order) = checkout_code();
            assert_eq!(code.len(), 9);
            assert_eq!(&code[3..4], "-");
            assert!(code[..3].chars().all(|c| c.is_ascii_alphabetic()));
            assert!(code[4..].chars().all(|c| c.is_ascii_alphanumeric()));
            assert_eq!(order, format!("ord-{}", &code[4..]));
        }
        assert_eq!(line_code().len(), 8);
        let n = numeric_id();
        assert!(n > 1 << 31 && (n as f64) as i64 == n);
    }
}
