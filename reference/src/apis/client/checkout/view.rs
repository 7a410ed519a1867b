//! Pricing a checkout and showing it: the listings, items, shipping rates and vouchers its
//! lines need (loaded in a few batched queries for any number of checkouts), the evaluation
//! of lines, shipping and totals by the domain rules, and the API's `Checkout`.

use std::collections::{HashMap, HashSet};

use shopql_server_stubs::ApiResult;
use shopql_server_stubs::client::{
    Checkout, CheckoutBilling, CheckoutItem, CheckoutShipping, CheckoutUrls, Item, ShippingMethod,
};
use sqlx::AnyConnection;

use super::super::inventory::{self, ListingRow, LoadedItem};
use super::super::orders::{self, totals_to_api};
use super::super::stores::StoreRow;
use super::model::{CheckoutRow, LineRow, lines_of};
use crate::domain::checkout::CheckoutStatus;
use crate::domain::checkout::lines::{self, Line, ListingFacts};
use crate::domain::checkout::shipping::{self, Parcel, ShippingOption, ShippingRate};
use crate::domain::checkout::totals::{self, PricedLine, Totals, VoucherKind};
use crate::domain::money;
use crate::store::sql::{Sql, col, flag};

/// A voucher of the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VoucherRow {
    /// The code as the store wrote it.
    pub code: String,
    /// Its effect.
    pub kind: VoucherKind,
    /// When it stops being valid.
    pub expires: Option<i64>,
    /// Redemptions left; `None` for unlimited.
    pub uses_left: Option<i64>,
}

impl VoucherRow {
    /// Why the voucher cannot be redeemed at `now`, if it cannot.
    pub(crate) fn refusal(&self, now: i64) -> Option<&'static str> {
        if self.expires.is_some_and(|e| now >= e) {
            Some("has expired")
        } else if self.uses_left.is_some_and(|u| u <= 0) {
            Some("is used up")
        } else {
            None
        }
    }
}

/// The voucher `code` of `store_id` (case-insensitive).
pub(crate) async fn voucher(
    conn: &mut AnyConnection,
    store_id: &str,
    code: &str,
) -> ApiResult<Option<VoucherRow>> {
    let row = sqlx::query(
        "SELECT code, percent_bp, amount, expires, uses_left FROM client_vouchers \
         WHERE store_id = $1 AND code_key = $2",
    )
    .bind(store_id)
    .bind(code.trim().to_lowercase())
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let percent: Option<i64> = col(&row, "percent_bp")?;
    let amount: Option<i64> = col(&row, "amount")?;
    Ok(Some(VoucherRow {
        code: col(&row, "code")?,
        kind: match percent {
            Some(bp) => VoucherKind::Percent(bp),
            None => VoucherKind::Fixed(amount.unwrap_or(0)),
        },
        expires: col(&row, "expires")?,
        uses_left: col(&row, "uses_left")?,
    }))
}

/// The shipping rates of `store_id`.
pub(crate) async fn rates(
    conn: &mut AnyConnection,
    store_id: &str,
) -> ApiResult<Vec<ShippingRate>> {
    let rows = sqlx::query(
        "SELECT code, zone, name, price, per_kg, max_weight_g, free_eligible, position \
         FROM client_shipping_rates WHERE store_id = $1 ORDER BY position, code, zone",
    )
    .bind(store_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let zone: String = col(r, "zone")?;
            Ok(ShippingRate {
                code: col(r, "code")?,
                name: col(r, "name")?,
                countries: if zone.trim() == "*" {
                    Vec::new()
                } else {
                    zone.split_whitespace().map(str::to_string).collect()
                },
                price: col(r, "price")?,
                per_kg: col(r, "per_kg")?,
                max_weight_g: col(r, "max_weight_g")?,
                free_eligible: flag(r, "free_eligible")?,
                position: col(r, "position")?,
            })
        })
        .collect()
}

