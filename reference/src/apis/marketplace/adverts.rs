//! Advert mutations: `advertUpsert` (create or patch an advert with its images, documents, option
//! values and variants), `advertDelete` (soft delete) and `advertVettingResubmit`; plus the
//! operator's vetting decision, which the seller schema does not expose (tests and tools use it).
//!
//! Each mutation validates everything inside its write transaction, reports every problem in
//! `errors` with status 422 and changes nothing, or writes everything and commits.

use shopql_server_stubs::marketplace::{
    self as gql, AdvertDeleteMutationInput, AdvertUpsertMutationInput,
    AdvertVettingResubmitMutationInput,
};
use shopql_server_stubs::{ApiError, ApiResult, ErrorCode, Maybe};
use sqlx::AnyConnection;

use super::errors::{Errors, Outcome};
use super::input::{KvPatch, patch, patch_checked, patch_text};
use super::load::{Loader, enum_text};
use super::media::{self, Owner};
use super::options::{self, ChoiceInput, Level};
use super::rows::{AdvertRow, Ids, VariantRow, refresh_advert, taxon_requires_vetting};
use super::variants::{self, VariantPlan};
use crate::domain::marketplace::ids::NodeType;
use crate::domain::marketplace::pricing::{self, parse_price_text};
use crate::domain::marketplace::vetting::{self, Decision};
use crate::state::AppState;
use crate::store::sql::{Doc, Sql};

/// A unique-key race lost at write time (two requests giving one SKU at once) is a 422 like the
/// checked case, not an error.
fn conflict_as_invalid(e: ApiError) -> Result<Errors, ApiError> {
    if e.code == ErrorCode::Conflict {
        Ok(Errors::one(
            "base",
            "a SKU is already used by another of your variants (changed concurrently)",
        ))
    } else {
        Err(e)
    }
}

