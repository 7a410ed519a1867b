//! Batch loaders: ids in, GraphQL objects out, a few queries per batch whatever its size. Every
//! loader of seller data is scoped to the requesting seller, so an id of another seller's object
//! simply loads nothing.
//!
//! The generated object structs hold their nested objects (an Advert its seller, brand and taxon;
//! a Variant its advert; an Invoice its line items and shipments), so loading an object loads what
//! it embeds. Fields with arguments (connections) are resolved lazily by the resolvers instead.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde::de::DeserializeOwned;
use shopql_server_stubs::ApiResult;
use shopql_server_stubs::marketplace as gql;
use sqlx::AnyPool;
use sqlx::any::AnyRow;

use super::rows::{ADVERT_COLUMNS, AdvertRow, VARIANT_COLUMNS, VariantRow};
use crate::clock::rfc3339;
use crate::domain::marketplace::ids::{NodeType, encode};
use crate::domain::marketplace::pricing::{
    self, AdvertPrices, CURRENCY, VariantPrices, format_decimal,
};
use crate::domain::marketplace::vetting::{self, VariantStock};
use crate::store::sql::{Sql, col, flag, opt_i64, opt_text};

/// Deleted adverts stay visible (as DeletedAdvert) this long.
pub(crate) const DELETED_RETENTION_MS: i64 = 30 * 24 * 3600 * 1000;

/// An enum's GraphQL name (`BUY_ONLINE`).
pub(crate) fn enum_text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// The enum value named `text`, if any.
pub(crate) fn parse_enum<T: DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
}

/// An integer for a GraphQL `Int` (saturating; stored values are checked on input).
pub(crate) fn to_i32(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(if v < 0 { i32::MIN } else { i32::MAX })
}

/// A time for the wire.
pub(crate) fn time(ms: i64) -> String {
    rfc3339(ms)
}

/// Money in the marketplace currency.
pub(crate) fn money(cents: i64) -> gql::Money {
    gql::Money {
        amount: pricing::decimal(cents).into(),
        currency_code: CURRENCY.to_string(),
        cents: i32::try_from(cents).ok(),
    }
}

pub(super) fn distinct(ids: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let mut seen = HashSet::new();
    ids.into_iter().filter(|i| seen.insert(*i)).collect()
}

/// `rows` by their `id` column, each made by `make` from the row and its id.
fn keyed<T>(
    rows: &[AnyRow],
    make: impl Fn(&AnyRow, i64) -> ApiResult<T>,
) -> ApiResult<HashMap<i64, T>> {
    let mut out = HashMap::new();
    for r in rows {
        let id: i64 = col(r, "id")?;
        out.insert(id, make(r, id)?);
    }
    Ok(out)
}

/// An advert as loaded: the GraphQL Advert plus what decides how it is shown.
#[derive(Debug, Clone)]
pub(crate) struct AdvertRecord {
    /// The advert.
    pub advert: gql::Advert,
    /// When it was deleted.
    pub deleted_at: Option<i64>,
    /// Its external ids.
    pub external_ids: Vec<gql::ExternalId>,
}

impl AdvertRecord {
    /// As a member of the AllAdvert union: deleted, published, or unpublished.
    pub(crate) fn into_all_advert(self) -> gql::AllAdvert {
        if self.deleted_at.is_some() {
            gql::AllAdvert::DeletedAdvert(self.deleted())
        } else if self.advert.published == Some(true) {
            gql::AllAdvert::Advert(self.advert)
        } else {
            gql::AllAdvert::UnpublishedAdvert(gql::UnpublishedAdvert {
                id: self.advert.id.clone(),
                legacy_id: self.advert.legacy_id,
                updated_at: self.advert.updated_at.clone(),
                external_ids: self.external_ids,
                details: self.advert,
            })
        }
    }

    /// As a node: the Advert, or the DeletedAdvert once deleted.
    pub(crate) fn into_node(self) -> gql::Node {
        if self.deleted_at.is_some() {
            gql::Node::DeletedAdvert(self.deleted())
        } else {
            gql::Node::Advert(self.advert)
        }
    }

    fn deleted(&self) -> gql::DeletedAdvert {
        gql::DeletedAdvert {
            id: self.advert.id.clone(),
            legacy_id: self.advert.legacy_id,
            updated_at: self.advert.updated_at.clone(),
            external_ids: self.external_ids.clone(),
        }
    }
}

