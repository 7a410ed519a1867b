//! The cart endpoint (`/{tenant}/cart`): hydration, item changes, the state machine
//! cart → placed → paid (→ ordered, or abandoned), order intents and vouchers.

use rust_decimal::Decimal;
use shopql_server_stubs::shop::{self as api, ShopResolvers};
use shopql_server_stubs::{ApiError, ApiResult, FieldContext, Maybe};

use super::auth::principal;
use super::carts;
use super::catalogue;
use super::compute::{recompute, sku_line};
use super::input::{self, MAX_LINES, add_quantities, cart_id, parse_uuid, quantity};
use super::model::{CartDoc, CartRecord, CartState, LineDoc, Origin, ProductDoc, StringMap};
use super::order_intent::{self, Format};
use super::view;
use crate::apis::optional;
use crate::apis::shop::counters::{CartEvent, record_cart_event};
use crate::apis::shop::promotions;
use crate::domain::money::to_wire_float;
use crate::domain::pricing::GivenPrice;
use crate::state::AppState;
use crate::store::sql::Doc;
use crate::store::{Tx, uuid};

/// The cart endpoint's resolvers.
#[derive(Clone)]
pub(crate) struct ShopApi {
    state: AppState,
}

impl ShopApi {
    /// Resolvers over `state`.
    pub(crate) fn new(state: &AppState) -> Self {
        Self {
            state: state.clone(),
        }
    }

    fn now(&self) -> i64 {
        self.state.now_ms()
    }

    /// The cart lifetime of a context that does not say (the configured 3 months).
    fn default_ttl_s(&self) -> i64 {
        (self.state.config.cart_ttl_ms / 1000).max(1)
    }

    /// Reads the unexpired cart `id` of the caller's tenant, and when it was read.
    async fn read(
        &self,
        ctx: &FieldContext<'_>,
        id: Option<String>,
    ) -> ApiResult<(Option<CartRecord>, i64)> {
        let tenant = principal(ctx)?.tenant.clone();
        let id = cart_id(id.as_deref())?;
        let now = self.now();
        let mut conn = self.state.store.pool.acquire().await?;
        Ok((carts::get(&mut conn, &tenant, &id, now).await?, now))
    }

    /// Locks the unexpired cart `id` of the caller's tenant for a change, or `NOT_FOUND`.
    async fn lock(&self, ctx: &FieldContext<'_>, id: Option<String>) -> ApiResult<Locked> {
        let tenant = principal(ctx)?.tenant.clone();
        let id = cart_id(id.as_deref())?;
        let now = self.now();
        let mut tx = self.state.store.begin().await?;
        match carts::lock(&mut tx, &tenant, &id).await? {
            Some(cart) if !cart.is_expired(now) => Ok(Locked {
                tenant,
                tx,
                cart,
                now,
            }),
            _ => Err(ApiError::not_found(format!("no cart with id `{id}`"))),
        }
    }

    /// Applies `change` to the items of an editable cart, recomputes and saves it.
    async fn change_items<F>(
        &self,
        ctx: &FieldContext<'_>,
        id: Option<String>,
        change: F,
    ) -> ApiResult<Option<api::Cart>>
    where
        F: FnOnce(&mut CartDoc) -> ApiResult<()> + Send,
    {
        let mut l = self.lock(ctx, id).await?;
        editable(&l.cart)?;
        change(&mut l.cart.doc)?;
        recompute(&mut l.tx, &l.tenant, &mut l.cart.doc, l.now).await?;
        l.save_view().await
    }