/// What pricing a set of checkouts needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Catalog {
    /// Listings by numeric id.
    pub listings: HashMap<i64, ListingRow>,
    /// Items of those listings by `_id`.
    pub items: HashMap<String, LoadedItem>,
    /// One-per-customer listings (`_id`) the customer has already ordered.
    pub ordered_once: HashSet<String>,
    /// The store's shipping rates.
    pub rates: Vec<ShippingRate>,
    /// Vouchers by lower-case code.
    pub vouchers: HashMap<String, VoucherRow>,
}

impl Catalog {
    /// Loads what `lines` and `voucher_codes` refer to.
    pub(crate) async fn load(
        conn: &mut AnyConnection,
        store: &StoreRow,
        customer_id: &str,
        lines: &[LineRow],
        voucher_codes: &[String],
    ) -> ApiResult<Self> {
        let mut nums: Vec<i64> = lines.iter().map(|l| l.listing_num).collect();
        nums.sort_unstable();
        nums.dedup();
        Self::load_listings(conn, store, customer_id, &nums, voucher_codes).await
    }

    /// Loads listings by numeric id, their items, and the rest.
    pub(crate) async fn load_listings(
        conn: &mut AnyConnection,
        store: &StoreRow,
        customer_id: &str,
        nums: &[i64],
        voucher_codes: &[String],
    ) -> ApiResult<Self> {
        let listings = inventory::listings_by_num(&mut *conn, &store.id, nums).await?;
        let mut item_ids: Vec<String> = listings.values().map(|l| l.item_id.clone()).collect();
        item_ids.sort();
        item_ids.dedup();
        let items = inventory::items_by_ids(&mut *conn, &item_ids).await?;
        let once: Vec<String> = listings
            .values()
            .filter(|l| l.one_per_customer)
            .map(|l| l.id.clone())
            .collect();
        let ordered_once = ordered_once(&mut *conn, customer_id, &once).await?;
        let rates = rates(&mut *conn, &store.id).await?;
        let mut vouchers = HashMap::new();
        for code in voucher_codes {
            if let Some(v) = voucher(&mut *conn, &store.id, code).await? {
                vouchers.insert(code.trim().to_lowercase(), v);
            }
        }
        Ok(Self {
            listings,
            items,
            ordered_once,
            rates,
            vouchers,
        })
    }

    /// What the line checks know about listing `num` (`None`: not in this store).
    pub(crate) fn facts(&self, num: i64) -> Option<ListingFacts> {
        let l = self.listings.get(&num)?;
        Some(ListingFacts {
            stock: l.stock,
            one_per_customer: l.one_per_customer,
            forbidden: self.items.get(&l.item_id).is_none_or(|i| i.row.forbidden),
            already_ordered: self.ordered_once.contains(&l.id),
        })
    }
}

/// Which of the one-per-customer listings `listing_ids` the customer has ordered.
pub(crate) async fn ordered_once(
    conn: &mut AnyConnection,
    customer_id: &str,
    listing_ids: &[String],
) -> ApiResult<HashSet<String>> {
    if listing_ids.is_empty() {
        return Ok(HashSet::new());
    }
    let mut sql = Sql::new("SELECT listing_id FROM client_one_per_customer WHERE customer_id = ");
    sql.arg(customer_id)
        .push(" AND listing_id IN ")
        .list(listing_ids);
    Ok(sql.fetch_column(conn).await?.into_iter().collect())
}

/// A line, priced.
#[derive(Debug, Clone)]
pub(crate) struct EvaluatedLine {
    /// The stored line.
    pub line: LineRow,
    /// Unit price (0 when the listing is gone).
    pub unit_price: i64,
    /// The line fails the checks of `checkoutUpdateItems` now.
    pub unavailable: bool,
}