/// Loads objects for one seller.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Loader<'a> {
    /// The database.
    pub pool: &'a AnyPool,
    /// The requesting seller.
    pub seller: i64,
    /// Now, in ms.
    pub now: i64,
    /// Adverts this request has loaded already (the parents of the connections being
    /// resolved): variants of them embed these instead of loading them again.
    pub known_adverts: &'a [&'a gql::Advert],
}

impl<'a> Loader<'a> {
    /// A loader for `seller` at `now`.
    pub(crate) fn new(pool: &'a AnyPool, seller: i64, now: i64) -> Self {
        Self {
            pool,
            seller,
            now,
            known_adverts: &[],
        }
    }

    /// The same loader, knowing `adverts` already (see [`Loader::known_adverts`]).
    pub(crate) fn knowing(self, adverts: &'a [&'a gql::Advert]) -> Self {
        Self {
            known_adverts: adverts,
            ..self
        }
    }

    pub(super) async fn rows(
        &self,
        select: &str,
        ids: &[i64],
        tail: &str,
    ) -> ApiResult<Vec<AnyRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(select);
        sql.list(ids.iter().copied()).push(tail);
        sql.fetch_all(self.pool).await
    }

    /// The rows of `table` (its `columns`, `id` among them) for the distinct `ids`, each made by
    /// `make` from the row and its id, by id. No ids, no query.
    async fn by_id<T>(
        &self,
        table: &str,
        columns: &str,
        ids: &[i64],
        make: impl Fn(&AnyRow, i64) -> ApiResult<T>,
    ) -> ApiResult<HashMap<i64, T>> {
        let select = format!("SELECT {columns} FROM {table} WHERE id IN ");
        let rows = self
            .rows(&select, &distinct(ids.iter().copied()), "")
            .await?;
        keyed(&rows, make)
    }

    /// The rows of `select` (ending in `seller_id = `) that belong to the requester and whose
    /// id is among `ids`; `in_ids` names the id column (` AND i.id IN `). No ids, no query.
    async fn own_rows(&self, select: &str, in_ids: &str, ids: &[i64]) -> ApiResult<Vec<AnyRow>> {
        let ids = distinct(ids.iter().copied());
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(select);
        sql.arg(self.seller).push(in_ids).list(ids);
        sql.fetch_all(self.pool).await
    }

    /// Sellers (the requester and its member stores; other sellers only by name, as embedded in
    /// objects the requester may see).
    pub(crate) async fn sellers(&self, ids: &[i64]) -> ApiResult<HashMap<i64, gql::Seller>> {
        self.by_id("mp_sellers", "id, business_name", ids, |r, id| {
            Ok(gql::Seller {
                id: encode(NodeType::Seller, id),
                legacy_id: to_i32(id),
                business_name: Some(col(r, "business_name")?),
            })
        })
        .await
    }

    /// Whether the requester may see seller `id` as a node: itself or one of its member stores.
    pub(crate) async fn visible_seller(&self, id: i64) -> ApiResult<bool> {
        let mut sql = Sql::new("SELECT id FROM mp_sellers WHERE id = ");
        sql.arg(id).push(" AND (id = ").arg(self.seller);
        sql.push(" OR parent_id = ").arg(self.seller).push(")");
        Ok(sql.fetch_optional(self.pool).await?.is_some())
    }

    /// Brands.
    pub(crate) async fn brands(&self, ids: &[i64]) -> ApiResult<HashMap<i64, gql::Brand>> {
        self.by_id("mp_brands", "id, name, slug", ids, |r, id| {
            Ok(gql::Brand {
                id: encode(NodeType::Brand, id),
                legacy_id: to_i32(id),
                name: Some(col(r, "name")?),
                slug: Some(col(r, "slug")?),
            })
        })
        .await
    }

    /// Prototypes.
    pub(crate) async fn prototypes(&self, ids: &[i64]) -> ApiResult<HashMap<i64, gql::Prototype>> {
        self.by_id("mp_prototypes", "id, name", ids, |r, id| {
            Ok(gql::Prototype {
                id: encode(NodeType::Prototype, id),
                legacy_id: to_i32(id),
                name: Some(col(r, "name")?),
            })
        })
        .await
    }

    /// Taxons, each with its chain of parents and its prototype.
    pub(crate) async fn taxons(&self, ids: &[i64]) -> ApiResult<HashMap<i64, gql::Taxon>> {
        struct Row {
            parent: Option<i64>,
            prototype: Option<i64>,
            taxon: gql::Taxon,
        }
        let mut raw: HashMap<i64, Row> = HashMap::new();
        let wanted = distinct(ids.iter().copied());
        // The taxons and all their ancestors in one query (UNION, not UNION ALL, so that a cycle
        // in bad data ends the recursion).
        let rows = self
            .rows(
                "WITH RECURSIVE chain(id) AS (SELECT id FROM mp_taxons WHERE id IN ",
                &wanted,
                " UNION SELECT t.parent_id FROM mp_taxons t JOIN chain c ON t.id = c.id WHERE t.parent_id IS NOT NULL) SELECT id, parent_id, tree_name, display_name, url_slug, taxon_type, prototype_id FROM mp_taxons WHERE id IN (SELECT id FROM chain)",
            )
            .await?;
        for r in rows {
            let id: i64 = col(&r, "id")?;
            let parent = opt_i64(&r, "parent_id")?;
            raw.insert(
                id,
                Row {
                    parent,
                    prototype: opt_i64(&r, "prototype_id")?,
                    taxon: gql::Taxon {
                        id: encode(NodeType::Taxon, id),
                        legacy_id: to_i32(id),
                        tree_name: Some(col(&r, "tree_name")?),
                        display_name: Some(col(&r, "display_name")?),
                        url_slug: Some(col(&r, "url_slug")?),
                        taxon_type: opt_text(&r, "taxon_type")?,
                        parent: None,
                        prototype: None,
                    },
                },
            );
        }
        let prototypes = self
            .prototypes(&raw.values().filter_map(|r| r.prototype).collect::<Vec<_>>())
            .await?;
        fn build(
            id: i64,
            raw: &HashMap<i64, Row>,
            prototypes: &HashMap<i64, gql::Prototype>,
            depth: usize,
        ) -> Option<gql::Taxon> {
            let row = raw.get(&id)?;
            let mut t = row.taxon.clone();
            t.prototype = row.prototype.and_then(|p| prototypes.get(&p).cloned());
            // The tree is shallow; the depth bound only guards against a cycle in bad data.
            if depth < 16 {
                t.parent = row
                    .parent
                    .and_then(|p| build(p, raw, prototypes, depth + 1))
                    .map(Box::new);
            }
            Some(t)
        }
        Ok(ids
            .iter()
            .filter_map(|&id| build(id, &raw, &prototypes, 0).map(|t| (id, t)))
            .collect())
    }

    /// Option types.
    pub(crate) async fn option_types(
        &self,
        ids: &[i64],
    ) -> ApiResult<HashMap<i64, gql::OptionType>> {
        let columns = "id, name, presentation, applied_to, field_type, optional, position";
        self.by_id("mp_option_types", columns, ids, |r, id| {
            let applied: String = col(r, "applied_to")?;
            let field: String = col(r, "field_type")?;
            Ok(gql::OptionType {
                id: encode(NodeType::OptionType, id),
                legacy_id: to_i32(id),
                name: col(r, "name")?,
                presentation: opt_text(r, "presentation")?,
                applied_to: parse_enum(&applied).unwrap_or(gql::AppliedToEnum::Advert),
                field_type: parse_enum(&field).unwrap_or(gql::FieldTypeEnum::FreeText),
                optional: flag(r, "optional")?,
                position: to_i32(col(r, "position")?),
            })
        })
        .await
    }

    /// Option values, each with its option type.
    pub(crate) async fn option_values(
        &self,
        ids: &[i64],
    ) -> ApiResult<HashMap<i64, gql::OptionValue>> {
        let columns = "id, option_type_id, name, display_name";
        let mut values = self
            .by_id("mp_option_values", columns, ids, |r, id| {
                let value = gql::OptionValue {
                    id: encode(NodeType::OptionValue, id),
                    legacy_id: to_i32(id),
                    name: Some(col(r, "name")?),
                    display_name: opt_text(r, "display_name")?,
                    option_type: None,
                };
                Ok((col::<i64>(r, "option_type_id")?, value))
            })
            .await?;
        let type_ids: Vec<i64> = values.values().map(|(t, _)| *t).collect();
        let types = self.option_types(&type_ids).await?;
        Ok(values
            .drain()
            .map(|(id, (t, mut v))| {
                v.option_type = types.get(&t).cloned();
                (id, v)
            })
            .collect())
    }

    /// Shipping profiles.
    pub(crate) async fn shipping_profiles(
        &self,
        ids: &[i64],
    ) -> ApiResult<HashMap<i64, gql::ShippingProfile>> {
        let columns = "id, name, description";
        self.by_id("mp_shipping_profiles", columns, ids, |r, id| {
            Ok(gql::ShippingProfile {
                id: encode(NodeType::ShippingProfile, id),
                legacy_id: to_i32(id),
                name: Some(col(r, "name")?),
                description: opt_text(r, "description")?,
            })
        })
        .await
    }

    /// Postage carriers, with their tracking link templates.
    pub(crate) async fn carriers(&self, ids: &[i64]) -> ApiResult<HashMap<i64, Carrier>> {
        let columns = "id, name, homepage_link, tracking_link_template";
        self.by_id("mp_carriers", columns, ids, |r, id| {
            Ok(Carrier {
                carrier: gql::ShipmentCarrier {
                    id: encode(NodeType::ShipmentCarrier, id),
                    legacy_id: to_i32(id),
                    name: col(r, "name")?,
                    homepage_link: opt_text(r, "homepage_link")?,
                },
                tracking_link_template: opt_text(r, "tracking_link_template")?,
            })
        })
        .await
    }

    /// External ids and metadata of objects of one type.
    pub(crate) async fn key_values(&self, owner_type: &str, ids: &[i64]) -> ApiResult<KeyValues> {
        let mut out = KeyValues::default();
        let ids = distinct(ids.iter().copied());
        if ids.is_empty() {
            return Ok(out);
        }
        let mut sql =
            Sql::new("SELECT owner_id, kind, key, value FROM mp_key_values WHERE owner_type = ");
        sql.arg(owner_type).push(" AND owner_id IN ").list(ids);
        sql.push(" ORDER BY owner_id, kind, position");
        let rows: Vec<(i64, String, String, Option<String>)> = sql.fetch_all_as(self.pool).await?;
        for (owner, kind, key, value) in rows {
            if kind == "external" {
                out.external
                    .entry(owner)
                    .or_default()
                    .push(gql::ExternalId {
                        key,
                        value: value.unwrap_or_default(),
                    });
            } else {
                out.metadata
                    .entry(owner)
                    .or_default()
                    .push(gql::Metadatum { key, value });
            }
        }
        Ok(out)
    }

    /// The requester's adverts (deleted ones included while they are kept).
    pub(crate) async fn adverts(&self, ids: &[i64]) -> ApiResult<HashMap<i64, AdvertRecord>> {
        let ids = distinct(ids.iter().copied());
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut sql = Sql::new(&format!(
            "SELECT {ADVERT_COLUMNS} FROM mp_adverts WHERE seller_id = "
        ));
        sql.arg(self.seller).push(" AND id IN ").list(ids.clone());
        sql.push(" AND (deleted_at IS NULL OR deleted_at >= ")
            .arg(self.now - DELETED_RETENTION_MS)
            .push(")");
        let rows: Vec<AdvertRow> = sql.fetch_all_as(self.pool).await?;

        // What lowestPrice and online need of the variants.
        let mut vsql = Sql::new(
            "SELECT advert_id, price_cents, sale_price_cents, published, infinite_quantity, count_on_hand FROM mp_variants WHERE deleted_at IS NULL AND advert_id IN ",
        );
        vsql.list(ids.clone());
        let mut variants: HashMap<i64, Vec<(VariantPrices, VariantStock)>> = HashMap::new();
        for r in vsql.fetch_all(self.pool).await? {
            variants.entry(col(&r, "advert_id")?).or_default().push((
                VariantPrices {
                    price: opt_i64(&r, "price_cents")?,
                    sale_price: opt_i64(&r, "sale_price_cents")?,
                },
                VariantStock {
                    published: flag(&r, "published")?,
                    infinite_quantity: flag(&r, "infinite_quantity")?,
                    count_on_hand: col(&r, "count_on_hand")?,
                },
            ));
        }

        let mut seller_ids = Vec::new();
        let mut brand_ids = Vec::new();
        let mut taxon_ids = Vec::new();
        for r in &rows {
            seller_ids.push(r.seller_id);
            brand_ids.extend(r.brand_id);
            taxon_ids.extend(r.taxon_id);
        }
        let sellers = self.sellers(&seller_ids).await?;
        let brands = self.brands(&brand_ids).await?;
        let taxons = self.taxons(&distinct(taxon_ids)).await?;
        let kv = self.key_values("Advert", &ids).await?;

        let mut out = HashMap::new();
        for r in rows {
            let id = r.id;
            let vs = variants.get(&id).map(Vec::as_slice).unwrap_or(&[]);
            let lowest = pricing::lowest(r.prices(), vs.iter().map(|(p, _)| *p));
            let external_ids = kv.external.get(&id).cloned().unwrap_or_default();
            let advert = gql::Advert {
                id: encode(NodeType::Advert, id),
                legacy_id: to_i32(id),
                title: r.title,
                description: r.description,
                published: Some(r.published),
                online: Some(vetting::online(
                    r.displayable && r.deleted_at.is_none(),
                    vs.iter().map(|(_, s)| *s),
                )),
                displayable: Some(r.displayable),
                vetted: Some(r.vetted),
                requires_vetting: Some(r.requires_vetting),
                vetting_rejected: Some(r.vetting_rejected),
                vetting_rejected_reason: r.vetting_rejected_reason,
                lowest_price: lowest.current.map(format_decimal),
                lowest_original_price: lowest.original.map(format_decimal),
                // An advert without features shows an empty list (the runtime's leaf fields
                // cannot return null for a list; see the report on glue::leaf_field).
                product_features: Some(r.product_features.map(|f| f.0).unwrap_or_default()),
                specifications: r.specifications,
                code: r.code,
                sale_type: r.sale_type.and_then(|t| parse_enum(&t)),
                price_type: r.price_type.and_then(|t| parse_enum(&t)),
                price_unit: r.price_unit.and_then(|t| parse_enum(&t)),
                youtube_video_url: r.youtube_video_url,
                custom_iframe_url: r.custom_iframe_url,
                created_at: time(r.created_at),
                updated_at: time(r.updated_at),
                seller: sellers.get(&r.seller_id).cloned(),
                brand: r.brand_id.and_then(|b| brands.get(&b).cloned()),
                taxon: r.taxon_id.and_then(|t| taxons.get(&t).cloned()),
                external_ids: external_ids.clone(),
                metadata: kv.metadata.get(&id).cloned().unwrap_or_default(),
            };
            let deleted_at = r.deleted_at;
            out.insert(
                id,
                AdvertRecord {
                    advert,
                    deleted_at,
                    external_ids,
                },
            );
        }
        Ok(out)
    }

    /// The requester's variants: live ones, or (with `include_dead`) also those of deleted
    /// adverts (never individually deleted ones).
    pub(crate) async fn variants(
        &self,
        ids: &[i64],
        include_dead: bool,
    ) -> ApiResult<HashMap<i64, gql::Variant>> {
        let ids = distinct(ids.iter().copied());
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut sql = Sql::new(&format!(
            "SELECT {VARIANT_COLUMNS} FROM mp_variants WHERE seller_id = "
        ));
        sql.arg(self.seller).push(" AND id IN ").list(ids.clone());
        sql.push(if include_dead {
            " AND deleted_at IS NULL"
        } else {
            " AND live = 1"
        });
        let rows: Vec<VariantRow> = sql.fetch_all_as(self.pool).await?;
        let mut advert_ids = Vec::new();
        let mut profile_ids = Vec::new();
        for r in &rows {
            advert_ids.push(r.advert_id);
            profile_ids.extend(r.shipping_profile_id);
        }
        // The adverts this request loaded already are cloned, not loaded again.
        let known = self
            .known_adverts
            .iter()
            .map(|a| (i64::from(a.legacy_id), *a));
        let known: HashMap<i64, &gql::Advert> = known.collect();
        let to_load: Vec<i64> = advert_ids
            .iter()
            .copied()
            .filter(|id| !known.contains_key(id))
            .collect();
        let loaded = self.adverts(&to_load).await?;
        let advert_of = |id: i64| match known.get(&id) {
            Some(a) => Some((*a).clone()),
            None => loaded.get(&id).map(|r| r.advert.clone()),
        };
        let profiles = self.shipping_profiles(&profile_ids).await?;
        let kv = self.key_values("Variant", &ids).await?;
        let labels = self.variant_labels(&ids).await?;
        let advert_prices = self.advert_prices(&advert_ids).await?;

        let mut out = HashMap::new();
        for r in rows {
            let id = r.id;
            let advert = advert_of(r.advert_id);
            let prices = pricing::effective(
                r.prices(),
                advert_prices.get(&r.advert_id).copied().unwrap_or_default(),
            );
            let dims = [
                r.parcel_length,
                r.parcel_width,
                r.parcel_height,
                r.parcel_weight,
            ];
            let label = labels
                .get(&id)
                .filter(|l| !l.is_empty())
                .map(|l| l.join(" / "))
                .or_else(|| advert.as_ref().and_then(|a| a.title.clone()));
            out.insert(
                id,
                gql::Variant {
                    id: encode(NodeType::Variant, id),
                    legacy_id: to_i32(id),
                    sku: r.sku,
                    barcode: r.barcode,
                    label,
                    description: r.description,
                    count_on_hand: Some(to_i32(r.count_on_hand)),
                    infinite_quantity: Some(r.infinite_quantity),
                    lowest_price: prices.current.map(format_decimal),
                    lowest_original_price: prices.original.map(format_decimal),
                    max_purchase_quantity: r.max_purchase_quantity.map(to_i32),
                    min_purchase_quantity: r.min_purchase_quantity.map(to_i32),
                    published: Some(r.published),
                    shipping_parcel: dims.iter().any(Option::is_some).then(|| {
                        gql::ShippingParcel {
                            length: dims[0],
                            width: dims[1],
                            height: dims[2],
                            weight: dims[3],
                        }
                    }),
                    shipping_profile: r
                        .shipping_profile_id
                        .and_then(|p| profiles.get(&p).cloned()),
                    advert,
                    external_ids: kv.external.get(&id).cloned().unwrap_or_default(),
                    metadata: kv.metadata.get(&id).cloned().unwrap_or_default(),
                    created_at: time(r.created_at),
                    updated_at: time(r.updated_at),
                },
            );
        }
        Ok(out)
    }

    async fn advert_prices(&self, ids: &[i64]) -> ApiResult<HashMap<i64, AdvertPrices>> {
        let columns = "id, price_cents, sale_price_cents";
        self.by_id("mp_adverts", columns, ids, |r, _| {
            Ok(AdvertPrices {
                price: opt_i64(r, "price_cents")?,
                sale_price: opt_i64(r, "sale_price_cents")?,
            })
        })
        .await
    }

    /// The display names of each variant's option values, in order (for `label`).
    async fn variant_labels(&self, ids: &[i64]) -> ApiResult<HashMap<i64, Vec<String>>> {
        let rows = self
            .rows(
                "SELECT vov.variant_id AS variant_id, vov.text_value AS text_value, ov.name AS name, ov.display_name AS display_name FROM mp_variant_option_values vov LEFT JOIN mp_option_values ov ON ov.id = vov.option_value_id WHERE vov.variant_id IN ",
                ids,
                " ORDER BY vov.variant_id, vov.position",
            )
            .await?;
        let mut out: HashMap<i64, Vec<String>> = HashMap::new();
        for r in rows {
            let text = opt_text(&r, "display_name")?
                .or(opt_text(&r, "name")?)
                .or(opt_text(&r, "text_value")?);
            if let Some(t) = text {
                out.entry(col(&r, "variant_id")?).or_default().push(t);
            }
        }
        Ok(out)
    }

    /// The requester's images (of adverts it has not deleted).
    pub(crate) async fn images(&self, ids: &[i64]) -> ApiResult<HashMap<i64, gql::Image>> {
        let rows = self
            .own_rows(
                "SELECT i.id AS id, i.url AS url, i.alt AS alt FROM mp_images i JOIN mp_adverts a ON a.id = i.advert_id WHERE a.deleted_at IS NULL AND i.seller_id = ",
                " AND i.id IN ",
                ids,
            )
            .await?;
        keyed(&rows, |r, id| {
            Ok(gql::Image {
                id: encode(NodeType::Image, id),
                legacy_id: to_i32(id),
                url: Some(col(r, "url")?),
                alt: opt_text(r, "alt")?,
            })
        })
    }

    /// The requester's documents.
    pub(crate) async fn documents(
        &self,
        ids: &[i64],
    ) -> ApiResult<HashMap<i64, gql::AdvertDocument>> {
        let select = "SELECT id, url, filename FROM mp_documents WHERE seller_id = ";
        let rows = self.own_rows(select, " AND id IN ", ids).await?;
        keyed(&rows, |r, id| {
            Ok(gql::AdvertDocument {
                id: encode(NodeType::AdvertDocument, id),
                legacy_id: to_i32(id),
                url: Some(col(r, "url")?),
                filename: Some(col(r, "filename")?),
            })
        })
    }

    /// Inventory records of the requester's variants.
    pub(crate) async fn inventories(&self, ids: &[i64]) -> ApiResult<HashMap<i64, gql::Inventory>> {
        let rows = self
            .own_rows(
                "SELECT inv.id AS id, inv.store_id AS store_id, inv.count_on_hand AS count_on_hand, inv.infinite_quantity AS infinite_quantity, inv.price_cents AS price_cents, inv.sale_price_cents AS sale_price_cents FROM mp_inventories inv JOIN mp_variants v ON v.id = inv.variant_id WHERE v.live = 1 AND v.seller_id = ",
                " AND inv.id IN ",
                ids,
            )
            .await?;
        let inventories = keyed(&rows, |r, id| {
            let inventory = gql::Inventory {
                id: encode(NodeType::Inventory, id),
                legacy_id: to_i32(id),
                count_on_hand: to_i32(col(r, "count_on_hand")?),
                infinite_quantity: flag(r, "infinite_quantity")?,
                price: opt_i64(r, "price_cents")?.map(money),
                sale_price: opt_i64(r, "sale_price_cents")?.map(money),
                seller: gql::Seller::default(),
            };
            Ok((col::<i64>(r, "store_id")?, inventory))
        })?;
        let stores: Vec<i64> = inventories.values().map(|(store, _)| *store).collect();
        let sellers = self.sellers(&stores).await?;
        // An inventory whose store is gone is left out.
        Ok(inventories
            .into_iter()
            .filter_map(|(id, (store, mut inventory))| {
                inventory.seller = sellers.get(&store)?.clone();
                Some((id, inventory))
            })
            .collect())
    }
}

