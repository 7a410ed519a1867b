//! Demo data: the stores, catalogue, pricing rules, tokens and carts that make every example
//! of seed 003 run as printed (DESIGN §4 "Demo data"). Loaded once, in one transaction.

use std::sync::Arc;

use serde_json::json;
use shopql_server_stubs::ApiResult;
use sqlx::AnyConnection;

use crate::domain::purchase::cart::{
    CartDoc, LineItem, Payment, Shipment, TYPE_CART, TYPE_WISHLIST,
};
use crate::domain::purchase::totals::{PricingInput, evaluate};
use crate::domain::purchase::validation::recapture;
use crate::state::AppState;
use crate::store::db_error;

use super::db::{self, CartRow};
use crate::auth::sha256_hex;

const SEEDED: &str = "seed:purchase";

/// The seed's user of the Electronics store; `demo-purchase-token` binds it.
pub const DEMO_USER: &str = "b57d06db-1638-4d37-9734-fd01a9bc59aa";
/// The seed's B2B user; `demo-purchase-token-2` binds it.
pub const B2B_USER: &str = "39e3f3c5-7dd3-40ce-b48b-99549c1cd702";
/// The anonymous visitor who owns cart `7777-7777-7777-7777`.
pub const VISITOR: &str = "a3c1e5f7-2b4d-4f6a-8c0e-1d3f5a7b9c2e";
/// The demo user's token.
pub const DEMO_TOKEN: &str = "demo-purchase-token";
/// The B2B user's token.
pub const B2B_TOKEN: &str = "demo-purchase-token-2";

/// The laptop of the seed (also the id of the demo cart's first line item).
pub const LAPTOP: &str = "9cbd8f316e254a679ba34a900fccb076";
/// A wireless mouse (the free item of `freeItemsCouponCode`).
pub const MOUSE: &str = "c3a1e0d2b4f64a7e8d9c0b1a2f3e4d5c";
/// Headphones (the seed's wishlist product).
pub const HEADPHONES: &str = "92e671024a8648de97dedcd488f58455";
/// A digital product.
pub const SOFTWARE: &str = "5f0c2b7e9a1d4c3b8e6f0a9d2c1b4e7f";
/// A product with 3 in stock.
pub const HUB: &str = "7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d";
/// A product no longer sold.
pub const OLD_CAMERA: &str = "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a";
/// B2B products.
pub const DRILL: &str = "4e1f2a3b4c5d6e7f8091a2b3c4d5e6f7";
pub const SCREWS: &str = "6a7b8c9d0e1f2a3b4c5d6e7f80912a3b";

/// The demo user's Electronics cart.
pub const DEMO_CART: &str = "e1a6c7d2-4b3f-4c8e-9a1d-2f3e4a5b6c7d";
/// The anonymous cart the seed merges and removes.
pub const VISITOR_CART: &str = "7777-7777-7777-7777";
/// The seed's wishlists.
pub const WISHLIST_FAVORITES: &str = "ce682f58-3bbd-42e5-a576-08c82a86ca11";
pub const WISHLIST_GIFTS: &str = "1b249c7a-5b7b-434d-a9b5-56a67ff993fe";
/// The seed's B2B cart.
pub const B2B_CART: &str = "d77a2584-6b45-4b34-818a-9302ec15da5d";
/// Line, shipment and payment ids of the seed.
pub const LINE_MOUSE: &str = "dab09410-aa1a-4daf-8a32-4e41abee77b8";
pub const SHIPMENT_A: &str = "7777-7777-7777-7777";
pub const SHIPMENT_B: &str = "79b8f095-9740-4353-998b-e1c4dd577ee6";
pub const PAYMENT: &str = "0859f1e8-16e8-4924-808b-47e03560085d";
/// The dictionary item of the seed's dictionary property.
pub const DICTIONARY_RED: &str = "578fadeb1d2a40b3b08b1daf8db09463";

async fn exec(conn: &mut AnyConnection, sql: &str, binds: &[Bind<'_>]) -> ApiResult<()> {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = match b {
            Bind::T(s) => q.bind(*s),
            Bind::O(s) => q.bind(*s),
            Bind::I(i) => q.bind(*i),
            Bind::OI(i) => q.bind(*i),
            Bind::B(b) => q.bind(*b),
        };
    }
    q.execute(&mut *conn).await.map_err(db_error)?;
    Ok(())
}