    /// Moves a cart through the state machine: `transition` says, from the current state,
    /// whether to change it (`Some(new state)`), keep it unchanged (`None`), or refuse; a change
    /// counts `event` for the usage API.
    async fn transition<F>(
        &self,
        ctx: &FieldContext<'_>,
        id: Option<String>,
        event: Option<CartEvent>,
        transition: F,
    ) -> ApiResult<Option<api::Cart>>
    where
        F: FnOnce(&CartRecord) -> ApiResult<Option<CartState>> + Send,
    {
        let mut l = self.lock(ctx, id).await?;
        let Some(next) = transition(&l.cart)? else {
            // Unchanged: nothing to write (dropping the transaction rolls the lock back).
            return Ok(Some(view::cart(&l.cart, self.now())));
        };
        if next == CartState::Placed {
            // A final re-hydration of the managed lines before the cart becomes read-only.
            recompute(&mut l.tx, &l.tenant, &mut l.cart.doc, l.now).await?;
        }
        l.cart.state = next;
        let tenant = l.tenant.clone();
        let cart = l.save().await?;
        if let Some(event) = event {
            record_cart_event(&self.state, &tenant, event);
        }
        Ok(Some(view::cart(&cart, self.now())))
    }
}

/// A cart locked for a change, in its write transaction.
struct Locked {
    tenant: String,
    tx: Tx,
    cart: CartRecord,
    now: i64,
}

impl Locked {
    /// Marks the cart changed now, writes it and commits; the saved cart.
    async fn save(mut self) -> ApiResult<CartRecord> {
        self.cart.touch(self.now);
        carts::save(&mut self.tx, &self.tenant, &self.cart).await?;
        self.tx.commit().await?;
        Ok(self.cart)
    }

    /// [`Self::save`], answered as the API's view of the cart.
    async fn save_view(self) -> ApiResult<Option<api::Cart>> {
        let now = self.now;
        Ok(Some(view::cart(&self.save().await?, now)))
    }
}

fn editable(cart: &CartRecord) -> ApiResult<()> {
    if cart.state == CartState::Cart {
        Ok(())
    } else {
        Err(ApiError::conflict(format!(
            "the cart is {}: it is read-only",
            cart.state.as_str()
        )))
    }
}

fn required_sku(sku: Option<String>) -> ApiResult<String> {
    sku.map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad_input("the `sku` is required"))
}

fn no_line(sku: &str) -> ApiError {
    ApiError::not_found(format!("the cart has no line with SKU `{sku}`"))
}

/// A caller-described line (external item, or `setCartItem`'s unmanaged line).
fn described_line(input: &api::CartItemInputType, origin: Origin) -> ApiResult<LineDoc> {
    let sku = input.sku.trim().to_string();
    if sku.is_empty() {
        return Err(ApiError::bad_input("an item `sku` must not be empty"));
    }
    let price = input::given_price(&input.variant.price, &sku)?;
    let product = &input.variant.product;
    Ok(LineDoc {
        quantity: quantity(input.quantity.as_option().copied(), "quantity")?,
        origin,
        managed: false,
        tax_rate_override: None,
        meta: input::key_values(&input.meta),
        name: input.name.clone(),
        variant_name: Some(input.name.clone()),
        product: ProductDoc {
            id: product.id.clone(),
            name: input.name.clone(),
            path: product.path.clone(),
            shortcuts: None,
            topics: input::topics(&product.topics),
            vat_percent: None,
        },
        images: input::images(&input.images),
        attributes: input::key_values(&input.variant.attributes),
        given_price: Some(price),
        priced: None,
        sku,
    })
}

/// Adds `q` of `sku` to `lines`: to its line (a managed line also takes the tax rate and meta
/// given), or as a new managed line.
fn add_sku(
    lines: &mut Vec<LineDoc>,
    sku: &str,
    q: u32,
    rate: Option<Decimal>,
    meta: Option<StringMap>,
) -> ApiResult<()> {
    let Some(line) = lines.iter_mut().find(|l| l.sku == sku) else {
        lines.push(sku_line(sku, q, rate, meta));
        return Ok(());
    };
    line.quantity = add_quantities(line.quantity, q, sku)?;
    if line.managed {
        if rate.is_some() {
            line.tax_rate_override = rate;
        }
        if let Some(meta) = meta {
            line.meta.get_or_insert_with(Default::default).extend(meta);
        }
    }
    Ok(())
}

