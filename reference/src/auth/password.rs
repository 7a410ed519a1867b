//! argon2id password hashing.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use shopql_server_stubs::ApiError;

/// Hashes a password with argon2id and a random salt (PHC string format).
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal(format!("argon2: {e}")))
}

/// True if `password` matches the stored PHC hash.
pub fn verify_password(hash: &str, password: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("no user has this password").unwrap_or_default());

/// Spends the same time as a real verification, so that an unknown email cannot be told from a
/// wrong password by timing. Always false.
pub fn verify_unknown_user(password: &str) -> bool {
    let _ = verify_password(&DUMMY_HASH, password);
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_per_salt() -> Result<(), ApiError> {
        let a = hash_password("demo-password")?;
        let b = hash_password("demo-password")?;
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify_password(&a, "demo-password"));
        assert!(!verify_password(&a, "wrong"));
        assert!(!verify_password("not a hash", "demo-password"));
        assert!(!verify_unknown_user("demo-password"));
        Ok(())
    }
}
