//! The stored shape of adverts and variants, read and written whole inside a mutation's
//! transaction; id allocation; key/value lists; and the recomputation of an advert's derived
//! publication flags after any change to it or its variants.

use shopql_server_stubs::ApiResult;
use sqlx::{AnyConnection, AnyPool};

use crate::domain::marketplace::invoice::InvoiceFacts;
use crate::domain::marketplace::pricing::{self, AdvertPrices, VariantPrices};
use crate::domain::marketplace::shipping::ShippedState;
use crate::domain::marketplace::vetting::{self, AdvertState};
use crate::store::sql::{Arg, Doc, Flag, Sql, col};

/// Hands out `n` consecutive ids of the id space `name` and returns the first. Runs in its own
/// statement, outside the caller's transaction, like a database sequence: ids are never reused,
/// and a rolled-back mutation leaves a gap.
pub(crate) async fn allocate(pool: &AnyPool, name: &str, n: usize) -> ApiResult<i64> {
    if n == 0 {
        return Ok(0);
    }
    let n = n as i64;
    let mut sql = Sql::new("UPDATE mp_sequences SET next_id = next_id + ");
    sql.arg(n)
        .push(" WHERE name = ")
        .arg(name)
        .push(" RETURNING next_id");
    let row = sql.fetch_optional(pool).await?.ok_or_else(|| {
        shopql_server_stubs::ApiError::internal(format!("missing id sequence `{name}`"))
    })?;
    let next: i64 = col(&row, "next_id")?;
    Ok(next - n)
}

/// A block of allocated ids, taken one at a time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ids {
    next: i64,
    end: i64,
}

impl Ids {
    /// `n` ids from the space `name`.
    pub(crate) async fn take(pool: &AnyPool, name: &str, n: usize) -> ApiResult<Self> {
        let first = allocate(pool, name, n).await?;
        Ok(Self {
            next: first,
            end: first + n as i64,
        })
    }

    /// The next id.
    pub(crate) fn take_one(&mut self) -> ApiResult<i64> {
        if self.next >= self.end {
            return Err(shopql_server_stubs::ApiError::internal(
                "allocated fewer ids than a mutation used",
            ));
        }
        let id = self.next;
        self.next += 1;
        Ok(id)
    }
}

/// Inserts a row into `table`: its `columns` (`a, b, c`) get `values`, in order.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    table: &str,
    columns: &str,
    values: impl IntoIterator<Item = Arg>,
) -> ApiResult<()> {
    let mut sql = Sql::new(&format!("INSERT INTO {table} ({columns}) VALUES "));
    sql.list(values);
    sql.execute(conn).await.map(|_| ())
}

/// Writes row `id` of `table` whole: `columns` and `values` as for [`insert`], the `id` first
/// (which stays).
async fn update(
    conn: &mut AnyConnection,
    table: &str,
    columns: &str,
    id: i64,
    values: Vec<Arg>,
) -> ApiResult<()> {
    let columns: Vec<&str> = columns.split(", ").skip(1).collect();
    let mut sql = Sql::new(&format!("UPDATE {table} SET ({}) = ", columns.join(", ")));
    sql.list(values.into_iter().skip(1))
        .push(" WHERE id = ")
        .arg(id);
    sql.execute(conn).await.map(|_| ())
}

