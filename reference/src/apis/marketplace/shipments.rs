//! Shipments: `shipmentCreate` records a dispatch of line items and `shipmentUpdate` changes its
//! carrier, time, tracking number or note. An invoice's SENT / PARTIALLY_SENT flags and status
//! follow its line items.
//!
//! Never more than ordered, whatever the concurrency: inside one transaction the invoice row is
//! locked first (so concurrent shipments of one invoice queue up on PostgreSQL; SQLite's write
//! transaction serializes anyway), then each line item is taken with one conditional update,
//! `shipped_quantity = shipped_quantity + n WHERE shipped_quantity + n <= quantity`, in line item
//! order; a CHECK constraint backs it up.

use shopql_server_stubs::marketplace::{
    self as gql, ShipmentCreateMutationInput, ShipmentUpdateMutationInput,
};
use shopql_server_stubs::{ApiResult, Maybe};
use sqlx::AnyConnection;

use super::errors::{Errors, Outcome};
use super::load::Loader;
use super::rows::{Ids, InvoiceRow, insert};
use crate::clock::parse_rfc3339;
use crate::domain::marketplace::ids::NodeType;
use crate::domain::marketplace::invoice::{self, InvoiceFacts};
use crate::domain::marketplace::shipping::{self, LineQuantities};
use crate::state::AppState;
use crate::store::sql::Sql;

const DAY_MS: i64 = 24 * 3600 * 1000;

/// Parses an `ISO8601Date` (`2023-06-07`) into midnight UTC, in ms.
pub(crate) fn parse_date(text: &str) -> Option<i64> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| dt.and_utc().timestamp_millis())
}

/// A dispatch time may not be later than the end of today (UTC).
fn in_future(ms: i64, now: i64) -> bool {
    ms >= (now.div_euclid(DAY_MS) + 1) * DAY_MS
}

/// A dispatch time as `parsed` (`None` when the input is `malformed`), if not in the future.
fn dispatch_time(
    parsed: Option<i64>,
    malformed: &str,
    now: i64,
    errors: &mut Errors,
) -> Option<i64> {
    match parsed {
        Some(ms) if in_future(ms, now) => {
            errors.add("dispatchedAt", "must not be in the future");
            None
        }
        Some(ms) => Some(ms),
        None => {
            errors.add("dispatchedAt", malformed);
            None
        }
    }
}

/// A tracking number, trimmed, if neither blank nor longer than 255 characters.
fn tracking_number(text: &str, errors: &mut Errors) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        errors.add("trackingNumber", "can't be blank");
    } else if t.len() > 255 {
        errors.add("trackingNumber", "is too long (at most 255 characters)");
    } else {
        return Some(t.to_string());
    }
    None
}

async fn carrier_exists(conn: &mut AnyConnection, id: i64) -> ApiResult<bool> {
    let mut sql = Sql::new("SELECT id FROM mp_carriers WHERE id = ");
    sql.arg(id);
    Ok(sql.fetch_optional(conn).await?.is_some())
}

async fn facts(conn: &mut AnyConnection, invoice: i64) -> ApiResult<InvoiceFacts> {
    let mut sql = Sql::new("SELECT * FROM mp_invoices WHERE id = ");
    sql.arg(invoice);
    let Some(row) = sql.fetch_optional_as::<InvoiceRow, _>(conn).await? else {
        return Err(shopql_server_stubs::ApiError::internal(
            "locked invoice vanished",
        ));
    };
    Ok(row.facts())
}

/// Recomputes an invoice's shipped state and status from its line items, and stamps it.
pub(crate) async fn refresh_invoice(
    conn: &mut AnyConnection,
    invoice: i64,
    now: i64,
) -> ApiResult<()> {
    let mut sql =
        Sql::new("SELECT quantity, shipped_quantity FROM mp_line_items WHERE invoice_id = ");
    sql.arg(invoice);
    let lines: Vec<(i64, i64)> = sql.fetch_all_as(&mut *conn).await?;
    let lines = lines
        .into_iter()
        .map(|(quantity, shipped)| LineQuantities { quantity, shipped });
    let shipped = shipping::shipped_state(lines);
    let f = InvoiceFacts {
        shipped,
        ..facts(&mut *conn, invoice).await?
    };
    let mut up = Sql::new("UPDATE mp_invoices SET shipped_state = ");
    up.arg(shipped.code())
        .push(", status_rank = ")
        .arg(invoice::status(f).rank())
        .push(", updated_at = ")
        .arg(now)
        .push(" WHERE id = ")
        .arg(invoice);
    up.execute(conn).await.map(|_| ())
}

