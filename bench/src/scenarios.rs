//! The measured operations: the seed operation documents of `schemas/operations/`, with the
//! demo data's ids and credentials, and what each connection sends.
//!
//! Writes are spread so that they stay real writes: each connection has its own lock key,
//! purchase user, and client checkout, and alternates the quantity it sets.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use serde::Serialize;
use serde_json::{Value, json};

use crate::load::{Journey, Plan};
use crate::wire::{self, Conn, Req};

/// The client API's store, as the seed's quick start uses it.
pub const ORIGIN: &str = "www.my-vinyl-store.com";
/// The seed's listing (stock 3).
pub const SEED_LISTING: i64 = 1_765_470_890_000;
/// The seed's advert.
pub const SEED_ADVERT: i64 = 100_070_734;
/// The demo seller's API key.
pub const SELLER_KEY: &str = "demo-seller-key";

/// Read, persisted write, or a journey of several requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Kind {
    /// Reads: target ≥ 3× the baseline's share of the ceiling and ≥ 10 % of it.
    Read,
    /// Persisted writes: target ≥ 5× the baseline's share of the ceiling and ≥ 3 % of it.
    Write,
    /// Several dependent requests: reported, no target.
    Journey,
}

impl Kind {
    /// How many times the baseline's share of the ceiling the target asks, and the share it
    /// asks at least.
    pub fn target(self) -> Option<(f64, f64)> {
        match self {
            Kind::Read => Some((3.0, 0.10)),
            Kind::Write => Some((5.0, 0.03)),
            Kind::Journey => None,
        }
    }
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Read => "read",
            Kind::Write => "write",
            Kind::Journey => "journey",
        }
    }
}

/// One measured operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Op {
    /// client `inventoryItems`, 5 items with listings (seed step 2).
    Inventory,
    /// client `checkoutUpdateItems` (seed step 4) on the connection's own checkout.
    CheckoutUpdate,
    /// shop `hydrate` with 3 SKUs, a pricing context, a voucher and a SKU promotion.
    Hydrate,
    /// purchase `addItem` (the seed's) into the connection's own cart.
    AddItem,
    /// purchase `addItem` with every connection adding to one shared cart (one user): the
    /// cart's row is contended.
    AddItemShared,
    /// purchase: the seed's full `cart` query.
    PurchaseCart,
    /// marketplace `advertsWhere` (the seed's).
    AdvertsWhere,
    /// marketplace `node(id)` of the seed's advert.
    AdvertNode,
    /// lock `acquire` then `release` of the connection's own key, alternately.
    Lock,
    /// The client quick start: login, inventory, checkoutCreate, checkoutUpdateItems.
    QuickStart,
    /// cart-admin `carts` with the seed's filters (state, updatedBefore, hasItems), first 50.
    AdminCarts,
    /// cart-admin `carts` of one customer, updated after a date.
    AdminCustomerCarts,
}

impl Op {
    /// The operations of the load phase, at 1, 16 and 64 connections.
    pub const LOAD: [Op; 10] = [
        Op::Inventory,
        Op::CheckoutUpdate,
        Op::Hydrate,
        Op::AddItem,
        Op::AddItemShared,
        Op::PurchaseCart,
        Op::AdvertsWhere,
        Op::AdvertNode,
        Op::Lock,
        Op::QuickStart,
    ];

    /// The operations of the growth phase.
    pub const GROWTH: [Op; 11] = [
        Op::Inventory,
        Op::CheckoutUpdate,
        Op::Hydrate,
        Op::AddItem,
        Op::PurchaseCart,
        Op::AdvertsWhere,
        Op::AdvertNode,
        Op::Lock,
        Op::AdminCarts,
        Op::AdminCustomerCarts,
        Op::QuickStart,
    ];

