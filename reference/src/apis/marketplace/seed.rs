//! Demo data: two sellers (API keys `demo-seller-key` and `demo-seller-2-key`), the shared
//! catalogue, and the objects behind every global id the seed and `schemas/operations/marketplace`
//! use (`Advert-100070734`, `Brand-4`, `Taxon-278`, `Variant-78028`, `Invoice-13218`, …). Loaded
//! once per database, in one transaction.

use shopql_server_stubs::ApiResult;
use sqlx::AnyConnection;

use super::rows::{AdvertRow, VariantRow};
use crate::auth::sha256_hex;
use crate::clock::parse_rfc3339;
use crate::domain::marketplace::invoice::{self, InvoiceFacts};
use crate::domain::marketplace::shipping::{self, LineQuantities, ShippedState};
use crate::state::AppState;
use crate::store::sql::{Arg, Sql};

/// The demo seller's API key.
pub const DEMO_SELLER_KEY: &str = "demo-seller-key";
/// The second demo seller's API key.
pub const DEMO_SELLER_2_KEY: &str = "demo-seller-2-key";
/// The demo seller.
pub const DEMO_SELLER: i64 = 1001;
/// The second demo seller.
pub const DEMO_SELLER_2: i64 = 1002;

const SEED_KEY: &str = "seed:marketplace";
const DAY_MS: i64 = 24 * 3600 * 1000;

fn at(text: &str) -> i64 {
    parse_rfc3339(text).unwrap_or_default()
}

async fn insert(
    conn: &mut AnyConnection,
    table: &str,
    columns: &str,
    values: Vec<Arg>,
) -> ApiResult<()> {
    let mut sql = Sql::new(&format!("INSERT INTO {table} ({columns}) VALUES "));
    sql.list(values);
    sql.execute(conn).await.map(|_| ())
}

fn t(s: &str) -> Arg {
    Arg::Text(s.to_string())
}

fn ot(s: Option<&str>) -> Arg {
    Arg::OptText(s.map(str::to_string))
}

fn i(v: i64) -> Arg {
    Arg::I64(v)
}

fn oi(v: Option<i64>) -> Arg {
    Arg::OptI64(v)
}

/// Loads the demo data unless it is there already (several nodes may start at once: the first
/// to claim the marker seeds, the others skip).
pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    if state.store.meta(SEED_KEY).await?.is_some() {
        return Ok(());
    }
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let mut claim = Sql::new("INSERT INTO meta (key, value) VALUES (");
    claim
        .arg(SEED_KEY)
        .push(", 'loaded') ON CONFLICT (key) DO NOTHING");
    if claim.execute(&mut *tx).await? == 0 {
        return Ok(());
    }
    // Startup shows the detail of a failure (an ApiError's Display hides it).
    let detailed = |e: shopql_server_stubs::ApiError| {
        anyhow::anyhow!("marketplace demo data: {e}: {}", e.detail().unwrap_or(""))
    };
    catalogue(&mut tx).await.map_err(detailed)?;
    adverts(&mut tx, now).await.map_err(detailed)?;
    invoices(&mut tx).await.map_err(detailed)?;
    tx.commit().await?;
    tracing::info!(
        "marketplace: demo data loaded (sellers with keys `{DEMO_SELLER_KEY}` and `{DEMO_SELLER_2_KEY}`)"
    );
    Ok(())
}

