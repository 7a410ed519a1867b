//! A stored cart: the columns the admin filters on and the JSON document with its lines,
//! customer, context, meta and last computed prices. Amounts are exact decimals (serialized as
//! text), never floats.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::catalogue::CatalogueImage;
use crate::domain::pricing::{Amounts, GivenPrice, MechanismKind, PricedLine, PricingContext};
use crate::store::sql::Doc;

/// A JSON object of string values (meta, attributes, external references).
pub(crate) type StringMap = Map<String, Value>;

/// The state machine of shop.graphql's `CartState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum CartState {
    /// Editable.
    Cart,
    /// Placed, read-only.
    Placed,
    /// Placed and paid, read-only.
    Paid,
    /// Fulfilled with an order id, read-only.
    Ordered,
    /// Abandoned, read-only.
    Abandoned,
}

impl CartState {
    /// The stored and wire name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CartState::Cart => "cart",
            CartState::Placed => "placed",
            CartState::Paid => "paid",
            CartState::Ordered => "ordered",
            CartState::Abandoned => "abandoned",
        }
    }
}

impl TryFrom<String> for CartState {
    type Error = String;

    /// Reads the stored name (the derived row reader calls it); an unknown name is the error.
    fn try_from(text: String) -> Result<Self, String> {
        use CartState::*;
        [Cart, Placed, Paid, Ordered, Abandoned]
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| format!("cart state `{text}`"))
    }
}

/// Where a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Origin {
    /// Hydrated from a catalogue SKU.
    Crystallize,
    /// Described by the caller.
    External,
}

impl Origin {
    /// The wire name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Origin::Crystallize => "crystallize",
            Origin::External => "external",
        }
    }
}

/// The price context as the cart keeps it: the effective values, and which optional keys were
/// given (keys without a default that were not given are left out of `Cart.context`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PriceContextDoc {
    /// 0..=10.
    pub decimals: u32,
    /// Catalogue prices include taxes.
    pub prices_have_taxes_included: bool,
    /// A label only.
    pub currency: String,
    /// Context tax rate override.
    pub tax_rate: Option<Decimal>,
    /// The price variant used.
    pub selected_variant: String,
    /// The compare-at price variant.
    pub compare_at_variant: Option<String>,
    /// Fallback price variants, when given.
    pub fallback_variants: Option<Vec<String>>,
    /// Discounts on net prices.
    pub discount_on_net: bool,
    /// Markets.
    pub markets: Vec<String>,
    /// `customerGroup`, when given.
    pub customer_group: Option<String>,
    /// `voucherCode`, when given.
    pub voucher_code: Option<String>,
    /// `voucherCodes`, when given.
    pub voucher_codes: Option<Vec<String>>,
    /// `customerGroups`, when given.
    pub customer_groups: Option<Vec<String>>,
}

impl Default for PriceContextDoc {
    fn default() -> Self {
        Self {
            decimals: 0,
            prices_have_taxes_included: false,
            currency: "eur".into(),
            tax_rate: None,
            selected_variant: "default".into(),
            compare_at_variant: None,
            fallback_variants: None,
            discount_on_net: false,
            markets: Vec::new(),
            customer_group: None,
            voucher_code: None,
            voucher_codes: None,
            customer_groups: None,
        }
    }
}

impl PriceContextDoc {
    /// The pricing engine's context: the union of the single and plural vouchers and groups.
    pub(crate) fn pricing(&self) -> PricingContext {
        let mut vouchers: Vec<String> = self.voucher_code.iter().cloned().collect();
        vouchers.extend(self.voucher_codes.iter().flatten().cloned());
        let mut groups: Vec<String> = self.customer_group.iter().cloned().collect();
        groups.extend(self.customer_groups.iter().flatten().cloned());
        PricingContext {
            decimals: self.decimals,
            prices_include_tax: self.prices_have_taxes_included,
            tax_rate: self.tax_rate,
            selected_variant: self.selected_variant.clone(),
            compare_at_variant: self.compare_at_variant.clone(),
            fallback_variants: self.fallback_variants.clone().unwrap_or_default(),
            discount_on_net: self.discount_on_net,
            markets: self.markets.clone(),
            customer_groups: groups,
            voucher_codes: vouchers,
        }
    }

