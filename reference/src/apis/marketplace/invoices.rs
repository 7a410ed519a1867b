//! Invoice loading for one seller: invoices with their line items and shipments (the cyclic
//! Invoice → shipments → invoice graph cut two levels down), and the enum mappings between the
//! stored status and its GraphQL names.

use std::collections::HashMap;

use shopql_server_stubs::ApiResult;
use shopql_server_stubs::marketplace as gql;
use sqlx::any::AnyRow;

use super::load::{Loader, distinct, time, to_i32};
use super::rows::InvoiceRow;
use crate::apis::enum_mapping;
use crate::domain::marketplace::ids::{NodeType, encode};
use crate::domain::marketplace::invoice::{self, Flag, Status};
use crate::store::sql::{Sql, col, opt_text};

/// The line items of invoices (`IN` their ids).
const LINE_ITEMS: &str = "SELECT id, invoice_id, variant_id, quantity, shipped_quantity FROM mp_line_items WHERE invoice_id IN ";
/// The shipments of invoices.
const SHIPMENTS: &str = "SELECT id, invoice_id, carrier_id, dispatched_at, tracking_number, note, created_at, updated_at FROM mp_shipments WHERE invoice_id IN ";
/// The items of shipments.
const SHIPPED_ITEMS: &str =
    "SELECT shipment_id, line_item_id, quantity FROM mp_shipped_items WHERE shipment_id IN ";

impl Loader<'_> {
    /// The requester's invoices, with line items and shipments. Each shipment embeds its
    /// invoice, whose shipments embed the invoice without shipments (the generated structs
    /// own their nested objects, so the cyclic graph is cut there).
    pub(crate) async fn invoices(&self, ids: &[i64]) -> ApiResult<HashMap<i64, gql::Invoice>> {
        let ids = distinct(ids.iter().copied());
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut sql = Sql::new("SELECT * FROM mp_invoices WHERE seller_id = ");
        sql.arg(self.seller).push(" AND id IN ").list(ids.clone());
        let rows: Vec<InvoiceRow> = sql.fetch_all_as(self.pool).await?;
        let found: Vec<i64> = rows.iter().map(|r| r.id).collect();
        if found.is_empty() {
            return Ok(HashMap::new());
        }
        let sellers = self.sellers(&[self.seller]).await?;
        let kv = self.key_values("Invoice", &found).await?;

        // Line items with their (still existing) variants.
        let li_rows = self
            .rows(LINE_ITEMS, &found, " ORDER BY invoice_id, id")
            .await?;
        let variant_ids = li_rows.iter().map(|r| col(r, "variant_id"));
        let variant_ids: Vec<i64> = variant_ids.collect::<ApiResult<_>>()?;
        let variants = self.variants(&variant_ids, false).await?;
        let mut line_items: HashMap<i64, Vec<gql::LineItem>> = HashMap::new();
        let mut line_by_id: HashMap<i64, gql::LineItem> = HashMap::new();
        for r in li_rows {
            let li = line_item(&r, &variants)?;
            line_by_id.insert(col(&r, "id")?, li.clone());
            line_items
                .entry(col(&r, "invoice_id")?)
                .or_default()
                .push(li);
        }

        // Shipments with their items and carriers.
        let sh_rows = self
            .rows(SHIPMENTS, &found, " ORDER BY invoice_id, id")
            .await?;
        let mut shipment_ids = Vec::new();
        let mut carrier_ids = Vec::new();
        for r in &sh_rows {
            shipment_ids.push(col::<i64>(r, "id")?);
            carrier_ids.push(col::<i64>(r, "carrier_id")?);
        }
        let carriers = self.carriers(&carrier_ids).await?;
        let shipment_kv = self.key_values("Shipment", &shipment_ids).await?;
        let item_order = " ORDER BY shipment_id, line_item_id";
        let item_rows = self.rows(SHIPPED_ITEMS, &shipment_ids, item_order).await?;
        let mut shipped: HashMap<i64, Vec<gql::ShippedItem>> = HashMap::new();
        for r in item_rows {
            let li: i64 = col(&r, "line_item_id")?;
            if let Some(line_item) = line_by_id.get(&li).cloned() {
                shipped
                    .entry(col(&r, "shipment_id")?)
                    .or_default()
                    .push(gql::ShippedItem {
                        line_item,
                        quantity: to_i32(col(&r, "quantity")?),
                    });
            }
        }
        let mut shipments: HashMap<i64, Vec<gql::Shipment>> = HashMap::new();
        for r in sh_rows {
            let id: i64 = col(&r, "id")?;
            let carrier_id: i64 = col(&r, "carrier_id")?;
            let carrier = carriers.get(&carrier_id);
            let tracking_number: String = col(&r, "tracking_number")?;
            shipments
                .entry(col(&r, "invoice_id")?)
                .or_default()
                .push(gql::Shipment {
                    id: encode(NodeType::Shipment, id),
                    legacy_id: to_i32(id),
                    carrier: carrier.map(|c| c.carrier.name.clone()).unwrap_or_default(),
                    postage_carrier: carrier.map(|c| c.carrier.clone()),
                    dispatched_at: time(col(&r, "dispatched_at")?),
                    tracking_link: carrier.and_then(|c| c.tracking_link(&tracking_number)),
                    tracking_number,
                    homepage_link: carrier.and_then(|c| c.carrier.homepage_link.clone()),
                    note: opt_text(&r, "note")?,
                    invoice: gql::Invoice::default(),
                    shipped_items: Some(shipped.remove(&id).unwrap_or_default()),
                    external_ids: shipment_kv.external.get(&id).cloned().unwrap_or_default(),
                    metadata: shipment_kv.metadata.get(&id).cloned().unwrap_or_default(),
                    created_at: time(col(&r, "created_at")?),
                    updated_at: time(col(&r, "updated_at")?),
                });
        }

        let mut out = HashMap::new();
        for r in rows {
            let id = r.id;
            let facts = r.facts();
            let base = gql::Invoice {
                id: encode(NodeType::Invoice, id),
                legacy_id: to_i32(id),
                created_at: time(r.created_at),
                updated_at: time(r.updated_at),
                paid_at: r.paid_at.map(time),
                remitted_at: r.remitted_at.map(time),
                status_flags: Some(invoice::flags(facts).into_iter().map(flag_enum).collect()),
                status: Some(status_enum(invoice::status(facts))),
                shipping_cost_cents: to_i32(r.shipping_cost_cents),
                discount_cents: to_i32(r.discount_cents),
                subtotal_cents: to_i32(r.subtotal_cents),
                total_cents: to_i32(r.total_cents),
                buyer_email_address: r.buyer_email,
                buyer_first_name: r.buyer_first_name,
                buyer_surname: r.buyer_surname,
                buyer_phone: r.buyer_phone,
                seller: sellers.get(&self.seller).cloned(),
                external_ids: kv.external.get(&id).cloned().unwrap_or_default(),
                metadata: kv.metadata.get(&id).cloned().unwrap_or_default(),
                line_items: Some(line_items.remove(&id).unwrap_or_default()),
                shipments: None,
            };
            // The graph Invoice -> shipments -> invoice -> … is cut two levels down: a
            // shipment's invoice lists its shipments, whose invoice no longer does.
            let list = shipments.remove(&id).unwrap_or_default();
            let with_invoice = |invoice: &gql::Invoice| -> Vec<gql::Shipment> {
                list.iter()
                    .cloned()
                    .map(|mut s| {
                        s.invoice = invoice.clone();
                        s
                    })
                    .collect()
            };
            let mut inner = base.clone();
            inner.shipments = Some(with_invoice(&base));
            let mut full = base.clone();
            full.shipments = Some(with_invoice(&inner));
            out.insert(id, full);
        }
        Ok(out)
    }

    /// The invoice a line item or shipment of the requester belongs to.
    pub(crate) async fn invoice_of(&self, table: &str, id: i64) -> ApiResult<Option<i64>> {
        let mut sql = Sql::new(&format!(
            "SELECT i.id AS id FROM {table} x JOIN mp_invoices i ON i.id = x.invoice_id WHERE i.seller_id = "
        ));
        sql.arg(self.seller).push(" AND x.id = ").arg(id);
        let found: Option<(i64,)> = sql.fetch_optional_as(self.pool).await?;
        Ok(found.map(|(id,)| id))
    }

    /// A shipment of the requester, embedding its full invoice.
    pub(crate) async fn shipment(&self, id: i64) -> ApiResult<Option<gql::Shipment>> {
        let Some(invoice_id) = self.invoice_of("mp_shipments", id).await? else {
            return Ok(None);
        };
        let Some(invoice) = self.invoices(&[invoice_id]).await?.remove(&invoice_id) else {
            return Ok(None);
        };
        let legacy = to_i32(id);
        Ok(invoice
            .shipments
            .as_ref()
            .and_then(|list| list.iter().find(|s| s.legacy_id == legacy).cloned())
            .map(|mut s| {
                s.invoice = invoice.clone();
                s
            }))
    }

    /// A line item of the requester.
    pub(crate) async fn line_item(&self, id: i64) -> ApiResult<Option<gql::LineItem>> {
        let Some(invoice_id) = self.invoice_of("mp_line_items", id).await? else {
            return Ok(None);
        };
        let legacy = to_i32(id);
        Ok(self
            .invoices(&[invoice_id])
            .await?
            .remove(&invoice_id)
            .and_then(|i| i.line_items)
            .and_then(|l| l.into_iter().find(|li| li.legacy_id == legacy)))
    }
}