/// A checkout priced by the domain rules.
#[derive(Debug, Clone)]
pub(crate) struct Evaluation {
    /// The lines.
    pub lines: Vec<EvaluatedLine>,
    /// Weight of the lines, grams.
    pub weight_g: i64,
    /// Methods available now, cheapest first.
    pub methods: Vec<ShippingOption>,
    /// The chosen method, when it is available.
    pub chosen: Option<ShippingOption>,
    /// The voucher applied, when it is valid now.
    pub voucher: Option<VoucherRow>,
    /// Totals.
    pub totals: Totals,
}

/// Prices `checkout` with its `lines` at `now`.
pub(crate) fn evaluate(
    store: &StoreRow,
    catalog: &Catalog,
    checkout: &CheckoutRow,
    lines: &[LineRow],
    now: i64,
) -> Evaluation {
    let mut weight_g = 0_i64;
    let evaluated: Vec<EvaluatedLine> = lines
        .iter()
        .map(|l| {
            let listing = catalog.listings.get(&l.listing_num);
            if let Some(item) = listing.and_then(|x| catalog.items.get(&x.item_id)) {
                let w = item.row.doc.weight.unwrap_or(0).max(0);
                weight_g = weight_g.saturating_add(w.saturating_mul(l.quantity));
            }
            let line = Line {
                listing_id: l.listing_num,
                quantity: l.quantity,
            };
            EvaluatedLine {
                line: l.clone(),
                unit_price: listing.map_or(0, |x| x.price_sale),
                unavailable: lines::unavailable(line, catalog.facts(l.listing_num)),
            }
        })
        .collect();
    let priced: Vec<PricedLine> = evaluated
        .iter()
        .map(|e| PricedLine {
            unit_price: e.unit_price,
            quantity: e.line.quantity,
        })
        .collect();
    let subtotal: i64 = priced.iter().map(PricedLine::total).sum();
    let alpha2 = checkout
        .shipping_address
        .as_ref()
        .and_then(|a| a.alpha2.clone())
        .unwrap_or_else(|| store.home_alpha2.clone());
    let methods = shipping::available(
        &catalog.rates,
        &Parcel {
            alpha2: &alpha2,
            weight_g,
            subtotal,
            free_threshold: store.free_shipping_threshold,
        },
    );
    let chosen = checkout
        .shipping_method
        .as_ref()
        .and_then(|code| methods.iter().find(|m| &m.code == code).cloned());
    let shipping_price = if checkout.shop_collection {
        0
    } else {
        chosen.as_ref().map_or(0, |m| m.price)
    };
    let voucher = checkout
        .voucher_code
        .as_ref()
        .and_then(|c| catalog.vouchers.get(&c.trim().to_lowercase()))
        .filter(|v| v.refusal(now).is_none())
        .cloned();
    let totals = totals::compute(
        &priced,
        store.tax_rate_bp,
        shipping_price,
        voucher.as_ref().map(|v| v.kind),
    );
    Evaluation {
        lines: evaluated,
        weight_g,
        methods,
        chosen,
        voucher,
        totals,
    }
}

/// The API's `ShippingMethod`.
pub(crate) fn method_to_api(m: &ShippingOption) -> ShippingMethod {
    ShippingMethod {
        code: m.code.clone(),
        name: m.name.clone(),
        price: money::minor_to_wire(m.price),
    }
}

