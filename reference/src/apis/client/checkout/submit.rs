//! `checkoutSubmit`: an open checkout becomes an order, and its stock is taken atomically.
//!
//! One transaction: lock the open checkout (conditional update), check the lines, addresses,
//! shipping and voucher, take the stock of every line with one conditional update each
//! (`stock = stock - q WHERE stock >= q`, in listing-id order so two submissions never wait on
//! each other in a cycle), record one-per-customer purchases under a unique key, write the
//! order, and mark the checkout completed. If any line is short, nothing is taken: the
//! transaction is dropped, the checkout stays open, and the caller gets CONFLICT naming the
//! listings. On SQLite the transaction holds the write lock (`BEGIN IMMEDIATE`); on PostgreSQL
//! the conditional updates re-check their condition after waiting for a concurrent writer
//! (Read Committed), so stock never goes below zero (and `CHECK (stock >= 0)` backs that up).

use shopql_server_stubs::client::Checkout;
use shopql_server_stubs::{ApiError, ApiResult};

use super::model::{AddressDoc, lines_of};
use super::view::{Catalog, evaluate};
use super::{bad_method, bad_voucher, lock_open, view_one};
use crate::apis::client::auth::ClientRequest;
use crate::apis::client::orders::{self, NewOrder, NewOrderLine};
use crate::domain::checkout::address::missing_fields;
use crate::domain::checkout::lines::{self, Line, LineError, ListingFacts};
use crate::domain::checkout::{CHECKOUT_TTL_MS, expires_after};
use crate::error::{ResultExt, UniqueKey};
use crate::state::AppState;

/// Checks that the `which` address (`shipping`, `billing`) is there (`absent` says how to set
/// it) and complete.
fn complete_address(which: &str, address: Option<&AddressDoc>, absent: &str) -> ApiResult<()> {
    let field = format!("{which}.address");
    let Some(a) = address else {
        return Err(ApiError::bad_input(absent).with_extension("field", field));
    };
    let missing = missing_fields(&a.fields());
    if missing.is_empty() {
        return Ok(());
    }
    Err(ApiError::bad_input(format!(
        "the {which} address is incomplete: missing {}",
        missing.join(", ")
    ))
    .with_extension("field", field))
}

/// A listing sold once per customer: the row that records the sale.
const ORDERED_ONCE: UniqueKey = UniqueKey {
    table: "client_one_per_customer",
    columns: &["customer_id", "listing_id"],
};