enum Bind<'a> {
    T(&'a str),
    O(Option<&'a str>),
    I(i64),
    OI(Option<i64>),
    B(bool),
}
use Bind::{B, I, O, OI, T};

/// Loads the demo data unless it is there.
pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    if state.store.meta(SEEDED).await?.is_some() {
        return Ok(());
    }
    let detail = |e: shopql_server_stubs::ApiError| {
        anyhow::anyhow!(
            "seeding the purchase demo data: {e} {}",
            e.detail().unwrap_or_default()
        )
    };
    let mut tx = state.store.begin().await.map_err(detail)?;
    catalogue(&mut tx).await.map_err(detail)?;
    carts(&mut tx, state.now_ms()).await.map_err(detail)?;
    sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(SEEDED)
        .bind("1")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

async fn catalogue(c: &mut AnyConnection) -> ApiResult<()> {
    let store = "INSERT INTO purchase_stores (id, name, default_currency, default_language, languages, \
        default_tax_type, shipping_tax_type, payment_tax_type, weight_unit, fulfillment_center_id, \
        fulfillment_center_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    exec(
        c,
        store,
        &[
            T("Electronics"),
            T("Electronics"),
            T("USD"),
            T("en-US"),
            T("en-US,de-DE,fr-FR"),
            T("goods"),
            T("shipping"),
            T("payment"),
            T("kg"),
            O(Some("7777-7777-7777-7777")),
            O(Some("Electronics main warehouse")),
        ],
    )
    .await?;
    exec(
        c,
        store,
        &[
            T("B2B-store"),
            T("B2B store"),
            T("USD"),
            T("en-US"),
            T("en-US"),
            T("goods"),
            T("shipping"),
            T("payment"),
            T("kg"),
            O(Some("b2b-warehouse")),
            O(Some("B2B warehouse")),
        ],
    )
    .await?;

    let currency = "INSERT INTO purchase_currencies (store_id, code, symbol, exchange_rate, decimal_digits, custom_formatting) VALUES ($1, $2, $3, $4, $5, $6)";
    for (store, code, symbol, rate, digits) in [
        ("Electronics", "USD", "$", "1", 2),
        ("Electronics", "EUR", "€", "0.92", 2),
        ("Electronics", "GBP", "£", "0.79", 2),
        ("Electronics", "JPY", "¥", "151.5", 0),
        ("B2B-store", "USD", "$", "1", 2),
        ("B2B-store", "EUR", "€", "0.92", 2),
    ] {
        exec(
            c,
            currency,
            &[T(store), T(code), T(symbol), T(rate), I(digits), O(None)],
        )
        .await?;
    }

    let product = "INSERT INTO purchase_products (id, store_id, sku, names, product_type, tax_type, is_active, \
        in_stock, weight, catalog_id, category_id, image_url, outer_id, vendor_id, vendor_name) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";
    let price = "INSERT INTO purchase_prices (product_id, currency, list_price, sale_price) VALUES ($1, $2, $3, $4)";
    #[allow(clippy::type_complexity)]
    let products: [(
        &str,
        &str,
        &str,
        serde_json::Value,
        &str,
        &str,
        bool,
        i64,
        Option<&str>,
        &str,
        &[(&str, &str, Option<&str>)],
    ); 8] = [
        (
            LAPTOP,
            "Electronics",
            "UB-15-SLV",
            json!({"en-US": "Ultrabook 15 Silver", "de-DE": "Ultrabook 15 Silber", "fr-FR": "Ultrabook 15 argent"}),
            "Physical",
            "goods",
            true,
            50,
            Some("1.8"),
            "laptops",
            &[("USD", "1299", Some("1199")), ("EUR", "1199", Some("1099"))],
        ),
        (
            MOUSE,
            "Electronics",
            "MOUSE-WL",
            json!({"en-US": "Wireless mouse", "de-DE": "Kabellose Maus", "fr-FR": "Souris sans fil"}),
            "Physical",
            "goods",
            true,
            500,
            Some("0.1"),
            "accessories",
            &[("USD", "24.99", None)],
        ),
        (
            HEADPHONES,
            "Electronics",
            "HP-NC-700",
            json!({"en-US": "Noise-cancelling headphones", "de-DE": "Kopfhörer mit Geräuschunterdrückung", "fr-FR": "Casque à réduction de bruit"}),
            "Physical",
            "goods",
            true,
            20,
            Some("0.25"),
            "audio",
            &[("USD", "349", Some("299")), ("EUR", "319", Some("279"))],
        ),
        (
            SOFTWARE,
            "Electronics",
            "SW-OFFICE-1Y",
            json!({"en-US": "Office suite, 1-year licence", "de-DE": "Office-Paket, 1-Jahres-Lizenz"}),
            "Digital",
            "digital",
            true,
            100_000,
            None,
            "software",
            &[("USD", "99", None)],
        ),
        (
            HUB,
            "Electronics",
            "USB-C-HUB",
            json!({"en-US": "USB-C hub", "de-DE": "USB-C-Hub"}),
            "Physical",
            "goods",
            true,
            3,
            Some("0.15"),
            "accessories",
            &[("USD", "49.95", None)],
        ),
        (
            OLD_CAMERA,
            "Electronics",
            "CAM-OLD",
            json!({"en-US": "Discontinued camera"}),
            "Physical",
            "goods",
            false,
            0,
            Some("0.6"),
            "cameras",
            &[("USD", "499", None)],
        ),
        (
            DRILL,
            "B2B-store",
            "DRILL-IND",
            json!({"en-US": "Industrial drill"}),
            "Physical",
            "goods",
            true,
            40,
            Some("3.2"),
            "tools",
            &[("USD", "420", None)],
        ),
        (
            SCREWS,
            "B2B-store",
            "SCREWS-1000",
            json!({"en-US": "Screws, box of 1000"}),
            "Physical",
            "goods",
            true,
            1000,
            Some("1"),
            "fasteners",
            &[("USD", "18.50", None)],
        ),
    ];
    for (id, store, sku, names, kind, tax, active, stock, weight, category, prices) in products {
        let names = names.to_string();
        let image = format!("https://images.example.com/{}.png", sku.to_lowercase());
        let catalog = format!("{}-catalog", store.to_lowercase());
        exec(
            c,
            product,
            &[
                T(id),
                T(store),
                T(sku),
                T(&names),
                T(kind),
                O(Some(tax)),
                B(active),
                I(stock),
                O(weight),
                O(Some(&catalog)),
                O(Some(category)),
                O(Some(&image)),
                O(None),
                O(None),
                O(None),
            ],
        )
        .await?;
        for (cur, list, sale) in prices {
            exec(c, price, &[T(id), T(cur), T(list), O(*sale)]).await?;
        }
    }

    let tax = "INSERT INTO purchase_tax_rates (id, store_id, tax_type, country_code, region_id, rate, name) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    for (id, store, tax_type, country, region, rate, name) in [
        ("el-goods", "Electronics", "goods", None, None, "0.2", "VAT"),
        (
            "el-goods-us",
            "Electronics",
            "goods",
            Some("USA"),
            None,
            "0.07",
            "Sales tax",
        ),
        (
            "el-goods-us-ca",
            "Electronics",
            "goods",
            Some("USA"),
            Some("CA"),
            "0.0725",
            "CA sales tax",
        ),
        (
            "el-goods-de",
            "Electronics",
            "goods",
            Some("DEU"),
            None,
            "0.19",
            "MwSt",
        ),
        (
            "el-digital",
            "Electronics",
            "digital",
            None,
            None,
            "0.1",
            "Digital services VAT",
        ),
        (
            "el-shipping",
            "Electronics",
            "shipping",
            None,
            None,
            "0.2",
            "VAT",
        ),
        (
            "el-shipping-us",
            "Electronics",
            "shipping",
            Some("USA"),
            None,
            "0",
            "No tax on shipping",
        ),
        ("b2b-goods", "B2B-store", "goods", None, None, "0.2", "VAT"),
        (
            "b2b-shipping",
            "B2B-store",
            "shipping",
            None,
            None,
            "0.2",
            "VAT",
        ),
    ] {
        exec(
            c,
            tax,
            &[
                T(id),
                T(store),
                T(tax_type),
                O(country),
                O(region),
                T(rate),
                T(name),
            ],
        )
        .await?;
    }

    let ship = "INSERT INTO purchase_shipping_methods (store_id, code, option_name, description, logo_url, priority, base_price, price_per_kg, is_active) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    for (store, code, option, desc, priority, base, per_kg, active) in [
        (
            "Electronics",
            "code",
            "Standard",
            "Standard delivery (the seed's example method)",
            1,
            "9.99",
            "0",
            true,
        ),
        (
            "Electronics",
            "FixedRate",
            "Ground",
            "Ground delivery in 5-7 business days",
            2,
            "5",
            "0",
            true,
        ),
        (
            "Electronics",
            "FixedRate",
            "Air",
            "Air delivery in 1-2 business days",
            3,
            "15",
            "0",
            true,
        ),
        (
            "Electronics",
            "WeightRate",
            "Ground",
            "Priced by weight: 2.00 plus 0.50 per kg",
            4,
            "2",
            "0.5",
            true,
        ),
        (
            "Electronics",
            "BuyOnlinePickupInStore",
            "Pickup",
            "Pick up at the store",
            5,
            "0",
            "0",
            true,
        ),
        (
            "Electronics",
            "Retired",
            "Ground",
            "A method no longer offered",
            9,
            "1",
            "0",
            false,
        ),
        (
            "B2B-store",
            "Freight",
            "Pallet",
            "Freight delivery by pallet",
            1,
            "50",
            "0",
            true,
        ),
    ] {
        let logo = format!(
            "https://images.example.com/shipping/{}.png",
            code.to_lowercase()
        );
        exec(
            c,
            ship,
            &[
                T(store),
                T(code),
                T(option),
                T(desc),
                O(Some(&logo)),
                I(priority),
                T(base),
                T(per_kg),
                B(active),
            ],
        )
        .await?;
    }

    let pay = "INSERT INTO purchase_payment_methods (store_id, code, name, description, logo_url, payment_method_type, group_type, priority, fee, is_available_for_partial, is_active) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    for (store, code, name, desc, kind, group, priority, fee, partial) in [
        (
            "Electronics",
            "code",
            "Example payment method",
            "The seed's example payment method",
            "Standard",
            "Manual",
            1,
            "0",
            true,
        ),
        (
            "Electronics",
            "DefaultManualPaymentMethod",
            "Manual payment",
            "Pay by bank transfer after ordering",
            "Unknown",
            "Manual",
            2,
            "0",
            true,
        ),
        (
            "Electronics",
            "CreditCard",
            "Credit card",
            "Visa, Mastercard, American Express",
            "Standard",
            "BankCard",
            3,
            "1.5",
            true,
        ),
        (
            "Electronics",
            "PayPal",
            "PayPal",
            "Pay with your PayPal account",
            "Redirection",
            "Paypal",
            4,
            "0.99",
            false,
        ),
        (
            "B2B-store",
            "Invoice",
            "Pay by invoice",
            "30 days net",
            "Standard",
            "Manual",
            1,
            "0",
            true,
        ),
    ] {
        exec(
            c,
            pay,
            &[
                T(store),
                T(code),
                T(name),
                T(desc),
                O(None),
                T(kind),
                T(group),
                I(priority),
                T(fee),
                B(partial),
                B(true),
            ],
        )
        .await?;
    }

    let promo = "INSERT INTO purchase_promotions (id, store_id, description, coupon_code, reward, min_subtotal, starts_ms, ends_ms, is_active, priority) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    let spring_end = 1_590_969_600_000_i64; // 2020-06-01T00:00:00Z
    for (id, store, desc, coupon, reward, min, ends, priority) in [
        (
            "electronics-free-mouse",
            "Electronics",
            "A free wireless mouse with the coupon",
            Some("freeItemsCouponCode"),
            json!({"kind": "freeItem", "product_id": MOUSE, "quantity": 1}),
            None,
            None,
            1,
        ),
        (
            "electronics-save10",
            "Electronics",
            "10% off the order",
            Some("SAVE10"),
            json!({"kind": "cartPercent", "percent": "10"}),
            None,
            None,
            2,
        ),
        (
            "electronics-fixed50",
            "Electronics",
            "$50 off orders over $200",
            Some("FIXED50"),
            json!({"kind": "cartFixed", "amount": "50"}),
            Some("200"),
            None,
            3,
        ),
        (
            "electronics-freeship",
            "Electronics",
            "Free shipping",
            Some("FREESHIP"),
            json!({"kind": "shippingPercent", "percent": "100"}),
            None,
            None,
            4,
        ),
        (
            "electronics-spring2020",
            "Electronics",
            "Spring sale 2020 (ended)",
            Some("SPRING2020"),
            json!({"kind": "cartPercent", "percent": "50"}),
            None,
            Some(spring_end),
            5,
        ),
        (
            "electronics-headphones",
            "Electronics",
            "10% off noise-cancelling headphones",
            None,
            json!({"kind": "itemPercent", "product_id": HEADPHONES, "percent": "10"}),
            None,
            None,
            6,
        ),
        (
            "b2b-volume",
            "B2B-store",
            "3% volume discount on orders over $1,000",
            None,
            json!({"kind": "cartPercent", "percent": "3"}),
            Some("1000"),
            None,
            1,
        ),
    ] {
        let reward = reward.to_string();
        exec(
            c,
            promo,
            &[
                T(id),
                T(store),
                T(desc),
                O(coupon),
                T(&reward),
                O(min),
                OI(None),
                OI(ends),
                B(true),
                I(priority),
            ],
        )
        .await?;
    }

    let prop = "INSERT INTO purchase_dynamic_properties (id, object_type, name, value_type, is_array, is_dictionary, is_multilingual, is_required) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    let item = "INSERT INTO purchase_dictionary_items (property_id, id, name, labels) VALUES ($1, $2, $3, $4)";
    for object in ["Cart", "LineItem", "Shipment", "Payment"] {
        let mut defs = vec![
            ("Example string property", "ShortText", false, false),
            ("Example multilanguage property", "ShortText", false, true),
            ("Example dictionary property", "ShortText", true, false),
            ("Example long text property", "LongText", false, false),
            ("Example integer property", "Integer", false, false),
            ("Example decimal property", "Decimal", false, false),
            ("Example boolean property", "Boolean", false, false),
            ("Example date property", "DateTime", false, false),
        ];
        match object {
            "LineItem" => defs.push(("ItemProperty", "ShortText", false, false)),
            "Shipment" => defs.push(("ShipmentProperty", "ShortText", false, false)),
            "Payment" => defs.push(("PaymentProperty", "ShortText", false, false)),
            _ => {}
        }
        for (name, value_type, dictionary, multilingual) in defs {
            let id = format!(
                "{}-{}",
                object.to_lowercase(),
                name.to_lowercase().replace(' ', "-")
            );
            exec(
                c,
                prop,
                &[
                    T(&id),
                    T(object),
                    T(name),
                    T(value_type),
                    B(false),
                    B(dictionary),
                    B(multilingual),
                    B(false),
                ],
            )
            .await?;
            if dictionary {
                for (item_id, item_name, labels) in [
                    (
                        DICTIONARY_RED,
                        "Red",
                        json!({"en-US": "Red", "de-DE": "Rot", "fr-FR": "Rouge"}),
                    ),
                    (
                        "3b0e4f6a2c1d4e5f8a9b0c1d2e3f4a5b",
                        "Green",
                        json!({"en-US": "Green", "de-DE": "Grün", "fr-FR": "Vert"}),
                    ),
                    (
                        "9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a",
                        "Blue",
                        json!({"en-US": "Blue", "de-DE": "Blau", "fr-FR": "Bleu"}),
                    ),
                ] {
                    let labels = labels.to_string();
                    exec(c, item, &[T(&id), T(item_id), T(item_name), T(&labels)]).await?;
                }
            }
        }
    }

    let customer = "INSERT INTO purchase_customers (id, name) VALUES ($1, $2)";
    exec(c, customer, &[T(DEMO_USER), T("Demo Buyer")]).await?;
    exec(c, customer, &[T(B2B_USER), T("B2B Buyer")]).await?;
    let token =
        "INSERT INTO purchase_api_tokens (token_hash, user_id, created_ms) VALUES ($1, $2, $3)";
    exec(c, token, &[T(&sha256_hex(DEMO_TOKEN)), T(DEMO_USER), I(0)]).await?;
    exec(c, token, &[T(&sha256_hex(B2B_TOKEN)), T(B2B_USER), I(0)]).await?;
    Ok(())
}