async fn catalogue(c: &mut AnyConnection) -> ApiResult<()> {
    let created = at("2022-01-01T00:00:00Z");
    for (id, name, key, parent) in [
        (DEMO_SELLER, "Demo Outdoor Co.", Some(DEMO_SELLER_KEY), None),
        (
            DEMO_SELLER_2,
            "Second Seller Pty Ltd",
            Some(DEMO_SELLER_2_KEY),
            None,
        ),
        (1011, "Demo Outdoor Co. Sydney", None, Some(DEMO_SELLER)),
        (1012, "Demo Outdoor Co. Melbourne", None, Some(DEMO_SELLER)),
    ] {
        insert(
            c,
            "mp_sellers",
            "id, business_name, api_key_hash, parent_id, created_at",
            vec![
                i(id),
                t(name),
                Arg::OptText(key.map(sha256_hex)),
                oi(parent),
                i(created),
            ],
        )
        .await?;
    }
    for (id, name, slug) in [
        (4, "GlocalMe", "glocalme"),
        (7, "Giant", "giant"),
        (8, "Giant Loop", "giant-loop"),
        (9, "Weber", "weber"),
        (12, "Netgear", "netgear"),
        (15, "Trek", "trek"),
        (21, "Blackmores", "blackmores"),
    ] {
        insert(
            c,
            "mp_brands",
            "id, name, name_lower, slug",
            vec![i(id), t(name), t(&name.to_lowercase()), t(slug)],
        )
        .await?;
    }
    for (id, name) in [(12, "Mobile hotspots"), (7, "Bikes")] {
        insert(c, "mp_prototypes", "id, name", vec![i(id), t(name)]).await?;
    }
    for (id, name, presentation, applied, field, optional, position) in [
        (
            249,
            "colour",
            "Colour",
            "VARIANT",
            "SINGLE_SELECT",
            false,
            1,
        ),
        (
            250,
            "connectivity",
            "Connectivity",
            "ADVERT",
            "SINGLE_SELECT",
            true,
            2,
        ),
        (
            251,
            "battery_mah",
            "Battery capacity (mAh)",
            "ADVERT",
            "INTEGER",
            true,
            3,
        ),
        (
            101,
            "frame_size",
            "Frame Size",
            "VARIANT",
            "SINGLE_SELECT",
            false,
            1,
        ),
        (
            102,
            "wheel_size",
            "Wheel Size",
            "ADVERT",
            "SINGLE_SELECT",
            true,
            2,
        ),
        (
            103,
            "frame_material",
            "Frame Material",
            "ADVERT",
            "FREE_TEXT",
            true,
            3,
        ),
    ] {
        insert(
            c,
            "mp_option_types",
            "id, name, presentation, applied_to, field_type, optional, position",
            vec![
                i(id),
                t(name),
                t(presentation),
                t(applied),
                t(field),
                i(i64::from(optional)),
                i(position),
            ],
        )
        .await?;
    }
    for (prototype, option_type, position) in [
        (12, 249, 1),
        (12, 250, 2),
        (12, 251, 3),
        (7, 101, 1),
        (7, 102, 2),
        (7, 103, 3),
        (7, 249, 4),
    ] {
        insert(
            c,
            "mp_prototype_option_types",
            "prototype_id, option_type_id, position",
            vec![i(prototype), i(option_type), i(position)],
        )
        .await?;
    }
    for (id, option_type, name, display, position) in [
        (731, 249, "black", "Black", 1),
        (732, 249, "white", "White", 2),
        (733, 249, "blue", "Blue", 3),
        (734, 249, "red", "Red", 4),
        (736, 250, "4g", "4G LTE", 1),
        (737, 250, "5g", "5G", 2),
        (401, 101, "s", "Small", 1),
        (402, 101, "m", "Medium", 2),
        (403, 101, "l", "Large", 3),
        (404, 102, "26", "26\"", 1),
        (405, 102, "27_5", "27.5\"", 2),
        (406, 102, "29", "29\"", 3),
    ] {
        insert(
            c,
            "mp_option_values",
            "id, option_type_id, name, display_name, position",
            vec![i(id), i(option_type), t(name), t(display), i(position)],
        )
        .await?;
    }
    for (id, parent, tree, display, slug, kind, prototype, vetting) in [
        (
            1,
            None,
            "Electronics",
            "Electronics",
            "electronics",
            "category",
            None,
            false,
        ),
        (
            27,
            Some(1),
            "Electronics > Networking",
            "Networking",
            "networking",
            "category",
            None,
            false,
        ),
        (
            278,
            Some(27),
            "Electronics > Networking > Mobile Hotspots",
            "Mobile Hotspots",
            "mobile-hotspots",
            "product",
            Some(12),
            false,
        ),
        (
            17,
            None,
            "Bikes",
            "Bikes",
            "bikes",
            "category",
            Some(7),
            false,
        ),
        (
            178,
            Some(17),
            "Bikes > Road Bikes",
            "Road Bikes",
            "road-bikes",
            "product",
            Some(7),
            false,
        ),
        (
            179,
            Some(17),
            "Bikes > Hybrid Bikes",
            "Hybrid Bikes",
            "hybrid-bikes",
            "product",
            Some(7),
            false,
        ),
        (
            30, None, "Outdoor", "Outdoor", "outdoor", "category", None, false,
        ),
        (
            301,
            Some(30),
            "Outdoor > BBQs & Grills",
            "BBQs & Grills",
            "bbqs-grills",
            "product",
            None,
            false,
        ),
        (
            302,
            Some(30),
            "Outdoor > BBQ Accessories",
            "BBQ Accessories",
            "bbq-accessories",
            "product",
            None,
            false,
        ),
        (
            5, None, "Health", "Health", "health", "category", None, false,
        ),
        (
            50,
            Some(5),
            "Health > Supplements",
            "Supplements",
            "supplements",
            "product",
            None,
            true,
        ),
    ] {
        insert(
            c,
            "mp_taxons",
            "id, parent_id, tree_name, display_name, url_slug, taxon_type, prototype_id, requires_vetting",
            vec![
                i(id),
                oi(parent),
                t(tree),
                t(display),
                t(slug),
                t(kind),
                oi(prototype),
                i(i64::from(vetting)),
            ],
        )
        .await?;
    }
    for (id, name, description) in [
        (
            3,
            "Standard parcel",
            "Parcels up to 5 kg, delivered in 3 to 5 business days",
        ),
        (
            5,
            "Bulky items",
            "Bikes, BBQs and other items over 20 kg, delivered by freight",
        ),
        (8, "Free shipping", "Delivery included in the price"),
    ] {
        insert(
            c,
            "mp_shipping_profiles",
            "id, name, description",
            vec![i(id), t(name), t(description)],
        )
        .await?;
    }
    for (id, name, home, template) in [
        (
            69,
            "Australia Post",
            "https://auspost.com.au",
            Some("https://auspost.com.au/mypost/track/details/{tracking_number}"),
        ),
        (
            70,
            "StarTrack",
            "https://startrack.com.au",
            Some("https://startrack.com.au/track/details/{tracking_number}"),
        ),
        (
            71,
            "Couriers Please",
            "https://www.couriersplease.com.au",
            None,
        ),
    ] {
        insert(
            c,
            "mp_carriers",
            "id, name, homepage_link, tracking_link_template",
            vec![i(id), t(name), t(home), ot(template)],
        )
        .await?;
    }
    Ok(())
}

