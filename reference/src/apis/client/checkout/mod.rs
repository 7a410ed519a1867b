//! Checkouts: `checkoutCreate`, `checkoutUpdateItems`, `checkoutUpdate`, `checkoutSubmit`
//! (in `submit`), `checkout` and `checkouts`.
//!
//! Every change runs in one transaction that starts by "touching" the checkout with a
//! conditional update (`… WHERE code = … AND customer_id = … AND status = 'open' AND expires >
//! now`). That statement is the ownership check, the status check and, on PostgreSQL, the row
//! lock that serialises concurrent changes of one checkout; what follows reads the checkout
//! fresh inside the same transaction, so no change is lost. A checkout of another customer is
//! NOT_FOUND, exactly like one that does not exist.

pub(crate) mod model;
pub(crate) mod submit;
pub(crate) mod view;

use shopql_server_stubs::client::{
    AddressInput, Checkout, CheckoutBillingInput, CheckoutBuyerInput, CheckoutItemInput,
    CheckoutList, CheckoutShippingInput, PaginationInput,
};
use shopql_server_stubs::{ApiError, ApiResult, Maybe};
use sqlx::{AnyConnection, FromRow};

use self::model::{AddressDoc, BuyerDoc, CHECKOUT_COLUMNS, CheckoutRow, find, lines_of, to_json};
use self::view::{Catalog, checkouts_to_api, evaluate};
use super::auth::ClientRequest;
use super::ids;
use super::pagination;
use super::stores::StoreRow;
use crate::domain::checkout::address::{is_valid_email, normalize_alpha2};
use crate::domain::checkout::expires_after;
use crate::domain::checkout::lines::{self, LineInput};
use crate::error::UniqueKey;
use crate::state::AppState;
use crate::store::sql::Doc;
use crate::store::{Tx, object_id};

/// Sort keys of `checkouts`.
pub(crate) const SORTS: &[&str] = &["created", "updated"];

/// Longest text accepted in an address or buyer field.
const MAX_FIELD: usize = 200;

/// "No such checkout" — also the answer for another customer's checkout.
pub(crate) fn not_found(code: &str) -> ApiError {
    let shown: String = code.chars().take(40).collect();
    ApiError::not_found(format!("no checkout `{shown}`"))
}

/// `BAD_USER_INPUT` about the voucher (`billing.voucher.id`).
pub(crate) fn bad_voucher(message: impl Into<String>) -> ApiError {
    ApiError::bad_input(message).with_extension("field", "billing.voucher.id")
}

/// `BAD_USER_INPUT` about the shipping method (`shipping.method`).
pub(crate) fn bad_method(message: impl Into<String>) -> ApiError {
    ApiError::bad_input(message).with_extension("field", "shipping.method")
}

/// Locks the customer's open checkout `code` for a change at `now` (moving `updated` and
/// `expires`) and reads it back. NOT_FOUND when the customer has no such checkout; CONFLICT
/// when it is not open.
pub(crate) async fn lock_open(
    tx: &mut Tx,
    store: &StoreRow,
    customer_id: &str,
    code: &str,
    now: i64,
) -> ApiResult<CheckoutRow> {
    let touched = sqlx::query(
        "UPDATE client_checkouts SET updated = $1, expires = $2 \
         WHERE code = $3 AND store_id = $4 AND customer_id = $5 AND status = 'open' AND expires > $1",
    )
    .bind(now)
    .bind(expires_after(now))
    .bind(code)
    .bind(&store.id)
    .bind(customer_id)
    .execute(&mut **tx)
    .await?;
    let row = find(tx, &store.id, customer_id, code)
        .await?
        .ok_or_else(|| not_found(code))?;
    if touched.rows_affected() == 1 {
        return Ok(row);
    }
    let status = row.status_at(now);
    Err(ApiError::conflict(
        status
            .refusal()
            .unwrap_or("the checkout was changed concurrently; try again"),
    )
    .with_extension("status", status.as_str()))
}

