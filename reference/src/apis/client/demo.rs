//! Demo data of the client API (DESIGN §4 "Demo data"): the seed's vinyl store
//! `www.my-vinyl-store.com` with the seed's release 12345 and its listing 1765470890000, more
//! releases and products covering every listing kind (in stock, out of stock, pre-order,
//! second-hand, one per customer, forbidden for sale), a book store `www.my-book-store.com`,
//! the demo customer `buyer@example.com` / `demo-password` in both stores, the seed's checkout
//! `abc-AbC1d` (so the seed's `CheckoutUpdateItems` runs as printed), shipping rates, vouchers
//! and a wantlist entry.
//!
//! Seeded once, in one transaction; when several nodes start on one fresh PostgreSQL, the
//! first store row decides which of them seeds (the others find it taken and skip).

use std::collections::BTreeSet;

use super::checkout::model::{BuyerDoc, to_json};
use super::inventory::docs::{
    ArtistDoc, DescriptionsDoc, FormatDoc, ImageDoc, ItemDoc, LabelDoc, OptionDoc,
    ShopDescriptionDoc, TrackDoc,
};
use crate::auth::hash_password;
use crate::domain::checkout::expires_after;
use crate::state::AppState;
use crate::store::Tx;

/// `meta` key set once the demo data is in.
const SEEDED: &str = "client.demo.v1";

/// The vinyl store's `configRef` (the seed's).
pub const VINYL_STORE_ID: &str = "0f00d000d0000c0001111e00";
/// The vinyl store's domain.
pub const VINYL_DOMAIN: &str = "www.my-vinyl-store.com";
/// The book store's `configRef`.
pub const BOOK_STORE_ID: &str = "0f00d000d0000c0002222e00";
/// The book store's domain.
pub const BOOK_DOMAIN: &str = "www.my-book-store.com";
/// The demo customer's email.
pub const DEMO_EMAIL: &str = "buyer@example.com";
/// The demo customer's password.
pub const DEMO_PASSWORD: &str = "demo-password";
/// The demo customer's `_id` in the vinyl store (the seed's user `_id`).
pub const DEMO_CUSTOMER_ID: &str = "693af400000051c94884e0a4";
/// The seed's checkout id.
pub const DEMO_CHECKOUT_CODE: &str = "abc-AbC1d";
/// The seed's listing id.
pub const SEED_LISTING_ID: i64 = 1_765_470_890_000;

struct SeedStore {
    id: &'static str,
    domain: &'static str,
    name: &'static str,
    currency: &'static str,
    home: &'static str,
    tax_bp: i64,
    threshold: Option<i64>,
}

struct SeedListing {
    oid: &'static str,
    num: i64,
    available: i64,
    pre_order: bool,
    second_hand: bool,
    one_per_customer: bool,
    comments: Option<&'static str>,
    categories: &'static [&'static str],
    options: &'static [(&'static str, &'static str)],
    stock: i64,
    price: i64,
    compare: Option<i64>,
}

impl SeedListing {
    fn new(oid: &'static str, num: i64, available: i64, stock: i64, price: i64) -> Self {
        Self {
            oid,
            num,
            available,
            pre_order: false,
            second_hand: false,
            one_per_customer: false,
            comments: None,
            categories: &[],
            options: &[],
            stock,
            price,
            compare: None,
        }
    }
}

struct SeedItem {
    oid: &'static str,
    num: i64,
    kind: &'static str,
    created: i64,
    path: String,
    handle: String,
    forbidden: bool,
    doc: ItemDoc,
    descriptions: Option<DescriptionsDoc>,
    listings: Vec<SeedListing>,
}

