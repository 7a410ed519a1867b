//! The `PurchaseResolvers` implementation: two queries, 25 mutations and the fields computed
//! only when selected.

use std::collections::HashMap;
use std::sync::Arc;

use rust_decimal::Decimal;

use shopql_server_stubs::purchase::*;
use shopql_server_stubs::{ApiError, ApiResult, FieldContext};

use crate::apis::optional;
use crate::domain::purchase::cart::{
    CartDoc, CartPart, LineItem, MAX_QUANTITY, Payment, PropertyValue, Shipment, TYPE_WISHLIST,
    Warning,
};
use crate::domain::purchase::catalog::Product;
use crate::domain::purchase::merge::merge_into;
use crate::domain::purchase::properties::{ObjectType, PropertyInput};
use crate::domain::purchase::totals::evaluate;
use crate::domain::purchase::validation::{
    INSUFFICIENT_STOCK, INVALID_QUANTITY, PRODUCT_UNAVAILABLE, RuleSets, cap_to_stock,
    validation_errors,
};
use crate::purchase_base;
use crate::state::AppState;
use crate::store::page::OffsetPage;
use crate::store::uuid;

use super::auth::{Access, Principal, invalid_token, principal};
use super::cache::{CartView, RequestCache};
use super::db::{self, CartFilter, SortField};
use super::input::{
    address_patch, maybe_properties, price, product_id, properties as prop_inputs, quantity, text,
};
use super::output;
use super::patches::{PaymentPatch, ShipmentPatch, apply_properties};
use super::service::{self, Base, Change, id_text, mutate, remember};

/// The purchase API over the shared state.
#[derive(Debug, Clone)]
pub(crate) struct PurchaseApi {
    /// Storage, clock, configuration.
    pub state: AppState,
}

impl PurchaseApi {
    /// The API over `state`.
    pub(crate) fn new(state: AppState) -> Self {
        Self { state }
    }

    /// Counts a coupon check (`validateCoupon`, and `addCoupon` through
    /// `isAppliedSuccessfully`: both say whether a code exists) of the caller and its address
    /// (see [`crate::limits`]). A user with a token is counted by user; an anonymous caller, who
    /// may claim any user id, by the cart it names (and by address, which it cannot change).
    async fn coupon_check(&self, ctx: &FieldContext<'_>, base: &Base) -> ApiResult<()> {
        let who = match principal(ctx, &self.state.store).await? {
            Principal::User(u) => format!("purchase:user:{}", u.to_lowercase()),
            _ => match &base.cart_id {
                Some(id) => format!("purchase:cart:{}", id.trim().to_lowercase()),
                None => format!(
                    "purchase:cart:{}:{}:{}",
                    base.store_id.trim().to_lowercase(),
                    base.user_id.as_deref().unwrap_or("").trim().to_lowercase(),
                    base.cart_name
                        .as_deref()
                        .unwrap_or("default")
                        .trim()
                        .to_lowercase(),
                ),
            },
        };
        self.state.limits.coupon_check(ctx, &who).await
    }
}

fn cart(v: &CartView) -> ApiResult<Option<CartType>> {
    Ok(Some(output::cart(v)))
}

fn required<T>(command: Option<T>) -> ApiResult<T> {
    command.ok_or_else(|| ApiError::bad_input("command is required"))
}

fn product_warning(code: &str, message: String, product_id: &str) -> Warning {
    Warning::about(code, message, "CatalogProduct", product_id)
}

/// A new line of `qty` of `product` (named in the store's `language`), added now at the
/// unit sale price `captured_price`.
fn new_line(
    product: &Product,
    qty: i32,
    language: &str,
    now_ms: i64,
    captured_price: Option<Decimal>,
) -> LineItem {
    LineItem {
        id: uuid(),
        product_id: product.id.clone(),
        sku: product.sku.clone(),
        name: product.name_in(language, language),
        quantity: qty,
        created_ms: now_ms,
        captured_price,
        captured_available: true,
        ..LineItem::default()
    }
}

fn rule_sets(rule_set: Option<&str>) -> ApiResult<RuleSets> {
    RuleSets::parse(rule_set).map_err(ApiError::bad_input)
}