/// The lines of a hydration: SKU items merged by SKU (quantities summed), then external items.
fn hydration_lines(input: &api::CartInput) -> ApiResult<Vec<LineDoc>> {
    // The input lists themselves are bounded, before any merging of repeated SKUs.
    let given = input.items.as_option().map_or(0, Vec::len)
        + input.external_items.as_option().map_or(0, Vec::len);
    if given > MAX_LINES {
        return Err(ApiError::bad_input(format!(
            "at most {MAX_LINES} items may be given at once; the input has {given}"
        )));
    }
    let mut lines: Vec<LineDoc> = Vec::new();
    if let Maybe::Value(items) = &input.items {
        for item in items.iter().flatten() {
            let sku = item.sku.trim();
            if sku.is_empty() {
                return Err(ApiError::bad_input("an item `sku` must not be empty"));
            }
            let q = quantity(item.quantity.as_option().copied(), "quantity")?;
            let rate = optional(&item.tax_rate, |r| input::rate(*r, "taxRate"))?;
            let meta = input::key_values(&item.meta);
            // Only SKU lines are in the list yet: all managed.
            add_sku(&mut lines, sku, q, rate, meta)?;
        }
    }
    if let Maybe::Value(items) = &input.external_items {
        for item in items.iter().flatten() {
            let line = described_line(item, Origin::External)?;
            if lines.iter().any(|l| l.sku == line.sku) {
                return Err(ApiError::bad_input(format!(
                    "SKU `{}` is given twice: a cart has one line per SKU",
                    line.sku
                )));
            }
            lines.push(line);
        }
    }
    if lines.len() > MAX_LINES {
        return Err(ApiError::bad_input(format!(
            "a cart holds at most {MAX_LINES} lines; the input has {}",
            lines.len()
        )));
    }
    Ok(lines)
}

/// Replaces a cart's lines by a hydration's: lines already in the cart keep their position,
/// new ones follow in input order; unmanaged lines keep their data and take the new quantity.
fn replace_lines(old: Vec<LineDoc>, new: Vec<LineDoc>) -> Vec<LineDoc> {
    let mut new: Vec<Option<LineDoc>> = new.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(new.len());
    for old_line in old {
        let Some(slot) = new
            .iter_mut()
            .find(|n| n.as_ref().is_some_and(|n| n.sku == old_line.sku))
        else {
            continue;
        };
        let Some(line) = slot.take() else { continue };
        if !old_line.managed && line.managed {
            out.push(LineDoc {
                quantity: line.quantity,
                ..old_line
            });
        } else {
            out.push(line);
        }
    }
    out.extend(new.into_iter().flatten());
    out
}

#[shopql_server_stubs::async_trait::async_trait]
impl ShopResolvers for ShopApi {
    async fn cart(
        &self,
        ctx: &FieldContext<'_>,
        id: Option<api::Uuid>,
    ) -> ApiResult<Option<api::Cart>> {
        let (cart, now) = self.read(ctx, id).await?;
        Ok(cart.map(|c| view::cart(&c, now)))
    }

    async fn order_intent(
        &self,
        ctx: &FieldContext<'_>,
        id: Option<api::Uuid>,
        format: Option<api::OrderIntentFormat>,
    ) -> ApiResult<Option<api::OrderIntentResult>> {
        let (Some(cart), now) = self.read(ctx, id).await? else {
            return Ok(None);
        };
        if matches!(cart.state, CartState::Cart | CartState::Abandoned) {
            return Err(ApiError::conflict(format!(
                "the cart is {}: only placed, paid or ordered carts have an order intent",
                cart.state.as_str()
            )));
        }
        let format = match format {
            Some(api::OrderIntentFormat::Legacy) => Format::Legacy,
            _ => Format::Core,
        };
        Ok(Some(api::OrderIntentResult {
            order: Some(order_intent::order(&cart, format)),
            cart: Some(view::cart(&cart, now)),
        }))
    }

