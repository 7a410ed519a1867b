//! What a store sells and how it prices: currencies, products with prices per currency, tax
//! rates, shipping and payment methods, promotions and dynamic property definitions. Loaded
//! from storage per request; the rules here only read it.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::{Currency, convert};
use super::promotions::Promotion;
use super::properties::{PropertyDefinition, in_culture, normalize_culture};

/// Product type of physical goods (they need shipping).
pub(crate) const PHYSICAL: &str = "Physical";

/// A store's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreSettings {
    /// Store id, e.g. `Electronics`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Code of the default currency (exchange rate 1).
    pub default_currency: String,
    /// Default culture, e.g. `en-US`.
    pub default_language: String,
    /// Cultures the store has texts for.
    pub languages: Vec<String>,
    /// Tax type of products that name none.
    pub default_tax_type: String,
    /// Tax type of shipments.
    pub shipping_tax_type: String,
    /// Tax type of payment fees.
    pub payment_tax_type: String,
    /// Weight unit of products and carts.
    pub weight_unit: String,
    /// The warehouse products ship from.
    pub fulfillment_center: Option<(String, String)>,
}

/// A price of a product in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    /// Currency code.
    pub currency: String,
    /// List price.
    pub list: Decimal,
    /// Sale price, when lower than the list price.
    pub sale: Option<Decimal>,
}

/// A catalogue product.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    /// Id (32 hex digits).
    pub id: String,
    /// The store that sells it.
    pub store_id: String,
    /// SKU (product code).
    pub sku: String,
    /// Names by culture.
    pub names: BTreeMap<String, String>,
    /// `Physical` or `Digital`.
    pub product_type: String,
    /// Tax type (picks the tax rate).
    pub tax_type: Option<String>,
    /// False when no longer sold.
    pub is_active: bool,
    /// Units in stock.
    pub in_stock: i64,
    /// Weight of one unit, in the store's weight unit.
    pub weight: Option<Decimal>,
    /// Catalog id.
    pub catalog_id: Option<String>,
    /// Category id.
    pub category_id: Option<String>,
    /// Image URL.
    pub image_url: Option<String>,
    /// Id in an external system.
    pub outer_id: Option<String>,
    /// Vendor (id, name).
    pub vendor: Option<(String, String)>,
    /// Prices per currency.
    pub prices: Vec<Price>,
}

impl Product {
    /// The name for `culture`: an exact match (ignoring case), else the same language, else the
    /// store's default culture, else any name, else the SKU.
    pub fn name_in(&self, culture: &str, default_culture: &str) -> String {
        let names = || self.names.iter().map(|(c, n)| (c.as_str(), n));
        in_culture(names(), culture)
            .or_else(|| {
                names()
                    .find(|(c, _)| c.eq_ignore_ascii_case(default_culture))
                    .map(|(_, n)| n)
            })
            .or_else(|| self.names.values().next())
            .cloned()
            .unwrap_or_else(|| self.sku.clone())
    }

    /// True for physical goods.
    pub fn is_physical(&self) -> bool {
        self.product_type.eq_ignore_ascii_case(PHYSICAL)
    }
}

/// A tax rate for a tax type, optionally limited to a country and a region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxRate {
    /// Tax type it applies to.
    pub tax_type: String,
    /// Country code; `None` for any.
    pub country_code: Option<String>,
    /// Region id; `None` for any.
    pub region_id: Option<String>,
    /// Rate as a fraction (0.2 is 20%).
    pub rate: Decimal,
    /// Name, e.g. `VAT`.
    pub name: String,
}

/// A shipping method option with its rate: `base_price + price_per_kg × cart weight`, in the
/// store's default currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippingMethod {
    /// Method code.
    pub code: String,
    /// Option name.
    pub option_name: String,
    /// Description.
    pub description: String,
    /// Logo URL.
    pub logo_url: Option<String>,
    /// Display priority (lower first).
    pub priority: i32,
    /// Fixed part of the price.
    pub base_price: Decimal,
    /// Price per unit of weight.
    pub price_per_kg: Decimal,
}