/// An advert of the demo data.
struct A {
    id: i64,
    seller: i64,
    title: &'static str,
    brand: Option<i64>,
    taxon: i64,
    price: i64,
    sale: Option<i64>,
    updated: &'static str,
    /// Published on request, rejected with a reason, waiting for vetting, vetted, featured.
    publish: bool,
    rejected: Option<&'static str>,
    waiting: bool,
    vetted: bool,
    featured: bool,
}

impl A {
    fn row(&self, deleted_at: Option<i64>) -> AdvertRow {
        let updated = deleted_at.unwrap_or_else(|| at(self.updated));
        let mut row = AdvertRow {
            id: self.id,
            seller_id: self.seller,
            title: Some(self.title.to_string()),
            description: Some(format!(
                "{}. Sold by a demo seller of the shopql marketplace.",
                self.title
            )),
            brand_id: self.brand,
            taxon_id: Some(self.taxon),
            price_cents: Some(self.price),
            sale_price_cents: self.sale,
            sale_type: Some("BUY_ONLINE".into()),
            publish_requested: self.publish,
            featured: self.featured,
            vetted: self.vetted,
            requires_vetting: self.waiting,
            vetting_rejected: self.rejected.is_some(),
            vetting_rejected_reason: self.rejected.map(str::to_string),
            deleted_at,
            created_at: at("2023-01-15T00:00:00Z").min(updated),
            updated_at: updated,
            ..AdvertRow::default()
        };
        let state = row.state(true);
        row.set_state(state);
        row
    }
}

/// A variant of the demo data.
struct V {
    id: i64,
    advert: i64,
    seller: i64,
    sku: &'static str,
    barcode: Option<&'static str>,
    price: Option<i64>,
    sale: Option<i64>,
    count: i64,
    option_value: Option<(i64, i64)>,
    profile: Option<i64>,
    parcel: Option<[f64; 4]>,
    purchase: (Option<i64>, Option<i64>),
}

impl V {
    fn row(&self, live: bool) -> VariantRow {
        VariantRow {
            id: self.id,
            advert_id: self.advert,
            seller_id: self.seller,
            sku: Some(self.sku.to_string()),
            barcode: self.barcode.map(str::to_string),
            price_cents: self.price,
            sale_price_cents: self.sale,
            count_on_hand: self.count,
            published: true,
            min_purchase_quantity: self.purchase.0,
            max_purchase_quantity: self.purchase.1,
            shipping_profile_id: self.profile,
            parcel_length: self.parcel.map(|p| p[0]),
            parcel_width: self.parcel.map(|p| p[1]),
            parcel_height: self.parcel.map(|p| p[2]),
            parcel_weight: self.parcel.map(|p| p[3]),
            live,
            created_at: at("2023-01-15T00:00:00Z"),
            updated_at: at("2023-01-15T00:00:00Z"),
            ..VariantRow::default()
        }
    }
}

