//! Variants: the rules of `VariantInput` (shared by `advertUpsert` and `variantUpdate`), and the
//! `variantUpdate` and `variantDelete` mutations.

use std::collections::HashMap;

use shopql_server_stubs::marketplace::{
    self as gql, VariantDeleteMutationInput, VariantInput, VariantUpdateMutationInput,
};
use shopql_server_stubs::{ApiResult, Maybe};
use sqlx::AnyConnection;

use super::errors::{Errors, Outcome, path};
use super::input::{KvPatch, patch, patch_checked, patch_text};
use super::load::{Loader, enum_text};
use super::media::{self, ImageOp, Owner};
use super::options::{self, Choice, ChoiceInput, Level};
use super::rows::{AdvertRow, Ids, VariantRow, refresh_advert};
use crate::domain::marketplace::ids::NodeType;
use crate::domain::marketplace::pricing::{self, AdvertPrices, price_cents};
use crate::state::AppState;
use crate::store::sql::Sql;

/// A validated variant change, ready to write.
#[derive(Debug, Clone)]
pub(crate) struct VariantPlan {
    /// The row as it will be (a new variant gets its id when written).
    pub row: VariantRow,
    /// True for a variant to create.
    pub is_new: bool,
    /// New option values, replacing the old.
    pub choices: Option<Vec<Choice>>,
    /// Image changes.
    pub images: Vec<ImageOp>,
    /// Metadata and external id changes.
    pub kv: KvPatch,
    /// Where its problems are reported (`variants.0`, or empty for variantUpdate).
    pub prefix: String,
}

/// Validates one `VariantInput` against the variant it changes (`existing`) or as a new variant
/// of `advert_id`. Checks that need the other variants or the advert's final prices (SKU
/// uniqueness, sale price) are made by [`check_plans`].
#[allow(clippy::too_many_arguments, deprecated)] // optionValueIds is deprecated, still accepted
pub(crate) async fn plan(
    conn: &mut AnyConnection,
    seller: i64,
    advert_id: i64,
    input: &VariantInput,
    existing: Option<VariantRow>,
    prefix: &str,
    now: i64,
    errors: &mut Errors,
) -> ApiResult<VariantPlan> {
    let at = |name: &str| path(prefix, name);
    let is_new = existing.is_none();
    let mut row = existing.unwrap_or(VariantRow {
        advert_id,
        seller_id: seller,
        published: true,
        live: true,
        created_at: now,
        ..VariantRow::default()
    });
    row.updated_at = now;

    patch_text(&input.description, &mut row.description);
    patch_text(&input.barcode, &mut row.barcode);
    match &input.sku {
        Maybe::Absent => {}
        Maybe::Null => row.sku = None,
        Maybe::Value(s) if s.trim().is_empty() => errors.add(at("sku"), "must not be blank"),
        Maybe::Value(s) if s.trim().len() > 255 => {
            errors.add(at("sku"), "is too long (at most 255 characters)")
        }
        Maybe::Value(s) => row.sku = Some(s.trim().to_string()),
    }
    let price = |d: &gql::Decimal| price_cents(d.0).map_err(|e| e.to_string());
    for (value, current, name) in [
        (&input.price, &mut row.price_cents, "price"),
        (&input.sale_price, &mut row.sale_price_cents, "salePrice"),
    ] {
        patch_checked(value, current, &at(name), errors, price);
    }
    match &input.count_on_hand {
        Maybe::Absent => {}
        Maybe::Null => row.count_on_hand = 0,
        Maybe::Value(n) if *n < 0 => errors.add(at("countOnHand"), "must not be negative"),
        Maybe::Value(n) => row.count_on_hand = i64::from(*n),
    }
    patch(
        &input.infinite_quantity,
        &mut row.infinite_quantity,
        false,
        |b| *b,
    );
    patch(&input.published, &mut row.published, true, |b| *b);
    // A purchase quantity is at least 1; a size is a positive number.
    let count = |n: &i32| match *n >= 1 {
        true => Ok(i64::from(*n)),
        false => Err("must be at least 1".to_string()),
    };
    let size = |v: &f64| match v.is_finite() && *v > 0.0 {
        true => Ok(*v),
        false => Err("must be a positive number".to_string()),
    };
    for (value, current, name) in [
        (
            &input.max_purchase_quantity,
            &mut row.max_purchase_quantity,
            "maxPurchaseQuantity",
        ),
        (
            &input.min_purchase_quantity,
            &mut row.min_purchase_quantity,
            "minPurchaseQuantity",
        ),
    ] {
        patch_checked(value, current, &at(name), errors, count);
    }
    if let (Some(min), Some(max)) = (row.min_purchase_quantity, row.max_purchase_quantity)
        && min > max
    {
        errors.add(
            at("minPurchaseQuantity"),
            format!("must not exceed maxPurchaseQuantity ({max})"),
        );
    }
    for (value, current, name) in [
        (&input.item_size, &mut row.item_size, "itemSize"),
        (
            &input.comparable_size,
            &mut row.comparable_size,
            "comparableSize",
        ),
    ] {
        patch_checked(value, current, &at(name), errors, size);
    }
    patch(&input.item_unit, &mut row.item_unit, None, |u| {
        Some(enum_text(u))
    });
    let comparable_unit = &mut row.comparable_unit;
    patch(&input.comparable_unit, comparable_unit, None, |u| {
        Some(enum_text(u))
    });

    // Option values: variantOptionValues, or the deprecated optionValueIds.
    let choice_inputs: Option<Vec<ChoiceInput>> =
        match (&input.variant_option_values, &input.option_value_ids) {
            (Maybe::Value(_), Maybe::Value(_)) => {
                errors.add(
                    at("variantOptionValues"),
                    "give either variantOptionValues or optionValueIds, not both",
                );
                None
            }
            (Maybe::Value(list), _) => Some(
                list.iter()
                    .map(|v| ChoiceInput {
                        option_value_id: v.option_value_id.clone(),
                        option_type_id: v.option_type_id.clone(),
                        text_value: v.text_value.clone(),
                    })
                    .collect(),
            ),
            (_, Maybe::Value(ids)) => Some(
                ids.iter()
                    .map(|id| ChoiceInput {
                        option_value_id: Maybe::Value(id.clone()),
                        ..ChoiceInput::default()
                    })
                    .collect(),
            ),
            (Maybe::Null, _) | (_, Maybe::Null) => Some(Vec::new()),
            _ => None,
        };
    let choices = match choice_inputs {
        Some(list) => {
            let field = if input.variant_option_values.is_absent() {
                at("optionValueIds")
            } else {
                at("variantOptionValues")
            };
            Some(options::check(&mut *conn, &list, Level::Variant, &field, errors).await?)
        }
        None => None,
    };

    let images = input.images.as_option().map_or(&[][..], Vec::as_slice);
    let images = media::parse_images(images, prefix, errors);
    let owner = if is_new {
        Owner::New
    } else {
        Owner::Variant(row.id)
    };
    media::check_images(&mut *conn, seller, owner, &images, prefix, errors).await?;
    let kv = KvPatch::parse(
        &input.metadata,
        &input.external_ids,
        &input.external_id,
        prefix,
        errors,
    );
    Ok(VariantPlan {
        row,
        is_new,
        choices,
        images,
        kv,
        prefix: prefix.to_string(),
    })
}