/// External ids and metadata by owner.
#[derive(Debug, Default)]
pub(crate) struct KeyValues {
    /// External ids.
    pub external: HashMap<i64, Vec<gql::ExternalId>>,
    /// Metadata.
    pub metadata: HashMap<i64, Vec<gql::Metadatum>>,
}

/// A carrier and how to build its tracking links.
#[derive(Debug, Clone)]
pub(crate) struct Carrier {
    /// The carrier.
    pub carrier: gql::ShipmentCarrier,
    /// A URL with `{tracking_number}` where the number goes.
    pub tracking_link_template: Option<String>,
}

impl Carrier {
    /// The tracking link for `number` (percent-encoded into the template).
    pub(crate) fn tracking_link(&self, number: &str) -> Option<String> {
        let encoded: String = number
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        self.tracking_link_template
            .as_ref()
            .map(|t| t.replace("{tracking_number}", &encoded))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_through_their_names() {
        assert_eq!(enum_text(&gql::AdvertSaleTypeEnum::BuyOnline), "BUY_ONLINE");
        assert_eq!(
            parse_enum::<gql::AdvertSaleTypeEnum>("CLICK_AND_COLLECT"),
            Some(gql::AdvertSaleTypeEnum::ClickAndCollect)
        );
        assert_eq!(parse_enum::<gql::AdvertSaleTypeEnum>("nope"), None);
    }

    #[test]
    fn tracking_links_encode_the_number() {
        let c = Carrier {
            carrier: gql::ShipmentCarrier::default(),
            tracking_link_template: Some("https://t.example/{tracking_number}".into()),
        };
        assert_eq!(
            c.tracking_link("AB 12/3").as_deref(),
            Some("https://t.example/AB%2012%2F3")
        );
    }
}
