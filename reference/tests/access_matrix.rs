//! The authorization matrix of all seven APIs, on SQLite and PostgreSQL (demo data).
//!
//! Every root field of every schema has a row (found by introspection: a field without a row
//! fails the test, so the matrix cannot fall behind the schemas). A row is an operation
//! document (from `schemas/operations/<api>/`, or written here) that touches the victim's data:
//! the demo customer, tenant, purchase user A or seller 1. Each row is sent by
//!
//! - another principal of the same kind (another customer, tenant, purchase user or seller):
//!   refused, or for the fields that answer with the caller's own data, it sees nothing of the
//!   victim's;
//! - a caller without credentials: refused (public fields excepted, as the table says);
//! - credentials of another API, scope or tenant, and tampered, `alg: none` and expired tokens:
//!   refused;
//!
//! and, after the victim's data is read back by its owner and found unchanged, by the owner,
//! who is never refused. "Refused" is an HTTP 401/403, a GraphQL error, a mutation payload
//! whose `status` is 4xx or with `errors`, or `null` (as for an id that does not exist); "sees nothing" is a
//! `data` without any of the victim's ids. The
//! owner's business errors (paying a cart that is not placed) are not refusals: this matrix is
//! about who may call what.
//!
//! The purchase rows include the issue's three attacks: cart fixation at a customer's key,
//! the demo customers' carts used without a token, and merging another customer's cart.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use shopql_reference::apis::purchase::demo as purchase_seed;
use shopql_reference::auth::{Claims, DEMO_SECRET, JwtKeys};
use shopql_reference::store::TestDatabase;
use shopql_reference::{Config, RateLimits, RunningServer, start};

/// What a non-owner probe must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Refused (and nothing of the victim's in `data`).
    Refused,
    /// Nothing of the victim's in `data` (an answer with the caller's own data, or none).
    Nothing,
}
use Expect::{Nothing, Refused};

/// One root field: how to reach the victim's data, and what others get.
struct Row {
    field: &'static str,
    doc: String,
    vars: Value,
    /// Another principal of the same kind.
    other: Expect,
    /// No credentials.
    none: Expect,
    /// A credential of another API, scope or tenant, or a forged one.
    foreign: Expect,
    /// The owner and the other principal swap (the row's victim is the other one).
    swap: bool,
    /// The document itself holds the victim's credential (`login`): whoever sends it is the
    /// victim, so the victim's data in the answer is no leak.
    holds_credential: bool,
    /// The owner's own variables, when the probes act as another user (an attack's shape).
    owner_vars: Option<Value>,
    /// The owner's answer shows the victim's data: the document does reach it, so the
    /// refusals above are the rule's doing, not a wrong address.
    reaches_victim: bool,
}

fn row(field: &'static str, (doc, vars): (String, Value)) -> Row {
    Row {
        field,
        doc,
        vars,
        other: Refused,
        none: Refused,
        foreign: Refused,
        swap: false,
        holds_credential: false,
        owner_vars: None,
        reaches_victim: false,
    }
}

impl Row {
    fn other(mut self, e: Expect) -> Self {
        self.other = e;
        self
    }
    /// Public by design: anyone may call it; it shows nothing of the victim's to others.
    fn public(self) -> Self {
        Row {
            other: Nothing,
            none: Nothing,
            foreign: Nothing,
            ..self
        }
    }
    fn reaches_victim(mut self) -> Self {
        self.reaches_victim = true;
        self
    }
    fn owner_vars(mut self, vars: Value) -> Self {
        self.owner_vars = Some(vars);
        self
    }
    fn holds_credential(mut self) -> Self {
        self.holds_credential = true;
        self
    }
    fn swapped(mut self) -> Self {
        self.swap = true;
        self
    }
}

/// An operation of `schemas/operations/<api>/<name>.graphql` with its variables.
fn op(api: &str, name: &str) -> (String, Value) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/operations");
    let doc = std::fs::read_to_string(dir.join(api).join(format!("{name}.graphql"))).unwrap();
    let vars = std::fs::read_to_string(dir.join(api).join(format!("{name}.json")))
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or(json!({}));
    (doc, vars)
}

/// Request headers of one principal.
type Headers = Vec<(String, String)>;

fn bearer(token: &str) -> Headers {
    vec![("authorization".into(), format!("Bearer {token}"))]
}

fn with(mut h: Headers, k: &str, v: &str) -> Headers {
    h.push((k.into(), v.into()));
    h
}