/// A payment method with its fee (store default currency).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentMethod {
    /// Method (gateway) code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Logo URL.
    pub logo_url: Option<String>,
    /// `Unknown`, `Standard`, `Redirection` or `PreparedForm`.
    pub method_type: String,
    /// `Paypal`, `BankCard`, `Alternative` or `Manual`.
    pub group_type: String,
    /// Display priority (lower first).
    pub priority: i32,
    /// Fee.
    pub fee: Decimal,
    /// Can pay part of the total.
    pub partial: bool,
}

/// Everything of a store that pricing needs, except products (loaded per cart).
#[derive(Debug, Clone)]
pub struct StoreCatalog {
    /// Settings.
    pub settings: StoreSettings,
    /// Currencies (the default one has rate 1).
    pub currencies: Vec<Currency>,
    /// Tax rates.
    pub tax_rates: Vec<TaxRate>,
    /// Active shipping methods, by priority.
    pub shipping_methods: Vec<ShippingMethod>,
    /// Active payment methods, by priority.
    pub payment_methods: Vec<PaymentMethod>,
    /// Promotions.
    pub promotions: Vec<Promotion>,
    /// Dynamic property definitions (all object types).
    pub properties: Vec<PropertyDefinition>,
}

impl StoreCatalog {
    /// The store's currency `code` (case-insensitive).
    pub fn currency(&self, code: &str) -> Option<&Currency> {
        self.currencies
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(code))
    }

    /// The default currency.
    pub fn default_currency(&self) -> Option<&Currency> {
        self.currency(&self.settings.default_currency)
    }

    /// Converts an amount of the default currency into `to`.
    pub fn convert_from_default(&self, amount: Decimal, to: &Currency) -> Decimal {
        match self.default_currency() {
            Some(d) => convert(amount, d, to),
            None => to.round(amount),
        }
    }

    /// The store's culture matching `culture` (ignoring case), else `culture` normalized
    /// (`en-us` → `en-US`), else the default culture.
    pub fn culture(&self, culture: Option<&str>) -> String {
        match culture.map(str::trim).filter(|c| !c.is_empty()) {
            None => self.settings.default_language.clone(),
            Some(c) => self
                .settings
                .languages
                .iter()
                .find(|l| l.eq_ignore_ascii_case(c))
                .cloned()
                .unwrap_or_else(|| normalize_culture(c)),
        }
    }

    /// The unit (list, sale) price of `product` in `currency`: its own price in that currency,
    /// else its default-currency price converted, else any price converted; `None` when it has
    /// no price. The sale price is never above the list price.
    pub fn unit_price(&self, product: &Product, currency: &Currency) -> Option<(Decimal, Decimal)> {
        let pick = |p: &Price| -> Option<(Decimal, Decimal)> {
            let from = self.currency(&p.currency)?;
            let list = convert(p.list, from, currency);
            let sale = p.sale.map(|s| convert(s, from, currency)).unwrap_or(list);
            Some((list, sale.min(list)))
        };
        product
            .prices
            .iter()
            .find(|p| p.currency.eq_ignore_ascii_case(&currency.code))
            .and_then(pick)
            .or_else(|| {
                product
                    .prices
                    .iter()
                    .find(|p| {
                        p.currency
                            .eq_ignore_ascii_case(&self.settings.default_currency)
                    })
                    .and_then(pick)
            })
            .or_else(|| product.prices.iter().find_map(pick))
    }

    /// Whether `product` can be sold by this store now: active, of this store, with a price.
    pub fn sells(&self, product: &Product, currency: &Currency) -> bool {
        product.is_active
            && product.store_id == self.settings.id
            && self.unit_price(product, currency).is_some()
    }

    /// The tax rate of `tax_type` at (`country`, `region`): the most specific rate (region over
    /// country over any); 0 (unnamed) when the store has none.
    pub fn tax_rate(
        &self,
        tax_type: &str,
        country: Option<&str>,
        region: Option<&str>,
    ) -> (Decimal, String) {
        let eq = |a: &Option<String>, b: Option<&str>| match (a, b) {
            (None, _) => Some(0),
            (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => Some(1),
            _ => None,
        };
        self.tax_rates
            .iter()
            .filter(|r| r.tax_type.eq_ignore_ascii_case(tax_type))
            .filter_map(|r| {
                let c = eq(&r.country_code, country)?;
                let g = eq(&r.region_id, region)?;
                // A region only counts inside its country.
                if g == 1 && c == 0 {
                    return None;
                }
                Some((c + 2 * g, r))
            })
            .max_by_key(|(score, _)| *score)
            .map(|(_, r)| (r.rate, r.name.clone()))
            .unwrap_or((Decimal::ZERO, String::new()))
    }

    /// The shipping method `code` with `option` (case-insensitive); without an option, the
    /// method's first option by priority.
    pub fn shipping_method(&self, code: &str, option: Option<&str>) -> Option<&ShippingMethod> {
        self.shipping_methods.iter().find(|m| {
            m.code.eq_ignore_ascii_case(code)
                && option.is_none_or(|o| m.option_name.eq_ignore_ascii_case(o))
        })
    }

    /// The payment method `code` (case-insensitive).
    pub fn payment_method(&self, code: &str) -> Option<&PaymentMethod> {
        self.payment_methods
            .iter()
            .find(|m| m.code.eq_ignore_ascii_case(code))
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! A small store for the domain's unit tests.
    use super::*;
    use crate::domain::purchase::promotions::{Promotion, Reward};

    pub(crate) fn dec(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    pub(crate) fn currency(code: &str, symbol: &str, rate: &str, digits: u32) -> Currency {
        Currency {
            code: code.into(),
            symbol: symbol.into(),
            exchange_rate: dec(rate),
            digits,
            custom_formatting: None,
        }
    }

    pub(crate) fn product(id: &str, list: &str, sale: Option<&str>, tax_type: &str) -> Product {
        Product {
            id: id.into(),
            store_id: "S".into(),
            sku: format!("SKU-{id}"),
            names: [("en-US".to_string(), format!("Product {id}"))].into(),
            product_type: PHYSICAL.into(),
            tax_type: Some(tax_type.into()),
            is_active: true,
            in_stock: 100,
            weight: Some(dec("1.5")),
            catalog_id: None,
            category_id: None,
            image_url: None,
            outer_id: None,
            vendor: None,
            prices: vec![Price {
                currency: "USD".into(),
                list: dec(list),
                sale: sale.map(dec),
            }],
        }
    }

    pub(crate) fn promotion(id: &str, coupon: Option<&str>, reward: Reward) -> Promotion {
        Promotion {
            id: id.into(),
            description: format!("promotion {id}"),
            coupon: coupon.map(str::to_string),
            reward,
            min_subtotal: None,
            starts_ms: None,
            ends_ms: None,
            is_active: true,
        }
    }

    pub(crate) fn store() -> StoreCatalog {
        StoreCatalog {
            settings: StoreSettings {
                id: "S".into(),
                name: "Store".into(),
                default_currency: "USD".into(),
                default_language: "en-US".into(),
                languages: vec!["en-US".into(), "de-DE".into()],
                default_tax_type: "goods".into(),
                shipping_tax_type: "shipping".into(),
                payment_tax_type: "payment".into(),
                weight_unit: "kg".into(),
                fulfillment_center: None,
            },
            currencies: vec![
                currency("USD", "$", "1", 2),
                currency("EUR", "€", "0.92", 2),
                currency("JPY", "¥", "151.5", 0),
            ],
            tax_rates: vec![
                TaxRate {
                    tax_type: "goods".into(),
                    country_code: None,
                    region_id: None,
                    rate: dec("0.2"),
                    name: "VAT".into(),
                },
                TaxRate {
                    tax_type: "goods".into(),
                    country_code: Some("USA".into()),
                    region_id: None,
                    rate: dec("0.07"),
                    name: "Sales tax".into(),
                },
                TaxRate {
                    tax_type: "goods".into(),
                    country_code: Some("USA".into()),
                    region_id: Some("CA".into()),
                    rate: dec("0.0725"),
                    name: "CA sales tax".into(),
                },
                TaxRate {
                    tax_type: "digital".into(),
                    country_code: None,
                    region_id: None,
                    rate: dec("0.1"),
                    name: "Digital VAT".into(),
                },
                TaxRate {
                    tax_type: "shipping".into(),
                    country_code: None,
                    region_id: None,
                    rate: dec("0.2"),
                    name: "VAT".into(),
                },
            ],
            shipping_methods: vec![
                ShippingMethod {
                    code: "FixedRate".into(),
                    option_name: "Ground".into(),
                    description: "Ground".into(),
                    logo_url: None,
                    priority: 1,
                    base_price: dec("5"),
                    price_per_kg: Decimal::ZERO,
                },
                ShippingMethod {
                    code: "WeightRate".into(),
                    option_name: "Ground".into(),
                    description: "By weight".into(),
                    logo_url: None,
                    priority: 2,
                    base_price: dec("2"),
                    price_per_kg: dec("0.5"),
                },
            ],
            payment_methods: vec![PaymentMethod {
                code: "CreditCard".into(),
                name: "Credit card".into(),
                description: String::new(),
                logo_url: None,
                method_type: "Standard".into(),
                group_type: "BankCard".into(),
                priority: 1,
                fee: dec("1.5"),
                partial: true,
            }],
            promotions: vec![],
            properties: vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    #[test]
    fn prices_come_from_the_currency_or_are_converted() {
        let store = store();
        let mut p = product("p1", "100", Some("90"), "goods");
        p.prices.push(Price {
            currency: "EUR".into(),
            list: dec("95"),
            sale: None,
        });
        let usd = store
            .currency("usd")
            .cloned()
            .unwrap_or_else(|| currency("USD", "$", "1", 2));
        let eur = store
            .currency("EUR")
            .cloned()
            .unwrap_or_else(|| currency("EUR", "€", "1", 2));
        let jpy = store
            .currency("JPY")
            .cloned()
            .unwrap_or_else(|| currency("JPY", "¥", "1", 0));
        assert_eq!(store.unit_price(&p, &usd), Some((dec("100"), dec("90"))));
        assert_eq!(store.unit_price(&p, &eur), Some((dec("95"), dec("95"))));
        assert_eq!(
            store.unit_price(&p, &jpy),
            Some((dec("15150"), dec("13635")))
        );
        p.prices.clear();
        assert_eq!(store.unit_price(&p, &usd), None);
        assert!(!store.sells(&p, &usd));
    }

    #[test]
    fn the_most_specific_tax_rate_wins() {
        let store = store();
        assert_eq!(store.tax_rate("goods", None, None).0, dec("0.2"));
        assert_eq!(store.tax_rate("GOODS", Some("usa"), None).0, dec("0.07"));
        assert_eq!(
            store.tax_rate("goods", Some("USA"), Some("CA")).0,
            dec("0.0725")
        );
        assert_eq!(
            store.tax_rate("goods", Some("USA"), Some("NY")).0,
            dec("0.07")
        );
        assert_eq!(
            store.tax_rate("goods", Some("DEU"), Some("CA")).0,
            dec("0.2")
        );
        assert_eq!(store.tax_rate("unknown", None, None).0, Decimal::ZERO);
    }

    #[test]
    fn names_and_cultures() {
        let store = store();
        let mut p = product("p1", "1", None, "goods");
        p.names.insert("de-DE".into(), "Produkt".into());
        assert_eq!(p.name_in("de-de", "en-US"), "Produkt");
        assert_eq!(p.name_in("de-AT", "en-US"), "Produkt");
        assert_eq!(p.name_in("fr-FR", "en-US"), "Product p1");
        assert_eq!(store.culture(Some("en-Us")), "en-US");
        assert_eq!(store.culture(Some("fr-fr")), "fr-FR");
        assert_eq!(store.culture(None), "en-US");
        assert_eq!(normalize_culture("zh-hans-cn"), "zh-Hans-CN");
    }
}