#[allow(clippy::too_many_lines)]
async fn adverts(c: &mut AnyConnection, now: i64) -> ApiResult<()> {
    let s1 = DEMO_SELLER;
    let base = A {
        id: 0,
        seller: s1,
        title: "",
        brand: None,
        taxon: 0,
        price: 0,
        sale: None,
        updated: "2023-05-01T00:00:00Z",
        publish: true,
        rejected: None,
        waiting: false,
        vetted: false,
        featured: false,
    };
    let adverts = [
        A {
            id: 100_070_734,
            title: "GlocalMe G4 Pro 4G Mobile Hotspot",
            brand: Some(4),
            taxon: 278,
            price: 19900,
            updated: "2023-05-20T02:00:00Z",
            ..base
        },
        A {
            id: 100_070_730,
            title: "GlocalMe U3 Mobile Hotspot",
            brand: Some(4),
            taxon: 278,
            price: 8900,
            updated: "2023-05-18T02:00:00Z",
            ..base
        },
        A {
            id: 100_070_729,
            title: "Netgear Nighthawk M6 5G Router",
            brand: Some(12),
            taxon: 278,
            price: 24900,
            updated: "2023-05-22T02:00:00Z",
            ..base
        },
        A {
            id: 100_077_690,
            title: "Giant Escape 3 Hybrid Bike",
            brand: Some(7),
            taxon: 179,
            price: 64900,
            updated: "2023-06-01T02:00:00Z",
            ..base
        },
        A {
            id: 100_002_578,
            title: "Vitamin C 1000mg (120 tablets)",
            brand: Some(21),
            taxon: 50,
            price: 2495,
            updated: "2023-03-10T02:00:00Z",
            rejected: Some("Therapeutic claims need an AUST L number in the description."),
            ..base
        },
        A {
            id: 100_013_026,
            title: "Weber Q1200 Portable BBQ",
            brand: Some(9),
            taxon: 301,
            price: 44900,
            sale: Some(39900),
            updated: "2023-04-05T02:00:00Z",
            ..base
        },
        A {
            id: 100_013_027,
            title: "Weber BBQ Cover (Q1000 and Q2000)",
            brand: Some(9),
            taxon: 302,
            price: 6995,
            updated: "2023-05-25T02:00:00Z",
            publish: false,
            ..base
        },
        A {
            id: 100_070_800,
            title: "Fish Oil 1000mg (200 capsules)",
            brand: Some(21),
            taxon: 50,
            price: 1995,
            updated: "2023-06-10T02:00:00Z",
            waiting: true,
            ..base
        },
        A {
            id: 100_070_801,
            title: "Magnesium Powder 250g",
            brand: Some(21),
            taxon: 50,
            price: 3495,
            updated: "2023-06-12T02:00:00Z",
            vetted: true,
            featured: true,
            ..base
        },
        A {
            id: 100_077_700,
            title: "Trek FX 2 Disc Hybrid Bike",
            brand: Some(15),
            taxon: 179,
            price: 119_900,
            updated: "2023-06-20T02:00:00Z",
            ..base
        },
        A {
            id: 100_077_701,
            title: "Giant Contend AR 1 Road Bike",
            brand: Some(7),
            taxon: 178,
            price: 179_900,
            sale: Some(164_900),
            updated: "2023-06-21T02:00:00Z",
            ..base
        },
        A {
            id: 200_000_001,
            seller: DEMO_SELLER_2,
            title: "Sea Kayak 4.2m",
            taxon: 30,
            price: 129_900,
            updated: "2023-05-19T02:00:00Z",
            ..base
        },
    ];
    for a in &adverts {
        a.row(None).insert(&mut *c).await?;
    }
    // Deleted two days before the data was loaded: listed as a DeletedAdvert for 28 more days.
    let deleted = A {
        id: 100_013_028,
        title: "Giant Loop Fandango Tank Bag",
        brand: Some(8),
        taxon: 17,
        price: 21900,
        ..base
    };
    deleted.row(Some(now - 2 * DAY_MS)).insert(&mut *c).await?;

    let v = V {
        id: 0,
        advert: 0,
        seller: s1,
        sku: "",
        barcode: None,
        price: None,
        sale: None,
        count: 0,
        option_value: None,
        profile: None,
        parcel: None,
        purchase: (None, None),
    };
    let variants = [
        V {
            id: 15203,
            advert: 100_070_734,
            sku: "GLM-G4P-BLK",
            barcode: Some("6970437210015"),
            price: Some(19900),
            sale: Some(17900),
            count: 12,
            option_value: Some((249, 731)),
            profile: Some(3),
            ..v
        },
        V {
            id: 15204,
            advert: 100_070_734,
            sku: "GLM-G4P-WHT",
            barcode: Some("6970437210016"),
            price: Some(19900),
            count: 0,
            option_value: Some((249, 732)),
            profile: Some(3),
            ..v
        },
        V {
            id: 78028,
            advert: 100_070_730,
            sku: "sku-1",
            barcode: Some("6970437210022"),
            count: 25,
            option_value: Some((249, 732)),
            profile: Some(3),
            parcel: Some([12.0, 8.0, 3.0, 0.25]),
            ..v
        },
        V {
            id: 78029,
            advert: 100_070_730,
            sku: "GLM-U3-BLK",
            barcode: Some("6970437210023"),
            count: 4,
            option_value: Some((249, 731)),
            profile: Some(3),
            ..v
        },
        V {
            id: 78023,
            advert: 100_070_729,
            sku: "sku-2",
            barcode: Some("0606449155555"),
            price: Some(24900),
            count: 40,
            option_value: Some((249, 731)),
            profile: Some(3),
            parcel: Some([15.0, 10.0, 4.0, 0.5]),
            purchase: (Some(1), Some(5)),
            ..v
        },
        V {
            id: 78024,
            advert: 100_070_729,
            sku: "NH-M6-WHT",
            price: Some(26900),
            count: 3,
            option_value: Some((249, 732)),
            profile: Some(3),
            ..v
        },
        V {
            id: 78100,
            advert: 100_077_690,
            sku: "GNT-ESC3-M",
            count: 3,
            option_value: Some((101, 402)),
            profile: Some(5),
            parcel: Some([140.0, 25.0, 75.0, 13.5]),
            ..v
        },
        V {
            id: 78101,
            advert: 100_077_690,
            sku: "GNT-ESC3-L",
            count: 2,
            option_value: Some((101, 403)),
            profile: Some(5),
            ..v
        },
        V {
            id: 78200,
            advert: 100_002_578,
            sku: "BM-VITC-120",
            count: 100,
            profile: Some(3),
            ..v
        },
        V {
            id: 78300,
            advert: 100_013_026,
            sku: "WEB-Q1200-TITAN",
            count: 6,
            profile: Some(5),
            ..v
        },
        V {
            id: 78301,
            advert: 100_013_026,
            sku: "WEB-Q1200-RED",
            count: 2,
            profile: Some(5),
            ..v
        },
        V {
            id: 78302,
            advert: 100_013_027,
            sku: "WEB-COVER-Q",
            count: 15,
            profile: Some(3),
            ..v
        },
        V {
            id: 78500,
            advert: 100_070_800,
            sku: "BM-FISHOIL-200",
            count: 50,
            profile: Some(8),
            ..v
        },
        V {
            id: 78501,
            advert: 100_070_801,
            sku: "BM-MAG-250",
            count: 20,
            profile: Some(8),
            ..v
        },
        V {
            id: 78600,
            advert: 100_077_700,
            sku: "TRK-FX2-M",
            count: 4,
            option_value: Some((101, 402)),
            profile: Some(5),
            ..v
        },
        V {
            id: 78601,
            advert: 100_077_701,
            sku: "GNT-CAR1-M",
            count: 1,
            option_value: Some((101, 402)),
            profile: Some(5),
            ..v
        },
        V {
            id: 78602,
            advert: 100_077_701,
            sku: "GNT-CAR1-L",
            price: Some(184_900),
            count: 0,
            option_value: Some((101, 403)),
            profile: Some(5),
            ..v
        },
        V {
            id: 90001,
            advert: 200_000_001,
            seller: DEMO_SELLER_2,
            sku: "sku-1",
            count: 2,
            profile: Some(5),
            ..v
        },
    ];
    for var in &variants {
        var.row(true).insert(&mut *c).await?;
        if let Some((option_type, option_value)) = var.option_value {
            insert(
                c,
                "mp_variant_option_values",
                "variant_id, position, option_type_id, option_value_id, text_value",
                vec![i(var.id), i(0), i(option_type), i(option_value), ot(None)],
            )
            .await?;
        }
    }
    let gone = V {
        id: 78400,
        advert: 100_013_028,
        sku: "GL-FANDANGO",
        count: 4,
        ..v
    };
    gone.row(false).insert(&mut *c).await?;

    for (advert, position, option_type, value, text) in [
        (100_070_734, 0, 250, Some(736), None),
        (100_070_734, 1, 251, None, Some("5000")),
        (100_070_730, 0, 250, Some(736), None),
        (100_070_729, 0, 250, Some(737), None),
        (100_077_690, 0, 102, Some(406), None),
        (100_077_690, 1, 103, None, Some("ALUXX aluminium")),
    ] {
        insert(
            c,
            "mp_advert_option_values",
            "advert_id, position, option_type_id, option_value_id, text_value",
            vec![i(advert), i(position), i(option_type), oi(value), ot(text)],
        )
        .await?;
    }

    let created = at("2023-01-15T00:00:00Z");
    for (id, seller, advert, variant, url, alt) in [
        (
            284_930,
            s1,
            100_070_734,
            None,
            "https://cdn.example.com/images/glocalme-g4-pro-front.jpg",
            Some("GlocalMe G4 Pro, front"),
        ),
        (
            284_931,
            s1,
            100_070_734,
            None,
            "https://cdn.example.com/images/glocalme-g4-pro-side.jpg",
            Some("GlocalMe G4 Pro, side"),
        ),
        (
            284_941,
            s1,
            100_070_730,
            None,
            "https://cdn.example.com/images/glocalme-u3.jpg",
            Some("GlocalMe U3"),
        ),
        (
            284_940,
            s1,
            100_070_730,
            Some(78028),
            "https://cdn.example.com/images/glocalme-u3-white.jpg",
            Some("GlocalMe U3 in white"),
        ),
        (
            305_102,
            s1,
            100_077_690,
            None,
            "https://cdn.example.com/images/giant-escape-3.jpg",
            Some("Giant Escape 3"),
        ),
        (
            305_100,
            s1,
            100_077_690,
            Some(78100),
            "https://cdn.example.com/images/giant-escape-3-medium.jpg",
            None,
        ),
        (
            390_001,
            DEMO_SELLER_2,
            200_000_001,
            None,
            "https://cdn.example.com/images/sea-kayak.jpg",
            Some("Sea kayak"),
        ),
    ] {
        insert(
            c,
            "mp_images",
            "id, seller_id, advert_id, variant_id, url, alt, created_at, updated_at",
            vec![
                i(id),
                i(seller),
                i(advert),
                oi(variant),
                t(url),
                ot(alt),
                i(created),
                i(created),
            ],
        )
        .await?;
    }
    for (id, seller, url, filename, adverts) in [
        (
            305_103,
            s1,
            "https://cdn.example.com/docs/warranty.pdf",
            "warranty.pdf",
            vec![100_070_730, 100_077_690],
        ),
        (
            305_104,
            s1,
            "https://cdn.example.com/docs/giant-escape-3-manual.pdf",
            "giant-escape-3-manual.pdf",
            vec![100_077_690],
        ),
        (
            390_002,
            DEMO_SELLER_2,
            "https://cdn.example.com/docs/sea-kayak-manual.pdf",
            "sea-kayak-manual.pdf",
            vec![200_000_001],
        ),
    ] {
        insert(
            c,
            "mp_documents",
            "id, seller_id, url, filename, created_at, updated_at",
            vec![
                i(id),
                i(seller),
                t(url),
                t(filename),
                i(created),
                i(created),
            ],
        )
        .await?;
        for advert in adverts {
            insert(
                c,
                "mp_advert_documents",
                "advert_id, document_id",
                vec![i(advert), i(id)],
            )
            .await?;
        }
    }
    // Multi-store inventory of the G4 Pro: two member stores and the head store.
    for (id, variant, store, count, infinite, price, sale) in [
        (5001, 15203, 1011, 5, false, Some(19900), Some(17900)),
        (5002, 15203, 1012, 0, true, Some(18900), None),
        (5003, 15203, DEMO_SELLER, 7, false, None, None),
        (5004, 15204, 1011, 0, false, None, None),
    ] {
        insert(
            c,
            "mp_inventories",
            "id, variant_id, store_id, count_on_hand, infinite_quantity, price_cents, sale_price_cents",
            vec![i(id), i(variant), i(store), i(count), i(i64::from(infinite)), oi(price), oi(sale)],
        )
        .await?;
    }
    for (owner_type, owner, kind, position, key, value) in [
        ("Advert", 100_070_734, "external", 0, "default", "GLM-G4PRO"),
        ("Advert", 100_070_734, "metadata", 0, "warehouse", "SYD-1"),
        ("Advert", 100_070_730, "external", 0, "default", "GLM-U3"),
        ("Variant", 78028, "external", 0, "default", "ERP-78028"),
        ("Variant", 78023, "external", 0, "erp", "ERP-78023"),
        ("Variant", 15203, "metadata", 0, "bin", "A-12"),
    ] {
        insert(
            c,
            "mp_key_values",
            "owner_type, owner_id, kind, position, key, value",
            vec![
                t(owner_type),
                i(owner),
                t(kind),
                i(position),
                t(key),
                t(value),
            ],
        )
        .await?;
    }
    Ok(())
}