fn strings(v: &[&str]) -> Option<Vec<String>> {
    Some(v.iter().map(|s| (*s).to_string()).collect())
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

fn artist(name: &str, id: i64) -> ArtistDoc {
    ArtistDoc {
        name: some(name),
        anv: some(""),
        id: Some(id),
        join: some(""),
    }
}

fn track(position: &str, title: &str, duration: &str) -> TrackDoc {
    TrackDoc {
        kind: some("track"),
        title: some(title),
        artists: None,
        uri: None,
        duration: some(duration),
        position: some(position),
    }
}

fn images(domain: &str, handle: &str) -> Option<Vec<ImageDoc>> {
    Some(vec![ImageDoc {
        uri: Some(format!("https://{domain}/images/{handle}.jpg")),
        alternative: Some(format!("https://{domain}/images/{handle}-300.jpg")),
    }])
}

/// Demo items of a release: a Discogs-style document.
struct Release {
    oid: &'static str,
    num: i64,
    created: i64,
    discogs: i64,
    artist: (&'static str, i64),
    title: &'static str,
    label: (&'static str, i64, &'static str),
    genres: &'static [&'static str],
    styles: &'static [&'static str],
    country: &'static str,
    released: i64,
    format: (&'static str, &'static str, &'static [&'static str]),
    weight: i64,
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn release(r: Release, listings: Vec<SeedListing>) -> SeedItem {
    let handle = slug(&format!("{} {}", r.artist.0, r.title));
    SeedItem {
        oid: r.oid,
        num: r.num,
        kind: "ReleaseItem",
        created: r.created,
        path: format!("/release/{}/{handle}", r.discogs),
        forbidden: false,
        doc: ItemDoc {
            title: some(r.title),
            discogs_id: Some(r.discogs),
            weight: Some(r.weight),
            genres: strings(r.genres),
            styles: strings(r.styles),
            country: some(r.country),
            release_date: Some(r.released),
            images: images(VINYL_DOMAIN, &handle),
            formats: Some(vec![FormatDoc {
                name: some(r.format.0),
                qty: some(r.format.1),
                descriptions: strings(r.format.2),
            }]),
            artists: Some(vec![artist(r.artist.0, r.artist.1)]),
            labels: Some(vec![LabelDoc {
                name: some(r.label.0),
                id: Some(r.label.1),
                catno: some(r.label.2),
            }]),
            ..ItemDoc::default()
        },
        descriptions: Some(DescriptionsDoc {
            main: Some(format!("{} by {}.", r.title, r.artist.0)),
            shop: None,
        }),
        handle,
        listings,
    }
}