    async fn validate_voucher(
        &self,
        ctx: &FieldContext<'_>,
        voucher: String,
    ) -> ApiResult<Option<api::VoucherValidationResult>> {
        let caller = principal(ctx)?;
        let tenant = caller.tenant.clone();
        // An answer per guessed code: a budget per access token and per address.
        let who = format!("shop:{tenant}:{}", caller.access_token_id);
        self.state.limits.coupon_check(ctx, &who).await?;
        let now = self.now();
        let mut conn = self.state.store.pool.acquire().await?;
        let found: Vec<api::SlimPromotion> = promotions::load_all(&mut conn, &tenant)
            .await?
            .into_iter()
            .filter(|p| p.is_active(now) && p.accepts_voucher(&voucher))
            .map(|p| api::SlimPromotion {
                identifier: Some(p.identifier.clone()),
                name: p.name.clone(),
                mechanism: Some(api::Mechanism {
                    r#type: Some(view::mechanism(p.mechanism.kind)),
                    value: Some(to_wire_float(p.mechanism.value)),
                }),
            })
            .collect();
        Ok(Some(api::VoucherValidationResult {
            is_valid: Some(!found.is_empty()),
            promotions: Some(found.into_iter().map(Some).collect()),
        }))
    }

    async fn hydrate(
        &self,
        ctx: &FieldContext<'_>,
        input: api::CartInput,
    ) -> ApiResult<Option<api::Cart>> {
        let tenant = principal(ctx)?.tenant.clone();
        let now = self.now();
        let id = optional(&input.id, |id| parse_uuid(id))?.unwrap_or_else(uuid);
        let lines = hydration_lines(&input)?;
        let context = optional(&input.context, |c| input::context(c, self.default_ttl_s()))?;
        let customer = optional(&input.customer, input::customer)?;
        let meta = input::key_values(&input.meta);

        let mut tx = self.state.store.begin().await?;
        let existing = match carts::lock(&mut tx, &tenant, &id).await? {
            Some(cart) if cart.is_expired(now) => {
                // An expired cart is gone: its id starts a new cart.
                carts::delete(&mut tx, &tenant, &id, None).await?;
                None
            }
            other => other,
        };
        let (mut cart, is_new) = match existing {
            Some(mut cart) => {
                editable(&cart)?;
                let old = std::mem::take(&mut cart.doc.items);
                cart.doc.items = replace_lines(old, lines);
                if let Some(c) = context {
                    cart.doc.context = c;
                }
                if customer.is_some() {
                    cart.doc.customer = customer;
                }
                if meta.is_some() {
                    cart.doc.meta = meta;
                }
                (cart, false)
            }
            None => {
                let mut doc =
                    CartDoc::new(context.unwrap_or_else(|| {
                        super::model::ContextDoc::defaults(self.default_ttl_s())
                    }));
                doc.items = lines;
                doc.customer = customer;
                doc.meta = meta;
                let cart = CartRecord {
                    id: id.clone(),
                    state: CartState::Cart,
                    created_at: now,
                    updated_at: now,
                    ttl_ms: 0,
                    expires_at: 0,
                    stale_ttl_ms: None,
                    stale_at: None,
                    order_id: None,
                    version: 1,
                    doc: Doc(doc),
                };
                (cart, true)
            }
        };
        recompute(&mut tx, &tenant, &mut cart.doc, now).await?;
        cart.touch(now);
        if !is_new {
            carts::save(&mut tx, &tenant, &cart).await?;
        } else if !carts::insert(&mut tx, &tenant, &cart).await? {
            return Err(ApiError::conflict(format!(
                "a cart with id `{id}` was created concurrently; hydrate it again"
            )));
        }
        tx.commit().await?;
        record_cart_event(&self.state, &tenant, CartEvent::Hydrated);
        Ok(Some(view::cart(&cart, now)))
    }

