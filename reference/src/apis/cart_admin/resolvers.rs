//! The cart_admin API's resolver trait, implemented on the store.

use std::collections::BTreeSet;

use shopql_server_stubs::cart_admin::{self as api, CartAdminResolvers};
use shopql_server_stubs::shop::ShopResolvers;
use shopql_server_stubs::{ApiError, ApiResult, FieldContext};

use super::listing;
use super::listing::Cursor;
use crate::apis::shop::auth::principal;
use crate::apis::shop::carts;
use crate::apis::shop::input::parse_uuid;
use crate::apis::shop::promotions;
use crate::apis::shop::resolvers::ShopApi;
use crate::apis::shop::view;
use crate::state::AppState;

/// The most carts one `removeCarts` may name.
pub(crate) const MAX_REMOVE: usize = 1000;

/// The cart-admin endpoint's resolvers.
#[derive(Clone)]
pub(crate) struct CartAdminApi {
    pub(crate) state: AppState,
    /// The cart endpoint's resolvers, which resolve the fields of the carts it shares.
    pub(crate) shop: ShopApi,
}

#[shopql_server_stubs::async_trait::async_trait]
impl CartAdminResolvers for CartAdminApi {
    async fn carts(
        &self,
        ctx: &FieldContext<'_>,
        filter: Option<api::CartFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<api::CartConnection> {
        let tenant = principal(ctx)?.tenant.clone();
        let now = self.state.now_ms();
        let filter = listing::Filter::new(&tenant, filter.as_ref())?;
        let mut conn = self.state.store.pool.acquire().await?;
        let page = listing::list(
            &mut conn,
            &filter,
            first,
            after.as_deref(),
            now,
            ctx.selects("totalCount"),
        )
        .await?;
        let edges: Vec<api::CartEdge> = page
            .carts
            .iter()
            .map(|c| api::CartEdge {
                cursor: Cursor {
                    updated_at: c.updated_at,
                    id: c.id.clone(),
                }
                .encode(),
                node: view::cart(c, now),
            })
            .collect();
        Ok(api::CartConnection {
            nodes: if ctx.selects("nodes") {
                edges.iter().map(|e| e.node.clone()).collect()
            } else {
                Vec::new()
            },
            page_info: api::PageInfo {
                has_next_page: page.has_next_page,
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            // Not selected when `None`: the value is never sent.
            total_count: page
                .total
                .map_or(0, |t| i32::try_from(t).unwrap_or(i32::MAX)),
            edges,
        })
    }

    async fn cart(&self, ctx: &FieldContext<'_>, id: api::Uuid) -> ApiResult<Option<api::Cart>> {
        let tenant = principal(ctx)?.tenant.clone();
        let id = parse_uuid(&id)?;
        let now = self.state.now_ms();
        let mut conn = self.state.store.pool.acquire().await?;
        Ok(carts::get(&mut conn, &tenant, &id, now)
            .await?
            .map(|c| view::cart(&c, now)))
    }

    async fn promotions(&self, ctx: &FieldContext<'_>) -> ApiResult<Vec<api::Promotion>> {
        let tenant = principal(ctx)?.tenant.clone();
        let mut conn = self.state.store.pool.acquire().await?;
        Ok(promotions::load_all(&mut conn, &tenant)
            .await?
            .iter()
            .map(promotions::to_api)
            .collect())
    }

    async fn set_promotions(
        &self,
        ctx: &FieldContext<'_>,
        input: Vec<api::PromotionInput>,
    ) -> ApiResult<Vec<api::Promotion>> {
        let tenant = principal(ctx)?.tenant.clone();
        // All or nothing: every input is checked before anything is stored.
        let mut seen = BTreeSet::new();
        let mut checked = Vec::with_capacity(input.len());
        for p in &input {
            if !seen.insert(p.identifier.clone()) {
                return Err(ApiError::bad_input(format!(
                    "promotion `{}` is given twice",
                    p.identifier
                )));
            }
            checked.push(promotions::from_input(p)?);
        }
        let mut tx = self.state.store.begin().await?;
        promotions::upsert(&mut tx, &tenant, &checked, self.state.now_ms()).await?;
        tx.commit().await?;
        Ok(checked.iter().map(promotions::to_api).collect())
    }

    async fn remove_promotions(
        &self,
        ctx: &FieldContext<'_>,
        identifiers: Vec<String>,
    ) -> ApiResult<i32> {
        let tenant = principal(ctx)?.tenant.clone();
        let mut tx = self.state.store.begin().await?;
        let removed = promotions::remove(&mut tx, &tenant, &identifiers).await?;
        tx.commit().await?;
        Ok(i32::try_from(removed).unwrap_or(i32::MAX))
    }

    async fn remove_carts(&self, ctx: &FieldContext<'_>, ids: Vec<api::Uuid>) -> ApiResult<i32> {
        let tenant = principal(ctx)?.tenant.clone();
        if ids.len() > MAX_REMOVE {
            return Err(ApiError::bad_input(format!(
                "`ids` names at most {MAX_REMOVE} carts, not {}",
                ids.len()
            )));
        }
        let ids: BTreeSet<String> = ids
            .iter()
            .map(|i| parse_uuid(i))
            .collect::<ApiResult<_>>()?;
        let now = self.state.now_ms();
        let mut tx = self.state.store.begin().await?;
        let mut removed = 0;
        for id in &ids {
            if carts::delete(&mut tx, &tenant, id, Some(now)).await? {
                removed += 1;
            }
        }
        tx.commit().await?;
        Ok(removed)
    }

    /// The fields of the carts (shop's types) that take a key: resolved as the cart endpoint
    /// resolves them.
    fn shop_resolvers(&self) -> &dyn ShopResolvers {
        &self.shop
    }
}