fn vinyl_items() -> Vec<SeedItem> {
    const H: i64 = 3_600_000;
    let t0 = 1_765_470_208_000; // the seed item's ObjectId time: first in "created" order
    let nm = &[
        ("Media Condition", "Near Mint (NM or M-)"),
        ("Sleeve Condition", "Very Good Plus (VG+)"),
    ][..];

    // The seed's release, exactly as its GetInventoryItems response shows it (cat, type,
    // manufacturer and assetLink null), plus the detail `item(id:)` shows.
    let seed_handle = "various-the-unreleased-anthems".to_string();
    let seed = SeedItem {
        oid: "693af000000fd932d1e62513",
        num: 12345,
        kind: "ReleaseItem",
        created: t0,
        path: format!("/release/9987654321/{seed_handle}"),
        forbidden: false,
        doc: ItemDoc {
            title: some("The Unreleased Anthems"),
            discogs_id: Some(987_654_321),
            weight: Some(230),
            genres: strings(&["Electronic"]),
            styles: strings(&[
                "Progressive House",
                "Tribal",
                "Progressive Trance",
                "Tech House",
            ]),
            country: some("UK"),
            release_date: Some(911_174_400_000),
            images: images(VINYL_DOMAIN, &seed_handle),
            formats: Some(vec![FormatDoc {
                name: some("Vinyl"),
                qty: some("2"),
                descriptions: strings(&["LP", "Compilation"]),
            }]),
            artists: Some(vec![artist("Various", 194)]),
            labels: Some(vec![LabelDoc {
                name: some("Anthem Records"),
                id: Some(5521),
                catno: some("ANTH 001"),
            }]),
            videos: Some(vec![
                "https://www.youtube.com/watch?v=unreleased01".to_string(),
            ]),
            tracklist: Some(vec![
                TrackDoc {
                    kind: some("heading"),
                    title: some("Side A"),
                    artists: None,
                    uri: None,
                    duration: some(""),
                    position: some(""),
                },
                TrackDoc {
                    artists: Some(vec![artist("Deep Signal", 31337)]),
                    ..track("A1", "First Light", "6:42")
                },
                track("A2", "Tribal Dawn", "7:15"),
                track("B1", "Progressive State", "8:03"),
                track("B2", "Last Dance", "6:58"),
            ]),
            ..ItemDoc::default()
        },
        descriptions: Some(DescriptionsDoc {
            main: some("Four unreleased progressive anthems from the late nineties."),
            shop: Some(ShopDescriptionDoc {
                text: some("A second-hand copy in near mint condition."),
                html: some("<p>A second-hand copy in <strong>near mint</strong> condition.</p>"),
                short: some("Near mint second-hand copy."),
            }),
        }),
        handle: seed_handle,
        listings: vec![SeedListing {
            second_hand: true,
            options: nm,
            ..SeedListing::new(
                "693af2ab00004b5617334cd",
                SEED_LISTING_ID,
                1_765_470_585_000,
                3,
                2499,
            )
        }],
    };

    let vinyl_lp = ("Vinyl", "1", &["LP", "Album"][..]);
    vec![
        seed,
        release(
            Release {
                oid: "693af000000fd932d1e62514",
                num: 12346,
                created: t0 + H,
                discogs: 1_234_001,
                artist: ("Kollektiv Nord", 77001),
                title: "Midnight Frequencies",
                label: ("Nordlicht", 9001, "KN-007"),
                genres: &["Electronic"],
                styles: &["Techno", "Deep House"],
                country: "Germany",
                released: 1_551_398_400_000,
                format: vinyl_lp,
                weight: 180,
            },
            vec![
                SeedListing {
                    categories: &["New arrivals"],
                    compare: Some(2499),
                    ..SeedListing::new(
                        "693af2ab00004b5617334ce0",
                        1_765_470_891_000,
                        t0 + H,
                        10,
                        2199,
                    )
                },
                SeedListing {
                    second_hand: true,
                    comments: Some("Light scuffs on side B; plays fine."),
                    options: &[
                        ("Media Condition", "Very Good Plus (VG+)"),
                        ("Sleeve Condition", "Very Good (VG)"),
                    ],
                    ..SeedListing::new(
                        "693af2ab00004b5617334ce1",
                        1_765_470_891_001,
                        t0 + H,
                        1,
                        1450,
                    )
                },
            ],
        ),
        release(
            Release {
                oid: "693af000000fd932d1e62515",
                num: 12347,
                created: t0 + 2 * H,
                discogs: 1_234_002,
                artist: ("Aurora Fields", 77002),
                title: "Northern Lights EP",
                label: ("Polar Tone", 9002, "PT 12"),
                genres: &["Electronic"],
                styles: &["Ambient"],
                country: "UK",
                released: 1_623_974_400_000,
                format: ("Vinyl", "1", &["12\"", "EP"][..]),
                weight: 140,
            },
            vec![SeedListing::new(
                "693af2ab00004b5617334ce2",
                1_765_470_892_000,
                t0 + 2 * H,
                0,
                1299,
            )],
        ),
        release(
            Release {
                oid: "693af000000fd932d1e62516",
                num: 12348,
                created: t0 + 3 * H,
                discogs: 1_234_003,
                artist: ("Deep Signal", 31337),
                title: "Future Echoes",
                label: ("Anthem Records", 5521, "ANTH 009"),
                genres: &["Electronic"],
                styles: &["Progressive House"],
                country: "UK",
                released: 1_799_971_200_000,
                format: vinyl_lp,
                weight: 230,
            },
            vec![SeedListing {
                pre_order: true,
                categories: &["Pre-orders"],
                ..SeedListing::new(
                    "693af2ab00004b5617334ce3",
                    1_765_470_893_000,
                    1_799_971_200_000,
                    50,
                    2799,
                )
            }],
        ),
        release(
            Release {
                oid: "693af000000fd932d1e62517",
                num: 12349,
                created: t0 + 4 * H,
                discogs: 1_234_004,
                artist: ("Various", 194),
                title: "The Anthems Box",
                label: ("Anthem Records", 5521, "ANTH BOX 1"),
                genres: &["Electronic"],
                styles: &["Trance", "Progressive Trance"],
                country: "UK",
                released: 1_759_449_600_000,
                format: ("Vinyl", "5", &["LP", "Box Set", "Limited Edition"][..]),
                weight: 1200,
            },
            vec![SeedListing {
                one_per_customer: true,
                categories: &["Limited"],
                comments: Some("Numbered edition: one per customer."),
                ..SeedListing::new(
                    "693af2ab00004b5617334ce4",
                    1_765_470_894_000,
                    t0 + 4 * H,
                    5,
                    8900,
                )
            }],
        ),
        release(
            Release {
                oid: "693af000000fd932d1e62518",
                num: 12350,
                created: t0 + 5 * H,
                discogs: 1_234_005,
                artist: ("The Blue Room Quintet", 77005),
                title: "Live at the Blue Room",
                label: ("Night Owl", 9005, "NO-59"),
                genres: &["Jazz"],
                styles: &["Hard Bop"],
                country: "US",
                released: -327_456_000_000,
                format: ("CD", "1", &["Album", "Reissue"][..]),
                weight: 90,
            },
            vec![SeedListing {
                second_hand: true,
                options: &[("Media Condition", "Very Good (VG)")],
                ..SeedListing::new(
                    "693af2ab00004b5617334ce5",
                    1_765_470_895_000,
                    t0 + 5 * H,
                    4,
                    1100,
                )
            }],
        ),
        SeedItem {
            forbidden: true,
            ..release(
                Release {
                    oid: "693af000000fd932d1e62519",
                    num: 12351,
                    created: t0 + 6 * H,
                    discogs: 1_234_006,
                    artist: ("Unknown Artist", 77006),
                    title: "Bootleg Sessions",
                    label: ("Not On Label", 9006, "none"),
                    genres: &["Rock"],
                    styles: &["Garage Rock"],
                    country: "UK",
                    released: 63_072_000_000,
                    format: vinyl_lp,
                    weight: 180,
                },
                vec![SeedListing::new(
                    "693af2ab00004b5617334ce6",
                    1_765_470_896_000,
                    t0 + 6 * H,
                    2,
                    1500,
                )],
            )
        },
        product(
            ("693af000000fd932d1e6251a", 12352, t0 + 7 * H),
            VINYL_DOMAIN,
            (
                "Store Tote Bag",
                "My Vinyl Store",
                "Bag",
                &["Merchandise"],
                150,
            ),
            SeedListing::new(
                "693af2ab00004b5617334ce7",
                1_765_470_897_000,
                t0 + 7 * H,
                25,
                800,
            ),
        ),
        product(
            ("693af000000fd932d1e6251b", 12353, t0 + 8 * H),
            VINYL_DOMAIN,
            (
                "Anti-static Record Brush",
                "Groove Care",
                "Accessory",
                &["Accessories"],
                60,
            ),
            SeedListing::new(
                "693af2ab00004b5617334ce8",
                1_765_470_898_000,
                t0 + 8 * H,
                40,
                1250,
            ),
        ),
    ]
}

