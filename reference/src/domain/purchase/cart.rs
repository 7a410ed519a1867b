//! The persisted state of a purchase cart or wishlist: what the customer chose. Prices, taxes
//! and totals are not stored; [`super::totals::evaluate`] derives them on every load.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::properties::ObjectType;

/// Cart type `cart` (a shopping cart).
pub(crate) const TYPE_CART: &str = "cart";
/// Cart type `wishlist`.
pub(crate) const TYPE_WISHLIST: &str = "wishlist";

/// Largest quantity of one line accepted from input (bounds every product of money).
pub(crate) const MAX_QUANTITY: i32 = 1_000_000;

/// Largest unit price accepted from input, in major units (bounds every product of money).
pub(crate) fn max_price() -> Decimal {
    Decimal::from(1_000_000_000_i64)
}

/// A cart's content, stored as one JSON document next to its key columns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct CartDoc {
    /// Free-text comment.
    pub comment: Option<String>,
    /// Line items, in the order they were added.
    pub items: Vec<LineItem>,
    /// Shipments.
    pub shipments: Vec<Shipment>,
    /// Payments.
    pub payments: Vec<Payment>,
    /// Coupon codes as entered (unique case-insensitively).
    pub coupons: Vec<String>,
    /// Free addresses, at most one per address type.
    pub addresses: Vec<Address>,
    /// Dynamic property values of the cart.
    pub dynamic_properties: Vec<PropertyValue>,
    /// Warnings produced by the last mutation (cleared by the next one and by refresh).
    pub warnings: Vec<Warning>,
}

/// A line of the cart.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct LineItem {
    /// Line id (a GUID; the demo cart's first line reuses the seed's product id).
    pub id: String,
    /// Product id (32 hex digits).
    pub product_id: String,
    /// SKU when the line was added (kept for products that disappear).
    pub sku: String,
    /// Name in the store's default language when the line was added (same reason).
    pub name: String,
    /// Quantity, at least 1.
    pub quantity: i32,
    /// A price set by `changeCartItemPrice` or `addItem.price`: list and sale price become it.
    pub manual_price: Option<Decimal>,
    /// Comment of the line.
    pub note: Option<String>,
    /// When the line was added (ms since the epoch).
    pub created_ms: i64,
    /// Dynamic property values of the line.
    pub dynamic_properties: Vec<PropertyValue>,
    /// The unit sale price (cart currency) the customer last saw: set when the line is added
    /// and by `refreshCart`; a different catalogue price gives a `PRODUCT_PRICE_CHANGED` warning.
    pub captured_price: Option<Decimal>,
    /// Whether the product was available when last captured; becoming unavailable gives a
    /// `CART_PRODUCT_UNAVAILABLE` warning.
    pub captured_available: bool,
}

/// A shipment of the cart.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Shipment {
    /// Shipment id.
    pub id: String,
    /// Shipping method code.
    pub method_code: Option<String>,
    /// Shipping method option.
    pub method_option: Option<String>,
    /// Fulfillment center shipping it.
    pub fulfillment_center_id: Option<String>,
    /// Package height.
    pub height: Option<Decimal>,
    /// Package length.
    pub length: Option<Decimal>,
    /// Package width.
    pub width: Option<Decimal>,
    /// Unit of height, length and width.
    pub measure_unit: Option<String>,
    /// Package weight.
    pub weight: Option<Decimal>,
    /// Package volumetric weight.
    pub volumetric_weight: Option<Decimal>,
    /// Unit of the weights.
    pub weight_unit: Option<String>,
    /// Delivery address.
    pub delivery_address: Option<Address>,
    /// A price set by the caller (cart currency), instead of the method's.
    pub price_override: Option<Decimal>,
    /// Vendor shipping it.
    pub vendor_id: Option<String>,
    /// Comment.
    pub comment: Option<String>,
    /// Dynamic property values.
    pub dynamic_properties: Vec<PropertyValue>,
}

/// A payment of the cart.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Payment {
    /// Payment id.
    pub id: String,
    /// Id in an external system.
    pub outer_id: Option<String>,
    /// Payment method code.
    pub gateway_code: Option<String>,
    /// Billing address.
    pub billing_address: Option<Address>,
    /// Purpose, free text.
    pub purpose: Option<String>,
    /// A fee set by the caller (cart currency), instead of the method's.
    pub price_override: Option<Decimal>,
    /// Amount to pay with this payment; `None` means the cart total.
    pub amount: Option<Decimal>,
    /// Vendor receiving it.
    pub vendor_id: Option<String>,
    /// Comment.
    pub comment: Option<String>,
    /// Dynamic property values.
    pub dynamic_properties: Vec<PropertyValue>,
}