    /// A short name for tables and charts.
    pub fn label(self) -> &'static str {
        match self {
            Op::Inventory => "client inventoryItems",
            Op::CheckoutUpdate => "client checkoutUpdateItems",
            Op::Hydrate => "shop hydrate",
            Op::AddItem => "purchase addItem",
            Op::AddItemShared => "purchase addItem (one shared cart)",
            Op::PurchaseCart => "purchase cart",
            Op::AdvertsWhere => "marketplace advertsWhere",
            Op::AdvertNode => "marketplace node(advert)",
            Op::Lock => "lock acquire/release",
            Op::QuickStart => "client quick start (journey)",
            Op::AdminCarts => "cart-admin carts (filters)",
            Op::AdminCustomerCarts => "cart-admin carts (customer)",
        }
    }

    /// The share of the ceiling at 64 connections on SQLite in the baseline report (commit
    /// 81f4f48, before group commit and look-ahead), which the throughput targets multiply.
    pub fn baseline(self) -> Option<f64> {
        Some(match self {
            Op::Inventory => 0.032,
            Op::CheckoutUpdate => 0.006,
            Op::Hydrate => 0.006,
            Op::AddItem => 0.011,
            Op::PurchaseCart => 0.059,
            Op::AdvertsWhere => 0.099,
            Op::AdvertNode => 0.020,
            Op::Lock => 0.019,
            // Not in the baseline: the floor alone applies.
            Op::AddItemShared => 0.0,
            Op::QuickStart | Op::AdminCarts | Op::AdminCustomerCarts => return None,
        })
    }

    /// The throughput target at 64 connections as a share of the same-run ceiling.
    pub fn target(self) -> Option<f64> {
        let (times, floor) = self.kind().target()?;
        Some((self.baseline()? * times).max(floor))
    }

    /// Read, write or journey.
    pub fn kind(self) -> Kind {
        match self {
            Op::Inventory
            | Op::PurchaseCart
            | Op::AdvertsWhere
            | Op::AdvertNode
            | Op::AdminCarts
            | Op::AdminCustomerCarts => Kind::Read,
            Op::CheckoutUpdate | Op::Hydrate | Op::AddItem | Op::AddItemShared | Op::Lock => {
                Kind::Write
            }
            Op::QuickStart => Kind::Journey,
        }
    }

    /// What exactly is sent, for the report.
    pub fn detail(self) -> &'static str {
        match self {
            Op::Inventory => "`client/get_inventory_items` (inStock, created asc, limit 5)",
            Op::CheckoutUpdate => {
                "`client/checkout_update_items`, listing 1765470890000, quantity 1 and 2 in turn, one checkout per connection"
            }
            Op::Hydrate => {
                "`shop/hydrate_cart_with_context` (3 SKUs, market price list, voucher) with the seed's `SetPromotions` (45 % SKU promotion) and `set_voucher_promotion` active; a new cart each time"
            }
            Op::AddItem => "`purchase/add_item`, one user (cart) per connection",
            Op::AddItemShared => {
                "`purchase/add_item` of product SW-OFFICE-1Y (stock 100,000, so every add adds), every connection into one cart (one user)"
            }
            Op::PurchaseCart => "`purchase/cart` (every field of the seed's query)",
            Op::AdvertsWhere => "`marketplace/adverts_where_list_adverts` as demo seller",
            Op::AdvertNode => "`marketplace/get_advert` (`Advert-100070734`)",
            Op::Lock => {
                "`lock/acquire_lock` (ttl 30) and `lock/release_lock` in turn, one key per connection"
            }
            Op::QuickStart => {
                "`login` → `GetInventoryItems` → `checkoutCreate` → `checkoutUpdateItems` (4 requests, argon2id login included)"
            }
            Op::AdminCarts => {
                "`cart-admin/list_carts` (state cart, updatedBefore now − 1 day, hasItems, first 50, totalCount)"
            }
            Op::AdminCustomerCarts => {
                "`cart-admin/list_carts_nodes` (customer buyer@example.com, updatedAfter 2026-01-01)"
            }
        }
    }
}

/// The seed operation documents.
#[derive(Debug, Clone)]
pub struct Ops {
    dir: PathBuf,
}

impl Ops {
    /// `schemas/operations` under the workspace root.
    pub fn new(root: &Path) -> Self {
        Self {
            dir: root.join("schemas").join("operations"),
        }
    }

    /// The document and the variables of `api/name`.
    pub fn get(&self, api: &str, name: &str) -> anyhow::Result<(String, Value)> {
        let base = self.dir.join(api).join(name);
        let query = std::fs::read_to_string(base.with_extension("graphql"))
            .with_context(|| format!("reading {}.graphql", base.display()))?;
        let vars_path = base.with_extension("json");
        let vars = match std::fs::read_to_string(&vars_path) {
            Ok(text) => serde_json::from_str(&text)
                .with_context(|| format!("parsing {}", vars_path.display()))?,
            Err(_) => json!({}),
        };
        Ok((query, vars))
    }
}