/// A row of a table written whole: the struct (read with `sqlx::FromRow`), `$columns` (its
/// columns, in field order), and `insert` and `update` writing every column, a flag as 0/1.
macro_rules! stored_row {
    (
        $(#[$meta:meta])*
        pub(crate) struct $name:ident in $table:literal, $columns:ident {
            $(#[$first_meta:meta])* pub $first:ident: $first_ty:ty,
            $($(#[$field_meta:meta])* pub $field:ident: $ty:ty,)*
        }
    ) => {
        $(#[$meta])*
        pub(crate) struct $name {
            $(#[$first_meta])* pub $first: $first_ty,
            $($(#[$field_meta])* pub $field: $ty,)*
        }

        #[doc = concat!(
            "The columns of `", $table, "`, in the order of [`", stringify!($name), "`]'s fields."
        )]
        pub(crate) const $columns: &str =
            concat!(stringify!($first) $(, ", ", stringify!($field))*);

        impl $name {
            /// The values of the columns, in order.
            fn values(&self) -> Vec<Arg> {
                vec![self.$first.arg() $(, self.$field.arg())*]
            }

            /// Inserts the row.
            pub(crate) async fn insert(&self, conn: &mut AnyConnection) -> ApiResult<()> {
                insert(conn, $table, $columns, self.values()).await
            }

            /// Writes every column of the row.
            pub(crate) async fn update(&self, conn: &mut AnyConnection) -> ApiResult<()> {
                update(conn, $table, $columns, self.$first, self.values()).await
            }
        }
    };
}

/// A field's value as a stored row's column.
trait Column {
    /// The bind value.
    fn arg(&self) -> Arg;
}

impl<T: Clone + Into<Arg>> Column for T {
    fn arg(&self) -> Arg {
        self.clone().into()
    }
}

/// A flag: an `INTEGER` 0/1 column.
impl Column for bool {
    fn arg(&self) -> Arg {
        Arg::from(i64::from(*self))
    }
}

/// A JSON document: a `TEXT` column.
impl<T: serde::Serialize> Column for Option<Doc<T>> {
    fn arg(&self) -> Arg {
        let json = self
            .as_ref()
            .map(|d| serde_json::to_string(&d.0).unwrap_or_default());
        Arg::from(json)
    }
}

stored_row! {
    /// An advert row.
    #[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
    pub(crate) struct AdvertRow in "mp_adverts", ADVERT_COLUMNS {
        pub id: i64,
        pub seller_id: i64,
        pub title: Option<String>,
        pub description: Option<String>,
        pub brand_id: Option<i64>,
        pub taxon_id: Option<i64>,
        pub price_cents: Option<i64>,
        pub sale_price_cents: Option<i64>,
        pub sale_type: Option<String>,
        pub price_type: Option<String>,
        pub price_unit: Option<String>,
        pub specifications: Option<String>,
        pub product_features: Option<Doc<Vec<String>>>,
        pub youtube_video_url: Option<String>,
        pub custom_iframe_url: Option<String>,
        pub code: Option<String>,
        #[sqlx(try_from = "Flag")]
        pub publish_requested: bool,
        #[sqlx(try_from = "Flag")]
        pub published: bool,
        #[sqlx(try_from = "Flag")]
        pub displayable: bool,
        #[sqlx(try_from = "Flag")]
        pub featured: bool,
        #[sqlx(try_from = "Flag")]
        pub vetted: bool,
        #[sqlx(try_from = "Flag")]
        pub requires_vetting: bool,
        #[sqlx(try_from = "Flag")]
        pub vetting_rejected: bool,
        pub vetting_rejected_reason: Option<String>,
        pub deleted_at: Option<i64>,
        pub created_at: i64,
        pub updated_at: i64,
    }
}

impl AdvertRow {
    /// Reads the seller's advert `id` (deleted ones too), locking it for the transaction on
    /// PostgreSQL (a no-op update takes the row lock; SQLite's write transaction already
    /// serializes writers).
    pub(crate) async fn lock(
        conn: &mut AnyConnection,
        seller: i64,
        id: i64,
    ) -> ApiResult<Option<Self>> {
        let mut lock = Sql::new("UPDATE mp_adverts SET updated_at = updated_at WHERE id = ");
        lock.arg(id).push(" AND seller_id = ").arg(seller);
        if lock.execute(&mut *conn).await? == 0 {
            return Ok(None);
        }
        let mut sql = Sql::new(&format!(
            "SELECT {ADVERT_COLUMNS} FROM mp_adverts WHERE id = "
        ));
        sql.arg(id);
        sql.fetch_optional_as(&mut *conn).await
    }

    /// The publication state as the vetting rules see it.
    pub(crate) fn state(&self, valid: bool) -> AdvertState {
        AdvertState {
            publish_requested: self.publish_requested,
            valid,
            requires_vetting: self.requires_vetting,
            vetted: self.vetted,
            vetting_rejected: self.vetting_rejected,
            deleted: self.deleted_at.is_some(),
            featured: self.featured,
        }
    }

    /// Copies a vetting state back.
    pub(crate) fn set_state(&mut self, s: AdvertState) {
        self.publish_requested = s.publish_requested;
        self.requires_vetting = s.requires_vetting;
        self.vetted = s.vetted;
        self.vetting_rejected = s.vetting_rejected;
        let v = vetting::visibility(s);
        self.published = v.published;
        self.displayable = v.displayable;
    }

    /// The advert's own prices.
    pub(crate) fn prices(&self) -> AdvertPrices {
        AdvertPrices {
            price: self.price_cents,
            sale_price: self.sale_price_cents,
        }
    }
}

stored_row! {
    /// A variant row.
    #[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
    pub(crate) struct VariantRow in "mp_variants", VARIANT_COLUMNS {
        pub id: i64,
        pub advert_id: i64,
        pub seller_id: i64,
        pub sku: Option<String>,
        pub barcode: Option<String>,
        pub description: Option<String>,
        pub price_cents: Option<i64>,
        pub sale_price_cents: Option<i64>,
        pub count_on_hand: i64,
        #[sqlx(try_from = "Flag")]
        pub infinite_quantity: bool,
        #[sqlx(try_from = "Flag")]
        pub published: bool,
        pub max_purchase_quantity: Option<i64>,
        pub min_purchase_quantity: Option<i64>,
        pub item_size: Option<f64>,
        pub comparable_size: Option<f64>,
        pub item_unit: Option<String>,
        pub comparable_unit: Option<String>,
        pub shipping_profile_id: Option<i64>,
        pub parcel_length: Option<f64>,
        pub parcel_width: Option<f64>,
        pub parcel_height: Option<f64>,
        pub parcel_weight: Option<f64>,
        #[sqlx(try_from = "Flag")]
        pub live: bool,
        pub deleted_at: Option<i64>,
        pub created_at: i64,
        pub updated_at: i64,
    }
}

impl VariantRow {
    /// The seller's live variant `id`.
    pub(crate) async fn find_live(
        conn: &mut AnyConnection,
        seller: i64,
        id: i64,
    ) -> ApiResult<Option<Self>> {
        let mut sql = Sql::new(&format!(
            "SELECT {VARIANT_COLUMNS} FROM mp_variants WHERE live = 1 AND seller_id = "
        ));
        sql.arg(seller).push(" AND id = ").arg(id);
        sql.fetch_optional_as(conn).await
    }

    /// The live variants of an advert, by id.
    pub(crate) async fn of_advert(
        conn: &mut AnyConnection,
        advert_id: i64,
    ) -> ApiResult<Vec<Self>> {
        let mut sql = Sql::new(&format!(
            "SELECT {VARIANT_COLUMNS} FROM mp_variants WHERE live = 1 AND advert_id = "
        ));
        sql.arg(advert_id).push(" ORDER BY id");
        sql.fetch_all_as(conn).await
    }

    /// The variant's own prices.
    pub(crate) fn prices(&self) -> VariantPrices {
        VariantPrices {
            price: self.price_cents,
            sale_price: self.sale_price_cents,
        }
    }
}

/// An invoice row (read with `SELECT *`).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub(crate) struct InvoiceRow {
    pub id: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub paid_at: Option<i64>,
    pub remitted_at: Option<i64>,
    #[sqlx(try_from = "Flag")]
    pub payment_under_review: bool,
    #[sqlx(try_from = "Flag")]
    pub awaiting_return: bool,
    #[sqlx(try_from = "Flag")]
    pub awaiting_refund: bool,
    #[sqlx(try_from = "Flag")]
    pub refunded: bool,
    #[sqlx(try_from = "Flag")]
    pub cancelled: bool,
    #[sqlx(try_from = "Flag")]
    pub ready: bool,
    #[sqlx(try_from = "Flag")]
    pub collected: bool,
    pub shipped_state: i64,
    pub shipping_cost_cents: i64,
    pub discount_cents: i64,
    pub subtotal_cents: i64,
    pub total_cents: i64,
    pub buyer_email: Option<String>,
    pub buyer_first_name: Option<String>,
    pub buyer_surname: Option<String>,
    pub buyer_phone: Option<String>,
}

impl InvoiceRow {
    /// What the invoice's status and flags are computed from.
    pub(crate) fn facts(&self) -> InvoiceFacts {
        InvoiceFacts {
            paid: self.paid_at.is_some(),
            payment_under_review: self.payment_under_review,
            shipped: ShippedState::from_code(self.shipped_state),
            awaiting_return: self.awaiting_return,
            awaiting_refund: self.awaiting_refund,
            refunded: self.refunded,
            cancelled: self.cancelled,
            ready: self.ready,
            collected: self.collected,
            remitted: self.remitted_at.is_some(),
        }
    }
}

/// Whether the taxon puts adverts through vetting.
pub(crate) async fn taxon_requires_vetting(
    conn: &mut AnyConnection,
    taxon: Option<i64>,
) -> ApiResult<bool> {
    let Some(taxon) = taxon else {
        return Ok(false);
    };
    let mut sql = Sql::new("SELECT requires_vetting FROM mp_taxons WHERE id = ");
    sql.arg(taxon);
    let found: Option<(Flag,)> = sql.fetch_optional_as(conn).await?;
    Ok(found.is_some_and(|(requires,)| requires.into()))
}

/// Whether an advert meets what publication needs: a title, a taxon, at least one live variant,
/// and a price for every live variant.
pub(crate) fn publishable(advert: &AdvertRow, variants: &[VariantRow]) -> bool {
    advert
        .title
        .as_deref()
        .is_some_and(|t| !t.trim().is_empty())
        && advert.taxon_id.is_some()
        && !variants.is_empty()
        && variants.iter().all(|v| {
            pricing::effective(v.prices(), advert.prices())
                .original
                .is_some()
        })
}

/// Recomputes an advert's publication flags from its row and its live variants, stamps
/// `updated_at`, and writes the row.
pub(crate) async fn refresh_advert(
    conn: &mut AnyConnection,
    advert: &mut AdvertRow,
    now: i64,
) -> ApiResult<()> {
    let variants = VariantRow::of_advert(&mut *conn, advert.id).await?;
    let valid = publishable(advert, &variants);
    let state = advert.state(valid);
    advert.set_state(state);
    advert.updated_at = now.max(advert.updated_at);
    advert.update(conn).await
}

/// Replaces the key/value list of one kind of an object.
pub(crate) async fn replace_key_values(
    conn: &mut AnyConnection,
    owner_type: &str,
    owner_id: i64,
    kind: &str,
    pairs: &[(String, String)],
) -> ApiResult<()> {
    let mut del = Sql::new("DELETE FROM mp_key_values WHERE owner_type = ");
    del.arg(owner_type)
        .push(" AND owner_id = ")
        .arg(owner_id)
        .push(" AND kind = ")
        .arg(kind);
    del.execute(&mut *conn).await?;
    for (i, (k, v)) in pairs.iter().enumerate() {
        let columns = "owner_type, owner_id, kind, position, key, value";
        let values = [
            owner_type.into(),
            owner_id.into(),
            kind.into(),
            (i as i64).into(),
            k.as_str().into(),
            v.as_str().into(),
        ];
        insert(&mut *conn, "mp_key_values", columns, values).await?;
    }
    Ok(())
}

/// The key/value list of one kind of an object.
pub(crate) async fn key_values(
    conn: &mut AnyConnection,
    owner_type: &str,
    owner_id: i64,
    kind: &str,
) -> ApiResult<Vec<(String, String)>> {
    let mut sql = Sql::new("SELECT key, value FROM mp_key_values WHERE owner_type = ");
    sql.arg(owner_type)
        .push(" AND owner_id = ")
        .arg(owner_id)
        .push(" AND kind = ")
        .arg(kind)
        .push(" ORDER BY position");
    let pairs: Vec<(String, Option<String>)> = sql.fetch_all_as(conn).await?;
    Ok(pairs
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect())
}

/// Most adverts purged per run (keeps each purge transaction short).
const PURGE_BATCH: i64 = 200;

/// Hard-deletes adverts soft-deleted more than 30 days ago, with their variants and everything
/// hanging off them. Line items keep their variant ids (they have no foreign key to variants),
/// so invoices are untouched. Returns how many adverts were purged.
pub async fn purge_deleted(state: &crate::state::AppState) -> ApiResult<u64> {
    let cutoff = state.now_ms() - super::load::DELETED_RETENTION_MS;
    let mut pick =
        Sql::new("SELECT id FROM mp_adverts WHERE deleted_at IS NOT NULL AND deleted_at < ");
    pick.arg(cutoff)
        .push(&format!(" ORDER BY id LIMIT {PURGE_BATCH}"));
    let ids: Vec<i64> = pick.fetch_column(&state.store.pool).await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let mut tx = state.store.begin().await?;
    let variants_of = |sql: &mut Sql| {
        sql.push("(SELECT id FROM mp_variants WHERE advert_id IN ")
            .list(ids.iter().copied())
            .push(")");
    };
    let mut steps: Vec<Sql> = Vec::new();
    for text in [
        "DELETE FROM mp_variant_option_values WHERE variant_id IN ",
        "DELETE FROM mp_inventories WHERE variant_id IN ",
        "DELETE FROM mp_key_values WHERE owner_type = 'Variant' AND owner_id IN ",
    ] {
        let mut s = Sql::new(text);
        variants_of(&mut s);
        steps.push(s);
    }
    for text in [
        "DELETE FROM mp_key_values WHERE owner_type = 'Advert' AND owner_id IN ",
        "DELETE FROM mp_images WHERE advert_id IN ",
        "DELETE FROM mp_advert_documents WHERE advert_id IN ",
        "DELETE FROM mp_advert_option_values WHERE advert_id IN ",
        "DELETE FROM mp_variants WHERE advert_id IN ",
        "DELETE FROM mp_adverts WHERE id IN ",
    ] {
        let mut s = Sql::new(text);
        s.list(ids.iter().copied());
        steps.push(s);
    }
    steps.push(Sql::new(
        "DELETE FROM mp_documents WHERE NOT EXISTS (SELECT 1 FROM mp_advert_documents ad WHERE ad.document_id = mp_documents.id)",
    ));
    for s in &steps {
        s.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(ids.len() as u64)
}