    /// The `price` object of `Cart.context`: optional keys only when given.
    pub(crate) fn to_json(&self) -> Value {
        let text = |v: &Option<String>| v.clone().map(Value::from);
        let list = |v: &Option<Vec<String>>| v.clone().map(Value::from);
        let rate = |r: Decimal| Value::from(crate::domain::money::to_wire_float(r));
        let entries = [
            ("decimals", Some(Value::from(self.decimals))),
            (
                "pricesHaveTaxesIncludedInCrystallize",
                Some(Value::from(self.prices_have_taxes_included)),
            ),
            ("currency", Some(Value::from(self.currency.clone()))),
            ("taxRate", self.tax_rate.map(rate)),
            (
                "selectedVariantIdentifier",
                Some(Value::from(self.selected_variant.clone())),
            ),
            ("compareAtVariantIdentifier", text(&self.compare_at_variant)),
            ("fallbackVariantIdentifiers", list(&self.fallback_variants)),
            (
                "discountOnNetPrices",
                Some(Value::from(self.discount_on_net)),
            ),
            ("markets", Some(Value::from(self.markets.clone()))),
            ("customerGroup", text(&self.customer_group)),
            ("voucherCode", text(&self.voucher_code)),
            ("voucherCodes", list(&self.voucher_codes)),
            ("customerGroups", list(&self.customer_groups)),
        ];
        let given = entries
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_string(), v?)));
        Value::Object(given.collect())
    }
}

/// The cart's context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ContextDoc {
    /// Language of names.
    pub language: String,
    /// The price context.
    pub price: PriceContextDoc,
    /// Seconds the cart is kept after its last update.
    pub ttl_s: i64,
    /// Seconds after the last update at which a cart in state `cart` goes stale.
    pub stale_ttl_s: Option<i64>,
}

impl ContextDoc {
    /// The defaults of a new cart, with the configured cart lifetime.
    pub(crate) fn defaults(ttl_s: i64) -> Self {
        Self {
            language: super::catalogue::DEFAULT_LANGUAGE.into(),
            price: PriceContextDoc::default(),
            ttl_s,
            stale_ttl_s: None,
        }
    }

    /// `Cart.context`.
    pub(crate) fn to_json(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("language".into(), Value::from(self.language.clone()));
        m.insert("price".into(), self.price.to_json());
        m.insert("ttl".into(), Value::from(self.ttl_s));
        m.insert(
            "staleTtl".into(),
            self.stale_ttl_s.map_or(Value::Null, Value::from),
        );
        m
    }
}

/// The product of a line (empty until the catalogue or the caller fills it in).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ProductDoc {
    /// Product id (the caller's for external items).
    pub id: String,
    /// Localized name.
    pub name: String,
    /// Path or URL.
    pub path: String,
    /// Other catalogue paths.
    pub shortcuts: Option<Vec<String>>,
    /// Topic paths.
    pub topics: Vec<String>,
    /// VAT percent (catalogue products only).
    pub vat_percent: Option<Decimal>,
}

/// One cart line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LineDoc {
    /// SKU; a cart has one line per SKU.
    pub sku: String,
    /// Quantity, at least 1.
    pub quantity: u32,
    /// Where it came from.
    pub origin: Origin,
    /// True while hydration refreshes it from the catalogue.
    pub managed: bool,
    /// The item's own tax rate override (SKU items).
    pub tax_rate_override: Option<Decimal>,
    /// Line meta.
    pub meta: Option<StringMap>,
    /// `CartItem.name`.
    pub name: String,
    /// `ProductVariant.name`.
    pub variant_name: Option<String>,
    /// The product.
    pub product: ProductDoc,
    /// The variant's images.
    pub images: Vec<CatalogueImage>,
    /// The variant's attributes.
    pub attributes: Option<StringMap>,
    /// The unit price of caller-priced lines (external or unmanaged).
    pub given_price: Option<GivenPrice>,
    /// The last computed prices.
    pub priced: Option<PricedLine>,
}