    async fn place(
        &self,
        ctx: &FieldContext<'_>,
        id: Option<api::Uuid>,
    ) -> ApiResult<Option<api::Cart>> {
        self.transition(ctx, id, Some(CartEvent::Placed), |cart| match cart.state {
            CartState::Cart if cart.doc.items.is_empty() => {
                Err(ApiError::bad_input("a cart with no items cannot be placed"))
            }
            CartState::Cart => Ok(Some(CartState::Placed)),
            CartState::Placed => Ok(None),
            other => Err(ApiError::conflict(format!(
                "the cart is {}: only a cart in state `cart` can be placed",
                other.as_str()
            ))),
        })
        .await
    }

    async fn pay(
        &self,
        ctx: &FieldContext<'_>,
        id: Option<api::Uuid>,
    ) -> ApiResult<Option<api::Cart>> {
        self.transition(ctx, id, Some(CartEvent::Paid), |cart| match cart.state {
            CartState::Placed => Ok(Some(CartState::Paid)),
            CartState::Paid => Ok(None),
            other => Err(ApiError::conflict(format!(
                "the cart is {}: only a placed cart can be paid",
                other.as_str()
            ))),
        })
        .await
    }

    async fn fulfill(
        &self,
        ctx: &FieldContext<'_>,
        id: Option<api::Uuid>,
        order_id: String,
    ) -> ApiResult<Option<api::Cart>> {
        let order_id = order_id.trim().to_string();
        if order_id.is_empty() {
            return Err(ApiError::bad_input("`orderId` must not be empty"));
        }
        let mut l = self.lock(ctx, id).await?;
        match l.cart.state {
            CartState::Placed | CartState::Paid => {
                l.cart.state = CartState::Ordered;
                l.cart.order_id = Some(order_id);
                l.save_view().await
            }
            CartState::Ordered if l.cart.order_id.as_deref() == Some(order_id.as_str()) => {
                Ok(Some(view::cart(&l.cart, l.now)))
            }
            CartState::Ordered => Err(ApiError::conflict(
                "the cart is already ordered with another order id",
            )),
            other => Err(ApiError::conflict(format!(
                "the cart is {}: only a placed or paid cart can be fulfilled",
                other.as_str()
            ))),
        }
    }

    async fn abandon(
        &self,
        ctx: &FieldContext<'_>,
        id: Option<api::Uuid>,
    ) -> ApiResult<Option<api::Cart>> {
        self.transition(ctx, id, None, |cart| match cart.state {
            CartState::Cart => Ok(Some(CartState::Abandoned)),
            CartState::Abandoned => Ok(None),
            other => Err(ApiError::conflict(format!(
                "the cart is {}: only a cart in state `cart` can be abandoned",
                other.as_str()
            ))),
        })
        .await
    }

    async fn remove(
        &self,
        ctx: &FieldContext<'_>,
        id: Option<api::Uuid>,
    ) -> ApiResult<Option<bool>> {
        let tenant = principal(ctx)?.tenant.clone();
        let id = cart_id(id.as_deref())?;
        let mut conn = self.state.store.pool.acquire().await?;
        Ok(Some(
            carts::delete(&mut conn, &tenant, &id, Some(self.now())).await?,
        ))
    }

    async fn add_sku_item(
        &self,
        ctx: &FieldContext<'_>,
        id: Option<api::Uuid>,
        input: api::CartSkuItemInput,
    ) -> ApiResult<Option<api::Cart>> {
        let sku = required_sku(Some(input.sku.clone()))?;
        let q = quantity(input.quantity.as_option().copied(), "input.quantity")?;
        let rate = optional(&input.tax_rate, |r| input::rate(*r, "input.taxRate"))?;
        let meta = input::key_values(&input.meta);
        self.change_items(ctx, id, move |doc| {
            add_sku(&mut doc.items, &sku, q, rate, meta)
        })
        .await
    }