fn line(id: &str, product_id: &str, sku: &str, name: &str, quantity: i32, now: i64) -> LineItem {
    LineItem {
        id: id.into(),
        product_id: product_id.into(),
        sku: sku.into(),
        name: name.into(),
        quantity,
        created_ms: now,
        captured_available: true,
        ..LineItem::default()
    }
}

#[allow(clippy::too_many_arguments)]
async fn cart(
    c: &mut AnyConnection,
    id: &str,
    store: &str,
    name: &str,
    user: &str,
    cart_type: &str,
    mut doc: CartDoc,
    now: i64,
) -> ApiResult<()> {
    // Capture the prices the customer "saw", so the demo carts start without warnings.
    if let Some(catalog) = db::load_catalog(c, store).await? {
        let catalog = Arc::new(catalog);
        let ids: Vec<String> = doc.items.iter().map(|l| l.product_id.clone()).collect();
        let products = db::load_products(c, &ids).await?;
        if let Some(currency) = catalog.default_currency().cloned() {
            let eval = evaluate(
                &doc,
                &PricingInput {
                    catalog: &catalog,
                    currency: &currency,
                    products: &products,
                    now_ms: now,
                },
            );
            recapture(&mut doc, &eval);
        }
    }
    db::insert_cart_if_absent(
        c,
        &CartRow {
            id: id.into(),
            store_id: store.into(),
            name: name.into(),
            user_id: user.into(),
            currency: "USD".into(),
            cart_type: cart_type.into(),
            // The carts of users that a demo token binds are theirs (see `access`).
            is_anonymous: user != DEMO_USER && user != B2B_USER,
            status: "New".into(),
            comment: None,
            created_ms: now,
            modified_ms: now,
            version: 0,
            doc,
        },
    )
    .await
}