/// One API's endpoint, principals, victim and rows.
struct Api {
    name: &'static str,
    path: String,
    owner: Headers,
    other: Headers,
    none: Headers,
    foreign: Vec<(String, Headers)>,
    /// Ids of the victim's data: none may appear in a non-owner's `data`.
    markers: Vec<String>,
    /// Documents the owner reads before and after the probes: equal answers.
    snapshot: Vec<(String, Value)>,
    rows: Vec<Row>,
}

struct Http {
    http: reqwest::Client,
    base: String,
}

impl Http {
    async fn post(&self, path: &str, h: &Headers, doc: &str, vars: &Value) -> (u16, Value) {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&json!({ "query": doc, "variables": vars }));
        for (k, v) in h {
            req = req.header(k, v);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}

const REFUSAL_CODES: [&str; 5] = [
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "Unauthorized",
    "Forbidden",
    "UNAUTHORIZED",
];

fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["extensions"]["code"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A payload answering 4xx, or with errors, inside `data` (the marketplace's mutation
/// payloads).
fn payload_refused(data: &Value) -> bool {
    match data {
        Value::Object(m) => {
            m.get("status")
                .and_then(Value::as_i64)
                .is_some_and(|s| (400..500).contains(&s))
                || m.get("errors")
                    .and_then(Value::as_array)
                    .is_some_and(|e| !e.is_empty())
                || m.values().any(payload_refused)
        }
        Value::Array(a) => a.iter().any(payload_refused),
        _ => false,
    }
}

/// Refused: 401/403, an error, a 4xx payload, or `null` for the field (answered as for an id
/// that does not exist, so that existence does not leak either).
fn refused(status: u16, body: &Value, field: &str) -> bool {
    status == 401
        || status == 403
        || body["errors"].as_array().is_some_and(|a| !a.is_empty())
        || payload_refused(&body["data"])
        || body["data"].get(field).is_some_and(Value::is_null)
}

fn leaked<'a>(body: &Value, markers: &'a [String]) -> Option<&'a String> {
    let data = body["data"].to_string();
    markers.iter().find(|m| data.contains(m.as_str()))
}

/// Root fields of the API's schema, by introspection.
async fn root_fields(http: &Http, api: &Api) -> BTreeSet<String> {
    let doc = "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }";
    let (_, body) = http.post(&api.path, &api.owner, doc, &json!({})).await;
    let mut out = BTreeSet::new();
    for t in ["queryType", "mutationType"] {
        for f in body["data"]["__schema"][t]["fields"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            out.insert(f["name"].as_str().unwrap().to_string());
        }
    }
    assert!(!out.is_empty(), "{}: introspection: {body}", api.name);
    out
}

/// Runs the matrix of `api`: the number of probes, and every failure (all of them, so that a
/// broken rule shows every row it breaks).
async fn run(http: &Http, api: &Api, label: &str) -> (usize, Vec<String>) {
    let mut failures = Vec::new();
    // Coverage: a row for every root field, and every row's document uses its field.
    let fields = root_fields(http, api).await;
    let rows: BTreeSet<String> = api.rows.iter().map(|r| r.field.to_string()).collect();
    let missing: Vec<&String> = fields.difference(&rows).collect();
    assert!(
        missing.is_empty(),
        "{}: root fields without a row in the access matrix: {missing:?}",
        api.name
    );
    let stale: Vec<&String> = rows.difference(&fields).collect();
    assert!(
        stale.is_empty(),
        "{}: rows of no field: {stale:?}",
        api.name
    );
    for r in &api.rows {
        assert!(
            r.doc.contains(&format!("{}(", r.field)) || r.doc.contains(&format!("{} ", r.field)),
            "{}.{}: the row's document does not use the field",
            api.name,
            r.field
        );
    }

    let snapshot = |h: Headers| async move {
        let mut out = Vec::new();
        for (doc, vars) in &api.snapshot {
            let (status, body) = http.post(&api.path, &h, doc, vars).await;
            assert!(
                status == 200 && body.get("errors").is_none(),
                "{label} {}: snapshot: {body}",
                api.name
            );
            out.push(body);
        }
        out
    };
    let before = snapshot(api.owner.clone()).await;
    let mut probes = 0;
    for r in &api.rows {
        let other = if r.swap { &api.owner } else { &api.other };
        let mut cases = vec![("another principal", other.clone(), r.other)];
        cases.push(("no credentials", api.none.clone(), r.none));
        for (what, h) in &api.foreign {
            cases.push((what.as_str(), h.clone(), r.foreign));
        }
        for (who, h, expect) in cases {
            let (status, body) = http.post(&api.path, &h, &r.doc, &r.vars).await;
            probes += 1;
            let at = format!("{label} {}.{} by {who}", api.name, r.field);
            if status >= 500 {
                failures.push(format!("{at}: HTTP {status}: {body}"));
            }
            if !r.swap
                && !r.holds_credential
                && let Some(m) = leaked(&body, &api.markers)
            {
                failures.push(format!("{at}: the victim's {m} leaked: {body}"));
            } else if expect == Refused && !refused(status, &body, r.field) {
                failures.push(format!("{at}: not refused: {body}"));
            }
        }
    }
    let after = snapshot(api.owner.clone()).await;
    if before != after {
        failures.push(format!(
            "{label} {}: the refused probes changed the victim's data: {before:?} -> {after:?}",
            api.name
        ));
    }
    // The owner is never refused (rows in table order: destructive ones last).
    for r in &api.rows {
        let owner = if r.swap { &api.other } else { &api.owner };
        let vars = r.owner_vars.as_ref().unwrap_or(&r.vars);
        let (status, body) = http.post(&api.path, owner, &r.doc, vars).await;
        probes += 1;
        let at = format!("{label} {}.{} by its owner", api.name, r.field);
        let refusals: Vec<String> = codes(&body)
            .into_iter()
            .filter(|c| REFUSAL_CODES.contains(&c.as_str()) || c.starts_with("GRAPHQL_"))
            .collect();
        if status != 200 || !refusals.is_empty() {
            failures.push(format!("{at}: refused: HTTP {status}: {body}"));
        } else if r.reaches_victim && leaked(&body, &api.markers).is_none() {
            failures.push(format!("{at}: shows none of the victim's ids: {body}"));
        }
    }
    (probes, failures)
}

/// A JWT with its claims changed and re-signed with `secret` (`None`: the signature kept,
/// which then no longer matches).
fn resign(jwt: &str, change: impl FnOnce(&mut Claims), secret: Option<&str>) -> String {
    let payload = jwt.split('.').nth(1).unwrap();
    let mut claims: Claims =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    change(&mut claims);
    match secret {
        Some(s) => JwtKeys::new(s, true).unwrap().sign(&claims).unwrap(),
        None => {
            let mut parts: Vec<String> = jwt.split('.').map(str::to_string).collect();
            parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
            parts.join(".")
        }
    }
}

/// The forged variants of a valid JWT: tampered claims, `alg: none`, expired.
fn forged(jwt: &str, tamper: impl FnOnce(&mut Claims)) -> Vec<(&'static str, String)> {
    let payload = jwt.split('.').nth(1).unwrap();
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    vec![
        ("a tampered token", resign(jwt, tamper, None)),
        ("an alg-none token", format!("{header}.{payload}.")),
        (
            "an expired token",
            resign(
                jwt,
                |c| {
                    c.iat -= 7200;
                    c.nbf -= 7200;
                    c.exp = c.iat + 60;
                },
                Some(DEMO_SECRET),
            ),
        ),
    ]
}

/// An opaque token with one character changed.
fn flipped(token: &str) -> String {
    let mut t = token.to_string();
    let last = t.pop().unwrap_or('x');
    t.push(if last == 'x' { 'y' } else { 'x' });
    t
}

async fn shop_token(http: &Http, tenant: &str, id: &str, secret: &str, scope: &str) -> String {
    let body: Value = http
        .http
        .post(format!("{}/{tenant}/auth/token", http.base))
        .header("x-crystallize-access-token-id", id)
        .header("x-crystallize-access-token-secret", secret)
        .json(&json!({ "scopes": [scope] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["token"].as_str().unwrap().to_string()
}

async fn client_session(http: &Http, origin: &str, email: &str, password: &str) -> String {
    let origin = vec![("commonground-origin".to_string(), origin.to_string())];
    let login = "mutation L($e: String!, $p: String!) { login(email: $e, password: $p) { session { jwt } } }";
    let register = "mutation R($e: String!, $p: String!) { register(email: $e, password: $p) { session { jwt } } }";
    let vars = json!({ "e": STANDARD.encode(email), "p": STANDARD.encode(password) });
    let (_, body) = http.post("/client/graphql", &origin, login, &vars).await;
    if let Some(jwt) = body["data"]["login"]["session"]["jwt"].as_str() {
        return jwt.to_string();
    }
    let (_, body) = http.post("/client/graphql", &origin, register, &vars).await;
    body["data"]["register"]["session"]["jwt"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {body}"))
        .to_string()
}

/// Every principal the matrix uses.
struct Principals {
    customer: String,
    other_customer: String,
    customer_at_other_store: String,
    shop: Vec<(&'static str, String)>,
    acme: Vec<(&'static str, String)>,
    purchase_a: String,
    purchase_b: String,
    seller: String,
    seller_2: String,
}

const VINYL: &str = "www.my-vinyl-store.com";
const BOOKS: &str = "www.my-book-store.com";
const SCOPES: [&str; 4] = ["cart", "cart:admin", "lock", "usage"];

async fn principals(http: &Http, server: &RunningServer) -> Principals {
    use shopql_reference::apis::shop::demo;
    demo::seed_tenant(&server.state, "acme", "acme-id", "acme-secret")
        .await
        .unwrap();
    let mut shop = Vec::new();
    let mut acme = Vec::new();
    for scope in SCOPES {
        shop.push((
            scope,
            shop_token(
                http,
                "demo",
                demo::DEMO_ACCESS_ID,
                demo::DEMO_ACCESS_SECRET,
                scope,
            )
            .await,
        ));
        acme.push((
            scope,
            shop_token(http, "acme", "acme-id", "acme-secret", scope).await,
        ));
    }
    Principals {
        customer: client_session(http, VINYL, "buyer@example.com", "demo-password").await,
        other_customer: client_session(http, VINYL, "other-buyer@example.com", "other-password-1")
            .await,
        customer_at_other_store: client_session(http, BOOKS, "buyer@example.com", "demo-password")
            .await,
        shop,
        acme,
        purchase_a: purchase_seed::DEMO_TOKEN.into(),
        purchase_b: purchase_seed::B2B_TOKEN.into(),
        seller: "demo-seller-key".into(),
        seller_2: "demo-seller-2-key".into(),
    }
}

fn scoped<'a>(tokens: &'a [(&str, String)], scope: &str) -> &'a str {
    &tokens.iter().find(|(s, _)| *s == scope).unwrap().1
}

fn client_api(p: &Principals) -> Api {
    use shopql_reference::apis::client::demo::DEMO_CUSTOMER_ID;
    let at = |h: Headers| with(h, "commonground-origin", VINYL);
    let mut foreign = vec![
        (
            "a shop token".to_string(),
            at(bearer(scoped(&p.shop, "cart"))),
        ),
        ("a purchase token".into(), at(bearer(&p.purchase_a))),
        ("a seller key".into(), at(bearer(&p.seller))),
        (
            "the customer's session of another store".into(),
            at(bearer(&p.customer_at_other_store)),
        ),
    ];
    for (what, t) in forged(&p.customer, |c| c.sub = "000000000000000000000000".into()) {
        foreign.push((what.into(), at(bearer(&t))));
    }
    let c = |name: &str| op("client", name);
    Api {
        name: "client",
        path: "/client/graphql".into(),
        owner: at(bearer(&p.customer)),
        other: at(bearer(&p.other_customer)),
        none: at(vec![]),
        foreign,
        markers: vec![
            "abc-AbC1d".into(),
            "ord-AbC1d".into(),
            DEMO_CUSTOMER_ID.into(),
            "\"buyer@example.com\"".into(),
        ],
        // (Not `sessionsCount`: the public `login` row signs the victim in.)
        snapshot: vec![
            c("get_checkout"),
            c("get_orders"),
            (
                "{ me { _id email firstName lastName telephone isSubscribed } }".into(),
                json!({}),
            ),
        ],
        rows: vec![
            row("inventoryItems", c("get_inventory_items")).public(),
            row(
                "inventoryFiltersPagination",
                c("get_inventory_filters_pagination"),
            )
            .public(),
            row("item", c("get_item")).public(),
            row("login", c("login")).public().holds_credential(),
            row("register", c("register")).public(),
            row("checkout", c("get_checkout")).reaches_victim(),
            row("checkouts", c("get_checkouts")).other(Nothing),
            row("order", c("get_order")),
            row("orders", c("get_orders")).other(Nothing),
            row("me", c("me")).other(Nothing).reaches_victim(),
            // A new checkout is the caller's own.
            row("checkoutCreate", c("checkout_create")).other(Nothing),
            row("checkoutUpdateItems", c("checkout_update_items")),
            row("checkoutUpdate", c("checkout_update")),
            row("checkoutSubmit", c("checkout_submit")),
            // Ends the caller's own session.
            row("logout", c("logout")).other(Nothing),
        ],
    }
}

/// The shop family: one API per path and scope, tenant `demo` the victim, tenant `acme` the
/// other principal.
fn shop_api(p: &Principals, name: &'static str, path: &str, scope: &str, rows: Vec<Row>) -> Api {
    use shopql_reference::apis::shop::demo::DEMO_CARTS;
    let token = scoped(&p.shop, scope);
    let wrong_scope = SCOPES.iter().find(|s| **s != scope).unwrap();
    let mut foreign = vec![
        (
            format!("a demo token of scope {wrong_scope}"),
            bearer(scoped(&p.shop, wrong_scope)),
        ),
        ("a client session".into(), bearer(&p.customer)),
        ("a purchase token".into(), bearer(&p.purchase_a)),
        ("a seller key".into(), bearer(&p.seller)),
    ];
    for (what, t) in forged(token, |c| c.tenant = Some("acme".into())) {
        foreign.push((what.into(), bearer(&t)));
    }
    let s = |n: &str| op("shop", n);
    let snapshot = vec![
        s("get_cart"),
        op("cart-admin", "list_promotions"),
        op("lock", "lock_status"),
    ];
    let snapshot = snapshot
        .into_iter()
        .filter(|(doc, _)| {
            // Each path reads only its own API.
            match name {
                "shop" => doc.contains("cart(") && !doc.contains("promotions"),
                "cart-admin" => doc.contains("promotions"),
                "lock" => doc.contains("lock("),
                _ => false,
            }
        })
        .collect();
    Api {
        name,
        path: format!("/demo/{path}"),
        owner: bearer(token),
        other: bearer(scoped(&p.acme, scope)),
        none: vec![],
        foreign,
        markers: DEMO_CARTS.iter().map(|c| c.to_string()).collect(),
        snapshot,
        rows,
    }
}

fn shop_rows() -> Vec<Row> {
    let s = |n: &str| op("shop", n);
    vec![
        row("cart", s("get_cart")).reaches_victim(),
        row("orderIntent", s("order_intent")),
        row("validateVoucher", s("validate_voucher")),
        row("hydrate", s("hydrate_cart")),
        row("addSkuItem", s("add_sku_item")),
        row("addExternalItem", s("add_external_item")),
        row("addCartItem", s("add_cart_item")),
        row("removeCartItem", s("remove_cart_item")),
        row("setCartItem", s("set_cart_item")),
        row("changeCartItemPricing", s("change_cart_item_pricing")),
        row("setCustomer", s("set_customer")),
        row("setMeta", s("set_meta")),
        row("place", s("place_cart")),
        row("pay", s("pay_cart")),
        row("fulfill", s("fulfill_cart")),
        row("abandon", s("abandon_cart")),
        row("remove", s("remove_cart")),
    ]
}

fn purchase_api(p: &Principals) -> Api {
    use purchase_seed::{
        B2B_USER, DEMO_CART, DEMO_USER, MOUSE, WISHLIST_FAVORITES, WISHLIST_GIFTS,
    };
    // The seed's operations address A's default cart (DEMO_CART), A's wishlists, or B's cart
    // (refreshCart, whose row swaps owner and other).
    let o = |n: &str| op("purchase", n);
    let mut foreign = vec![
        ("a shop token".to_string(), bearer(scoped(&p.shop, "cart"))),
        ("a client session".into(), bearer(&p.customer)),
        ("a seller key".into(), bearer(&p.seller)),
        ("a tampered token".into(), bearer(&flipped(&p.purchase_a))),
    ];
    foreign.push(("an empty bearer".into(), bearer("")));
    let cart = r#"query C($userId: String, $cartId: String) {
      cart(storeId: "Electronics", userId: $userId, cartName: "default", currencyCode: "USD",
           cartId: $cartId) { id items { id productId } }
    }"#;
    let carts = r#"query L($userId: String) {
      carts(storeId: "Electronics", userId: $userId) { totalCount items { id } }
    }"#;
    let remove = "mutation R($command: InputRemoveCartType!) { removeCart(command: $command) }";
    let merge = o("merge_cart_keep_second").0;
    let mine_merge = json!({"command": {"storeId": "Electronics", "userId": DEMO_USER,
        "cartName": "mine", "currencyCode": "USD", "secondCartId": DEMO_CART,
        "deleteAfterMerge": false}});
    let fixation = r#"mutation A($command: InputAddItemType!) {
      addItem(command: $command) { id isAnonymous items { productId } }
    }"#;
    Api {
        name: "purchase",
        path: "/purchase/graphql".into(),
        owner: bearer(&p.purchase_a),
        other: bearer(&p.purchase_b),
        none: vec![],
        foreign,
        markers: vec![
            DEMO_CART.into(),
            WISHLIST_FAVORITES.into(),
            WISHLIST_GIFTS.into(),
        ],
        snapshot: vec![
            (cart.into(), json!({ "userId": DEMO_USER })),
            (carts.into(), json!({ "userId": DEMO_USER })),
        ],
        rows: vec![
            row("cart", (cart.into(), json!({ "userId": DEMO_USER }))).reaches_victim(),
            row("carts", (carts.into(), json!({ "userId": DEMO_USER }))).reaches_victim(),
            // Attack 1, cart fixation: a new cart at a customer's key.
            row(
                "addItem",
                (
                    fixation.into(),
                    json!({"command": {"storeId": "Electronics", "userId": DEMO_USER,
                        "cartName": "office", "currencyCode": "USD", "productId": MOUSE,
                        "quantity": 1}}),
                ),
            ),
            row("clearCart", o("clear_cart")),
            row("changeComment", o("change_comment")),
            row("changeCartItemPrice", o("change_cart_item_price")),
            row("changeCartItemQuantity", o("change_cart_item_quantity")),
            row("changeCartItemComment", o("change_cart_item_comment")),
            row("removeCartItem", o("remove_cart_item")),
            row("addCoupon", o("add_coupon")),
            row("removeCoupon", o("remove_coupon")),
            row("removeShipment", o("remove_shipment")),
            row("addOrUpdateCartShipment", o("add_or_update_cart_shipment")),
            row("addOrUpdateCartPayment", o("add_or_update_cart_payment")),
            row("validateCoupon", o("validate_coupon")),
            row("clearShipments", o("clear_shipments")),
            row("clearPayments", o("clear_payments")),
            row(
                "updateCartDynamicProperties",
                o("update_cart_dynamic_properties"),
            ),
            row(
                "updateCartItemDynamicProperties",
                o("update_cart_item_dynamic_properties"),
            ),
            row(
                "updateCartShipmentDynamicProperties",
                o("update_cart_shipment_dynamic_properties"),
            ),
            row(
                "updateCartPaymentDynamicProperties",
                o("update_cart_payment_dynamic_properties"),
            ),
            row("addCartAddress", o("add_cart_address")),
            row("addOrUpdateCartAddress", o("add_or_update_cart_address")),
            // Attack 2: the demo customers' wishlists filled without a token.
            row("addWishlistBulkItem", o("add_wishlist_bulk_item")),
            row("refreshCart", o("refresh_cart")).swapped(),
            // Attack 3: A's cart merged into B's own (by B) or into an anonymous cart (without
            // a token), keeping the source; A merges it into another cart of its own.
            row(
                "mergeCart",
                (
                    merge.clone(),
                    json!({"command": {"storeId": "Electronics", "userId": B2B_USER,
                        "cartName": "loot", "currencyCode": "USD", "secondCartId": DEMO_CART,
                        "deleteAfterMerge": false}}),
                ),
            )
            .owner_vars(mine_merge.clone()),
            row(
                "mergeCart",
                (
                    merge,
                    json!({"command": {"storeId": "Electronics", "userId": "attacker-visitor",
                        "cartName": "loot", "currencyCode": "USD", "secondCartId": DEMO_CART,
                        "deleteAfterMerge": false}}),
                ),
            )
            .owner_vars(mine_merge),
            // Attack 2: A's cart deleted by id without a token. (Last: the owner removes it.)
            row(
                "removeCart",
                (remove.into(), json!({"command": {"cartId": DEMO_CART}})),
            ),
        ],
    }
}

fn marketplace_api(p: &Principals) -> Api {
    let m = |n: &str| op("marketplace", n);
    let mut foreign = vec![
        ("a shop token".to_string(), bearer(scoped(&p.shop, "cart"))),
        ("a client session".into(), bearer(&p.customer)),
        ("a purchase token".into(), bearer(&p.purchase_a)),
        ("a tampered key".into(), bearer(&flipped(&p.seller))),
    ];
    foreign.push(("an empty bearer".into(), bearer("")));
    Api {
        name: "marketplace",
        path: "/marketplace/graphql".into(),
        owner: bearer(&p.seller),
        other: bearer(&p.seller_2),
        none: vec![],
        foreign,
        // Seller 1's advert, variant and invoice (global ids as the seed's operations use).
        markers: vec![
            "QWR2ZXJ0LTEwMDA3MDczNA==".into(),
            "VmFyaWFudC03ODAyOA==".into(),
            "SW52b2ljZS0xMzIxOA==".into(),
        ],
        snapshot: vec![m("get_advert"), m("list_invoices"), m("get_variant")],
        rows: vec![
            row("node", m("get_advert")).other(Nothing).reaches_victim(),
            row("nodes", m("nodes_by_ids"))
                .other(Nothing)
                .reaches_victim(),
            row("allAdverts", m("all_adverts_list_adverts")).other(Nothing),
            row("advertsWhere", m("adverts_where_list_adverts")).other(Nothing),
            row("variantsWhere", m("variants_where_list_variants")).other(Nothing),
            row("invoices", m("list_invoices")).other(Nothing),
            row("shippingProfiles", m("list_shipping_profiles")).other(Nothing),
            // The shared catalogue: every seller reads it, nobody else.
            row("brands", m("list_brands")).other(Nothing),
            row("brandSearch", m("search_brands")).other(Nothing),
            row("taxons", m("list_taxons")).other(Nothing),
            row("taxonSearch", m("search_taxons")).other(Nothing),
            row("advertUpsert", m("advert_upsert_update")),
            // Ids of other sellers' adverts are skipped, as unknown ones.
            row("advertVettingResubmit", m("resubmit_advert_for_vetting")).other(Nothing),
            row("variantUpdate", m("update_variant")),
            row("shipmentCreate", m("shipment_create_create_shipment")),
            row("shipmentUpdate", m("update_shipment")),
            row("variantDelete", m("delete_variant")),
            row("advertDelete", m("delete_advert")),
        ],
    }
}

#[tokio::test]
async fn every_root_field_of_every_api_admits_only_its_owner() -> anyhow::Result<()> {
    for db in TestDatabase::all().await? {
        let label = db.label();
        let mut config = Config::for_tests(&db.url);
        config.rate_limits = RateLimits::off();
        let server = start(config).await?;
        let http = Http {
            http: reqwest::Client::new(),
            base: server.base_url(),
        };
        let p = principals(&http, &server).await;
        let a = |n: &str| op("cart-admin", n);
        let l = |n: &str| op("lock", n);
        let apis = vec![
            client_api(&p),
            shop_api(&p, "shop", "cart", "cart", shop_rows()),
            shop_api(
                &p,
                "cart-admin",
                "cart/admin",
                "cart:admin",
                vec![
                    row("carts", a("list_carts")),
                    // (The shop rows' owner run removed this cart already.)
                    row("cart", a("get_cart")),
                    row("promotions", a("list_promotions")),
                    row("setPromotions", a("set_promotions")),
                    row("removePromotions", a("remove_promotions")),
                    row("removeCarts", a("remove_carts")),
                ],
            ),
            shop_api(
                &p,
                "lock",
                "lock",
                "lock",
                vec![
                    row("lock", l("lock_status")),
                    row("acquire", l("acquire_lock")),
                    row("release", l("release_lock")),
                ],
            ),
            shop_api(
                &p,
                "usage",
                "usage",
                "usage",
                vec![row("usage", op("usage", "get_usage"))],
            ),
            purchase_api(&p),
            marketplace_api(&p),
        ];
        assert_eq!(apis.len(), 7, "the seven APIs");
        let mut probes = 0;
        let mut failures = Vec::new();
        for api in &apis {
            let (n, f) = run(&http, api, label).await;
            probes += n;
            failures.extend(f);
        }
        assert!(
            failures.is_empty(),
            "{} of {probes} probes failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
        assert!(probes > 500, "{label}: {probes} probes");
        server.stop().await?;
    }
    Ok(())
}