    async fn add_external_item(
        &self,
        ctx: &FieldContext<'_>,
        id: Option<api::Uuid>,
        input: api::CartItemInputType,
    ) -> ApiResult<Option<api::Cart>> {
        let mut line = described_line(&input, Origin::External)?;
        self.change_items(ctx, id, move |doc| {
            if let Some(existing) = doc.line_mut(&line.sku) {
                line.quantity = add_quantities(existing.quantity, line.quantity, &line.sku)?;
                *existing = line;
            } else {
                doc.items.push(line);
            }
            Ok(())
        })
        .await
    }

    async fn add_cart_item(
        &self,
        ctx: &FieldContext<'_>,
        id: Option<api::Uuid>,
        sku: Option<String>,
        quantity: Option<api::PositiveInt>,
    ) -> ApiResult<Option<api::Cart>> {
        let sku = required_sku(sku)?;
        let q = input::quantity(quantity, "quantity")?;
        self.change_items(ctx, id, move |doc| {
            let line = doc.line_mut(&sku).ok_or_else(|| no_line(&sku))?;
            line.quantity = add_quantities(line.quantity, q, &sku)?;
            Ok(())
        })
        .await
    }

    async fn remove_cart_item(
        &self,
        ctx: &FieldContext<'_>,
        id: Option<api::Uuid>,
        sku: Option<String>,
        quantity: Option<api::PositiveInt>,
    ) -> ApiResult<Option<api::Cart>> {
        let sku = required_sku(sku)?;
        let q = input::quantity(quantity, "quantity")?;
        self.change_items(ctx, id, move |doc| {
            let index = doc
                .items
                .iter()
                .position(|l| l.sku == sku)
                .ok_or_else(|| no_line(&sku))?;
            if doc.items[index].quantity <= q {
                doc.items.remove(index);
            } else {
                doc.items[index].quantity -= q;
            }
            Ok(())
        })
        .await
    }

    async fn set_cart_item(
        &self,
        ctx: &FieldContext<'_>,
        id: Option<api::Uuid>,
        input: api::CartItemInputType,
    ) -> ApiResult<Option<api::Cart>> {
        let tenant = principal(ctx)?.tenant.clone();
        let in_catalogue = {
            let mut conn = self.state.store.pool.acquire().await?;
            catalogue::has_sku(&mut conn, &tenant, input.sku.trim()).await?
        };
        let origin = if in_catalogue {
            Origin::Crystallize
        } else {
            Origin::External
        };
        let line = described_line(&input, origin)?;
        self.change_items(ctx, id, move |doc| {
            if let Some(existing) = doc.line_mut(&line.sku) {
                *existing = line;
            } else {
                doc.items.push(line);
            }
            Ok(())
        })
        .await
    }

    async fn change_cart_item_pricing(
        &self,
        ctx: &FieldContext<'_>,
        id: Option<api::Uuid>,
        input: api::CartItemPricingChangeType,
    ) -> ApiResult<Option<api::Cart>> {
        let sku = required_sku(Some(input.sku.clone()))?;
        let q = optional(&input.quantity, |q| quantity(Some(*q), "input.quantity"))?;
        let price = optional(&input.price, |p| input::given_price(p, &sku))?;
        self.change_items(ctx, id, move |doc| {
            let line = doc.line_mut(&sku).ok_or_else(|| no_line(&sku))?;
            if let Some(q) = q {
                line.quantity = q;
            }
            match price {
                Some(p) => line.given_price = Some(p),
                None if line.given_price.is_none() => {
                    // Freeze the current unit price (after its discounts) as the line's own.
                    let unit = line
                        .priced
                        .as_ref()
                        .map(|p| p.unit.clone())
                        .unwrap_or_default();
                    line.given_price = Some(GivenPrice {
                        gross: unit.gross,
                        net: unit.net,
                        discounts: unit.discounts.iter().map(|d| d.amount).collect(),
                    });
                }
                None => {}
            }
            line.managed = false;
            Ok(())
        })
        .await
    }