/// An address of the customer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[allow(missing_docs)]
pub(crate) struct AddressDoc {
    pub address_type: Option<String>,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub street: Option<String>,
    pub street2: Option<String>,
    pub street_number: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub country: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub meta: Option<StringMap>,
}

/// The customer of a cart.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[allow(missing_docs)]
pub(crate) struct CustomerDoc {
    pub is_guest: bool,
    pub identifier: Option<String>,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// RFC 3339, UTC.
    pub birth_date: Option<String>,
    pub company_name: Option<String>,
    pub tax_number: Option<String>,
    pub customer_type: Option<String>,
    pub addresses: Option<Vec<AddressDoc>>,
    pub external_references: Option<StringMap>,
    pub meta: Option<StringMap>,
}

/// A promotion that discounted the cart at its last computation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AppliedPromotionDoc {
    /// Identifier.
    pub identifier: String,
    /// Display name.
    pub name: Option<String>,
    /// Mechanism type.
    pub kind: MechanismKind,
    /// Mechanism value.
    pub value: Decimal,
}

/// The JSON document of a cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CartDoc {
    /// The lines, in the order they were first added.
    pub items: Vec<LineDoc>,
    /// The customer.
    pub customer: Option<CustomerDoc>,
    /// The context.
    pub context: ContextDoc,
    /// Cart meta.
    pub meta: Option<StringMap>,
    /// Promotions applied at the last computation.
    pub applied_promotions: Vec<AppliedPromotionDoc>,
    /// Totals at the last computation.
    pub total: Amounts,
}

impl CartDoc {
    /// An empty cart with `context`.
    pub(crate) fn new(context: ContextDoc) -> Self {
        Self {
            items: Vec::new(),
            customer: None,
            context,
            meta: None,
            applied_promotions: Vec::new(),
            total: Amounts::default(),
        }
    }

    /// The line with `sku`.
    pub(crate) fn line_mut(&mut self, sku: &str) -> Option<&mut LineDoc> {
        self.items.iter_mut().find(|l| l.sku == sku)
    }
}

/// A stored cart.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct CartRecord {
    /// The UUID.
    pub id: String,
    /// The state.
    #[sqlx(try_from = "String")]
    pub state: CartState,
    /// Created, ms.
    pub created_at: i64,
    /// Last change, ms.
    pub updated_at: i64,
    /// Lifetime after the last change, ms.
    pub ttl_ms: i64,
    /// `updated_at + ttl_ms`.
    pub expires_at: i64,
    /// Staleness after the last change, ms.
    pub stale_ttl_ms: Option<i64>,
    /// `updated_at + stale_ttl_ms` while in state `cart`.
    pub stale_at: Option<i64>,
    /// Set by `fulfill`.
    pub order_id: Option<String>,
    /// Bumped by every change.
    pub version: i64,
    /// The document.
    #[sqlx(rename = "data")]
    pub doc: Doc<CartDoc>,
}

impl CartRecord {
    /// Records a change at `now_ms`: the update time, expiry and staleness move.
    pub(crate) fn touch(&mut self, now_ms: i64) {
        self.ttl_ms = self.doc.context.ttl_s.saturating_mul(1000);
        self.stale_ttl_ms = self.doc.context.stale_ttl_s.map(|s| s.saturating_mul(1000));
        self.updated_at = now_ms;
        self.expires_at = now_ms.saturating_add(self.ttl_ms);
        self.stale_at = match self.state {
            CartState::Cart => self.stale_ttl_ms.map(|s| now_ms.saturating_add(s)),
            _ => None,
        };
    }

    /// `isExpired`.
    pub(crate) fn is_expired(&self, now_ms: i64) -> bool {
        now_ms >= self.expires_at
    }

    /// `isStale`.
    pub(crate) fn is_stale(&self, now_ms: i64) -> bool {
        self.state == CartState::Cart && self.stale_at.is_some_and(|s| now_ms >= s)
    }

    /// The customer identifier column.
    pub(crate) fn customer_identifier(&self) -> Option<String> {
        self.doc
            .customer
            .as_ref()
            .and_then(|c| c.identifier.clone())
    }
}