/// What line items, shipments and payments share: an id, a list in the cart, and dynamic
/// property values of their own object type (so one function serves all three).
pub(crate) trait CartPart: Sized + Clone + Send + 'static {
    /// Its kind in request-cache keys (`line:<id>`).
    const KIND: &'static str;
    /// Its name in error messages.
    const NAME: &'static str;
    /// The object type of its dynamic properties.
    const OBJECT_TYPE: ObjectType;
    /// A new, empty part `id`.
    fn with_id(id: String) -> Self;
    /// Its id.
    fn id(&self) -> &str;
    /// Its dynamic property values.
    fn properties(&self) -> &Vec<PropertyValue>;
    /// Its dynamic property values, to change.
    fn properties_mut(&mut self) -> &mut Vec<PropertyValue>;
    /// The cart's parts of this kind.
    fn all(doc: &CartDoc) -> &Vec<Self>;
    /// The cart's parts of this kind, to change.
    fn all_mut(doc: &mut CartDoc) -> &mut Vec<Self>;
}

macro_rules! cart_part {
    ($($ty:ident in $list:ident: $kind:literal, $name:literal, $object_type:ident;)*) => {$(
        impl CartPart for $ty {
            const KIND: &'static str = $kind;
            const NAME: &'static str = $name;
            const OBJECT_TYPE: ObjectType = ObjectType::$object_type;
            fn with_id(id: String) -> Self {
                Self {
                    id,
                    ..Self::default()
                }
            }
            fn id(&self) -> &str {
                &self.id
            }
            fn properties(&self) -> &Vec<PropertyValue> {
                &self.dynamic_properties
            }
            fn properties_mut(&mut self) -> &mut Vec<PropertyValue> {
                &mut self.dynamic_properties
            }
            fn all(doc: &CartDoc) -> &Vec<Self> {
                &doc.$list
            }
            fn all_mut(doc: &mut CartDoc) -> &mut Vec<Self> {
                &mut doc.$list
            }
        }
    )*};
}

cart_part! {
    LineItem in items: "line", "line item", LineItem;
    Shipment in shipments: "shipment", "shipment", Shipment;
    Payment in payments: "payment", "payment", Payment;
}

/// Address type 1: billing.
pub(crate) const ADDRESS_BILLING: i32 = 1;
/// Address type 2: shipping.
pub(crate) const ADDRESS_SHIPPING: i32 = 2;
/// Address type 3: billing and shipping.
pub(crate) const ADDRESS_BILLING_AND_SHIPPING: i32 = 3;

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Address {
    pub id: Option<String>,
    pub key: Option<String>,
    pub city: Option<String>,
    pub country_code: Option<String>,
    pub country_name: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub name: Option<String>,
    pub organization: Option<String>,
    pub phone: Option<String>,
    pub postal_code: Option<String>,
    pub region_id: Option<String>,
    pub region_name: Option<String>,
    pub zip: Option<String>,
    pub outer_id: Option<String>,
    pub address_type: Option<i32>,
}

/// A partial update of an address: per field, `None` keeps the value, `Some(None)` clears it,
/// `Some(Some(v))` sets it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AddressPatch {
    pub id: Option<Option<String>>,
    pub key: Option<Option<String>>,
    pub city: Option<Option<String>>,
    pub country_code: Option<Option<String>>,
    pub country_name: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub first_name: Option<Option<String>>,
    pub middle_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub line1: Option<Option<String>>,
    pub line2: Option<Option<String>>,
    pub name: Option<Option<String>>,
    pub organization: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub postal_code: Option<Option<String>>,
    pub region_id: Option<Option<String>>,
    pub region_name: Option<Option<String>>,
    pub zip: Option<Option<String>>,
    pub outer_id: Option<Option<String>>,
    pub address_type: Option<Option<i32>>,
}

fn set<T>(field: &mut Option<T>, update: Option<Option<T>>) {
    if let Some(v) = update {
        *field = v;
    }
}

impl Address {
    /// Applies `patch`: only the fields it names change.
    pub(crate) fn apply(&mut self, patch: AddressPatch) {
        set(&mut self.id, patch.id);
        set(&mut self.key, patch.key);
        set(&mut self.city, patch.city);
        set(&mut self.country_code, patch.country_code);
        set(&mut self.country_name, patch.country_name);
        set(&mut self.email, patch.email);
        set(&mut self.first_name, patch.first_name);
        set(&mut self.middle_name, patch.middle_name);
        set(&mut self.last_name, patch.last_name);
        set(&mut self.line1, patch.line1);
        set(&mut self.line2, patch.line2);
        set(&mut self.name, patch.name);
        set(&mut self.organization, patch.organization);
        set(&mut self.phone, patch.phone);
        set(&mut self.postal_code, patch.postal_code);
        set(&mut self.region_id, patch.region_id);
        set(&mut self.region_name, patch.region_name);
        set(&mut self.zip, patch.zip);
        set(&mut self.outer_id, patch.outer_id);
        set(&mut self.address_type, patch.address_type);
    }
}

/// One stored dynamic property value (multilingual properties store one per culture).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PropertyValue {
    /// The property's name, as its definition spells it.
    pub name: String,
    /// Culture of a multilingual value; `None` otherwise.
    pub culture: Option<String>,
    /// The value, normalized to the property's type.
    pub value: serde_json::Value,
}