/// Checks what depends on all the plans together: SKUs unique among the seller's live variants
/// (and within the request), a price for every variant, sale prices not above prices.
pub(crate) async fn check_plans(
    conn: &mut AnyConnection,
    seller: i64,
    advert: AdvertPrices,
    plans: &[VariantPlan],
    errors: &mut Errors,
) -> ApiResult<()> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, p) in plans.iter().enumerate() {
        let at = |name: &str| path(&p.prefix, name);
        if let Some(sku) = &p.row.sku {
            if seen.insert(sku.clone(), i).is_some() {
                errors.add(at("sku"), format!("`{sku}` is given to two variants"));
            } else {
                let mut sql =
                    Sql::new("SELECT id FROM mp_variants WHERE live = 1 AND seller_id = ");
                sql.arg(seller).push(" AND sku = ").arg(sku.as_str());
                if !p.is_new {
                    sql.push(" AND id <> ").arg(p.row.id);
                }
                if sql.fetch_optional(&mut *conn).await?.is_some() {
                    errors.add(
                        at("sku"),
                        format!("`{sku}` is already used by another of your variants"),
                    );
                }
            }
        }
        let eff = pricing::effective(p.row.prices(), advert);
        if eff.original.is_none() {
            errors.add(
                at("price"),
                "is required: the variant has no price and the advert has none to fall back on",
            );
        }
        let sale = p.row.sale_price_cents.or(if p.row.price_cents.is_none() {
            advert.sale_price
        } else {
            None
        });
        if !pricing::sale_price_allowed(sale, eff.original) {
            errors.add(
                at("salePrice"),
                format!(
                    "must not exceed the price ({})",
                    eff.original
                        .map(pricing::format_decimal)
                        .unwrap_or_default()
                ),
            );
        }
    }
    Ok(())
}