/// What set-up obtained from the server, shared by every scenario.
pub struct Ctx {
    /// The server.
    pub addr: SocketAddr,
    /// The documents.
    pub ops: Ops,
    /// A shop JWT with every scope of the demo tenant.
    pub shop_token: String,
    /// A client session JWT of the demo customer, when the client API could log in.
    pub client_jwt: anyhow::Result<String>,
    /// Problems met while preparing (shown in the report).
    pub notes: Vec<String>,
}

fn shop_headers(token: &str) -> Vec<(String, String)> {
    vec![("authorization".into(), format!("Bearer {token}"))]
}

fn req(path: &str, headers: &[(String, String)], query: &str, vars: &Value) -> anyhow::Result<Req> {
    let h: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    Req::graphql(path, &h, query, vars)
}

fn client_headers(jwt: Option<&str>) -> Vec<(String, String)> {
    let mut h = vec![("commonground-origin".to_string(), ORIGIN.to_string())];
    if let Some(j) = jwt {
        h.push(("authorization".into(), format!("Bearer {j}")));
    }
    h
}

impl Ctx {
    /// Gets a shop token, sets the promotions, and logs the demo customer in.
    pub async fn prepare(addr: SocketAddr, root: &Path) -> anyhow::Result<Self> {
        let ops = Ops::new(root);
        let token = wire::post_json(
            addr,
            "/demo/auth/token",
            &[
                ("x-crystallize-access-token-id", "demo-access-id"),
                ("x-crystallize-access-token-secret", "demo-access-secret"),
            ],
            &json!({ "scopes": ["cart", "cart:admin", "lock", "usage"], "expiresIn": 86400 }),
        )
        .await
        .context("minting a shop token")?;
        let shop_token = token
            .get("token")
            .and_then(Value::as_str)
            .with_context(|| format!("no token in {token}"))?
            .to_string();
        let mut notes = Vec::new();
        for name in ["set_promotions", "set_voucher_promotion"] {
            let (q, v) = ops.get("cart-admin", name)?;
            let r = req("/demo/cart/admin", &shop_headers(&shop_token), &q, &v)?;
            if let Err(e) = wire::graphql(addr, &r).await {
                notes.push(format!("cart-admin `{name}` failed: {e:#}"));
            }
        }
        let client_jwt = login(addr, &ops).await;
        Ok(Self {
            addr,
            ops,
            shop_token,
            client_jwt,
            notes,
        })
    }

    fn jwt(&self) -> anyhow::Result<&str> {
        match &self.client_jwt {
            Ok(j) => Ok(j.as_str()),
            Err(e) => bail!("the client API could not log the demo customer in: {e:#}"),
        }
    }