/// Locks the seller's invoice for the transaction; false if it is not the seller's.
async fn lock_invoice(conn: &mut AnyConnection, seller: i64, invoice: i64) -> ApiResult<bool> {
    let mut sql = Sql::new("UPDATE mp_invoices SET updated_at = updated_at WHERE id = ");
    sql.arg(invoice).push(" AND seller_id = ").arg(seller);
    Ok(sql.execute(conn).await? == 1)
}

/// `shipmentCreate`.
pub(crate) async fn shipment_create(
    state: &AppState,
    seller: i64,
    input: ShipmentCreateMutationInput,
) -> Outcome<gql::Shipment> {
    let now = state.now_ms();
    let mut errors = Errors::new();
    let invoice = errors.decode(&input.invoice_id, NodeType::Invoice, "invoiceId");
    let carrier = errors.decode(
        &input.postage_carrier_id,
        NodeType::ShipmentCarrier,
        "postageCarrierId",
    );
    let date = parse_date(&input.dispatched_at);
    let dispatched = dispatch_time(date, "must be a date such as 2023-06-07", now, &mut errors);
    let tracking = tracking_number(&input.tracking_number, &mut errors);
    if input.shipped_items.is_empty() {
        errors.add("shippedItems", "give at least one line item");
    }
    let mut items: Vec<(usize, i64, i64)> = Vec::new();
    for (i, item) in input.shipped_items.iter().enumerate() {
        let field = format!("shippedItems.{i}.lineItemId");
        let Some(li) = errors.decode(&item.line_item_id, NodeType::LineItem, &field) else {
            continue;
        };
        if item.quantity < 1 {
            errors.add(format!("shippedItems.{i}.quantity"), "must be at least 1");
            continue;
        }
        items.push((i, li, i64::from(item.quantity)));
    }
    let keys: Vec<i64> = items.iter().map(|(_, li, _)| *li).collect();
    for d in shipping::duplicate_positions(&keys) {
        errors.add(
            format!("shippedItems.{}.lineItemId", items[d].0),
            "is repeated: give each line item once",
        );
    }
    let (Some(invoice), Some(carrier), Some(dispatched), Some(tracking)) =
        (invoice, carrier, dispatched, tracking)
    else {
        return Ok(Err(errors));
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut ids = Ids::take(&state.store.pool, "shipment", 1).await?;

    let mut tx = state.store.begin().await?;
    if !lock_invoice(&mut tx, seller, invoice).await? {
        return Ok(Err(Errors::one("invoiceId", "not found")));
    }
    if !carrier_exists(&mut tx, carrier).await? {
        errors.add("postageCarrierId", "not found");
    }
    if let Some(reason) = invoice::shipment_refusal(facts(&mut tx, invoice).await?) {
        errors.add("invoiceId", format!("the invoice {reason}"));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    // Take the quantities, in line item order (a fixed lock order).
    let mut ordered = items.clone();
    ordered.sort_by_key(|(_, li, _)| *li);
    for &(i, li, quantity) in &ordered {
        let mut take = Sql::new("UPDATE mp_line_items SET shipped_quantity = shipped_quantity + ");
        take.arg(quantity).push(" WHERE id = ").arg(li);
        take.push(" AND invoice_id = ").arg(invoice);
        take.push(" AND shipped_quantity + ")
            .arg(quantity)
            .push(" <= quantity");
        if take.execute(&mut *tx).await? == 1 {
            continue;
        }
        let mut read = Sql::new("SELECT quantity, shipped_quantity FROM mp_line_items WHERE id = ");
        read.arg(li).push(" AND invoice_id = ").arg(invoice);
        match read.fetch_optional_as::<(i64, i64), _>(&mut *tx).await? {
            None => errors.add(
                format!("shippedItems.{i}.lineItemId"),
                "not found on this invoice",
            ),
            Some((ordered, shipped)) => {
                let line = LineQuantities {
                    quantity: ordered,
                    shipped,
                };
                let message = match shipping::check_item(quantity, line) {
                    Err(e) => e.to_string(),
                    Ok(()) => "exceeds the quantity left to ship".to_string(),
                };
                errors.add(format!("shippedItems.{i}.quantity"), message);
            }
        }
    }
    if !errors.is_empty() {
        // Dropping the transaction rolls back the quantities already taken.
        return Ok(Err(errors));
    }
    let id = ids.take_one()?;
    let note = input.note.as_option().map(|n| n.trim().to_string());
    let columns = "id, invoice_id, seller_id, carrier_id, dispatched_at, tracking_number, note, created_at, updated_at";
    let values = [
        id.into(),
        invoice.into(),
        seller.into(),
        carrier.into(),
        dispatched.into(),
        tracking.into(),
        note.filter(|n| !n.is_empty()).into(),
        now.into(),
        now.into(),
    ];
    insert(&mut tx, "mp_shipments", columns, values).await?;
    for &(_, li, quantity) in &ordered {
        let values = [id.into(), li.into(), quantity.into()];
        let columns = "shipment_id, line_item_id, quantity";
        insert(&mut tx, "mp_shipped_items", columns, values).await?;
    }
    refresh_invoice(&mut tx, invoice, now).await?;
    tx.commit().await?;

    let loader = Loader::new(&state.store.pool, seller, now);
    let shipment = loader.shipment(id).await?;
    Ok(shipment.ok_or_else(|| Errors::one("base", "the shipment vanished")))
}

/// `shipmentUpdate`.
pub(crate) async fn shipment_update(
    state: &AppState,
    seller: i64,
    input: ShipmentUpdateMutationInput,
) -> Outcome<gql::Shipment> {
    let now = state.now_ms();
    let mut errors = Errors::new();
    let shipment = errors.decode(&input.shipment_id, NodeType::Shipment, "shipmentId");
    let carrier = (input.postage_carrier_id.as_option())
        .and_then(|c| errors.decode(c, NodeType::ShipmentCarrier, "postageCarrierId"));
    if input.postage_carrier_id.is_null() {
        errors.add("postageCarrierId", "can't be blank");
    }
    let dispatched = match &input.dispatched_at {
        Maybe::Absent => None,
        Maybe::Null => {
            errors.add("dispatchedAt", "can't be blank");
            None
        }
        Maybe::Value(t) => {
            let malformed = "must be an ISO 8601 date-time or date";
            dispatch_time(parse_rfc3339(t), malformed, now, &mut errors)
        }
    };
    let tracking = match &input.tracking_number {
        Maybe::Absent => None,
        Maybe::Null => {
            errors.add("trackingNumber", "can't be blank");
            None
        }
        Maybe::Value(t) => tracking_number(t, &mut errors),
    };
    let Some(shipment) = shipment else {
        return Ok(Err(errors));
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut tx = state.store.begin().await?;
    let mut find = Sql::new("SELECT invoice_id FROM mp_shipments WHERE id = ");
    find.arg(shipment).push(" AND seller_id = ").arg(seller);
    let Some((invoice,)) = find.fetch_optional_as::<(i64,), _>(&mut *tx).await? else {
        return Ok(Err(Errors::one("shipmentId", "not found")));
    };
    if let Some(c) = carrier
        && !carrier_exists(&mut tx, c).await?
    {
        return Ok(Err(Errors::one("postageCarrierId", "not found")));
    }
    let mut up = Sql::new("UPDATE mp_shipments SET updated_at = ");
    up.arg(now);
    if let Some(c) = carrier {
        up.push(", carrier_id = ").arg(c);
    }
    if let Some(d) = dispatched {
        up.push(", dispatched_at = ").arg(d);
    }
    if let Some(t) = tracking {
        up.push(", tracking_number = ").arg(t);
    }
    if let Some(note) = input.note.clone().into_update() {
        // A blank note clears it, as null does.
        let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        up.push(", note = ").arg(note);
    }
    up.push(" WHERE id = ").arg(shipment);
    up.execute(&mut *tx).await?;
    let mut stamp = Sql::new("UPDATE mp_invoices SET updated_at = ");
    stamp.arg(now).push(" WHERE id = ").arg(invoice);
    stamp.execute(&mut *tx).await?;
    tx.commit().await?;

    let loader = Loader::new(&state.store.pool, seller, now);
    let written = loader.shipment(shipment).await?;
    Ok(written.ok_or_else(|| Errors::one("shipmentId", "not found")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("2023-06-07"), Some(1_686_096_000_000));
        assert_eq!(parse_date("2023-06-07T10:00:00Z"), None);
        assert_eq!(parse_date("07/06/2023"), None);
        let now = 1_686_096_000_000 + 3_600_000; // 2023-06-07 01:00 UTC
        assert!(!in_future(1_686_096_000_000, now));
        assert!(in_future(1_686_096_000_000 + DAY_MS, now));
    }
}
