//! How requests reach carts: addressing by the base fields, creating on first use, access
//! checks, and the one way every mutation changes a cart — load, change, price, save, in one
//! write transaction holding the cart's row lock.

use std::collections::HashMap;
use std::sync::Arc;

use shopql_server_stubs::{ApiError, ApiResult, RequestContext};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection};

use crate::domain::purchase::cart::{CartDoc, TYPE_CART, TYPE_WISHLIST, Warning};
use crate::domain::purchase::catalog::{Product, StoreCatalog};
use crate::domain::purchase::money::Currency;
use crate::domain::purchase::totals::{PricingInput, evaluate};
use crate::domain::purchase::validation::recapture;
use crate::state::AppState;
use crate::store::uuid;

use super::auth::{Access, MAX_ID_LEN, Principal, principal};
use super::cache::{CartView, RequestCache};
use super::catalogs::Catalogs;
use super::db::{self, CartKey, CartRow};

/// The base fields every cart command carries.
#[derive(Debug, Clone, Default)]
pub(crate) struct Base {
    pub cart_id: Option<String>,
    pub store_id: String,
    pub cart_name: Option<String>,
    pub user_id: Option<String>,
    pub currency: Option<String>,
    pub culture: Option<String>,
    pub cart_type: Option<String>,
}

/// Reads the base fields of a generated command input.
#[macro_export]
macro_rules! purchase_base {
    ($c:expr) => {
        $crate::apis::purchase::service::Base {
            cart_id: $c.cart_id.clone().into_option(),
            store_id: $c.store_id.clone(),
            cart_name: $c.cart_name.clone().into_option(),
            user_id: Some($c.user_id.clone()),
            currency: $c.currency_code.clone().into_option(),
            culture: $c.culture_name.clone().into_option(),
            cart_type: $c.cart_type.clone().into_option(),
        }
    };
}

/// `cart` or `wishlist` (the seed's table also spells it "whishlist"); omitted means `cart`.
pub(crate) fn cart_type(text: Option<&str>) -> ApiResult<String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(TYPE_CART.into()),
        Some(t) if t.eq_ignore_ascii_case("cart") => Ok(TYPE_CART.into()),
        Some(t) if t.eq_ignore_ascii_case("wishlist") || t.eq_ignore_ascii_case("whishlist") => {
            Ok(TYPE_WISHLIST.into())
        }
        Some(t) => Err(ApiError::bad_input(format!(
            "cartType `{t}` is not `cart` or `wishlist`"
        ))),
    }
}

/// A bounded identifier or name.
pub(crate) fn id_text(field: &str, value: &str) -> ApiResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::bad_input(format!("{field} must not be empty")));
    }
    if v.len() > MAX_ID_LEN {
        return Err(ApiError::bad_input(format!(
            "{field} is longer than {MAX_ID_LEN} characters"
        )));
    }
    Ok(v.to_string())
}

/// The store's catalogue, or `BAD_USER_INPUT` for an unknown store.
pub(crate) async fn catalog(
    conn: &mut AnyConnection,
    catalogs: &Catalogs,
    store_id: &str,
) -> ApiResult<Arc<StoreCatalog>> {
    catalogs.get(conn, store_id).await
}

/// An optional field, trimmed; empty or blank is not given.
fn given(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|f| !f.is_empty())
}

/// A request's view of where a cart is.
#[derive(Debug, Clone)]
pub(crate) struct Addressed {
    pub principal: Principal,
    pub user_id: String,
    pub cart_id: Option<String>,
    pub key: CartKey,
    pub culture: Option<String>,
    pub catalog: Arc<StoreCatalog>,
}