    /// What each of `n` connections sends for `op`.
    pub async fn plans(&self, op: Op, n: usize) -> anyhow::Result<Vec<Plan>> {
        let same = |r: Req| (0..n).map(|_| Plan::Cycle(vec![r.clone()])).collect();
        let shop = shop_headers(&self.shop_token);
        let seller = vec![("authorization".to_string(), format!("Bearer {SELLER_KEY}"))];
        Ok(match op {
            Op::Inventory => {
                let (q, v) = self.ops.get("client", "get_inventory_items")?;
                same(req("/client/graphql", &client_headers(None), &q, &v)?)
            }
            Op::CheckoutUpdate => {
                let jwt = self.jwt()?;
                let headers = client_headers(Some(jwt));
                let (q, _) = self.ops.get("client", "checkout_update_items")?;
                let mut plans = Vec::with_capacity(n);
                for _ in 0..n {
                    let code = create_checkout(self.addr, &self.ops, jwt).await?;
                    let body = |quantity: i64| {
                        req(
                            "/client/graphql",
                            &headers,
                            &q,
                            &json!({ "id": code, "items": [{ "listingId": SEED_LISTING, "quantity": quantity }] }),
                        )
                    };
                    plans.push(Plan::Cycle(vec![body(1)?, body(2)?]));
                }
                plans
            }
            Op::Hydrate => {
                let (q, v) = self.ops.get("shop", "hydrate_cart_with_context")?;
                same(req("/demo/cart", &shop, &q, &v)?)
            }
            Op::AddItem => {
                let (q, v) = self.ops.get("purchase", "add_item")?;
                (0..n)
                    .map(|i| {
                        let mut v = v.clone();
                        v["command"]["userId"] = json!(bench_user(i));
                        Ok(Plan::Cycle(vec![req("/purchase/graphql", &[], &q, &v)?]))
                    })
                    .collect::<anyhow::Result<_>>()?
            }
            Op::AddItemShared => {
                let (q, mut v) = self.ops.get("purchase", "add_item")?;
                v["command"]["userId"] = json!(SHARED_USER);
                v["command"]["productId"] = json!(SHARED_PRODUCT);
                same(req("/purchase/graphql", &[], &q, &v)?)
            }
            Op::PurchaseCart => {
                let (q, v) = self.ops.get("purchase", "cart")?;
                same(req("/purchase/graphql", &[], &q, &v)?)
            }
            Op::AdvertsWhere => {
                let (q, v) = self.ops.get("marketplace", "adverts_where_list_adverts")?;
                same(req("/marketplace/graphql", &seller, &q, &v)?)
            }
            Op::AdvertNode => {
                let (q, v) = self.ops.get("marketplace", "get_advert")?;
                same(req("/marketplace/graphql", &seller, &q, &v)?)
            }
            Op::Lock => {
                let (qa, va) = self.ops.get("lock", "acquire_lock")?;
                let (qr, vr) = self.ops.get("lock", "release_lock")?;
                (0..n)
                    .map(|i| {
                        let key = format!("bench:lock:{i}");
                        let mut va = va.clone();
                        va["key"] = json!(key);
                        let mut vr = vr.clone();
                        vr["key"] = json!(key);
                        Ok(Plan::Cycle(vec![
                            req("/demo/lock", &shop, &qa, &va)?,
                            req("/demo/lock", &shop, &qr, &vr)?,
                        ]))
                    })
                    .collect::<anyhow::Result<_>>()?
            }
            Op::QuickStart => {
                let j: Arc<dyn Journey> = Arc::new(QuickStart::new(&self.ops)?);
                (0..n).map(|_| Plan::Journey(j.clone())).collect()
            }
            Op::AdminCarts => {
                let (q, mut v) = self.ops.get("cart-admin", "list_carts")?;
                // "Abandoned for a day": the seed's fixed date would drift with the calendar.
                v["filter"]["updatedBefore"] = json!(rfc3339_days_ago(1));
                same(req("/demo/cart/admin", &shop, &q, &v)?)
            }
            Op::AdminCustomerCarts => {
                let (q, v) = self.ops.get("cart-admin", "list_carts_nodes")?;
                same(req("/demo/cart/admin", &shop, &q, &v)?)
            }
        })
    }

    /// Sends one unit of `op` (every request of a one-connection plan once) and checks the
    /// answers; returns the size of the last response body.
    pub async fn check(&self, op: Op) -> anyhow::Result<usize> {
        let plans = self.plans(op, 1).await?;
        let mut conn = Conn::connect(self.addr).await?;
        let mut size = 0;
        for plan in plans {
            match plan {
                Plan::Cycle(reqs) => {
                    for r in &reqs {
                        let resp = conn.send(r).await?;
                        if !resp.is_graphql_success() {
                            bail!(
                                "HTTP {}: {}",
                                resp.status,
                                String::from_utf8_lossy(&resp.body[..resp.body.len().min(600)])
                            );
                        }
                        if op == Op::Lock && r.body.windows(7).any(|w| w == b"acquire") {
                            let v = resp.json()?;
                            if v["data"]["acquire"] != json!(true) {
                                bail!("acquire did not take a free key: {v}");
                            }
                        }
                        if op == Op::Hydrate {
                            let v = resp.json()?;
                            let applied = v["data"]["hydrate"]["appliedPromotions"]
                                .as_array()
                                .map_or(0, Vec::len);
                            if applied == 0 {
                                bail!("no promotion applied: {v}");
                            }
                        }
                        size = resp.body.len();
                    }
                }
                Plan::Journey(j) => {
                    j.run(&mut conn).await?;
                }
            }
        }
        Ok(size)
    }
}