fn line_item(r: &AnyRow, variants: &HashMap<i64, gql::Variant>) -> ApiResult<gql::LineItem> {
    let id: i64 = col(r, "id")?;
    let variant_id: i64 = col(r, "variant_id")?;
    Ok(gql::LineItem {
        id: encode(NodeType::LineItem, id),
        legacy_id: to_i32(id),
        quantity: to_i32(col(r, "quantity")?),
        shipped_quantity: to_i32(col(r, "shipped_quantity")?),
        variant_id: Some(encode(NodeType::Variant, variant_id)),
        variant: variants.get(&variant_id).cloned(),
    })
}

fn flag_enum(f: Flag) -> gql::InvoiceStatusFlagEnum {
    use gql::InvoiceStatusFlagEnum as E;
    match f {
        Flag::Paid => E::Paid,
        Flag::PaymentUnderReview => E::PaymentUnderReview,
        Flag::Sent => E::Sent,
        Flag::PartiallySent => E::PartiallySent,
        Flag::AwaitingReturn => E::AwaitingReturn,
        Flag::AwaitingRefund => E::AwaitingRefund,
        Flag::Refunded => E::Refunded,
        Flag::Cancelled => E::Cancelled,
        Flag::Ready => E::Ready,
        Flag::Collected => E::Collected,
        Flag::Remitted => E::Remitted,
    }
}

enum_mapping!(status_enum, domain_status: Status => gql::InvoiceStatusEnum {
    Pending, Paid, Sent, Ready, Collected, Refunded, Cancelled
});