/// Checks the base fields (store, currency, type, user) against the caller and the store.
pub(crate) async fn address(
    conn: &mut AnyConnection,
    catalogs: &Catalogs,
    principal: Principal,
    base: &Base,
) -> ApiResult<Addressed> {
    let user_id = principal.acting_user(conn, base.user_id.as_deref()).await?;
    let store_id = id_text("storeId", &base.store_id)?;
    let catalog = catalog(conn, catalogs, &store_id).await?;
    let currency = match given(&base.currency) {
        None => catalog.settings.default_currency.clone(),
        Some(c) => catalog.currency(c).map(|c| c.code.clone()).ok_or_else(|| {
            ApiError::bad_input(format!(
                "store `{store_id}` does not sell in currency `{c}`"
            ))
        })?,
    };
    let name = match base.cart_name.as_deref() {
        Some(n) if !n.trim().is_empty() => id_text("cartName", n)?,
        _ => "default".to_string(),
    };
    let cart_id = given(&base.cart_id)
        .map(|id| id_text("cartId", id))
        .transpose()?;
    Ok(Addressed {
        principal,
        key: CartKey {
            store_id,
            user_id: user_id.clone(),
            name,
            currency,
            cart_type: cart_type(base.cart_type.as_deref())?,
        },
        user_id,
        cart_id,
        culture: base.culture.clone(),
        catalog,
    })
}

/// A new, empty cart `id` of the addressed key.
fn new_row(a: &Addressed, id: String, now_ms: i64) -> CartRow {
    CartRow {
        id,
        store_id: a.key.store_id.clone(),
        name: a.key.name.clone(),
        user_id: a.key.user_id.clone(),
        currency: a.key.currency.clone(),
        cart_type: a.key.cart_type.clone(),
        is_anonymous: a.principal.is_anonymous(),
        status: "New".into(),
        comment: None,
        created_ms: now_ms,
        modified_ms: now_ms,
        version: 0,
        doc: Default::default(),
    }
}

/// Finds the addressed cart (by id when it names one, else by key), checking access (and
/// claiming an anonymous cart for the customer whose token meets it); creates it when
/// `create` and it does not exist.
pub(crate) async fn find(
    conn: &mut AnyConnection,
    a: &Addressed,
    create: bool,
    now_ms: i64,
) -> ApiResult<Option<CartRow>> {
    if let Some(id) = &a.cart_id
        && let Some(row) = db::cart_by_id(conn, id).await?
    {
        return authorized(conn, a, row).await.map(Some);
    }
    if let Some(row) = db::cart_by_key(conn, &a.key).await? {
        return authorized(conn, a, row).await.map(Some);
    }
    if !create {
        return Ok(None);
    }
    let row = new_row(a, uuid(), now_ms);
    db::insert_cart_if_absent(conn, &row).await?;
    // A concurrent first use may have won; either way the cart now exists.
    let row = db::cart_by_key(conn, &a.key)
        .await?
        .ok_or_else(|| ApiError::internal("a cart just inserted is missing"))?;
    authorized(conn, a, row).await.map(Some)
}

/// `row` if the caller may use it (see `access`), claimed for a customer when it was anonymous.
async fn authorized(
    conn: &mut AnyConnection,
    a: &Addressed,
    mut row: CartRow,
) -> ApiResult<CartRow> {
    if a.principal.authorize(&row, &a.user_id)? == Access::Claim {
        db::claim_cart(conn, &row.id).await?;
        row.is_anonymous = false;
    }
    Ok(row)
}

/// The catalogue of `row`'s store (the addressed store's when they are the same).
pub(crate) async fn catalog_of(
    conn: &mut AnyConnection,
    catalogs: &Catalogs,
    row: &CartRow,
    addressed: &Arc<StoreCatalog>,
) -> ApiResult<Arc<StoreCatalog>> {
    if row.store_id == addressed.settings.id {
        return Ok(Arc::clone(addressed));
    }
    catalog(conn, catalogs, &row.store_id).await
}

/// The currency a row is priced in (its own; the store's default if the store dropped it).
pub(crate) fn currency_of(row: &CartRow, catalog: &StoreCatalog) -> ApiResult<Currency> {
    catalog
        .currency(&row.currency)
        .or_else(|| catalog.default_currency())
        .cloned()
        .ok_or_else(|| ApiError::internal(format!("store {} has no currency", catalog.settings.id)))
}

fn product_ids(doc: &CartDoc) -> Vec<String> {
    doc.items.iter().map(|l| l.product_id.clone()).collect()
}

/// The products of `doc`'s lines among `products`.
fn products_of(doc: &CartDoc, products: &HashMap<String, Product>) -> HashMap<String, Product> {
    let line = |id: &String| products.get(id).map(|p| (id.clone(), p.clone()));
    doc.items
        .iter()
        .filter_map(|l| line(&l.product_id))
        .collect()
}