fn product(
    (oid, num, created): (&'static str, i64, i64),
    domain: &str,
    (title, manufacturer, kind, categories, weight): (&str, &str, &str, &[&str], i64),
    listing: SeedListing,
) -> SeedItem {
    let handle = slug(title);
    SeedItem {
        oid,
        num,
        kind: "ProductItem",
        created,
        path: format!("/product/{num}/{handle}"),
        forbidden: false,
        doc: ItemDoc {
            title: some(title),
            product_type: some(kind),
            manufacturer: some(manufacturer),
            weight: Some(weight),
            categories: strings(categories),
            images: images(domain, &handle),
            ..ItemDoc::default()
        },
        descriptions: None,
        handle,
        listings: vec![listing],
    }
}

struct Book {
    oid: &'static str,
    num: i64,
    created: i64,
    title: &'static str,
    subtitle: Option<&'static str>,
    authors: &'static [&'static str],
    publisher: &'static str,
    published: i64,
    pages: i32,
    categories: &'static [&'static str],
    language: &'static str,
    format: &'static str,
    weight: i64,
}

fn book(b: Book, listings: Vec<SeedListing>) -> SeedItem {
    let handle = slug(b.title);
    SeedItem {
        oid: b.oid,
        num: b.num,
        kind: "BookItem",
        created: b.created,
        path: format!("/book/{}/{handle}", b.num),
        forbidden: false,
        doc: ItemDoc {
            title: some(b.title),
            subtitle: b.subtitle.map(str::to_string),
            authors: strings(b.authors),
            publisher: some(b.publisher),
            published_date: Some(b.published),
            page_count: Some(b.pages),
            categories: strings(b.categories),
            language: some(b.language),
            format: some(b.format),
            weight: Some(b.weight),
            images: images(BOOK_DOMAIN, &handle),
            ..ItemDoc::default()
        },
        descriptions: None,
        handle,
        listings,
    }
}

