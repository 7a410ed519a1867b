//! Customer accounts and the sessions that authenticate them, as stored: what the request
//! authenticator needs (`active_session`) and what `accounts` (login, register) builds on.

use shopql_server_stubs::ApiResult;
use sqlx::FromRow;

use crate::state::AppState;
use crate::store::sql::{Flag, col};

/// A customer account.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct Customer {
    /// `_id`.
    pub id: String,
    /// Numeric id.
    pub num_id: i64,
    /// Email, lower case.
    pub email: String,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Telephone.
    pub telephone: Option<String>,
    /// Tax number.
    pub tax_number: Option<String>,
    /// Organisation.
    pub organisation: Option<String>,
    /// Newsletter subscription.
    #[sqlx(try_from = "Flag")]
    pub is_subscribed: bool,
}

impl Customer {
    /// "First Last", or whichever part is set.
    pub(crate) fn full_name(&self) -> Option<String> {
        full_name(self.first_name.as_deref(), self.last_name.as_deref())
    }
}

/// First and last name joined by a space; `None` when both are empty.
pub(crate) fn full_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = [first, last]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// The columns a [`Customer`] is read from (of `client_customers c`).
pub(crate) const CUSTOMER_COLUMNS: &str = "c.id, c.num_id, c.email, c.first_name, c.last_name, c.telephone, \
     c.tax_number, c.organisation, c.is_subscribed";

/// The customer and store of a session that is neither revoked nor expired at `now`.
pub(crate) async fn active_session(
    state: &AppState,
    session_id: &str,
    now: i64,
) -> ApiResult<Option<(Customer, String)>> {
    let row = sqlx::query(&format!(
        "SELECT {CUSTOMER_COLUMNS}, s.store_id AS session_store FROM client_sessions s \
         JOIN client_customers c ON c.id = s.customer_id \
         WHERE s.id = $1 AND s.revoked IS NULL AND s.expires > $2"
    ))
    .bind(session_id)
    .bind(now)
    .fetch_optional(&state.store.pool)
    .await?;
    match row {
        Some(row) => Ok(Some((
            Customer::from_row(&row)?,
            col(&row, "session_store")?,
        ))),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            full_name(Some("First"), Some("Last")).as_deref(),
            Some("First Last")
        );
        assert_eq!(full_name(None, Some("Last")).as_deref(), Some("Last"));
        assert_eq!(full_name(Some(" "), None), None);
    }
}
