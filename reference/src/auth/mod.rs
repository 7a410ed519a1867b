//! Authentication: argon2id password hashes and JWTs (pinned algorithm, issuer, audience per
//! API, expiry on an injectable clock, key rotation by `kid`).

mod jwt;
mod password;

pub use jwt::{Claims, DEMO_SECRET, JwtKeys, TokenKind};
pub use password::{hash_password, verify_password, verify_unknown_user};
/// The SHA-256 of a text as 64 hex digits: how API keys and bearer tokens are stored. The server
/// runtime's (persisted queries hash with it too), so there is one.
pub use shopql_server_stubs::persisted::sha256_hex;