fn book_items() -> Vec<SeedItem> {
    const H: i64 = 3_600_000;
    let t0 = 1_765_471_000_000;
    vec![
        book(
            Book {
                oid: "693b0000000fd932d1e62601",
                num: 22001,
                created: t0,
                title: "The Art of Listening",
                subtitle: Some("How Music Shapes Us"),
                authors: &["Jane Doe"],
                publisher: "Quiet Press",
                published: 1_614_816_000_000,
                pages: 320,
                categories: &["Music", "Non-fiction"],
                language: "en",
                format: "Paperback",
                weight: 410,
            },
            vec![SeedListing::new(
                "693b02ab00004b5617334d01",
                1_765_471_000_000,
                t0,
                12,
                1850,
            )],
        ),
        book(
            Book {
                oid: "693b0000000fd932d1e62602",
                num: 22002,
                created: t0 + H,
                title: "Vinyl: A History",
                subtitle: None,
                authors: &["Sam Groove", "Ada Press"],
                publisher: "Spindle Books",
                published: 1_537_401_600_000,
                pages: 512,
                categories: &["Music", "History"],
                language: "en",
                format: "Hardcover",
                weight: 1100,
            },
            vec![SeedListing::new(
                "693b02ab00004b5617334d02",
                1_765_471_001_000,
                t0 + H,
                0,
                3500,
            )],
        ),
        book(
            Book {
                oid: "693b0000000fd932d1e62603",
                num: 22003,
                created: t0 + 2 * H,
                title: "Le Son des Villes",
                subtitle: None,
                authors: &["Claire Martin"],
                publisher: "Éditions du Quai",
                published: 1_336_608_000_000,
                pages: 208,
                categories: &["Music", "Essays"],
                language: "fr",
                format: "Paperback",
                weight: 300,
            },
            vec![SeedListing {
                second_hand: true,
                options: &[("Condition", "Good")],
                comments: Some("Pencil notes in the margins."),
                ..SeedListing::new(
                    "693b02ab00004b5617334d03",
                    1_765_471_002_000,
                    t0 + 2 * H,
                    1,
                    700,
                )
            }],
        ),
        book(
            Book {
                oid: "693b0000000fd932d1e62604",
                num: 22004,
                created: t0 + 3 * H,
                title: "Sound Systems of Tomorrow",
                subtitle: None,
                authors: &["Jane Doe"],
                publisher: "Quiet Press",
                published: 1_803_859_200_000,
                pages: 280,
                categories: &["Music", "Technology"],
                language: "en",
                format: "Hardcover",
                weight: 650,
            },
            vec![SeedListing {
                pre_order: true,
                categories: &["Pre-orders"],
                ..SeedListing::new(
                    "693b02ab00004b5617334d04",
                    1_765_471_003_000,
                    1_803_859_200_000,
                    30,
                    2400,
                )
            }],
        ),
        product(
            ("693b0000000fd932d1e62605", 22005, t0 + 4 * H),
            BOOK_DOMAIN,
            ("Bookmark Set", "Quiet Press", "Stationery", &["Gifts"], 20),
            SeedListing::new(
                "693b02ab00004b5617334d05",
                1_765_471_004_000,
                t0 + 4 * H,
                100,
                450,
            ),
        ),
    ]
}