    async fn set_customer(
        &self,
        ctx: &FieldContext<'_>,
        id: Option<api::Uuid>,
        input: api::CustomerInput,
    ) -> ApiResult<Option<api::Cart>> {
        let customer = input::customer(&input)?;
        let mut l = self.lock(ctx, id).await?;
        editable(&l.cart)?;
        l.cart.doc.customer = Some(customer);
        l.save_view().await
    }

    async fn set_meta(
        &self,
        ctx: &FieldContext<'_>,
        id: Option<api::Uuid>,
        meta: Option<Vec<Option<api::KeyValueInput>>>,
        merge: Option<bool>,
    ) -> ApiResult<Option<api::Cart>> {
        let pairs = input::pairs_to_map(meta.iter().flatten().flatten());
        let merge = merge.unwrap_or(true);
        // Meta never affects prices, so it may change in every state.
        let mut l = self.lock(ctx, id).await?;
        let cart = &mut l.cart;
        if merge {
            if !pairs.is_empty() {
                cart.doc
                    .meta
                    .get_or_insert_with(Default::default)
                    .extend(pairs);
            }
        } else {
            cart.doc.meta = (!pairs.is_empty()).then_some(pairs);
        }
        l.save_view().await
    }

    // The string maps' `…(key)` fields: the value of one key.
    async fn cart_meta_property(
        &self,
        _ctx: &FieldContext<'_>,
        parent: &api::Cart,
        key: String,
    ) -> ApiResult<Option<String>> {
        Ok(view::value_of(parent.meta.as_ref(), &key))
    }

    async fn cart_item_meta_property(
        &self,
        _ctx: &FieldContext<'_>,
        parent: &api::CartItem,
        key: String,
    ) -> ApiResult<Option<String>> {
        Ok(view::value_of(parent.meta.as_ref(), &key))
    }

    async fn product_variant_attribute(
        &self,
        _ctx: &FieldContext<'_>,
        parent: &api::ProductVariant,
        key: String,
    ) -> ApiResult<Option<String>> {
        Ok(view::value_of(parent.attributes.as_ref(), &key))
    }

    async fn customer_external_reference(
        &self,
        _ctx: &FieldContext<'_>,
        parent: &api::Customer,
        key: String,
    ) -> ApiResult<Option<String>> {
        Ok(view::value_of(parent.external_references.as_ref(), &key))
    }

    async fn customer_meta_property(
        &self,
        _ctx: &FieldContext<'_>,
        parent: &api::Customer,
        key: String,
    ) -> ApiResult<Option<String>> {
        Ok(view::value_of(parent.meta.as_ref(), &key))
    }

    async fn address_meta_property(
        &self,
        _ctx: &FieldContext<'_>,
        parent: &api::Address,
        key: String,
    ) -> ApiResult<Option<String>> {
        Ok(view::value_of(parent.meta.as_ref(), &key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(sku: &str, q: u32) -> LineDoc {
        LineDoc {
            managed: false,
            origin: Origin::External,
            given_price: Some(GivenPrice {
                gross: 1.into(),
                net: 1.into(),
                discounts: vec![],
            }),
            ..sku_line(sku, q, None, None)
        }
    }

    #[test]
    fn rehydration_keeps_positions_and_unmanaged_data() {
        let old = vec![
            sku_line("a", 1, None, None),
            given("b", 1),
            sku_line("c", 1, None, None),
        ];
        let new = vec![
            sku_line("d", 1, None, None),
            sku_line("b", 5, None, None),
            sku_line("a", 2, None, None),
        ];
        let out = replace_lines(old, new);
        let order: Vec<(&str, u32, bool)> = out
            .iter()
            .map(|l| (l.sku.as_str(), l.quantity, l.managed))
            .collect();
        assert_eq!(order, vec![("a", 2, true), ("b", 5, false), ("d", 1, true)]);
        assert!(out[1].given_price.is_some());
    }
}