/// `checkoutSubmit(id)`.
pub(crate) async fn submit(
    state: &AppState,
    req: &ClientRequest,
    code: &str,
) -> ApiResult<Checkout> {
    let p = req.principal()?;
    let store = &req.store;
    let customer_id = p.customer.id.as_str();
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let row = lock_open(&mut tx, store, customer_id, code, now).await?;

    let lines = lines_of(&mut tx, std::slice::from_ref(&row.id)).await?;
    if lines.is_empty() {
        return Err(ApiError::bad_input(
            "checkout is empty: add items with `checkoutUpdateItems`",
        ));
    }
    let codes: Vec<String> = row.voucher_code.iter().cloned().collect();
    let catalog = Catalog::load(&mut tx, store, customer_id, &lines, &codes).await?;

    if !row.shop_collection {
        complete_address(
            "shipping",
            row.shipping_address.as_deref(),
            "the shipping address is missing: set it with `checkoutUpdate` (or choose shop collection)",
        )?;
    }
    if !row.use_single_address {
        complete_address(
            "billing",
            row.billing_address.as_deref(),
            "the billing address is missing: set `billing.address` or `useSingleAddress: true`",
        )?;
    }

    let eval = evaluate(store, &catalog, &row, &lines, now);
    let shipping = if row.shop_collection {
        None
    } else {
        let Some(method) = &row.shipping_method else {
            return Err(bad_method(
                "no shipping method chosen: set `shipping.method` to one of `availableShippingMethods`",
            ));
        };
        let Some(chosen) = &eval.chosen else {
            return Err(bad_method(format!(
                "the shipping method `{method}` is no longer available for this checkout"
            )));
        };
        Some((chosen.code.clone(), chosen.name.clone()))
    };

    // The checks of `checkoutUpdateItems`, except stock: the conditional updates below decide
    // that, so a shortage is a CONFLICT and never a stale read.
    for l in &lines {
        let line = Line {
            listing_id: l.listing_num,
            quantity: l.quantity,
        };
        let facts = catalog.facts(l.listing_num).map(|f| ListingFacts {
            stock: i64::MAX,
            ..f
        });
        lines::check(line, facts).map_err(|e| {
            ApiError::bad_input(e.to_string()).with_extension("listingId", l.listing_num)
        })?;
    }

    if let Some(code) = &row.voucher_code {
        let key = code.trim().to_lowercase();
        let Some(v) = catalog.vouchers.get(&key) else {
            return Err(bad_voucher(format!(
                "the voucher `{code}` no longer exists"
            )));
        };
        if let Some(why) = v.refusal(now) {
            return Err(bad_voucher(format!("the voucher `{code}` {why}")));
        }
        if v.uses_left.is_some() {
            let used = sqlx::query(
                "UPDATE client_vouchers SET uses_left = uses_left - 1 \
                 WHERE store_id = $1 AND code_key = $2 AND uses_left > 0",
            )
            .bind(&store.id)
            .bind(&key)
            .execute(&mut *tx)
            .await?;
            if used.rows_affected() != 1 {
                return Err(bad_voucher(format!("the voucher `{code}` is used up")));
            }
        }
    }

    // Take the stock, in a fixed order.
    let mut takes: Vec<(&str, i64, i64)> = lines
        .iter()
        .filter_map(|l| {
            catalog
                .listings
                .get(&l.listing_num)
                .map(|x| (x.id.as_str(), l.listing_num, l.quantity))
        })
        .collect();
    takes.sort_by(|a, b| a.0.cmp(b.0));
    let mut short: Vec<i64> = Vec::new();
    for (listing_id, num, quantity) in &takes {
        let taken = sqlx::query(
            "UPDATE client_listings SET stock = stock - $1, updated = $2 WHERE id = $3 AND stock >= $1",
        )
        .bind(*quantity)
        .bind(now)
        .bind(*listing_id)
        .execute(&mut *tx)
        .await?;
        if taken.rows_affected() != 1 {
            short.push(*num);
        }
    }
    if !short.is_empty() {
        // Dropping the transaction rolls back every take: nothing is taken, the checkout stays
        // open and unchanged.
        let ids: Vec<String> = short.iter().map(i64::to_string).collect();
        return Err(ApiError::conflict(format!(
            "insufficient stock for listing {}",
            ids.join(", ")
        ))
        .with_extension(
            "listingIds",
            short.iter().map(|n| *n as f64).collect::<Vec<f64>>(),
        ));
    }

    for l in &lines {
        let Some(listing) = catalog.listings.get(&l.listing_num) else {
            continue;
        };
        if !listing.one_per_customer {
            continue;
        }
        sqlx::query(
            "INSERT INTO client_one_per_customer (customer_id, listing_id, order_id) VALUES ($1, $2, $3)",
        )
        .bind(customer_id)
        .bind(&listing.id)
        .bind(&row.order_code)
        .execute(&mut *tx)
        .await
        .on_unique(ORDERED_ONCE, || {
            ApiError::bad_input(LineError::AlreadyOrdered(l.listing_num).to_string())
                .with_extension("listingId", l.listing_num)
        })?;
    }

    let order_lines: Vec<NewOrderLine> = eval
        .lines
        .iter()
        .filter_map(|e| {
            let listing = catalog.listings.get(&e.line.listing_num)?;
            let item = catalog.items.get(&listing.item_id);
            Some(NewOrderLine {
                listing_id: listing.id.clone(),
                listing_num: listing.num_id,
                item_num: item.map(|i| i.row.num_id),
                title: item.map_or_else(String::new, |i| i.row.title.clone()),
                quantity: e.line.quantity,
                unit_price: e.unit_price,
            })
        })
        .collect();
    let order = NewOrder {
        id: row.order_code.clone(),
        store_id: store.id.clone(),
        customer_id: customer_id.to_string(),
        checkout_code: row.code.clone(),
        created: now,
        shop_collection: row.shop_collection,
        shipping,
        shipping_address: if row.shop_collection {
            None
        } else {
            row.shipping_address.as_deref().cloned()
        },
        billing_address: row.effective_billing().cloned(),
        buyer: row.buyer.0.clone(),
        voucher_code: eval.voucher.as_ref().map(|v| v.code.clone()),
        totals: eval.totals,
        currency: store.currency.clone(),
        lines: order_lines,
    };
    orders::insert(&mut tx, &order).await?;

    let completed = sqlx::query(
        "UPDATE client_checkouts SET status = 'completed', order_id = $1, updated = $2, expires = $3 \
         WHERE id = $4 AND status = 'open'",
    )
    .bind(&order.id)
    .bind(now)
    .bind(expires_after(now))
    .bind(&row.id)
    .execute(&mut *tx)
    .await?;
    if completed.rows_affected() != 1 {
        return Err(ApiError::conflict(
            "the checkout was submitted concurrently; read it again",
        ));
    }
    tx.commit().await?;

    let mut done = row;
    done.status = "completed".to_string();
    done.order_id = Some(order.id);
    done.updated = now;
    done.expires = now.saturating_add(CHECKOUT_TTL_MS);
    let mut conn = state.store.pool.acquire().await?;
    view_one(&mut conn, store, customer_id, done, now).await
}