/// Parses `field[:asc|desc]` terms separated by `;` (or `,`).
fn sort_terms(sort: Option<&str>) -> ApiResult<Vec<(SortField, bool)>> {
    let Some(sort) = sort.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(vec![(SortField::CreatedDate, false)]);
    };
    sort.split([';', ','])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|term| {
            let (field, dir) = term.split_once(':').unwrap_or((term, "asc"));
            let field = match field.trim().to_ascii_lowercase().as_str() {
                "name" => SortField::Name,
                "createddate" => SortField::CreatedDate,
                "modifieddate" => SortField::ModifiedDate,
                other => {
                    return Err(ApiError::bad_input(format!(
                        "cannot sort by `{other}`: use name, createdDate or modifiedDate"
                    )));
                }
            };
            let asc = match dir.trim().to_ascii_lowercase().as_str() {
                "asc" | "ascending" => true,
                "desc" | "descending" => false,
                other => {
                    return Err(ApiError::bad_input(format!(
                        "sort direction `{other}` is not asc or desc"
                    )));
                }
            };
            Ok((field, asc))
        })
        .collect()
}

impl PurchaseApi {
    /// The priced cart a `CartType` came from: this request's, else read again.
    async fn view_of(&self, ctx: &FieldContext<'_>, parent: &CartType) -> ApiResult<Arc<CartView>> {
        let id = parent.id.clone().unwrap_or_default();
        if let Some(v) = Self::part(ctx, format!("cart:{id}")) {
            return Ok(v);
        }
        let mut conn = self.state.store.pool.acquire().await?;
        let row = db::cart_by_id(&mut conn, &id)
            .await?
            .ok_or_else(|| ApiError::not_found("the cart no longer exists"))?;
        let catalog = service::catalog(&mut conn, &self.state.catalogs, &row.store_id).await?;
        let culture = parent
            .items
            .as_ref()
            .and_then(|i| i.iter().flatten().find_map(|l| l.language_code.clone()));
        let v = service::view(
            &mut conn,
            row,
            catalog,
            culture.as_deref(),
            self.state.now_ms(),
        )
        .await?;
        Ok(remember(ctx, v))
    }

    fn part(ctx: &FieldContext<'_>, key: String) -> Option<Arc<CartView>> {
        ctx.get::<RequestCache>().and_then(|c| c.get(&key))
    }