/// Prices `row` into a view.
pub(crate) async fn view(
    conn: &mut AnyConnection,
    row: CartRow,
    catalog: Arc<StoreCatalog>,
    culture: Option<&str>,
    now_ms: i64,
) -> ApiResult<CartView> {
    let products = db::load_products(conn, &product_ids(&row.doc)).await?;
    view_with(conn, row, catalog, culture, products, now_ms).await
}

async fn view_with(
    conn: &mut AnyConnection,
    row: CartRow,
    catalog: Arc<StoreCatalog>,
    culture: Option<&str>,
    products: HashMap<String, Product>,
    now_ms: i64,
) -> ApiResult<CartView> {
    let customer_name = CustomerNames::default().of(conn, &row).await?;
    priced(row, catalog, culture, products, now_ms, customer_name)
}

/// Prices `row` into a view (no I/O).
fn priced(
    row: CartRow,
    catalog: Arc<StoreCatalog>,
    culture: Option<&str>,
    products: HashMap<String, Product>,
    now_ms: i64,
    customer_name: String,
) -> ApiResult<CartView> {
    let currency = currency_of(&row, &catalog)?;
    let culture = catalog.culture(culture);
    let eval = evaluate(
        &row.doc,
        &PricingInput {
            catalog: &catalog,
            currency: &currency,
            products: &products,
            now_ms,
        },
    );
    Ok(CartView {
        row,
        catalog,
        currency,
        culture,
        products,
        eval,
        customer_name,
        now_ms,
    })
}

/// Prices several rows (the `carts` page): one product query for all of them.
pub(crate) async fn views(
    conn: &mut AnyConnection,
    catalogs: &Catalogs,
    rows: Vec<CartRow>,
    culture: Option<&str>,
    now_ms: i64,
) -> ApiResult<Vec<CartView>> {
    let ids: Vec<String> = rows.iter().flat_map(|r| product_ids(&r.doc)).collect();
    let products = db::load_products(conn, &ids).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let catalog = catalog(conn, catalogs, &row.store_id).await?;
        let mine = products_of(&row.doc, &products);
        out.push(view_with(conn, row, catalog, culture, mine, now_ms).await?);
    }
    Ok(out)
}

/// Remembers `view` for the request's lazy fields and returns it shared.
pub(crate) fn remember(ctx: &RequestContext, view: CartView) -> Arc<CartView> {
    let view = Arc::new(view);
    if let Some(cache) = ctx.get::<RequestCache>() {
        cache.put(Arc::clone(&view));
    }
    view
}

/// What a mutation may look at and change.
#[derive(Debug)]
pub(crate) struct Change<'a> {
    /// The cart's content.
    pub doc: &'a mut CartDoc,
    /// `cart` or `wishlist`.
    pub cart_type: &'a str,
    /// Its store.
    pub catalog: &'a StoreCatalog,
    /// Its currency.
    pub currency: &'a Currency,
    /// The request's culture.
    pub culture: &'a str,
    /// The products of its lines and those the mutation named.
    pub products: &'a HashMap<String, Product>,
    /// Now.
    pub now_ms: i64,
    /// Warnings of this mutation (they replace the cart's stored warnings).
    pub warnings: Vec<Warning>,
    /// Re-capture prices and availability after the change (refresh).
    pub recapture: bool,
}

impl Change<'_> {
    /// The catalogue's unit sale price of `product` in the cart's currency.
    pub(crate) fn sale_price(&self, product: &Product) -> Option<rust_decimal::Decimal> {
        self.catalog
            .unit_price(product, self.currency)
            .map(|(_, s)| s)
    }
}

/// A mutation's change of a cart, as `mutate` takes it: run once, on the cart as the commands
/// before it in its batch left it.
pub(crate) type ChangeFn = Box<dyn FnOnce(&mut Change<'_>) -> ApiResult<()> + Send>;

/// One mutation of a cart, waiting for its turn (see `combine`).
pub(crate) struct Command {
    /// Who addresses which cart.
    pub a: Addressed,
    /// The products the change names besides the cart's lines.
    pub extra_products: Vec<String>,
    /// The change.
    pub change: ChangeFn,
    /// The request's time.
    pub now_ms: i64,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Command")
            .field("a", &self.a)
            .finish_non_exhaustive()
    }
}