async fn insert_store(tx: &mut Tx, s: &SeedStore, now: i64) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO client_stores (id, domain, name, currency, home_alpha2, tax_rate_bp, free_shipping_threshold, created) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
    )
    .bind(s.id)
    .bind(s.domain)
    .bind(s.name)
    .bind(s.currency)
    .bind(s.home)
    .bind(s.tax_bp)
    .bind(s.threshold)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

async fn insert_item(tx: &mut Tx, store_id: &str, item: &SeedItem) -> anyhow::Result<()> {
    let sort_price = item
        .listings
        .iter()
        .map(|l| l.price)
        .min()
        .unwrap_or(9_000_000_000_000_000_000);
    let first_available = item.listings.iter().map(|l| l.available).min();
    let title = item.doc.title.clone().unwrap_or_default();
    sqlx::query(
        "INSERT INTO client_items (id, store_id, num_id, item_type, created, updated, path, handle, bitly, \
         forbidden, title, title_key, search_text, sort_price, first_available, data, descriptions) \
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7, NULL, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(item.oid)
    .bind(store_id)
    .bind(item.num)
    .bind(item.kind)
    .bind(item.created)
    .bind(&item.path)
    .bind(&item.handle)
    .bind(item.forbidden)
    .bind(&title)
    .bind(title.to_lowercase())
    .bind(item.doc.search_text())
    .bind(sort_price)
    .bind(first_available)
    .bind(to_json(&item.doc))
    .bind(item.descriptions.as_ref().map(to_json))
    .execute(&mut **tx)
    .await?;

    let mut tags: BTreeSet<(&'static str, String, String)> = BTreeSet::new();
    let mut add = |kind: &'static str, value: &str| {
        let key = value.trim().to_lowercase();
        if !key.is_empty() && !tags.iter().any(|(k, kk, _)| *k == kind && *kk == key) {
            tags.insert((kind, key, value.trim().to_string()));
        }
    };
    for (kind, value) in item.doc.tags(item.kind) {
        add(kind, &value);
    }
    for l in &item.listings {
        for c in l.categories {
            add("categories", c);
        }
    }
    for (kind, key, value) in &tags {
        sqlx::query(
            "INSERT INTO client_item_tags (item_id, store_id, kind, value_key, value) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(item.oid)
        .bind(store_id)
        .bind(*kind)
        .bind(key)
        .bind(value)
        .execute(&mut **tx)
        .await?;
    }

    for (position, l) in item.listings.iter().enumerate() {
        let options: Vec<OptionDoc> = l
            .options
            .iter()
            .map(|(n, v)| OptionDoc {
                name: some(n),
                value: some(v),
            })
            .collect();
        let condition = l
            .options
            .iter()
            .find(|(n, _)| *n == "Media Condition")
            .map(|(_, v)| v.to_lowercase());
        let categories: Vec<&str> = l.categories.to_vec();
        sqlx::query(
            "INSERT INTO client_listings (id, store_id, item_id, num_id, available, pre_order, second_hand, \
             one_per_customer, comments, categories, options, media_condition, stock, price_sale, price_compare, \
             position, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(l.oid)
        .bind(store_id)
        .bind(item.oid)
        .bind(l.num)
        .bind(l.available)
        .bind(l.pre_order)
        .bind(l.second_hand)
        .bind(l.one_per_customer)
        .bind(l.comments)
        .bind(to_json(&categories))
        .bind(to_json(&options))
        .bind(condition)
        .bind(l.stock)
        .bind(l.price)
        .bind(l.compare)
        .bind(i64::try_from(position).unwrap_or(0))
        .bind(item.created)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

struct Rate {
    code: &'static str,
    zone: &'static str,
    name: &'static str,
    price: i64,
    per_kg: i64,
    max_weight_g: Option<i64>,
    free: bool,
    position: i64,
}

async fn insert_rates(tx: &mut Tx, store_id: &str, rates: &[Rate]) -> anyhow::Result<()> {
    for r in rates {
        sqlx::query(
            "INSERT INTO client_shipping_rates (store_id, code, zone, name, price, per_kg, max_weight_g, free_eligible, position) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(store_id)
        .bind(r.code)
        .bind(r.zone)
        .bind(r.name)
        .bind(r.price)
        .bind(r.per_kg)
        .bind(r.max_weight_g)
        .bind(r.free)
        .bind(r.position)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn insert_voucher(
    tx: &mut Tx,
    store_id: &str,
    code: &str,
    percent_bp: Option<i64>,
    amount: Option<i64>,
    expires: Option<i64>,
    uses_left: Option<i64>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO client_vouchers (store_id, code_key, code, percent_bp, amount, expires, uses_left) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(store_id)
    .bind(code.to_lowercase())
    .bind(code)
    .bind(percent_bp)
    .bind(amount)
    .bind(expires)
    .bind(uses_left)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

struct SeedCustomer {
    id: &'static str,
    num: i64,
    store_id: &'static str,
}

async fn insert_customer(
    tx: &mut Tx,
    c: &SeedCustomer,
    password_hash: &str,
    now: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO client_customers (id, store_id, num_id, email, password_hash, first_name, last_name, \
         telephone, is_subscribed, created) VALUES ($1, $2, $3, $4, $5, 'First', 'Last', $6, $7, $8)",
    )
    .bind(c.id)
    .bind(c.store_id)
    .bind(c.num)
    .bind(DEMO_EMAIL)
    .bind(password_hash)
    .bind("+44 20 7946 0000")
    .bind(true)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Loads the demo data unless it is there already.
pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    if state.store.meta(SEEDED).await?.is_some() {
        return Ok(());
    }
    let hash = {
        let password = DEMO_PASSWORD.to_string();
        tokio::task::spawn_blocking(move || hash_password(&password)).await??
    };
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let vinyl = SeedStore {
        id: VINYL_STORE_ID,
        domain: VINYL_DOMAIN,
        name: "My Vinyl Store",
        currency: "GBP",
        home: "GB",
        tax_bp: 2000,
        threshold: Some(5000),
    };
    if !insert_store(&mut tx, &vinyl, now).await? {
        // Another node seeded (or is seeding) this database.
        return Ok(());
    }
    let books = SeedStore {
        id: BOOK_STORE_ID,
        domain: BOOK_DOMAIN,
        name: "My Book Store",
        currency: "EUR",
        home: "FR",
        tax_bp: 550,
        threshold: Some(3500),
    };
    insert_store(&mut tx, &books, now).await?;
    for item in vinyl_items() {
        insert_item(&mut tx, VINYL_STORE_ID, &item).await?;
    }
    for item in book_items() {
        insert_item(&mut tx, BOOK_STORE_ID, &item).await?;
    }

    const EU: &str = "AT BE DE DK ES FI FR IE IT NL PT SE";
    insert_rates(
        &mut tx,
        VINYL_STORE_ID,
        &[
            Rate {
                code: "standard",
                zone: "GB",
                name: "Standard post",
                price: 450,
                per_kg: 0,
                max_weight_g: Some(30_000),
                free: true,
                position: 1,
            },
            Rate {
                code: "standard",
                zone: EU,
                name: "Standard post",
                price: 950,
                per_kg: 100,
                max_weight_g: Some(30_000),
                free: false,
                position: 1,
            },
            Rate {
                code: "standard",
                zone: "*",
                name: "Standard post",
                price: 1450,
                per_kg: 200,
                max_weight_g: Some(30_000),
                free: false,
                position: 1,
            },
            Rate {
                code: "express",
                zone: "GB",
                name: "Express courier",
                price: 990,
                per_kg: 0,
                max_weight_g: Some(10_000),
                free: false,
                position: 2,
            },
        ],
    )
    .await?;
    insert_rates(
        &mut tx,
        BOOK_STORE_ID,
        &[
            Rate {
                code: "standard",
                zone: "FR",
                name: "Colissimo",
                price: 490,
                per_kg: 0,
                max_weight_g: None,
                free: true,
                position: 1,
            },
            Rate {
                code: "standard",
                zone: "*",
                name: "International post",
                price: 990,
                per_kg: 150,
                max_weight_g: None,
                free: false,
                position: 1,
            },
            Rate {
                code: "relay",
                zone: "FR",
                name: "Pickup point",
                price: 390,
                per_kg: 0,
                max_weight_g: Some(5_000),
                free: true,
                position: 2,
            },
        ],
    )
    .await?;
    insert_voucher(
        &mut tx,
        VINYL_STORE_ID,
        "WELCOME10",
        Some(1000),
        None,
        None,
        None,
    )
    .await?;
    insert_voucher(
        &mut tx,
        VINYL_STORE_ID,
        "FIVEOFF",
        None,
        Some(500),
        None,
        Some(100),
    )
    .await?;
    insert_voucher(
        &mut tx,
        VINYL_STORE_ID,
        "SUMMER2020",
        Some(2000),
        None,
        Some(1_598_918_400_000),
        None,
    )
    .await?;
    insert_voucher(&mut tx, BOOK_STORE_ID, "READ5", None, Some(500), None, None).await?;

    let buyer = SeedCustomer {
        id: DEMO_CUSTOMER_ID,
        num: 1_765_470_000_001,
        store_id: VINYL_STORE_ID,
    };
    insert_customer(&mut tx, &buyer, &hash, now).await?;
    insert_customer(
        &mut tx,
        &SeedCustomer {
            id: "693af400000051c94884e0b5",
            num: 1_765_470_000_002,
            store_id: BOOK_STORE_ID,
        },
        &hash,
        now,
    )
    .await?;
    sqlx::query("INSERT INTO client_wantlist (customer_id, item_id, added) VALUES ($1, $2, $3)")
        .bind(DEMO_CUSTOMER_ID)
        .bind("693af000000fd932d1e62516")
        .bind(now)
        .execute(&mut *tx)
        .await?;

    // The seed's checkout, open and empty, owned by the demo customer; its times start now so
    // that it is open whenever the demo starts.
    let buyer_doc = BuyerDoc {
        customer_id: Some(DEMO_CUSTOMER_ID.to_string()),
        id: Some(buyer.num),
        email: Some(DEMO_EMAIL.to_string()),
        first_name: some("First"),
        last_name: some("Last"),
        telephone: some("+44 20 7946 0000"),
        organisation: None,
        tax_number: None,
    };
    sqlx::query(
        "INSERT INTO client_checkouts (id, code, order_code, store_id, customer_id, origin, status, \
         use_single_address, create_account, buyer, shop_collection, created, updated, expires) \
         VALUES ($1, $2, $3, $4, $5, 'Online', 'open', $6, $7, $8, $9, $10, $10, $11)",
    )
    .bind("693afb015dc249f21ccba766")
    .bind(DEMO_CHECKOUT_CODE)
    .bind("ord-AbC1d")
    .bind(VINYL_STORE_ID)
    .bind(DEMO_CUSTOMER_ID)
    .bind(true)
    .bind(false)
    .bind(to_json(&buyer_doc))
    .bind(false)
    .bind(now)
    .bind(expires_after(now))
    .execute(&mut *tx)
    .await?;

    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(SEEDED)
    .bind(now.to_string())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_data_matches_the_seed() {
        let items = vinyl_items();
        let seed = &items[0];
        assert_eq!(seed.num, 12345);
        assert_eq!(
            format!("https://{VINYL_DOMAIN}{}", seed.path),
            "https://www.my-vinyl-store.com/release/9987654321/various-the-unreleased-anthems"
        );
        assert_eq!(seed.listings[0].num, SEED_LISTING_ID);
        assert!(seed.listings[0].second_hand && seed.listings[0].stock > 0);
        // First in "created" order among the vinyl store's items.
        assert!(items.iter().skip(1).all(|i| i.created > seed.created));
        let nums: BTreeSet<i64> = items
            .iter()
            .chain(book_items().iter())
            .flat_map(|i| i.listings.iter().map(|l| l.num))
            .collect();
        assert_eq!(
            nums.len(),
            items
                .iter()
                .chain(book_items().iter())
                .map(|i| i.listings.len())
                .sum::<usize>()
        );
        assert_eq!(
            slug("Kollektiv Nord Midnight Frequencies"),
            "kollektiv-nord-midnight-frequencies"
        );
    }
}
