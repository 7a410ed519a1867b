//! Checkouts as stored: the row, its lines, and the JSON documents of its addresses and buyer.

use serde::{Deserialize, Serialize};
use shopql_server_stubs::ApiResult;
use shopql_server_stubs::client::{Address, CheckoutBuyer};
use sqlx::AnyConnection;

use super::super::customers::{Customer, full_name};
use crate::domain::checkout::CheckoutStatus;
use crate::domain::checkout::address::AddressFields;
use crate::store::sql::{Doc, Flag, Sql};

/// A postal address, stored as JSON with the API's field names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct AddressDoc {
    #[serde(rename = "_id")]
    pub id: Option<String>,
    pub description: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub street_number: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub state_code: Option<String>,
    pub post_code: Option<String>,
    pub country: Option<String>,
    pub alpha2: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

impl AddressDoc {
    /// The fields `checkoutSubmit` requires.
    pub(crate) fn fields(&self) -> AddressFields<'_> {
        AddressFields {
            first_name: self.first_name.as_deref(),
            last_name: self.last_name.as_deref(),
            address_line1: self.address_line1.as_deref(),
            city: self.city.as_deref(),
            post_code: self.post_code.as_deref(),
            alpha2: self.alpha2.as_deref(),
        }
    }

    /// The API's `Address`.
    pub(crate) fn to_api(&self) -> Address {
        Address {
            _id: self.id.clone(),
            description: self.description.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            address_line1: self.address_line1.clone(),
            address_line2: self.address_line2.clone(),
            street_number: self.street_number.clone(),
            city: self.city.clone(),
            state: self.state.clone(),
            state_code: self.state_code.clone(),
            post_code: self.post_code.clone(),
            country: self.country.clone(),
            alpha2: self.alpha2.clone(),
            r#type: self.kind.clone(),
        }
    }
}

/// The buyer's contact details, stored as JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct BuyerDoc {
    #[serde(rename = "_id")]
    pub customer_id: Option<String>,
    pub id: Option<i64>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub telephone: Option<String>,
    pub organisation: Option<String>,
    pub tax_number: Option<String>,
}

impl BuyerDoc {
    /// The buyer prefilled from the signed-in customer.
    pub(crate) fn of_customer(c: &Customer) -> Self {
        Self {
            customer_id: Some(c.id.clone()),
            id: Some(c.num_id),
            email: Some(c.email.clone()),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            telephone: c.telephone.clone(),
            organisation: c.organisation.clone(),
            tax_number: c.tax_number.clone(),
        }
    }

    /// The API's `CheckoutBuyer`.
    pub(crate) fn to_api(&self) -> CheckoutBuyer {
        CheckoutBuyer {
            _id: self.customer_id.clone(),
            id: self.id.map(|v| v as f64),
            email: self.email.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            name: full_name(self.first_name.as_deref(), self.last_name.as_deref()),
            telephone: self.telephone.clone(),
            organisation: self.organisation.clone(),
            tax_number: self.tax_number.clone(),
            is_guest: Some(false),
        }
    }
}

/// A checkout row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct CheckoutRow {
    pub id: String,
    pub code: String,
    pub order_code: String,
    pub store_id: String,
    pub customer_id: String,
    pub origin: String,
    pub status: String,
    pub message: Option<String>,
    pub order_id: Option<String>,
    #[sqlx(try_from = "Flag")]
    pub use_single_address: bool,
    #[sqlx(try_from = "Flag")]
    pub create_account: bool,
    pub buyer: Doc<BuyerDoc>,
    pub shipping_address: Option<Doc<AddressDoc>>,
    pub billing_address: Option<Doc<AddressDoc>>,
    pub shipping_method: Option<String>,
    #[sqlx(try_from = "Flag")]
    pub shop_collection: bool,
    pub tracking: Option<String>,
    pub confirmation_email: Option<String>,
    pub voucher_code: Option<String>,
    pub created: i64,
    pub updated: i64,
    pub expires: i64,
}

impl CheckoutRow {
    /// The status at `now` (an open checkout past `expires` reads as expired).
    pub(crate) fn status_at(&self, now: i64) -> CheckoutStatus {
        CheckoutStatus::parse(&self.status)
            .unwrap_or(CheckoutStatus::Canceled)
            .effective(self.expires, now)
    }

    /// The address billing uses: the shipping address when `useSingleAddress` is set.
    pub(crate) fn effective_billing(&self) -> Option<&AddressDoc> {
        if self.use_single_address {
            self.shipping_address.as_deref()
        } else {
            self.billing_address.as_deref()
        }
    }
}

/// The columns a [`CheckoutRow`] is read from.
pub(crate) const CHECKOUT_COLUMNS: &str = "c.id, c.code, c.order_code, c.store_id, c.customer_id, c.origin, \
     c.status, c.message, c.order_id, c.use_single_address, c.create_account, c.buyer, \
     c.shipping_address, c.billing_address, c.shipping_method, c.shop_collection, c.tracking, \
     c.confirmation_email, c.voucher_code, c.created, c.updated, c.expires";

/// JSON text of a document (documents always serialize).
pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

/// A checkout line.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct LineRow {
    pub id: String,
    pub checkout_id: String,
    pub code: String,
    pub position: i64,
    pub listing_num: i64,
    pub quantity: i64,
    pub added: i64,
}

/// The lines of `checkout_ids`, in position order.
pub(crate) async fn lines_of(
    conn: &mut AnyConnection,
    checkout_ids: &[String],
) -> ApiResult<Vec<LineRow>> {
    if checkout_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT id, checkout_id, code, position, listing_num, quantity, added \
         FROM client_checkout_lines WHERE checkout_id IN ",
    );
    sql.list(checkout_ids)
        .push(" ORDER BY checkout_id, position");
    sql.fetch_all_as(conn).await
}

/// The customer's checkout `code` in `store_id`, if it exists.
pub(crate) async fn find(
    conn: &mut AnyConnection,
    store_id: &str,
    customer_id: &str,
    code: &str,
) -> ApiResult<Option<CheckoutRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CHECKOUT_COLUMNS} FROM client_checkouts c \
         WHERE c.code = $1 AND c.store_id = $2 AND c.customer_id = $3"
    ))
    .bind(code)
    .bind(store_id)
    .bind(customer_id)
    .fetch_optional(conn)
    .await?)
}