fn checkout_to_api(
    store: &StoreRow,
    catalog: &Catalog,
    items: &HashMap<String, Item>,
    c: &CheckoutRow,
    eval: &Evaluation,
    frozen: Option<&Totals>,
    now: i64,
) -> Checkout {
    let status = c.status_at(now);
    let open = status == CheckoutStatus::Open;
    let lines = eval
        .lines
        .iter()
        .map(|e| {
            let listing = catalog.listings.get(&e.line.listing_num);
            Some(CheckoutItem {
                _id: Some(e.line.id.clone()),
                id: Some(e.line.code.clone()),
                quantity: Some(i32::try_from(e.line.quantity).unwrap_or(i32::MAX)),
                added: Some(e.line.added as f64),
                total: Some(money::minor_to_wire(
                    e.unit_price.saturating_mul(e.line.quantity),
                )),
                // Only an open checkout can still fail its checks.
                unavailable: Some(open && e.unavailable),
                listing_id: Some(e.line.listing_num as f64),
                listing: listing.map(|l| inventory::listing_to_api(store, l)),
                item: listing.and_then(|l| items.get(&l.item_id).cloned()),
                unit_price: Some(money::minor_to_wire(e.unit_price)),
            })
        })
        .collect();
    let base = store.base_url();
    Checkout {
        _id: Some(c.id.clone()),
        id: Some(c.code.clone()),
        config_ref: Some(store.id.clone()),
        origin: Some(c.origin.clone()),
        created: Some(c.created as f64),
        updated: Some(c.updated as f64),
        expires: Some(c.expires as f64),
        status: Some(status.as_str().to_string()),
        message: c.message.clone(),
        order_id: c.order_id.clone(),
        use_single_address: Some(c.use_single_address),
        shipping: Some(CheckoutShipping {
            status: Some("pending".to_string()),
            date: None,
            method: c.shipping_method.clone(),
            free_shipping_threshold: store.free_shipping_threshold.map(money::minor_to_wire),
            tracking: c.tracking.clone(),
            shop_collection: Some(c.shop_collection),
            weight: Some(eval.weight_g.to_string()),
            address: c.shipping_address.as_ref().map(|a| a.to_api()),
        }),
        billing: Some(CheckoutBilling {
            status: Some("unpaid".to_string()),
            payment_date: None,
            refund_date: None,
            address: c.effective_billing().map(|a| a.to_api()),
        }),
        note: None,
        items: Some(lines),
        buyer: Some(c.buyer.to_api()),
        seller: None,
        totals: Some(totals_to_api(
            frozen.unwrap_or(&eval.totals),
            &store.currency,
        )),
        urls: Some(CheckoutUrls {
            checkout: Some(format!("{base}/checkout/{}", c.code)),
            storefront: Some(base),
        }),
        available_shipping_methods: eval.methods.iter().map(method_to_api).collect(),
    }
}

/// The API's `Checkout` for each row, in order. A completed checkout shows the totals frozen
/// in its order.
pub(crate) async fn checkouts_to_api(
    conn: &mut AnyConnection,
    store: &StoreRow,
    customer_id: &str,
    rows: &[CheckoutRow],
    now: i64,
) -> ApiResult<Vec<Checkout>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let lines = lines_of(&mut *conn, &ids).await?;
    let codes: Vec<String> = rows.iter().filter_map(|r| r.voucher_code.clone()).collect();
    let catalog = Catalog::load(&mut *conn, store, customer_id, &lines, &codes).await?;
    let loaded: Vec<LoadedItem> = catalog.items.values().cloned().collect();
    let api_items = inventory::items_to_api(&mut *conn, store, Some(customer_id), &loaded).await?;
    let items: HashMap<String, Item> = api_items
        .into_iter()
        .filter_map(|i| i._id.clone().map(|id| (id, i)))
        .collect();
    let order_ids: Vec<String> = rows.iter().filter_map(|r| r.order_id.clone()).collect();
    let frozen = orders::totals_by_id(&mut *conn, &order_ids).await?;
    let mut by_checkout: HashMap<&str, Vec<LineRow>> = HashMap::new();
    for l in &lines {
        by_checkout
            .entry(l.checkout_id.as_str())
            .or_default()
            .push(l.clone());
    }
    Ok(rows
        .iter()
        .map(|c| {
            let own = by_checkout.get(c.id.as_str()).cloned().unwrap_or_default();
            let eval = evaluate(store, &catalog, c, &own, now);
            let frozen = c.order_id.as_ref().and_then(|o| frozen.get(o));
            checkout_to_api(store, &catalog, &items, c, &eval, frozen, now)
        })
        .collect())
}