    /// [`mutate`] for a change that names no product besides the cart's lines, answered as
    /// the cart.
    async fn change<F>(
        &self,
        ctx: &FieldContext<'_>,
        base: Base,
        f: F,
    ) -> ApiResult<Option<CartType>>
    where
        F: FnOnce(&mut Change<'_>) -> ApiResult<()> + Send + 'static,
    {
        let v = mutate(&self.state, ctx, base, vec![], f).await?;
        cart(&v)
    }

    /// The `dynamic_properties` field of a line item, shipment or payment `id`, in the cart
    /// the request cached for it; empty when none is cached.
    fn part_properties<P: CartPart>(
        ctx: &FieldContext<'_>,
        id: &str,
        culture_name: Option<String>,
    ) -> ApiResult<Option<Vec<Option<DynamicPropertyValueType>>>> {
        let Some(v) = Self::part(ctx, format!("{}:{id}", P::KIND)) else {
            return Ok(Some(vec![]));
        };
        let part = P::all(&v.row.doc).iter().find(|p| p.id() == id);
        Ok(Some(output::dynamic_properties(
            part.map(|p| p.properties().as_slice()).unwrap_or_default(),
            &v,
            P::OBJECT_TYPE,
            culture_name.as_deref(),
        )))
    }

    /// `update_cart_{item,shipment,payment}_dynamic_properties`: [`Self::change_properties`]
    /// of the part `id` of type `P`.
    async fn change_part_properties<P: CartPart>(
        &self,
        ctx: &FieldContext<'_>,
        base: Base,
        props: Vec<PropertyInput>,
        id: &str,
    ) -> ApiResult<Option<CartType>> {
        let id = id.trim().to_string();
        self.change_properties(ctx, base, P::OBJECT_TYPE, props, move |doc| {
            let part = P::all_mut(doc).iter_mut().find(|p| p.id() == id);
            Ok(part.ok_or_else(|| missing(P::NAME, &id))?.properties_mut())
        })
        .await
    }

    /// The four `update_cart_*_dynamic_properties` mutations: apply `props` to the property
    /// list `pick` finds in the cart. The list is taken out while the catalog (in `c`) checks
    /// the inputs, so `pick` runs twice; it finds the same element both times.
    async fn change_properties<F>(
        &self,
        ctx: &FieldContext<'_>,
        base: Base,
        object_type: ObjectType,
        props: Vec<PropertyInput>,
        pick: F,
    ) -> ApiResult<Option<CartType>>
    where
        F: Fn(&mut CartDoc) -> ApiResult<&mut Vec<PropertyValue>> + Send + 'static,
    {
        self.change(ctx, base, move |c| {
            let mut values = std::mem::take(pick(c.doc)?);
            let r = apply_properties(&mut values, c, object_type, &props);
            *pick(c.doc)? = values;
            r
        })
        .await
    }
}

/// Writes the `PurchaseResolvers` impl. Most resolvers differ in names, types and a closure
/// alone: each is one entry of a section below, by what it hands on to; the resolvers with logic
/// of their own follow `custom` as written. (One macro around the whole impl, because
/// `async_trait` rewrites the impl's methods before any macro inside it expands.)
macro_rules! purchase_resolvers {
    (
        changes {
            $($change:ident($command:ident: $input:ty) $({ $($prepare:tt)* })? => $edit:expr;)*
        }
        part_properties {
            $($update:ident($update_input:ident).$part_id:ident,
                $field:ident($parent:ident: $parent_ty:ident) = $id:expr => $part:ident;)*
        }
        cart_fields {
            $($cart_field:ident($view:ident $(, $arg:ident: $arg_ty:ty)*) -> $out:ty
                $({ $($check:tt)* })? = $value:expr;)*
        }
        custom {
            $($custom:tt)*
        }
    ) => {
        #[shopql_server_stubs::async_trait::async_trait]
        impl PurchaseResolvers for PurchaseApi {
            $(
                async fn $change(
                    &self,
                    ctx: &FieldContext<'_>,
                    $command: $input,
                ) -> ApiResult<Option<CartType>> {
                    $($($prepare)*)?
                    let base = purchase_base!($command);
                    self.change(ctx, base, $edit).await
                }
            )*

            $(
                async fn $update(
                    &self,
                    ctx: &FieldContext<'_>,
                    command: $update_input,
                ) -> ApiResult<Option<CartType>> {
                    let (base, props) = (
                        purchase_base!(command),
                        prop_inputs(command.dynamic_properties),
                    );
                    self.change_part_properties::<$part>(ctx, base, props, &command.$part_id)
                        .await
                }

                async fn $field(
                    &self,
                    ctx: &FieldContext<'_>,
                    $parent: &$parent_ty,
                    culture_name: Option<String>,
                ) -> ApiResult<Option<Vec<Option<DynamicPropertyValueType>>>> {
                    Self::part_properties::<$part>(ctx, $id, culture_name)
                }
            )*

            $(
                async fn $cart_field(
                    &self,
                    ctx: &FieldContext<'_>,
                    parent: &CartType,
                    $($arg: $arg_ty,)*
                ) -> ApiResult<Option<$out>> {
                    $($($check)*)?
                    let $view = self.view_of(ctx, parent).await?;
                    Ok(Some($value))
                }
            )*

            $($custom)*
        }
    };
}

purchase_resolvers! {
    // A change of the cart named by the command's base fields: what is read from the command
    // first (its errors come before the cart is read), then the change itself.
    changes {
        clear_cart(command: InputClearCartType) => |c| {
            c.doc.items.clear();
            Ok(())
        };
        clear_shipments(command: InputClearShipmentsType) => |c| {
            c.doc.shipments.clear();
            Ok(())
        };
        clear_payments(command: InputClearPaymentsType) => |c| {
            c.doc.payments.clear();
            Ok(())
        };
        refresh_cart(command: RefreshCartType) => |c| {
            c.recapture = true;
            Ok(())
        };
        change_comment(command: Option<InputChangeCommentType>) {
            let command = required(command)?;
            let comment = optional(&command.comment, |c| text("comment", c.clone()))?;
        } => move |c| {
            c.doc.comment = comment;
            Ok(())
        };
        change_cart_item_price(command: InputChangeCartItemPriceType) {
            let new_price = price("price", command.price)?;
            let line_id = command
                .line_item_id
                .into_option()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
            let pid = command
                .product_id
                .into_option()
                .filter(|s| !s.trim().is_empty())
                .map(|p| product_id(&p))
                .transpose()?;
            if line_id.is_none() && pid.is_none() {
                return Err(ApiError::bad_input("give lineItemId or productId"));
            }
        } => move |c| {
            let line = match (&line_id, &pid) {
                (Some(id), _) => c.doc.line_mut(id),
                (None, Some(p)) => c.doc.line_of_product_mut(p),
                (None, None) => None,
            };
            let line = line.ok_or_else(|| ApiError::not_found("the cart has no such line item"))?;
            line.manual_price = Some(new_price);
            Ok(())
        };
        change_cart_item_quantity(command: InputChangeCartItemQuantityType) {
            let q = quantity(command.quantity)?;
            let line_id = command.line_item_id.trim().to_string();
        } => move |c| {
            let Some(pos) = c.doc.items.iter().position(|l| l.id == line_id) else {
                return Err(ApiError::not_found(format!(
                    "the cart has no line item `{line_id}`"
                )));
            };
            if q == 0 {
                c.doc.items.remove(pos);
                return Ok(());
            }
            let line = &c.doc.items[pos];
            let in_stock = c
                .products
                .get(&line.product_id)
                .map_or(i64::MAX, |p| p.in_stock);
            let (capped, warning) = cap_to_stock(line, q, in_stock, c.cart_type);
            c.warnings.extend(warning);
            if capped == 0 {
                c.doc.items.remove(pos);
            } else {
                c.doc.items[pos].quantity = capped;
            }
            Ok(())
        };
        change_cart_item_comment(command: Option<InputChangeCartItemCommentType>) {
            let command = required(command)?;
            let comment = text("comment", command.comment)?;
            let comment = (!comment.is_empty()).then_some(comment);
            let line_id = command.line_item_id.trim().to_string();
        } => move |c| {
            let line = c.doc.line_mut(&line_id).ok_or_else(|| {
                ApiError::not_found(format!("the cart has no line item `{line_id}`"))
            })?;
            line.note = comment;
            Ok(())
        };
        remove_cart_item(command: InputRemoveItemType) {
            let line_id = command.line_item_id.trim().to_string();
        } => move |c| {
            c.doc.items.retain(|l| l.id != line_id);
            Ok(())
        };
        remove_coupon(command: InputRemoveCouponType) {
            let code = command
                .coupon_code
                .into_option()
                .map(|c| {
                    id_text("couponCode", &c).map_err(|_| {
                        ApiError::bad_input(
                            "couponCode must not be empty (omit it to remove every coupon)",
                        )
                    })
                })
                .transpose()?;
        } => move |c| {
            c.doc.remove_coupon(code.as_deref());
            Ok(())
        };
        remove_shipment(command: InputRemoveShipmentType) {
            let id = command.shipment_id.into_option();
        } => move |c| {
            if let Some(id) = id {
                c.doc.shipments.retain(|s| s.id != id.trim());
            }
            Ok(())
        };
        add_or_update_cart_shipment(command: InputAddOrUpdateCartShipmentType) {
            let patch = ShipmentPatch::from(command.shipment)?;
        } => move |c| patch.apply(c);
        add_or_update_cart_payment(command: InputAddOrUpdateCartPaymentType) {
            let patch = PaymentPatch::from(command.payment)?;
        } => move |c| patch.apply(c);
        add_or_update_cart_address(command: InputAddOrUpdateCartAddressType) {
            let patch = address_patch(command.address)?;
            let Some(Some(address_type)) = patch.address_type else {
                return Err(ApiError::bad_input(
                    "address.addressType is required: 1 (Billing), 2 (Shipping) or 3 (BillingAndShipping)",
                ));
            };
        } => move |c| {
            c.doc.upsert_address(address_type, patch, uuid());
            Ok(())
        };
    }
    // A line item's, shipment's or payment's dynamic properties: the mutation (its command's
    // id field) and the field (the part's id), by the part's type.
    part_properties {
        update_cart_item_dynamic_properties(InputUpdateCartItemDynamicPropertiesType).line_item_id,
            line_item_type_dynamic_properties(parent: LineItemType) = &parent.id => LineItem;
        update_cart_shipment_dynamic_properties(InputUpdateCartShipmentDynamicPropertiesType)
            .shipment_id,
            shipment_type_dynamic_properties(parent: ShipmentType)
            = parent.id.as_deref().unwrap_or_default() => Shipment;
        update_cart_payment_dynamic_properties(InputUpdateCartPaymentDynamicPropertiesType)
            .payment_id,
            payment_type_dynamic_properties(parent: PaymentType)
            = parent.id.as_deref().unwrap_or_default() => Payment;
    }
    // The cart's fields computed from its priced view `v` (checks of the arguments first).
    cart_fields {
        cart_type_available_shipping_methods(v) -> Vec<Option<ShippingMethodType>>
            = output::shipping_methods(&v);
        cart_type_available_payment_methods(v) -> Vec<Option<PaymentMethodType>>
            = output::payment_methods(&v);
        cart_type_dynamic_properties(v, culture_name: Option<String>)
            -> Vec<Option<DynamicPropertyValueType>>
            = output::dynamic_properties(
                &v.row.doc.dynamic_properties,
                &v,
                ObjectType::Cart,
                culture_name.as_deref(),
            );
        cart_type_is_valid(v, rule_set: Option<String>) -> bool {
            let rules = rule_sets(rule_set.as_deref())?;
        } = view_errors(&v, rules).is_empty();
        cart_type_validation_errors(v, rule_set: Option<String>)
            -> Vec<Option<ValidationErrorType>> {
            let rules = rule_sets(rule_set.as_deref())?;
        } = view_errors(&v, rules).iter().map(output::warning).collect();
    }
    custom {
        async fn cart(
            &self,
            ctx: &FieldContext<'_>,
            store_id: String,
            cart_name: Option<String>,
            user_id: Option<String>,
            culture_name: Option<String>,
            currency_code: String,
            cart_type: Option<String>,
            cart_id: Option<String>,
        ) -> ApiResult<Option<CartType>> {
            let base = Base {
                cart_id,
                store_id,
                cart_name,
                user_id,
                currency: Some(currency_code),
                culture: culture_name,
                cart_type,
            };
            let v = service::read(&self.state, ctx, base).await?;
            cart(&v)
        }

        async fn carts(
            &self,
            ctx: &FieldContext<'_>,
            store_id: Option<String>,
            cart_name: Option<String>,
            user_id: Option<String>,
            culture_name: Option<String>,
            currency_code: Option<String>,
            cart_type: Option<String>,
            filter: Option<String>,
            sort: Option<String>,
            skip: Option<i32>,
            take: Option<i32>,
            first: Option<i32>,
            after: Option<String>,
        ) -> ApiResult<Option<CartConnection>> {
            let principal = principal(ctx, &self.state.store).await?;
            let mut conn = self.state.store.pool.acquire().await?;
            let user_id = principal.acting_user(&mut conn, user_id.as_deref()).await?;
            let nonblank =
                |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            let page = OffsetPage::from_skip_take(
                (skip, after.as_deref()),
                (take, first),
                (20, 100),
                "carts",
            )?;
            let keyword = nonblank(filter)
                .map(|k| text("filter", k))
                .transpose()?
                .map(|k| k.to_lowercase());
            let f = CartFilter {
                user_id,
                store_id: nonblank(store_id),
                name: nonblank(cart_name),
                currency: nonblank(currency_code).map(|c| c.to_ascii_uppercase()),
                cart_type: nonblank(cart_type)
                    .map(|t| service::cart_type(Some(&t)))
                    .transpose()?,
                anonymous_only: principal.is_anonymous(),
                keyword,
            };
            let sort = sort_terms(sort.as_deref())?;
            // `pageInfo` is computed from the total too.
            let count = ctx.selects("totalCount") || ctx.selects("pageInfo");
            let (total, rows) = db::list_carts(&mut conn, &f, &sort, page, count).await?;
            let views = service::views(
                &mut conn,
                &self.state.catalogs,
                rows,
                culture_name.as_deref(),
                self.state.now_ms(),
            )
            .await?;
            let mut edges = Vec::with_capacity(views.len());
            let mut items = Vec::with_capacity(views.len());
            for (i, v) in views.into_iter().enumerate() {
                let v = remember(ctx, v);
                let c = output::cart(&v);
                edges.push(Some(CartEdge {
                    cursor: page.cursor(i),
                    node: Some(c.clone()),
                }));
                items.push(Some(c));
            }
            Ok(Some(CartConnection {
                total_count: Some(i32::try_from(total).unwrap_or(i32::MAX)),
                page_info: PageInfo {
                    has_next_page: page.has_next(total),
                    has_previous_page: page.has_previous(),
                    start_cursor: Some(page.start_cursor()),
                    end_cursor: Some(page.end_cursor(total)),
                },
                edges: Some(edges),
                items: Some(items),
            }))
        }

        async fn add_item(
            &self,
            ctx: &FieldContext<'_>,
            command: InputAddItemType,
        ) -> ApiResult<Option<CartType>> {
            let base = purchase_base!(command);
            let pid = product_id(&command.product_id)?;
            let qty = command.quantity;
            if qty > MAX_QUANTITY {
                return Err(ApiError::bad_input(format!(
                    "quantity must be at most {MAX_QUANTITY}"
                )));
            }
            let manual = optional(&command.price, |p| price("price", *p))?;
            let comment = optional(&command.comment, |c| text("comment", c.clone()))?;
            let props = maybe_properties(command.dynamic_properties);
            let products = vec![pid.clone()];
            let v = mutate(&self.state, ctx, base, products, move |c| {
                // A bad property value is an error whatever happens to the item.
                let mut values = c
                    .doc
                    .items
                    .iter()
                    .find(|l| l.product_id == pid)
                    .map(|l| l.dynamic_properties.clone())
                    .unwrap_or_default();
                apply_properties(&mut values, c, ObjectType::LineItem, &props)?;
                if qty < 1 {
                    c.warnings.push(product_warning(
                        INVALID_QUANTITY,
                        format!("Quantity {qty} is below 1: the product was not added"),
                        &pid,
                    ));
                    return Ok(());
                }
                let products = c.products;
                let Some(product) = products.get(&pid) else {
                    c.warnings.push(product_warning(
                        PRODUCT_UNAVAILABLE,
                        format!("Product {pid} does not exist: it was not added"),
                        &pid,
                    ));
                    return Ok(());
                };
                if !c.catalog.sells(product, c.currency) {
                    c.warnings.push(product_warning(
                        PRODUCT_UNAVAILABLE,
                        format!(
                            "Product {} is not sold by store {}: it was not added",
                            product.sku, c.catalog.settings.id
                        ),
                        &pid,
                    ));
                    return Ok(());
                }
                let existing = c
                    .doc
                    .items
                    .iter()
                    .find(|l| l.product_id == pid)
                    .map_or(0, |l| l.quantity);
                let wanted = existing.saturating_add(qty);
                if c.cart_type != TYPE_WISHLIST && i64::from(wanted) > product.in_stock {
                    let mut w = product_warning(
                        INSUFFICIENT_STOCK,
                        format!(
                            "Only {} of {} in stock: {wanted} cannot be in the cart",
                            product.in_stock, product.sku
                        ),
                        &pid,
                    );
                    w.params = vec![("availableQuantity".into(), product.in_stock.to_string())];
                    c.warnings.push(w);
                    return Ok(());
                }
                let sale = c.sale_price(product);
                let now = c.now_ms;
                let default_language = c.catalog.settings.default_language.clone();
                match c.doc.line_of_product_mut(&pid) {
                    Some(line) => {
                        line.quantity = wanted;
                        if manual.is_some() {
                            line.manual_price = manual;
                        }
                        if comment.is_some() {
                            line.note = comment;
                        }
                        line.dynamic_properties = values;
                    }
                    None => c.doc.items.push(LineItem {
                        manual_price: manual,
                        note: comment,
                        dynamic_properties: values,
                        ..new_line(product, qty, &default_language, now, sale)
                    }),
                }
                Ok(())
            })
            .await?;
            cart(&v)
        }

        async fn add_coupon(
            &self,
            ctx: &FieldContext<'_>,
            command: InputAddCouponType,
        ) -> ApiResult<Option<CartType>> {
            let base = purchase_base!(command);
            let code = id_text("couponCode", &command.coupon_code)?;
            self.coupon_check(ctx, &base).await?;
            self.change(ctx, base, move |c| {
                c.doc.add_coupon(&code);
                Ok(())
            })
            .await
        }

        async fn validate_coupon(
            &self,
            ctx: &FieldContext<'_>,
            command: InputValidateCouponType,
        ) -> ApiResult<Option<bool>> {
            let base = purchase_base!(command);
            let code = id_text("coupon", &command.coupon)?;
            self.coupon_check(ctx, &base).await?;
            let v = service::peek(&self.state, ctx, base).await?;
            let mut doc = v.row.doc.clone();
            doc.add_coupon(&code);
            let eval = evaluate(&doc, &v.input());
            Ok(Some(
                eval.coupons
                    .iter()
                    .any(|c| c.code.eq_ignore_ascii_case(&code) && c.applied),
            ))
        }

        async fn merge_cart(
            &self,
            ctx: &FieldContext<'_>,
            command: InputMergeCartType,
        ) -> ApiResult<Option<CartType>> {
            let base = purchase_base!(command);
            let second_id = id_text("secondCartId", &command.second_cart_id)?;
            let delete_after = command.delete_after_merge.into_option().unwrap_or(true);
            let principal = principal(ctx, &self.state.store).await?;
            let now = self.state.now_ms();
            let mut tx = self.state.store.begin().await?;
            let a = service::address(&mut tx, &self.state.catalogs, principal.clone(), &base).await?;
            let target = service::find(&mut tx, &a, true, now)
                .await?
                .ok_or_else(|| ApiError::internal("cart not created"))?;
            let second = match db::cart_by_id(&mut tx, &second_id).await? {
                Some(s) if s.id != target.id => Some(s),
                _ => None,
            };
            let Some(second) = second else {
                // Nothing to merge: the cart as it is.
                let catalog =
                    service::catalog_of(&mut tx, &self.state.catalogs, &target, &a.catalog).await?;
                let v = service::view(&mut tx, target, catalog, a.culture.as_deref(), now).await?;
                tx.commit().await?;
                return cart(&remember(ctx, v));
            };
            let source_access = principal
                .authorize_merge_source(&mut tx, &second, &a.user_id)
                .await?;
            if second.store_id != target.store_id {
                return Err(ApiError::bad_input(
                    "carts of different stores cannot be merged",
                ));
            }
            // Lock both rows in id order, so two opposite merges cannot deadlock.
            let (first_lock, second_lock) = if target.id < second.id {
                (&target.id, &second.id)
            } else {
                (&second.id, &target.id)
            };
            let l1 = db::lock_cart(&mut tx, first_lock).await?;
            let l2 = db::lock_cart(&mut tx, second_lock).await?;
            let (mut row, source) = match (l1, l2) {
                (Some(x), Some(y)) if x.id == target.id => (x, y),
                (Some(x), Some(y)) => (y, x),
                _ => {
                    return Err(ApiError::conflict(
                        "a cart was removed while merging; try again",
                    ));
                }
            };
            let catalog = service::catalog_of(&mut tx, &self.state.catalogs, &row, &a.catalog).await?;
            let mut ids: Vec<String> = row.doc.items.iter().map(|l| l.product_id.clone()).collect();
            ids.extend(source.doc.items.iter().map(|l| l.product_id.clone()));
            let products = db::load_products(&mut tx, &ids).await?;
            let currency = service::currency_of(&row, &catalog)?;
            let touched = merge_into(
                &mut row.doc,
                &source.doc,
                source.currency.eq_ignore_ascii_case(&row.currency),
                uuid,
            );
            let mut warnings = Vec::new();
            for id in touched {
                let Some(line) = row.doc.line_mut(&id) else {
                    continue;
                };
                let product = products.get(&line.product_id);
                if line.captured_price.is_none() {
                    line.captured_price = product
                        .and_then(|p| catalog.unit_price(p, &currency))
                        .map(|(_, s)| s);
                }
                let in_stock = product.map_or(i64::MAX, |p| p.in_stock);
                let (q, w) = cap_to_stock(line, line.quantity, in_stock, &row.cart_type);
                line.quantity = q;
                warnings.extend(w);
            }
            row.doc.items.retain(|l| l.quantity > 0);
            row.doc.warnings = warnings;
            row.modified_ms = now;
            row.comment = row.doc.comment.clone();
            db::save_cart(&mut tx, &row).await?;
            if delete_after {
                db::delete_cart(&mut tx, &source.id).await?;
            } else if source_access == Access::Claim {
                db::claim_cart(&mut tx, &source.id).await?;
            }
            let v = service::view(&mut tx, row, catalog, a.culture.as_deref(), now).await?;
            tx.commit().await?;
            cart(&remember(ctx, v))
        }

        async fn remove_cart(
            &self,
            ctx: &FieldContext<'_>,
            command: InputRemoveCartType,
        ) -> ApiResult<Option<bool>> {
            let principal = principal(ctx, &self.state.store).await?;
            let cart_id = id_text("cartId", &command.cart_id)?;
            let requested = command.user_id.into_option();
            let mut tx = self.state.store.begin().await?;
            let Some(row) = db::cart_by_id(&mut tx, &cart_id).await? else {
                // Refuse a bad credential or user id before saying whether the id exists.
                match requested.as_deref().map(str::trim) {
                    Some(u) if !u.is_empty() => {
                        principal.acting_user(&mut tx, Some(u)).await?;
                    }
                    _ if principal == Principal::InvalidToken => {
                        return Err(invalid_token());
                    }
                    _ => {}
                }
                return Ok(Some(false));
            };
            // Without a token and a `userId`, the caller acts as the cart's own user id, which
            // the one rule then accepts only for an anonymous cart.
            let requested = match requested {
                Some(u) if !u.trim().is_empty() => Some(u),
                _ if principal.is_anonymous() => Some(row.user_id.clone()),
                _ => None,
            };
            let user = principal.acting_user(&mut tx, requested.as_deref()).await?;
            principal.authorize(&row, &user)?;
            let deleted = db::delete_cart(&mut tx, &cart_id).await?;
            tx.commit().await?;
            Ok(Some(deleted))
        }

        async fn update_cart_dynamic_properties(
            &self,
            ctx: &FieldContext<'_>,
            command: InputUpdateCartDynamicPropertiesType,
        ) -> ApiResult<Option<CartType>> {
            let base = purchase_base!(command);
            let props = prop_inputs(command.dynamic_properties);
            self.change_properties(ctx, base, ObjectType::Cart, props, |doc| {
                Ok(&mut doc.dynamic_properties)
            })
            .await
        }

        async fn add_cart_address(
            &self,
            ctx: &FieldContext<'_>,
            command: InputAddOrUpdateCartAddressType,
        ) -> ApiResult<Option<CartType>> {
            self.add_or_update_cart_address(ctx, command).await
        }

        async fn add_wishlist_bulk_item(
            &self,
            ctx: &FieldContext<'_>,
            command: InputAddWishlistBulkItemType,
        ) -> ApiResult<Option<BulkWishlistType>> {
            let principal = principal(ctx, &self.state.store).await?;
            if principal == Principal::InvalidToken {
                return Err(invalid_token());
            }
            let pid = product_id(&command.product_id)?;
            let qty = command.quantity.into_option().unwrap_or(1);
            if !(1..=MAX_QUANTITY).contains(&qty) {
                return Err(ApiError::bad_input(format!(
                    "quantity must be between 1 and {MAX_QUANTITY}"
                )));
            }
            let mut list_ids: Vec<String> = Vec::new();
            for id in command.list_ids.into_iter().flatten() {
                let id = id_text("listIds", &id)?;
                if !list_ids.contains(&id) {
                    list_ids.push(id);
                }
            }
            let now = self.state.now_ms();
            let mut tx = self.state.store.begin().await?;
            // Check every list first, then lock them in id order.
            let mut locked = Vec::new();
            let mut sorted = list_ids.clone();
            sorted.sort();
            for id in &sorted {
                // A bulk add skips ids that are not wishlists of the caller's (as the real service).
                let Some(row) = db::cart_by_id(&mut tx, id).await? else {
                    continue;
                };
                if row.cart_type != TYPE_WISHLIST {
                    continue;
                }
                // A tokenless caller acts as the list's own user id, accepted only when anonymous.
                let requested = match &principal {
                    Principal::User(u) => u.clone(),
                    _ => row.user_id.clone(),
                };
                let user = principal.acting_user(&mut tx, Some(&requested)).await?;
                let access = principal.authorize(&row, &user)?;
                if let Some(mut row) = db::lock_cart(&mut tx, id).await? {
                    if access == Access::Claim {
                        row.is_anonymous = false;
                    }
                    locked.push(row);
                }
            }
            let mut ids = vec![pid.clone()];
            for row in &locked {
                ids.extend(row.doc.items.iter().map(|l| l.product_id.clone()));
            }
            let products = db::load_products(&mut tx, &ids).await?;
            let mut views = HashMap::new();
            for mut row in locked {
                // The catalogues are cached (see `Catalogs`), as for any page of carts.
                let catalog = service::catalog(&mut tx, &self.state.catalogs, &row.store_id).await?;
                let currency = service::currency_of(&row, &catalog)?;
                let product = products
                    .get(&pid)
                    .filter(|p| catalog.sells(p, &currency))
                    .ok_or_else(|| {
                        ApiError::bad_input(format!(
                            "product `{pid}` is not sold by store `{}`",
                            row.store_id
                        ))
                    })?;
                match row.doc.line_of_product_mut(&pid) {
                    Some(line) => line.quantity = line.quantity.saturating_add(qty).min(MAX_QUANTITY),
                    None => row.doc.items.push(new_line(
                        product,
                        qty,
                        &catalog.settings.default_language,
                        now,
                        catalog.unit_price(product, &currency).map(|(_, s)| s),
                    )),
                }
                row.doc.warnings.clear();
                row.modified_ms = now;
                db::save_cart(&mut tx, &row).await?;
                let v = service::view(&mut tx, row, catalog, None, now).await?;
                views.insert(v.row.id.clone(), v);
            }
            tx.commit().await?;
            let wishlists = list_ids
                .iter()
                .filter_map(|id| views.remove(id))
                .map(|v| Some(output::wishlist(&remember(ctx, v))))
                .collect();
            Ok(Some(BulkWishlistType {
                wishlists: Some(wishlists),
            }))
        }
    }
}

/// The error for a cart element `what` (`line item`, `shipment`, `payment`) with no id `id`.
fn missing(what: &str, id: &str) -> ApiError {
    ApiError::bad_input(format!("the cart has no {what} `{id}`"))
}

/// The validation errors of the cart in `v` under `rules`.
fn view_errors(v: &CartView, rules: RuleSets) -> Vec<Warning> {
    validation_errors(
        &v.row.id,
        &v.row.cart_type,
        &v.row.doc,
        &v.eval,
        &v.products,
        rules,
    )
}