/// An invoice of the demo data.
struct I {
    id: i64,
    seller: i64,
    order: i64,
    created: &'static str,
    updated: &'static str,
    paid: Option<&'static str>,
    remitted: Option<&'static str>,
    buyer: (&'static str, &'static str, &'static str),
    shipping: i64,
    discount: i64,
    /// (line item id, variant id, quantity, unit price, shipped)
    lines: Vec<(i64, i64, i64, i64, i64)>,
    cancelled: bool,
    refunded: bool,
    ready: bool,
    under_review: bool,
}

#[allow(clippy::too_many_lines)]
async fn invoices(c: &mut AnyConnection) -> ApiResult<()> {
    let base = || I {
        id: 0,
        seller: DEMO_SELLER,
        order: 0,
        created: "",
        updated: "",
        paid: None,
        remitted: None,
        buyer: ("Jane", "Citizen", "jane@example.com"),
        shipping: 995,
        discount: 0,
        lines: Vec::new(),
        cancelled: false,
        refunded: false,
        ready: false,
        under_review: false,
    };
    let list = vec![
        I {
            id: 13218,
            order: 8801,
            created: "2023-05-10T03:00:00Z",
            updated: "2023-05-18T09:30:00Z",
            paid: Some("2023-05-10T03:05:00Z"),
            discount: -500,
            lines: vec![(480, 15203, 1, 17900, 1), (481, 78028, 2, 8900, 2)],
            ..base()
        },
        I {
            id: 10421,
            order: 8420,
            created: "2023-06-01T01:00:00Z",
            updated: "2023-06-02T01:00:00Z",
            paid: Some("2023-06-01T01:02:00Z"),
            buyer: ("Sam", "Lee", "sam.lee@example.com"),
            lines: vec![(499, 78028, 2, 8900, 0)],
            ..base()
        },
        I {
            id: 12950,
            order: 8700,
            created: "2023-05-15T05:00:00Z",
            updated: "2023-05-20T05:00:00Z",
            paid: Some("2023-05-15T05:01:00Z"),
            remitted: Some("2023-05-30T00:00:00Z"),
            buyer: ("Alex", "Wong", "alex.wong@example.com"),
            shipping: 0,
            lines: vec![(490, 78023, 1, 24900, 1)],
            ..base()
        },
        I {
            id: 10100,
            order: 8100,
            created: "2023-04-01T00:00:00Z",
            updated: "2023-04-01T00:00:00Z",
            buyer: ("Chris", "Doe", "chris@example.com"),
            shipping: 4900,
            lines: vec![(470, 78100, 1, 64900, 0)],
            ..base()
        },
        I {
            id: 10200,
            order: 8200,
            created: "2023-04-15T00:00:00Z",
            updated: "2023-04-16T00:00:00Z",
            paid: Some("2023-04-15T00:10:00Z"),
            shipping: 0,
            lines: vec![(471, 78300, 1, 39900, 0)],
            cancelled: true,
            ..base()
        },
        I {
            id: 10300,
            order: 8300,
            created: "2023-05-01T00:00:00Z",
            updated: "2023-05-03T00:00:00Z",
            paid: Some("2023-05-01T00:10:00Z"),
            lines: vec![(472, 78024, 1, 26900, 0)],
            refunded: true,
            ..base()
        },
        I {
            id: 13500,
            order: 8900,
            created: "2023-07-01T00:00:00Z",
            updated: "2023-07-02T00:00:00Z",
            paid: Some("2023-07-01T00:05:00Z"),
            buyer: ("Mia", "Nguyen", "mia@example.com"),
            lines: vec![(600, 78029, 3, 8900, 1)],
            ..base()
        },
        I {
            id: 13600,
            order: 9000,
            created: "2023-07-05T00:00:00Z",
            updated: "2023-07-06T00:00:00Z",
            paid: Some("2023-07-05T00:05:00Z"),
            shipping: 0,
            lines: vec![(601, 78101, 1, 64900, 0)],
            ready: true,
            ..base()
        },
        I {
            id: 13700,
            order: 9100,
            created: "2023-07-10T00:00:00Z",
            updated: "2023-07-10T00:30:00Z",
            paid: Some("2023-07-10T00:05:00Z"),
            buyer: ("Priya", "Patel", "priya@example.com"),
            lines: vec![(602, 15203, 2, 17900, 0)],
            under_review: true,
            ..base()
        },
        I {
            id: 30001,
            seller: DEMO_SELLER_2,
            order: 9500,
            created: "2023-05-19T00:00:00Z",
            updated: "2023-05-21T00:00:00Z",
            paid: Some("2023-05-19T00:05:00Z"),
            buyer: ("Tom", "Baker", "tom@example.com"),
            lines: vec![(3001, 90001, 1, 129_900, 1)],
            ..base()
        },
    ];
    for inv in &list {
        let subtotal: i64 = inv.lines.iter().map(|l| l.2 * l.3).sum();
        let shipped = shipping::shipped_state(inv.lines.iter().map(|l| LineQuantities {
            quantity: l.2,
            shipped: l.4,
        }));
        let facts = InvoiceFacts {
            paid: inv.paid.is_some(),
            payment_under_review: inv.under_review,
            shipped,
            awaiting_return: false,
            awaiting_refund: false,
            refunded: inv.refunded,
            cancelled: inv.cancelled,
            ready: inv.ready,
            collected: false,
            remitted: inv.remitted.is_some(),
        };
        let (first, last, email) = inv.buyer;
        insert(
            c,
            "mp_invoices",
            "id, seller_id, order_id, created_at, updated_at, paid_at, remitted_at, payment_under_review, refunded, cancelled, ready, shipped_state, status_rank, shipping_cost_cents, discount_cents, subtotal_cents, total_cents, buyer_email, buyer_email_lower, buyer_first_name, buyer_surname, buyer_phone",
            vec![
                i(inv.id),
                i(inv.seller),
                i(inv.order),
                i(at(inv.created)),
                i(at(inv.updated)),
                oi(inv.paid.map(at)),
                oi(inv.remitted.map(at)),
                i(i64::from(inv.under_review)),
                i(i64::from(inv.refunded)),
                i(i64::from(inv.cancelled)),
                i(i64::from(inv.ready)),
                i(shipped.code()),
                i(invoice::status(facts).rank()),
                i(inv.shipping),
                i(inv.discount),
                i(subtotal),
                i(subtotal + inv.shipping + inv.discount),
                t(email),
                t(&email.to_lowercase()),
                t(first),
                t(last),
                t("0400 000 000"),
            ],
        )
        .await?;
        for &(id, variant, quantity, unit, shipped) in &inv.lines {
            insert(
                c,
                "mp_line_items",
                "id, invoice_id, variant_id, quantity, shipped_quantity, unit_price_cents",
                vec![
                    i(id),
                    i(inv.id),
                    i(variant),
                    i(quantity),
                    i(shipped),
                    i(unit),
                ],
            )
            .await?;
        }
        debug_assert!(shipped != ShippedState::All || !inv.lines.is_empty());
    }
    // Shipments of what is marked shipped above.
    for (id, invoice, seller, carrier, dispatched, tracking, note, items) in [
        (
            735,
            13218,
            DEMO_SELLER,
            69,
            "2023-05-12T00:00:00Z",
            "AP123456789AU",
            Some("Left at the front door"),
            vec![(480, 1), (481, 2)],
        ),
        (
            378_963,
            12950,
            DEMO_SELLER,
            70,
            "2023-05-16T00:00:00Z",
            "ST0001234",
            None,
            vec![(490, 1)],
        ),
        (
            740,
            13500,
            DEMO_SELLER,
            71,
            "2023-07-02T00:00:00Z",
            "CP987654",
            Some("First of three"),
            vec![(600, 1)],
        ),
        (
            30002,
            30001,
            DEMO_SELLER_2,
            69,
            "2023-05-20T00:00:00Z",
            "AP555000111AU",
            None,
            vec![(3001, 1)],
        ),
    ] {
        let ms = at(dispatched);
        insert(
            c,
            "mp_shipments",
            "id, invoice_id, seller_id, carrier_id, dispatched_at, tracking_number, note, created_at, updated_at",
            vec![i(id), i(invoice), i(seller), i(carrier), i(ms), t(tracking), ot(note), i(ms), i(ms)],
        )
        .await?;
        for (line, quantity) in items {
            insert(
                c,
                "mp_shipped_items",
                "shipment_id, line_item_id, quantity",
                vec![i(id), i(line), i(quantity)],
            )
            .await?;
        }
    }
    for (owner, kind, position, key, value) in [
        (13218, "metadata", 0, "channel", "web"),
        (13218, "metadata", 1, "gift_message", "Happy birthday!"),
        (13218, "external", 0, "erp", "SO-8801"),
        (10421, "metadata", 0, "channel", "app"),
        (10421, "external", 0, "erp", "SO-8420"),
        (12950, "external", 0, "erp", "SO-8700"),
    ] {
        insert(
            c,
            "mp_key_values",
            "owner_type, owner_id, kind, position, key, value",
            vec![
                t("Invoice"),
                i(owner),
                t(kind),
                i(position),
                t(key),
                t(value),
            ],
        )
        .await?;
    }
    Ok(())
}
