//! Authentication: argon2id password hashes and JWTs (pinned algorithm, issuer, audience per
//! API, expiry on an injectable clock, key rotation by `kid`).

mod jwt;
mod password;

pub use jwt::{Claims, DEMO_SECRET, JwtKeys, TokenKind};
pub use password::{hash_password, verify_password, verify_unknown_user};