/// The API's `Checkout` for one row.
pub(crate) async fn view_one(
    conn: &mut AnyConnection,
    store: &StoreRow,
    customer_id: &str,
    row: CheckoutRow,
    now: i64,
) -> ApiResult<Checkout> {
    checkouts_to_api(conn, store, customer_id, &[row], now)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal("a checkout view went missing"))
}

async fn view_code(state: &AppState, req: &ClientRequest, code: &str) -> ApiResult<Checkout> {
    get(state, req, code).await?.ok_or_else(|| not_found(code))
}

/// A checkout's code, unique over all stores.
const CHECKOUT_CODE: UniqueKey = UniqueKey {
    table: "client_checkouts",
    columns: &["code"],
};
/// The order id reserved for a checkout, unique over all stores.
const ORDER_CODE: UniqueKey = UniqueKey {
    table: "client_checkouts",
    columns: &["order_code"],
};

/// `checkoutCreate`.
pub(crate) async fn create(state: &AppState, req: &ClientRequest) -> ApiResult<Checkout> {
    let p = req.principal()?;
    let now = state.now_ms();
    let buyer = to_json(&BuyerDoc::of_customer(&p.customer));
    // A random code can collide with an existing one (the unique keys say so): try again.
    for attempt in 0..8 {
        let (code, order_code) = ids::checkout_code();
        let inserted = sqlx::query(
            "INSERT INTO client_checkouts (id, code, order_code, store_id, customer_id, origin, status, \
             use_single_address, create_account, buyer, shop_collection, created, updated, expires) \
             VALUES ($1, $2, $3, $4, $5, 'Online', 'open', $6, $7, $8, $9, $10, $10, $11)",
        )
        .bind(object_id())
        .bind(&code)
        .bind(&order_code)
        .bind(&req.store.id)
        .bind(&p.customer.id)
        .bind(true)
        .bind(false)
        .bind(&buyer)
        .bind(false)
        .bind(now)
        .bind(expires_after(now))
        .execute(&state.store.pool)
        .await;
        match inserted {
            Ok(_) => return view_code(state, req, &code).await,
            Err(e)
                if attempt < 7 && (CHECKOUT_CODE.violated_by(&e) || ORDER_CODE.violated_by(&e)) => {
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::internal("no free checkout code after 8 attempts"))
}

/// `checkout(id)`: the customer's checkout or null.
pub(crate) async fn get(
    state: &AppState,
    req: &ClientRequest,
    code: &str,
) -> ApiResult<Option<Checkout>> {
    let p = req.principal()?;
    let mut conn = state.store.pool.acquire().await?;
    let Some(row) = find(&mut conn, &req.store.id, &p.customer.id, code).await? else {
        return Ok(None);
    };
    Ok(Some(
        view_one(&mut conn, &req.store, &p.customer.id, row, state.now_ms()).await?,
    ))
}

/// `checkouts(pagination)`: the customer's checkouts in this store.
pub(crate) async fn list(
    state: &AppState,
    req: &ClientRequest,
    pagination: Option<&PaginationInput>,
) -> ApiResult<CheckoutList> {
    let p = req.principal()?;
    let page = pagination::parse(pagination, SORTS)?;
    let mut conn = state.store.pool.acquire().await?;
    let sort = if page.sort == "updated" {
        "c.updated"
    } else {
        "c.created"
    };
    let (pagination, rows) = pagination::customer_rows(
        &mut conn,
        ("client_checkouts", "c", CHECKOUT_COLUMNS),
        (&p.customer.id, &req.store.id),
        sort,
        &page,
    )
    .await?;
    let rows = rows
        .iter()
        .map(CheckoutRow::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let checkouts =
        checkouts_to_api(&mut conn, &req.store, &p.customer.id, &rows, state.now_ms()).await?;
    Ok(CheckoutList {
        checkouts,
        pagination,
    })
}

/// `checkoutUpdateItems(id, items)`.
pub(crate) async fn update_items(
    state: &AppState,
    req: &ClientRequest,
    code: &str,
    items: Option<Vec<Option<CheckoutItemInput>>>,
) -> ApiResult<Checkout> {
    let p = req.principal()?;
    let input: Vec<Option<LineInput>> = items
        .unwrap_or_default()
        .into_iter()
        .map(|i| {
            i.map(|i| LineInput {
                listing_id: i.listing_id.into_option(),
                quantity: i.quantity.into_option(),
            })
        })
        .collect();
    let wanted = lines::normalize(&input)
        .map_err(|e| ApiError::bad_input(e.to_string()).with_extension("argument", "items"))?;
    let store = &req.store;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let row = lock_open(&mut tx, store, &p.customer.id, code, now).await?;

    let nums: Vec<i64> = wanted.iter().map(|l| l.listing_id).collect();
    let catalog = Catalog::load_listings(&mut tx, store, &p.customer.id, &nums, &[]).await?;
    for line in &wanted {
        lines::check(*line, catalog.facts(line.listing_id)).map_err(|e| {
            ApiError::bad_input(e.to_string()).with_extension("listingId", line.listing_id)
        })?;
    }

    // A listing that stays keeps its line's identity and the time it was added.
    let existing = lines_of(&mut tx, std::slice::from_ref(&row.id)).await?;
    sqlx::query("DELETE FROM client_checkout_lines WHERE checkout_id = $1")
        .bind(&row.id)
        .execute(&mut *tx)
        .await?;
    for (position, line) in wanted.iter().enumerate() {
        let kept = existing.iter().find(|e| e.listing_num == line.listing_id);
        sqlx::query(
            "INSERT INTO client_checkout_lines (id, checkout_id, code, position, listing_num, quantity, added) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(kept.map_or_else(object_id, |k| k.id.clone()))
        .bind(&row.id)
        .bind(kept.map_or_else(ids::line_code, |k| k.code.clone()))
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(line.listing_id)
        .bind(line.quantity)
        .bind(kept.map_or(now, |k| k.added))
        .execute(&mut *tx)
        .await?;
    }
    // `row` was read after `lock_open` touched it, and only the lines changed since: no need to
    // read the checkout again.
    tx.commit().await?;
    let mut conn = state.store.pool.acquire().await?;
    view_one(&mut conn, store, &p.customer.id, row, now).await
}

fn field(path: &str, value: &Maybe<String>) -> ApiResult<()> {
    if let Maybe::Value(v) = value
        && v.chars().count() > MAX_FIELD
    {
        return Err(
            ApiError::bad_input(format!("`{path}` is longer than {MAX_FIELD} characters"))
                .with_extension("field", path.to_string()),
        );
    }
    Ok(())
}

/// Checks an address input and returns its stored form.
fn address(path: &str, a: &AddressInput) -> ApiResult<AddressDoc> {
    // Each text once its length is checked, trimmed; blank is not given.
    let text = |name: &str, value: &Maybe<String>| -> ApiResult<Option<String>> {
        field(&format!("{path}.{name}"), value)?;
        let value = value.as_option().map(|s| s.trim().to_string());
        Ok(value.filter(|s| !s.is_empty()))
    };
    let mut doc = AddressDoc {
        id: text("_id", &a._id)?,
        description: text("description", &a.description)?,
        first_name: text("firstName", &a.first_name)?,
        last_name: text("lastName", &a.last_name)?,
        address_line1: text("addressLine1", &a.address_line1)?,
        address_line2: text("addressLine2", &a.address_line2)?,
        street_number: text("streetNumber", &a.street_number)?,
        city: text("city", &a.city)?,
        state: text("state", &a.state)?,
        state_code: text("stateCode", &a.state_code)?,
        post_code: text("postCode", &a.post_code)?,
        country: text("country", &a.country)?,
        alpha2: text("alpha2", &a.alpha2)?,
        kind: text("type", &a.r#type)?,
    };
    if let Some(code) = &doc.alpha2 {
        let upper = normalize_alpha2(code).ok_or_else(|| {
            ApiError::bad_input(format!(
                "`{path}.alpha2` must be a two-letter ISO 3166-1 country code such as \"GB\""
            ))
            .with_extension("field", format!("{path}.alpha2"))
        })?;
        doc.alpha2 = Some(upper);
    }
    Ok(doc)
}

fn email(path: &str, value: &str) -> ApiResult<String> {
    let v = value.trim();
    if !is_valid_email(v) {
        return Err(
            ApiError::bad_input(format!("`{path}` is not a valid email address"))
                .with_extension("field", path.to_string()),
        );
    }
    Ok(v.to_string())
}

/// Sets an optional text: a value replaces, null clears, absent leaves it.
fn set(target: &mut Option<String>, value: &Maybe<String>) {
    match value {
        Maybe::Value(v) => {
            let v = v.trim();
            *target = (!v.is_empty()).then(|| v.to_string());
        }
        Maybe::Null => *target = None,
        Maybe::Absent => {}
    }
}

fn apply_buyer(buyer: &mut BuyerDoc, b: &CheckoutBuyerInput) -> ApiResult<()> {
    for (name, value) in [
        ("email", &b.email),
        ("firstName", &b.first_name),
        ("lastName", &b.last_name),
        ("telephone", &b.telephone),
        ("organisation", &b.organisation),
        ("taxNumber", &b.tax_number),
    ] {
        field(&format!("buyer.{name}"), value)?;
    }
    match &b.email {
        Maybe::Value(e) => buyer.email = Some(email("buyer.email", e)?),
        Maybe::Null => buyer.email = None,
        Maybe::Absent => {}
    }
    set(&mut buyer.first_name, &b.first_name);
    set(&mut buyer.last_name, &b.last_name);
    set(&mut buyer.telephone, &b.telephone);
    set(&mut buyer.organisation, &b.organisation);
    set(&mut buyer.tax_number, &b.tax_number);
    Ok(())
}

fn apply_shipping(next: &mut CheckoutRow, s: &CheckoutShippingInput) -> ApiResult<()> {
    field("shipping.method", &s.method)?;
    field("shipping.tracking", &s.tracking)?;
    match &s.address {
        Maybe::Value(a) => next.shipping_address = Some(Doc(address("shipping.address", a)?)),
        Maybe::Null => next.shipping_address = None,
        Maybe::Absent => {}
    }
    set(&mut next.shipping_method, &s.method);
    set(&mut next.tracking, &s.tracking);
    match &s.confirmation_email {
        Maybe::Value(c) => match &c.recipient {
            Maybe::Value(r) => {
                next.confirmation_email = Some(email("shipping.confirmationEmail.recipient", r)?);
            }
            _ => next.confirmation_email = None,
        },
        Maybe::Null => next.confirmation_email = None,
        Maybe::Absent => {}
    }
    match s.shop_collection {
        Maybe::Value(v) => next.shop_collection = v,
        Maybe::Null => next.shop_collection = false,
        Maybe::Absent => {}
    }
    Ok(())
}

async fn apply_billing(
    tx: &mut Tx,
    store: &StoreRow,
    next: &mut CheckoutRow,
    b: &CheckoutBillingInput,
    now: i64,
) -> ApiResult<()> {
    match &b.address {
        // A separate billing address only matters while `useSingleAddress` is false.
        Maybe::Value(a) => {
            let doc = address("billing.address", a)?;
            if !next.use_single_address {
                next.billing_address = Some(Doc(doc));
            }
        }
        Maybe::Null => {
            if !next.use_single_address {
                next.billing_address = None;
            }
        }
        Maybe::Absent => {}
    }
    match &b.voucher {
        Maybe::Value(v) => {
            let code =
                v.id.as_option()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| {
                        bad_voucher("`billing.voucher.id` is required to redeem a voucher")
                    })?;
            let shown: String = code.chars().take(40).collect();
            let found = view::voucher(tx, &store.id, &code)
                .await?
                .ok_or_else(|| bad_voucher(format!("unknown voucher `{shown}`")))?;
            if let Some(why) = found.refusal(now) {
                return Err(bad_voucher(format!("the voucher `{shown}` {why}")));
            }
            next.voucher_code = Some(found.code);
        }
        Maybe::Null => next.voucher_code = None,
        Maybe::Absent => {}
    }
    Ok(())
}

/// The arguments of `checkoutUpdate`.
#[derive(Debug, Clone, Default)]
pub(crate) struct UpdateArgs {
    pub billing: Option<CheckoutBillingInput>,
    pub shipping: Option<CheckoutShippingInput>,
    pub buyer: Option<CheckoutBuyerInput>,
    pub create_account: Option<bool>,
    pub use_single_address: Option<bool>,
}

/// `checkoutUpdate(id, billing, shipping, buyer, createAccount, useSingleAddress)`.
pub(crate) async fn update(
    state: &AppState,
    req: &ClientRequest,
    code: &str,
    args: UpdateArgs,
) -> ApiResult<Checkout> {
    let p = req.principal()?;
    let store = &req.store;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let row = lock_open(&mut tx, store, &p.customer.id, code, now).await?;
    let mut next = row.clone();
    next.use_single_address = args.use_single_address.unwrap_or(row.use_single_address);
    next.create_account = args.create_account.unwrap_or(row.create_account);
    if let Some(b) = &args.buyer {
        apply_buyer(&mut next.buyer, b)?;
    }
    let mut method_given = None;
    if let Some(s) = &args.shipping {
        apply_shipping(&mut next, s)?;
        method_given = next
            .shipping_method
            .clone()
            .filter(|_| s.method.as_option().is_some());
    }
    if let Some(b) = &args.billing {
        apply_billing(&mut tx, store, &mut next, b, now).await?;
    }
    if let Some(method) = method_given {
        let lines = lines_of(&mut tx, std::slice::from_ref(&next.id)).await?;
        let catalog = Catalog::load(&mut tx, store, &p.customer.id, &lines, &[]).await?;
        let eval = evaluate(store, &catalog, &next, &lines, now);
        if !eval.methods.iter().any(|m| m.code == method) {
            let choices: Vec<String> = eval
                .methods
                .iter()
                .map(|m| format!("\"{}\"", m.code))
                .collect();
            let shown: String = method.chars().take(40).collect();
            return Err(bad_method(format!(
                "unknown shipping method `{shown}` for this checkout; available: {}",
                if choices.is_empty() {
                    "none".to_string()
                } else {
                    choices.join(", ")
                }
            )));
        }
    }
    sqlx::query(
        "UPDATE client_checkouts SET use_single_address = $1, create_account = $2, buyer = $3, \
         shipping_address = $4, billing_address = $5, shipping_method = $6, shop_collection = $7, \
         tracking = $8, confirmation_email = $9, voucher_code = $10 WHERE id = $11",
    )
    .bind(next.use_single_address)
    .bind(next.create_account)
    .bind(to_json(&next.buyer))
    .bind(next.shipping_address.as_ref().map(to_json))
    .bind(next.billing_address.as_ref().map(to_json))
    .bind(next.shipping_method.clone())
    .bind(next.shop_collection)
    .bind(next.tracking.clone())
    .bind(next.confirmation_email.clone())
    .bind(next.voucher_code.clone())
    .bind(&next.id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut conn = state.store.pool.acquire().await?;
    view_one(&mut conn, store, &p.customer.id, next, now).await
}

/// Marks open checkouts past their expiry as expired (reads already show them so; this keeps
/// the stored status honest for anything that reads the table directly).
pub async fn sweep_expired(state: &AppState) -> ApiResult<u64> {
    let now = state.now_ms();
    let statement = sqlx::query(
        "UPDATE client_checkouts SET status = 'expired' WHERE status = 'open' AND expires <= $1",
    )
    .bind(now);
    let done = state.store.write(statement).await?;
    Ok(done.rows_affected())
}