/// A warning or validation error about the cart or one of its parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Warning {
    /// Machine-readable code, e.g. `PRODUCT_PRICE_CHANGED`.
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// Id of the object at fault.
    pub object_id: Option<String>,
    /// Type of that object (`CatalogProduct`, `LineItem`, `Shipment`, `Payment`, `Cart`).
    pub object_type: Option<String>,
    /// Parameters, e.g. old and new price.
    pub params: Vec<(String, String)>,
}

impl Warning {
    /// A warning without parameters about object `object_id` of type `object_type`.
    pub(crate) fn about(code: &str, message: String, object_type: &str, object_id: &str) -> Self {
        Self {
            code: code.into(),
            message,
            object_id: Some(object_id.to_string()),
            object_type: Some(object_type.into()),
            params: vec![],
        }
    }

    /// A warning about a line item.
    pub(crate) fn line(
        code: &str,
        message: String,
        line_id: &str,
        params: Vec<(String, String)>,
    ) -> Self {
        Self {
            params,
            ..Self::about(code, message, "LineItem", line_id)
        }
    }
}

impl CartDoc {
    /// The line with `id`.
    pub(crate) fn line_mut(&mut self, id: &str) -> Option<&mut LineItem> {
        self.items.iter_mut().find(|l| l.id == id)
    }

    /// The first line of `product_id`.
    pub(crate) fn line_of_product_mut(&mut self, product_id: &str) -> Option<&mut LineItem> {
        self.items
            .iter_mut()
            .find(|l| l.product_id.eq_ignore_ascii_case(product_id))
    }

    /// Adds `code` unless a coupon equal to it (ignoring case) is already there.
    pub(crate) fn add_coupon(&mut self, code: &str) {
        if !self.coupons.iter().any(|c| c.eq_ignore_ascii_case(code)) {
            self.coupons.push(code.to_string());
        }
    }

    /// Removes `code` (ignoring case), or every coupon when `code` is `None`.
    pub(crate) fn remove_coupon(&mut self, code: Option<&str>) {
        match code {
            Some(code) => self.coupons.retain(|c| !c.eq_ignore_ascii_case(code)),
            None => self.coupons.clear(),
        }
    }

    /// Adds or partially updates the free address of `patch`'s type (which must be set).
    pub(crate) fn upsert_address(
        &mut self,
        address_type: i32,
        patch: AddressPatch,
        new_id: String,
    ) {
        match self
            .addresses
            .iter_mut()
            .find(|a| a.address_type == Some(address_type))
        {
            Some(existing) => existing.apply(patch),
            None => {
                let mut a = Address {
                    id: Some(new_id),
                    address_type: Some(address_type),
                    ..Address::default()
                };
                a.apply(patch);
                a.address_type = Some(address_type);
                self.addresses.push(a);
            }
        }
    }

    /// Items count and the sum of quantities.
    pub(crate) fn counts(&self) -> (i32, i32) {
        let count = i32::try_from(self.items.len()).unwrap_or(i32::MAX);
        let quantity = self
            .items
            .iter()
            .fold(0i32, |acc, l| acc.saturating_add(l.quantity));
        (count, quantity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coupons_are_unique_ignoring_case_and_removed_one_or_all() {
        let mut doc = CartDoc::default();
        doc.add_coupon("SAVE10");
        doc.add_coupon("save10");
        doc.add_coupon("FREESHIP");
        assert_eq!(doc.coupons, vec!["SAVE10", "FREESHIP"]);
        doc.remove_coupon(Some("Save10"));
        assert_eq!(doc.coupons, vec!["FREESHIP"]);
        doc.remove_coupon(None);
        assert!(doc.coupons.is_empty());
    }

    #[test]
    fn addresses_are_updated_partially_by_type() {
        let mut doc = CartDoc::default();
        doc.upsert_address(
            ADDRESS_BILLING,
            AddressPatch {
                city: Some(Some("Springfield".into())),
                zip: Some(Some("123".into())),
                ..AddressPatch::default()
            },
            "a1".into(),
        );
        doc.upsert_address(
            ADDRESS_BILLING,
            AddressPatch {
                zip: Some(None),
                line1: Some(Some("1 Main".into())),
                ..AddressPatch::default()
            },
            "a2".into(),
        );
        assert_eq!(doc.addresses.len(), 1);
        let a = &doc.addresses[0];
        assert_eq!(a.id.as_deref(), Some("a1"));
        assert_eq!(a.city.as_deref(), Some("Springfield"));
        assert_eq!(a.zip, None);
        assert_eq!(a.line1.as_deref(), Some("1 Main"));
        doc.upsert_address(ADDRESS_SHIPPING, AddressPatch::default(), "a3".into());
        assert_eq!(doc.addresses.len(), 2);
        assert_eq!(doc.addresses[1].address_type, Some(ADDRESS_SHIPPING));
    }
}