/// Writes a plan; returns the variant's id.
pub(crate) async fn apply(
    conn: &mut AnyConnection,
    seller: i64,
    plan: &mut VariantPlan,
    variant_ids: &mut Ids,
    attachment_ids: &mut Ids,
    now: i64,
) -> ApiResult<i64> {
    if plan.is_new {
        plan.row.id = variant_ids.take_one()?;
        plan.row.insert(&mut *conn).await?;
    } else {
        plan.row.update(&mut *conn).await?;
    }
    let id = plan.row.id;
    if let Some(choices) = &plan.choices {
        options::replace(&mut *conn, Level::Variant, id, choices).await?;
    }
    media::apply_images(
        &mut *conn,
        seller,
        plan.row.advert_id,
        Some(id),
        &plan.images,
        attachment_ids,
        now,
    )
    .await?;
    plan.kv.apply(&mut *conn, "Variant", id).await?;
    Ok(id)
}

/// `variantUpdate`.
pub(crate) async fn variant_update(
    state: &AppState,
    seller: i64,
    input: VariantUpdateMutationInput,
) -> Outcome<gql::Variant> {
    let now = state.now_ms();
    let mut errors = Errors::new();
    let id = match (
        input.variant_id.as_option(),
        input.attributes.id.as_option(),
    ) {
        (Some(a), Some(b)) if a != b => {
            errors.add("variantId", "differs from attributes.id");
            None
        }
        (Some(id), _) => errors.decode(id, NodeType::Variant, "variantId"),
        (None, Some(id)) => errors.decode(id, NodeType::Variant, "attributes.id"),
        (None, None) => {
            errors.add("variantId", "is required (or attributes.id)");
            None
        }
    };
    let Some(id) = id else {
        return Ok(Err(errors));
    };
    let new_images = input.attributes.images.as_option().map_or(0, |l| {
        l.iter()
            .filter(|i| i.image_id.is_absent() || i.image_id.is_null())
            .count()
    });
    let mut attachment_ids = Ids::take(&state.store.pool, "attachment", new_images).await?;
    let mut no_variant_ids = Ids::take(&state.store.pool, "variant", 0).await?;

    let mut tx = state.store.begin().await?;
    let Some(existing) = VariantRow::find_live(&mut tx, seller, id).await? else {
        errors.add("variantId", "not found");
        return Ok(Err(errors));
    };
    let Some(mut advert) = AdvertRow::lock(&mut tx, seller, existing.advert_id).await? else {
        errors.add("variantId", "not found");
        return Ok(Err(errors));
    };
    let mut p = plan(
        &mut tx,
        seller,
        advert.id,
        &input.attributes,
        Some(existing),
        "",
        now,
        &mut errors,
    )
    .await?;
    check_plans(
        &mut tx,
        seller,
        advert.prices(),
        std::slice::from_ref(&p),
        &mut errors,
    )
    .await?;
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    apply(
        &mut tx,
        seller,
        &mut p,
        &mut no_variant_ids,
        &mut attachment_ids,
        now,
    )
    .await?;
    refresh_advert(&mut tx, &mut advert, now).await?;
    tx.commit().await?;
    let loader = Loader::new(&state.store.pool, seller, now);
    let variant = loader.variants(&[id], false).await?.remove(&id);
    Ok(variant.ok_or_else(|| Errors::one("variantId", "not found")))
}

/// `variantDelete`: soft-deletes a variant that is not its advert's last.
pub(crate) async fn variant_delete(
    state: &AppState,
    seller: i64,
    input: VariantDeleteMutationInput,
) -> Outcome<gql::Variant> {
    let now = state.now_ms();
    let mut errors = Errors::new();
    let Some(id) = errors.decode(&input.id, NodeType::Variant, "id") else {
        return Ok(Err(errors));
    };
    // The variant as it was, for the payload.
    let loader = Loader::new(&state.store.pool, seller, now);
    let Some(before) = loader.variants(&[id], false).await?.remove(&id) else {
        return Ok(Err(Errors::one("id", "not found")));
    };
    let mut tx = state.store.begin().await?;
    let Some(existing) = VariantRow::find_live(&mut tx, seller, id).await? else {
        return Ok(Err(Errors::one("id", "not found")));
    };
    let Some(mut advert) = AdvertRow::lock(&mut tx, seller, existing.advert_id).await? else {
        return Ok(Err(Errors::one("id", "not found")));
    };
    let live = VariantRow::of_advert(&mut tx, advert.id).await?;
    if live.len() <= 1 {
        let last = "is the advert's last variant: delete the advert instead";
        return Ok(Err(Errors::one("id", last)));
    }
    let mut sql = Sql::new("UPDATE mp_variants SET live = 0, deleted_at = ");
    sql.arg(now).push(", updated_at = ").arg(now);
    sql.push(" WHERE id = ").arg(id).push(" AND live = 1");
    if sql.execute(&mut *tx).await? != 1 {
        return Ok(Err(Errors::one("id", "not found")));
    }
    refresh_advert(&mut tx, &mut advert, now).await?;
    tx.commit().await?;
    Ok(Ok(before))
}