/// Changes the addressed cart (creating it on first use): applies `change`, prices the cart,
/// saves it and commits; returns the priced cart. An error from `change` changes nothing.
///
/// Addressing (the caller's user, the store's catalogue) and finding the cart's id are reads,
/// done here on a pooled connection in parallel with other requests. The change itself goes to
/// the cart's queue in this node (`combine`): the mutations that queue for one cart run in
/// one transaction that locks its row once and commits once, which is what keeps a cart that
/// many connections change at once from serialising them one transaction (and one row-lock
/// wait) each (issue #25). A cart that does not exist yet is created and changed in a
/// transaction of its own, so that a failed first change creates nothing.
pub(crate) async fn mutate<F>(
    state: &AppState,
    ctx: &RequestContext,
    base: Base,
    extra_products: Vec<String>,
    change: F,
) -> ApiResult<Arc<CartView>>
where
    F: FnOnce(&mut Change<'_>) -> ApiResult<()> + Send + 'static,
{
    let principal = principal(ctx, &state.store).await?;
    let now_ms = state.now_ms();
    let (a, id) = {
        let mut conn = state.store.pool.acquire().await?;
        let a = address(&mut conn, &state.catalogs, principal, &base).await?;
        let id = existing_id(&mut conn, &a).await?;
        (a, id)
    };
    let command = Command {
        a,
        extra_products,
        change: Box::new(change),
        now_ms,
    };
    let v = match id {
        Some(id) => state.cart_writers.submit(state, id, command).await?,
        None => create_and_change(state, command).await?,
    };
    Ok(remember(ctx, v))
}

/// The id of the cart `find` would find, without creating or claiming anything.
async fn existing_id(conn: &mut AnyConnection, a: &Addressed) -> ApiResult<Option<String>> {
    if let Some(id) = &a.cart_id
        && let Some(row) = db::cart_by_id(conn, id).await?
    {
        return Ok(Some(row.id));
    }
    Ok(db::cart_by_key(conn, &a.key).await?.map(|row| row.id))
}

/// A first change: creates the cart and changes it in one transaction.
async fn create_and_change(state: &AppState, command: Command) -> ApiResult<CartView> {
    let mut tx = state.store.begin().await?;
    let found = find(&mut tx, &command.a, true, command.now_ms)
        .await?
        .ok_or_else(|| ApiError::internal("cart not created"))?;
    let mut out = apply(&mut tx, &state.catalogs, &found.id, vec![command]).await?;
    let v = out
        .pop()
        .ok_or_else(|| ApiError::internal("a change was not answered"))??;
    tx.commit().await?;
    Ok(v)
}

/// Locks cart `id` (inside the caller's write transaction) and applies `commands` to it in
/// order, each to the cart as the ones before it left it, then saves it once. The outcome of
/// each command, in order: a command that is refused (access, a failed check in its change)
/// leaves the cart as it was and fails alone. An `Err` (the lock, the save, a lost
/// connection) fails them all; the caller must then not commit. Nothing to save (every command
/// refused) saves nothing.
pub(crate) async fn apply(
    conn: &mut AnyConnection,
    catalogs: &Catalogs,
    id: &str,
    commands: Vec<Command>,
) -> ApiResult<Vec<ApiResult<CartView>>> {
    let mut row = db::lock_cart(conn, id).await?.ok_or_else(|| {
        ApiError::conflict("the cart was removed while it was being changed; try again")
    })?;
    // One product query for the whole batch: the cart's lines and every product a command names
    // (a line a command adds is then known to the commands after it).
    let mut ids = product_ids(&row.doc);
    ids.extend(
        commands
            .iter()
            .flat_map(|c| c.extra_products.iter().cloned()),
    );
    let products = db::load_products(conn, &ids).await?;
    let mut names = CustomerNames::default();
    let mut out = Vec::with_capacity(commands.len());
    let mut changed = false;
    for command in commands {
        let r = change_one(conn, catalogs, &row, &products, &mut names, command).await;
        out.push(r.map(|(next, v)| {
            row = next;
            changed = true;
            v
        }));
    }
    if changed {
        db::save_cart(conn, &row).await?;
    }
    Ok(out)
}

/// The customer's display name, read once per batch.
#[derive(Default)]
struct CustomerNames(Option<(String, String)>);

impl CustomerNames {
    async fn of(&mut self, conn: &mut AnyConnection, row: &CartRow) -> ApiResult<String> {
        if row.is_anonymous {
            return Ok("Anonymous".to_string());
        }
        if let Some((user, name)) = &self.0
            && *user == row.user_id
        {
            return Ok(name.clone());
        }
        let name = db::customer_name(conn, &row.user_id)
            .await?
            .unwrap_or_else(|| row.user_id.clone());
        self.0 = Some((row.user_id.clone(), name.clone()));
        Ok(name)
    }
}

/// One command on a copy of `row`: the changed row and its priced view, or why it was refused.
async fn change_one(
    conn: &mut AnyConnection,
    catalogs: &Catalogs,
    row: &CartRow,
    products: &HashMap<String, Product>,
    names: &mut CustomerNames,
    command: Command,
) -> ApiResult<(CartRow, CartView)> {
    let Command {
        a,
        change,
        now_ms: now,
        ..
    } = command;
    let mut row = row.clone();
    // The access check `find` makes, on the locked row.
    if a.principal.authorize(&row, &a.user_id)? == Access::Claim {
        row.is_anonymous = false;
    }
    let catalog = catalog_of(conn, catalogs, &row, &a.catalog).await?;
    let currency = currency_of(&row, &catalog)?;
    let culture = catalog.culture(a.culture.as_deref());
    let (warnings, refresh) = {
        let mut c = Change {
            doc: &mut row.doc,
            cart_type: &row.cart_type,
            catalog: &catalog,
            currency: &currency,
            culture: &culture,
            products,
            now_ms: now,
            warnings: Vec::new(),
            recapture: false,
        };
        change(&mut c)?;
        (c.warnings, c.recapture)
    };
    row.doc.warnings = warnings;
    if refresh {
        let eval = evaluate(
            &row.doc,
            &PricingInput {
                catalog: &catalog,
                currency: &currency,
                products,
                now_ms: now,
            },
        );
        recapture(&mut row.doc, &eval);
    }
    row.comment = row.doc.comment.clone();
    row.modified_ms = now;
    let mine = products_of(&row.doc, products);
    let customer_name = names.of(conn, &row).await?;
    let v = priced(
        row.clone(),
        catalog,
        Some(&culture),
        mine,
        now,
        customer_name,
    )?;
    Ok((row, v))
}

/// The caller's address of `base` and the cart there (not created), on a pooled connection;
/// the reads `read` and `peek` start with.
async fn locate(
    state: &AppState,
    ctx: &RequestContext,
    base: Base,
) -> ApiResult<(PoolConnection<Any>, Addressed, Option<CartRow>, i64)> {
    let principal = principal(ctx, &state.store).await?;
    let now = state.now_ms();
    let mut conn = state.store.pool.acquire().await?;
    let a = address(&mut conn, &state.catalogs, principal, &base).await?;
    let row = find(&mut conn, &a, false, now).await?;
    Ok((conn, a, row, now))
}

/// Reads the addressed cart, creating it (empty) on first use.
pub(crate) async fn read(
    state: &AppState,
    ctx: &RequestContext,
    base: Base,
) -> ApiResult<Arc<CartView>> {
    let (mut conn, a, row, now) = locate(state, ctx, base).await?;
    let row = match row {
        Some(row) => row,
        None => {
            drop(conn);
            let mut tx = state.store.begin().await?;
            let row = find(&mut tx, &a, true, now)
                .await?
                .ok_or_else(|| ApiError::internal("cart not created"))?;
            tx.commit().await?;
            conn = state.store.pool.acquire().await?;
            row
        }
    };
    let catalog = catalog_of(&mut conn, &state.catalogs, &row, &a.catalog).await?;
    let v = view(&mut conn, row, catalog, a.culture.as_deref(), now).await?;
    Ok(remember(ctx, v))
}

/// Reads the addressed cart without creating it: an empty cart of that key when it does not
/// exist (used by `validateCoupon`, which changes nothing).
pub(crate) async fn peek(
    state: &AppState,
    ctx: &RequestContext,
    base: Base,
) -> ApiResult<CartView> {
    let (mut conn, a, row, now) = locate(state, ctx, base).await?;
    let row = row.unwrap_or_else(|| new_row(&a, String::new(), now));
    let catalog = catalog_of(&mut conn, &state.catalogs, &row, &a.catalog).await?;
    view(&mut conn, row, catalog, a.culture.as_deref(), now).await
}