async fn carts(c: &mut AnyConnection, now: i64) -> ApiResult<()> {
    let demo = CartDoc {
        items: vec![
            line(LAPTOP, LAPTOP, "UB-15-SLV", "Ultrabook 15 Silver", 1, now),
            line(LINE_MOUSE, MOUSE, "MOUSE-WL", "Wireless mouse", 2, now),
        ],
        shipments: vec![
            Shipment {
                id: SHIPMENT_A.into(),
                method_code: Some("FixedRate".into()),
                method_option: Some("Ground".into()),
                fulfillment_center_id: Some("7777-7777-7777-7777".into()),
                ..Shipment::default()
            },
            Shipment {
                id: SHIPMENT_B.into(),
                method_code: Some("code".into()),
                method_option: Some("Standard".into()),
                ..Shipment::default()
            },
        ],
        payments: vec![Payment {
            id: PAYMENT.into(),
            gateway_code: Some("DefaultManualPaymentMethod".into()),
            ..Payment::default()
        }],
        ..CartDoc::default()
    };
    cart(
        c,
        DEMO_CART,
        "Electronics",
        "default",
        DEMO_USER,
        TYPE_CART,
        demo,
        now,
    )
    .await?;
    let visitor = CartDoc {
        items: vec![
            line(
                "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
                LAPTOP,
                "UB-15-SLV",
                "Ultrabook 15 Silver",
                1,
                now,
            ),
            line(
                "1c2d3e4f-5a6b-4c7d-9e8f-0a1b2c3d4e5f",
                HUB,
                "USB-C-HUB",
                "USB-C hub",
                1,
                now,
            ),
        ],
        coupons: vec!["SAVE10".into()],
        ..CartDoc::default()
    };
    cart(
        c,
        VISITOR_CART,
        "Electronics",
        "default",
        VISITOR,
        TYPE_CART,
        visitor,
        now + 1,
    )
    .await?;
    let favorites = CartDoc {
        items: vec![line(
            "2d3e4f5a-6b7c-4d8e-af90-1b2c3d4e5f60",
            HEADPHONES,
            "HP-NC-700",
            "Noise-cancelling headphones",
            1,
            now,
        )],
        ..CartDoc::default()
    };
    cart(
        c,
        WISHLIST_FAVORITES,
        "Electronics",
        "Favorites",
        DEMO_USER,
        TYPE_WISHLIST,
        favorites,
        now + 2,
    )
    .await?;
    let gifts = CartDoc {
        items: vec![line(
            "3e4f5a6b-7c8d-4e9f-b0a1-2c3d4e5f6a7b",
            MOUSE,
            "MOUSE-WL",
            "Wireless mouse",
            1,
            now,
        )],
        ..CartDoc::default()
    };
    cart(
        c,
        WISHLIST_GIFTS,
        "Electronics",
        "Gift ideas",
        DEMO_USER,
        TYPE_WISHLIST,
        gifts,
        now + 3,
    )
    .await?;
    let b2b = CartDoc {
        items: vec![
            line(
                "4f5a6b7c-8d9e-4fa0-b1c2-3d4e5f6a7b8c",
                DRILL,
                "DRILL-IND",
                "Industrial drill",
                2,
                now,
            ),
            line(
                "5a6b7c8d-9e0f-4a1b-82c3-4d5e6f7a8b9c",
                SCREWS,
                "SCREWS-1000",
                "Screws, box of 1000",
                10,
                now,
            ),
        ],
        ..CartDoc::default()
    };
    cart(
        c,
        B2B_CART,
        "B2B-store",
        "default",
        B2B_USER,
        TYPE_CART,
        b2b,
        now,
    )
    .await?;
    Ok(())
}