/// The first brand or taxon `query` finds for one of `names` (trimmed, lower case), tried in
/// order.
async fn find_by_name(
    conn: &mut AnyConnection,
    names: &[String],
    query: fn(String) -> Sql,
) -> ApiResult<Option<i64>> {
    for name in names {
        let sql = query(name.trim().to_lowercase());
        if let Some((id,)) = sql.fetch_optional_as::<(i64,), _>(&mut *conn).await? {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

fn brand_named(name: String) -> Sql {
    let mut sql = Sql::new("SELECT id FROM mp_brands WHERE name_lower = ");
    sql.arg(name).push(" ORDER BY id LIMIT 1");
    sql
}

fn taxon_named(name: String) -> Sql {
    let mut sql = Sql::new("SELECT id FROM mp_taxons WHERE LOWER(display_name) = ");
    sql.arg(name.clone())
        .push(" OR LOWER(tree_name) = ")
        .arg(name);
    sql.push(" ORDER BY id LIMIT 1");
    sql
}

/// The id of `field` if it decodes to a `t` that exists in `table`; else a problem.
async fn existing(
    conn: &mut AnyConnection,
    id: &str,
    (t, table, field): (NodeType, &str, &str),
    errors: &mut Errors,
) -> ApiResult<Option<i64>> {
    let Some(id) = errors.decode(id, t, field) else {
        return Ok(None);
    };
    if !exists(conn, table, id).await? {
        errors.add(field, "not found");
        return Ok(None);
    }
    Ok(Some(id))
}

async fn exists(conn: &mut AnyConnection, table: &str, id: i64) -> ApiResult<bool> {
    let mut sql = Sql::new(&format!("SELECT id FROM {table} WHERE id = "));
    sql.arg(id);
    Ok(sql.fetch_optional(conn).await?.is_some())
}

fn http_url_field(
    value: &Maybe<String>,
    field: &str,
    current: &mut Option<String>,
    errors: &mut Errors,
) {
    if let Maybe::Value(v) = value
        && !v.trim().is_empty()
        && !media::is_http_url(v.trim())
    {
        errors.add(field, "must be an absolute http(s) URL");
        return;
    }
    patch_text(value, current);
}

/// `advertUpsert`.
pub(crate) async fn advert_upsert(
    state: &AppState,
    seller: i64,
    input: AdvertUpsertMutationInput,
) -> Outcome<gql::Advert> {
    let now = state.now_ms();
    let a = &input.attributes;
    let mut errors = Errors::new();

    if let Some(s) = input.seller_id.as_option()
        && let Some(id) = errors.decode(s, NodeType::Seller, "sellerId")
        && id != seller
    {
        errors.add("sellerId", "must be your own seller (or left out)");
    }
    let advert_id = match input.advert_id.as_option() {
        Some(id) => match errors.decode(id, NodeType::Advert, "advertId") {
            Some(id) => Some(id),
            None => return Ok(Err(errors)),
        },
        None => None,
    };
    let creating = advert_id.is_none();

    // Pure checks of the input.
    let images = a.images.as_option().map_or(&[][..], Vec::as_slice);
    let images = media::parse_images(images, "", &mut errors);
    let documents = a.documents.as_option().map_or(&[][..], Vec::as_slice);
    let documents = media::parse_documents(documents, &mut errors);
    let kv = KvPatch::parse(
        &a.metadata,
        &a.external_ids,
        &a.external_id,
        "",
        &mut errors,
    );

    // Ids for what will be created, allocated before the transaction (like a sequence).
    let variant_inputs: &[gql::VariantInput] = a.variants.as_option().map_or(&[], Vec::as_slice);
    let new_variants = variant_inputs
        .iter()
        .filter(|v| v.id.as_option().is_none())
        .count();
    let new_attachments = media::new_images(&images)
        + media::new_documents(&documents)
        + variant_inputs
            .iter()
            .filter_map(|v| v.images.as_option())
            .flatten()
            .filter(|i| i.image_id.as_option().is_none())
            .count();
    let pool = &state.store.pool;
    let mut advert_ids = Ids::take(pool, "advert", usize::from(creating)).await?;
    let mut variant_ids = Ids::take(pool, "variant", new_variants).await?;
    let mut attachment_ids = Ids::take(pool, "attachment", new_attachments).await?;

    let mut tx = state.store.begin().await?;
    let mut advert = match advert_id {
        Some(id) => match AdvertRow::lock(&mut tx, seller, id).await? {
            Some(row) if row.deleted_at.is_none() => row,
            _ => {
                errors.add("advertId", "not found");
                return Ok(Err(errors));
            }
        },
        None => AdvertRow {
            id: advert_ids.take_one()?,
            seller_id: seller,
            sale_type: Some("BUY_ONLINE".into()),
            created_at: now,
            updated_at: now,
            ..AdvertRow::default()
        },
    };
    let old_taxon = advert.taxon_id;

    // Scalar attributes.
    match &a.title {
        Maybe::Absent => {}
        Maybe::Value(t) if !t.trim().is_empty() => advert.title = Some(t.trim().to_string()),
        _ => errors.add("title", "can't be blank"),
    }
    patch_text(&a.description, &mut advert.description);
    patch_text(&a.specifications, &mut advert.specifications);
    patch_text(&a.code, &mut advert.code);
    http_url_field(
        &a.youtube_video_url,
        "youtubeVideoUrl",
        &mut advert.youtube_video_url,
        &mut errors,
    );
    http_url_field(
        &a.custom_iframe_url,
        "customIframeUrl",
        &mut advert.custom_iframe_url,
        &mut errors,
    );
    // Enums are stored by their GraphQL names; a null sale type is the default one.
    let buy_online = Some("BUY_ONLINE".to_string());
    patch(&a.sale_type, &mut advert.sale_type, buy_online, |t| {
        Some(enum_text(t))
    });
    patch(&a.price_type, &mut advert.price_type, None, |t| {
        Some(enum_text(t))
    });
    patch(&a.price_unit, &mut advert.price_unit, None, |t| {
        Some(enum_text(t))
    });
    match &a.product_features {
        Maybe::Absent => {}
        Maybe::Null => advert.product_features = None,
        Maybe::Value(list) => {
            let mut out = Vec::new();
            for (i, f) in list.iter().enumerate() {
                if f.trim().is_empty() {
                    errors.add(format!("productFeatures.{i}"), "must not be blank");
                } else {
                    out.push(f.trim().to_string());
                }
            }
            advert.product_features = Some(Doc(out));
        }
    }
    let price = |p: &String| parse_price_text(p).map_err(|e| e.to_string());
    patch_checked(
        &a.price,
        &mut advert.price_cents,
        "price",
        &mut errors,
        price,
    );
    match &a.sale_price {
        Maybe::Absent => {}
        Maybe::Null => advert.sale_price_cents = None,
        Maybe::Value(p) if p.trim().is_empty() => advert.sale_price_cents = None,
        Maybe::Value(p) => match parse_price_text(p) {
            Ok(c) => advert.sale_price_cents = Some(c),
            Err(e) => errors.add("salePrice", e.to_string()),
        },
    }
    if !pricing::sale_price_allowed(advert.sale_price_cents, advert.price_cents) {
        errors.add("salePrice", "must not exceed price");
    }

    // Brand and taxon, by id or by name.
    match (&a.brand_id, &a.brand_mappings) {
        (Maybe::Value(_), Maybe::Value(_)) => {
            errors.add("brandId", "give either brandId or brandMappings, not both")
        }
        (Maybe::Value(id), _) => {
            let brand = (NodeType::Brand, "mp_brands", "brandId");
            if let Some(id) = existing(&mut tx, id, brand, &mut errors).await? {
                advert.brand_id = Some(id);
            }
        }
        (_, Maybe::Value(names)) => {
            advert.brand_id = find_by_name(&mut tx, names, brand_named).await?
        }
        (Maybe::Null, _) | (_, Maybe::Null) => advert.brand_id = None,
        _ => {}
    }
    match (&a.taxon_id, &a.taxon_mappings) {
        (Maybe::Value(_), Maybe::Value(_)) => {
            errors.add("taxonId", "give either taxonId or taxonMappings, not both")
        }
        (Maybe::Value(id), _) => {
            let taxon = (NodeType::Taxon, "mp_taxons", "taxonId");
            if let Some(id) = existing(&mut tx, id, taxon, &mut errors).await? {
                advert.taxon_id = Some(id);
            }
        }
        (_, Maybe::Value(names)) => match find_by_name(&mut tx, names, taxon_named).await? {
            Some(id) => advert.taxon_id = Some(id),
            None => errors.add("taxonMappings", "matches no taxon"),
        },
        (Maybe::Null, _) | (_, Maybe::Null) => errors.add("taxonId", "can't be blank"),
        _ => {}
    }
    if creating {
        if advert.title.is_none() && a.title.is_absent() {
            errors.add("title", "can't be blank");
        }
        if advert.taxon_id.is_none() && a.taxon_id.is_absent() && a.taxon_mappings.is_absent() {
            errors.add("taxonId", "is required (or taxonMappings)");
        }
    }

    // Advert-level option values.
    let prototype = options::prototype_of(&mut tx, advert.taxon_id).await?;
    let choices = match &a.advert_option_values {
        Maybe::Absent => {
            if !creating
                && advert.taxon_id != old_taxon
                && !options::advert_choices_fit(&mut tx, advert.id, prototype).await?
            {
                errors.add(
                    "taxonId",
                    "the advert's option values do not belong to the new taxon's prototype; send advertOptionValues too",
                );
            }
            None
        }
        Maybe::Null => Some(Vec::new()),
        Maybe::Value(list) => {
            let inputs: Vec<ChoiceInput> = list
                .iter()
                .map(|v| ChoiceInput {
                    option_value_id: v.option_value_id.clone(),
                    option_type_id: v.option_type_id.clone(),
                    text_value: v.text_value.clone(),
                })
                .collect();
            Some(
                options::check(
                    &mut tx,
                    &inputs,
                    Level::Advert(prototype),
                    "advertOptionValues",
                    &mut errors,
                )
                .await?,
            )
        }
    };

    // Images and documents of the advert.
    let owner = if creating {
        Owner::New
    } else {
        Owner::Advert(advert.id)
    };
    media::check_images(&mut tx, seller, owner, &images, "", &mut errors).await?;
    media::check_documents(
        &mut tx,
        seller,
        (!creating).then_some(advert.id),
        &documents,
        &mut errors,
    )
    .await?;

    // Variants: new ones, and changes to existing ones.
    let mut plans: Vec<VariantPlan> = Vec::new();
    for (i, v) in variant_inputs.iter().enumerate() {
        let prefix = format!("variants.{i}");
        let existing = match v.id.as_option() {
            None => None,
            Some(id) => {
                let field = format!("{prefix}.id");
                let Some(id) = errors.decode(id, NodeType::Variant, &field) else {
                    continue;
                };
                match VariantRow::find_live(&mut tx, seller, id).await? {
                    Some(row) if !creating && row.advert_id == advert.id => Some(row),
                    _ => {
                        errors.add(field, "not found among the variants of this advert");
                        continue;
                    }
                }
            }
        };
        plans.push(
            variants::plan(
                &mut tx,
                seller,
                advert.id,
                v,
                existing,
                &prefix,
                now,
                &mut errors,
            )
            .await?,
        );
    }
    if creating && !plans.iter().any(|p| p.is_new) {
        errors.add("variants", "at least one variant is required");
    }
    // Every live variant (changed or not) must keep a price when the advert's price changes.
    // Unchanged variants go first, so that a clash is reported on the input entry.
    let mut all_plans = Vec::new();
    if !creating {
        for row in VariantRow::of_advert(&mut tx, advert.id).await? {
            if !plans.iter().any(|p| !p.is_new && p.row.id == row.id) {
                all_plans.push(VariantPlan {
                    prefix: format!("variants(id {})", row.id),
                    row,
                    is_new: false,
                    choices: None,
                    images: Vec::new(),
                    kv: KvPatch::default(),
                });
            }
        }
    }
    all_plans.extend(plans.iter().cloned());
    let mut price_errors = Errors::new();
    variants::check_plans(
        &mut tx,
        seller,
        advert.prices(),
        &all_plans,
        &mut price_errors,
    )
    .await?;
    for e in price_errors.into_graphql() {
        // Unchanged variants left without a price are the advert price's fault.
        let field = match e.field.strip_prefix("variants(") {
            Some(rest) if rest.ends_with(".sku") => "variants".to_string(),
            Some(_) => "price".to_string(),
            None => e.field,
        };
        for m in e.messages {
            errors.add(field.clone(), m);
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }

    // Publication and vetting.
    let requires_vetting = taxon_requires_vetting(&mut tx, advert.taxon_id).await?;
    let publish = match a.attempt_auto_publish {
        Maybe::Value(p) => p,
        Maybe::Null => false,
        // On creation an absent flag means unpublished; on update the advert stays as it is.
        Maybe::Absent => !creating && advert.publish_requested,
    };
    let state_now = vetting::request_publication(advert.state(true), publish, requires_vetting);
    advert.set_state(state_now);
    advert.updated_at = now;

    // Write.
    let written: ApiResult<()> = async {
        if creating {
            advert.insert(&mut tx).await?;
        } else {
            advert.update(&mut tx).await?;
        }
        if let Some(choices) = &choices {
            options::replace(&mut tx, Level::Advert(prototype), advert.id, choices).await?;
        }
        media::apply_images(
            &mut tx,
            seller,
            advert.id,
            None,
            &images,
            &mut attachment_ids,
            now,
        )
        .await?;
        media::apply_documents(
            &mut tx,
            seller,
            advert.id,
            &documents,
            &mut attachment_ids,
            now,
        )
        .await?;
        kv.apply(&mut tx, "Advert", advert.id).await?;
        for p in &mut plans {
            variants::apply(
                &mut tx,
                seller,
                p,
                &mut variant_ids,
                &mut attachment_ids,
                now,
            )
            .await?;
        }
        refresh_advert(&mut tx, &mut advert, now).await
    }
    .await;
    if let Err(e) = written {
        return Ok(Err(conflict_as_invalid(e)?));
    }
    tx.commit().await?;

    let loader = Loader::new(pool, seller, now);
    let written = loader.adverts(&[advert.id]).await?.remove(&advert.id);
    Ok(written
        .map(|rec| rec.advert)
        .ok_or_else(|| Errors::one("advertId", "not found")))
}

/// `advertDelete`: soft-deletes the advert and its variants (they leave `variantsWhere`, free
/// their SKUs, and stay listed under the DeletedAdvert for 30 days).
pub(crate) async fn advert_delete(
    state: &AppState,
    seller: i64,
    input: AdvertDeleteMutationInput,
) -> Outcome<gql::Advert> {
    let now = state.now_ms();
    let mut errors = Errors::new();
    let Some(id) = errors.decode(&input.id, NodeType::Advert, "id") else {
        return Ok(Err(errors));
    };
    let loader = Loader::new(&state.store.pool, seller, now);
    let before = loader.adverts(&[id]).await?.remove(&id);
    let Some(before) = before.filter(|r| r.deleted_at.is_none()) else {
        return Ok(Err(Errors::one("id", "not found")));
    };
    let mut tx = state.store.begin().await?;
    let mut sql = Sql::new("UPDATE mp_adverts SET deleted_at = ");
    sql.arg(now).push(", updated_at = ").arg(now);
    sql.push(", published = 0, displayable = 0 WHERE id = ")
        .arg(id);
    sql.push(" AND seller_id = ")
        .arg(seller)
        .push(" AND deleted_at IS NULL");
    if sql.execute(&mut *tx).await? != 1 {
        return Ok(Err(Errors::one("id", "not found")));
    }
    let mut vs = Sql::new("UPDATE mp_variants SET live = 0, updated_at = ");
    vs.arg(now)
        .push(" WHERE advert_id = ")
        .arg(id)
        .push(" AND live = 1");
    vs.execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(Ok(before.advert))
}

/// `advertVettingResubmit`: all or nothing. Returns the resubmitted ids (in input order) or the
/// problems.
pub(crate) async fn advert_vetting_resubmit(
    state: &AppState,
    seller: i64,
    input: &AdvertVettingResubmitMutationInput,
) -> Outcome<Vec<i64>> {
    let now = state.now_ms();
    let mut errors = Errors::new();
    if input.advert_ids.is_empty() {
        return Ok(Err(Errors::one("advertIds", "give at least one advert id")));
    }
    if input.advert_ids.len() > 100 {
        return Ok(Err(Errors::one("advertIds", "give at most 100 advert ids")));
    }
    let mut ids = Vec::new();
    for (i, raw) in input.advert_ids.iter().enumerate() {
        if let Some(id) = errors.decode(raw, NodeType::Advert, "advertIds") {
            if ids.contains(&id) {
                errors.add("advertIds", format!("entry {i} repeats an earlier id"));
            }
            ids.push(id);
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut tx = state.store.begin().await?;
    for (i, &id) in ids.iter().enumerate() {
        let Some(mut row) = AdvertRow::lock(&mut tx, seller, id).await? else {
            errors.add("advertIds", format!("entry {i}: advert not found"));
            continue;
        };
        match vetting::resubmit(row.state(true)) {
            Ok(s) => {
                row.set_state(s);
                row.vetting_rejected_reason = None;
                refresh_advert(&mut tx, &mut row, now).await?;
            }
            Err(e) => errors.add("advertIds", format!("entry {i}: the advert {e}")),
        }
    }
    if !errors.is_empty() {
        // Dropping the transaction rolls back the adverts already resubmitted.
        return Ok(Err(errors));
    }
    tx.commit().await?;
    Ok(Ok(ids))
}

/// The operator's vetting decision on one advert of any seller (not part of the seller API).
pub async fn operator_decide(
    state: &AppState,
    advert_id: i64,
    decision: Decision,
) -> ApiResult<()> {
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let mut seller_sql = Sql::new("SELECT seller_id FROM mp_adverts WHERE id = ");
    seller_sql.arg(advert_id);
    let Some((seller,)) = seller_sql.fetch_optional_as::<(i64,), _>(&mut *tx).await? else {
        return Err(ApiError::not_found(format!("no advert {advert_id}")));
    };
    let Some(mut row) = AdvertRow::lock(&mut tx, seller, advert_id).await? else {
        return Err(ApiError::not_found(format!("no advert {advert_id}")));
    };
    let s = vetting::decide(row.state(true), &decision);
    row.set_state(s);
    row.vetting_rejected_reason = match decision {
        Decision::Reject(reason) => Some(reason),
        Decision::Approve => None,
    };
    refresh_advert(&mut tx, &mut row, now).await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apis::marketplace::media::{DocumentOp, ImageOp};

    #[test]
    fn lost_sku_races_are_validation_errors() {
        let e = conflict_as_invalid(ApiError::conflict("dup")).map(Errors::into_graphql);
        assert_eq!(e.map(|v| v[0].field.clone()), Ok("base".to_string()));
        assert!(conflict_as_invalid(ApiError::internal("x")).is_err());
    }

    #[test]
    fn image_ops_count_new_ids() {
        let ops = vec![
            ImageOp::Delete { id: 1 },
            ImageOp::Add {
                source: media::Source::Url("https://e.com/a.jpg".into()),
                alt: None,
            },
        ];
        assert_eq!(media::new_images(&ops), 1);
        assert_eq!(media::new_documents(&[DocumentOp::Detach { id: 3 }]), 0);
    }
}