/// The one user (cart) of [`Op::AddItemShared`]: outside the range of [`bench_user`].
pub const SHARED_USER: &str = "00000000-0000-4000-9000-000000000000";
/// The product [`Op::AddItemShared`] adds: SW-OFFICE-1Y, stock 100,000, so that the shared
/// cart's adds stay adds (the seed's product, stock 50, would turn them into stock warnings
/// after 50).
pub const SHARED_PRODUCT: &str = "5f0c2b7e9a1d4c3b8e6f0a9d2c1b4e7f";

/// A purchase user id per connection (a GUID, as the seed's).
pub fn bench_user(i: usize) -> String {
    format!("00000000-0000-4000-8000-{i:012}")
}

fn rfc3339_days_ago(days: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let t = now - days * 86_400;
    let (days_since, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days_since);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

async fn login(addr: SocketAddr, ops: &Ops) -> anyhow::Result<String> {
    let (q, v) = ops.get("client", "login")?;
    let data = wire::graphql(
        addr,
        &req("/client/graphql", &client_headers(None), &q, &v)?,
    )
    .await?;
    data["login"]["session"]["jwt"]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("no session jwt in {data}"))
}

/// Opens a checkout for the customer of `jwt`; returns its code.
pub async fn create_checkout(addr: SocketAddr, ops: &Ops, jwt: &str) -> anyhow::Result<String> {
    let (q, v) = ops.get("client", "checkout_create")?;
    let data = wire::graphql(
        addr,
        &req("/client/graphql", &client_headers(Some(jwt)), &q, &v)?,
    )
    .await?;
    data["checkoutCreate"]["id"]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("no checkout id in {data}"))
}

/// The seed's client quick start, on one connection.
struct QuickStart {
    login: Req,
    inventory: Req,
    create: (String, Value),
    update: String,
}

impl QuickStart {
    fn new(ops: &Ops) -> anyhow::Result<Self> {
        let (lq, lv) = ops.get("client", "login")?;
        let (iq, iv) = ops.get("client", "get_inventory_items")?;
        let (uq, _) = ops.get("client", "checkout_update_items")?;
        Ok(Self {
            login: req("/client/graphql", &client_headers(None), &lq, &lv)?,
            inventory: req("/client/graphql", &client_headers(None), &iq, &iv)?,
            create: ops.get("client", "checkout_create")?,
            update: uq,
        })
    }
}

async fn step(conn: &mut Conn, r: &Req) -> anyhow::Result<Value> {
    let resp = conn.send(r).await?;
    let v = resp.json()?;
    if resp.status != 200 || v.get("errors").is_some() {
        bail!("HTTP {}: {v}", resp.status);
    }
    Ok(v)
}

impl Journey for QuickStart {
    fn run<'a>(
        &'a self,
        conn: &'a mut Conn,
    ) -> std::pin::Pin<Box<dyn Future<Output = anyhow::Result<u64>> + Send + 'a>> {
        Box::pin(async move {
            // Step 1: log in, keep the jwt.
            let v = step(conn, &self.login).await?;
            let jwt = v["data"]["login"]["session"]["jwt"]
                .as_str()
                .context("login: no jwt")?
                .to_string();
            // Step 2: inventory, keep items[0].listings[0].id.
            let v = step(conn, &self.inventory).await?;
            // `Float` in the schema: 1765470890000.0 on the wire.
            let id = &v["data"]["inventoryItems"]["items"][0]["listings"][0]["id"];
            let listing = id
                .as_i64()
                .or_else(|| id.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                .with_context(|| format!("inventory: no listing id in {v}"))?;
            // Step 3: create a checkout, keep its id.
            let auth = client_headers(Some(&jwt));
            let r = req("/client/graphql", &auth, &self.create.0, &self.create.1)?;
            let v = step(conn, &r).await?;
            let id = v["data"]["checkoutCreate"]["id"]
                .as_str()
                .context("checkoutCreate: no id")?
                .to_string();
            // Step 4: add the listing.
            let vars = json!({ "id": id, "items": [{ "listingId": listing, "quantity": 1 }] });
            let r = req("/client/graphql", &auth, &self.update, &vars)?;
            step(conn, &r).await?;
            Ok(4)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_413), (2025, 11, 21));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}
