//! The one page type of every keyset (Relay) connection: `first`/`after`/`last`/`before` checked
//! against the limits, opaque cursors (JSON `{t: connection, k: keys}` in base64) bound to the
//! connection that issued them, and keyset pagination in SQL (a page
//! is `WHERE (keys) > (cursor) ORDER BY keys LIMIT n + 1`, so pages neither skip nor repeat rows
//! and cost the same at any depth).

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use shopql_server_stubs::{ApiError, FieldContext};
use sqlx::AnyPool;
use sqlx::any::AnyRow;

use super::sql::{Arg, Sql, col};

/// Page size when neither `first` nor `last` is given.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 50;
/// Largest `first` or `last` accepted.
pub(crate) const MAX_PAGE_SIZE: usize = 100;

/// A connection's `first`, `after`, `last` and `before`, as its resolver receives them.
pub(crate) type Window = (Option<i32>, Option<String>, Option<i32>, Option<String>);

/// The paging arguments of a connection field.
#[derive(Debug, Clone, Default)]
pub(crate) struct PageArgs {
    /// Returns the first n elements.
    pub first: Option<i32>,
    /// Returns the elements after this cursor.
    pub after: Option<String>,
    /// Returns the last n elements.
    pub last: Option<i32>,
    /// Returns the elements before this cursor.
    pub before: Option<String>,
    /// Whether `totalCount` is wanted: counting scans every match, the page only its rows.
    pub count: bool,
}

impl PageArgs {
    /// Groups the four arguments; the total is counted.
    pub(crate) fn new(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Self {
        Self {
            first,
            after,
            last,
            before,
            count: true,
        }
    }

    /// The arguments of the connection field `ctx` resolves; the total is counted only if the
    /// client selected `totalCount`.
    pub(crate) fn of(ctx: &FieldContext<'_>, (first, after, last, before): Window) -> Self {
        Self {
            count: ctx.selects("totalCount"),
            ..Self::new(first, after, last, before)
        }
    }
}

/// One value of a sort key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum KeyVal {
    /// An integer key (ids, times, ranks).
    Int(i64),
    /// A text key (names).
    Text(String),
}

impl From<KeyVal> for Arg {
    fn from(v: KeyVal) -> Self {
        match v {
            KeyVal::Int(i) => Arg::I64(i),
            KeyVal::Text(t) => Arg::Text(t),
        }
    }
}

/// The type of a sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    /// Integer.
    Int,
    /// Text.
    Text,
}

/// A sort key: an SQL expression and its type.
#[derive(Debug, Clone)]
pub(crate) struct Key {
    /// The SQL expression (may refer to the filter's placeholders).
    pub expr: String,
    /// Its type.
    pub kind: KeyKind,
}

impl Key {
    /// An integer key.
    pub(crate) fn int(expr: impl Into<String>) -> Self {
        Self {
            expr: expr.into(),
            kind: KeyKind::Int,
        }
    }

    /// A text key.
    pub(crate) fn text(expr: impl Into<String>) -> Self {
        Self {
            expr: expr.into(),
            kind: KeyKind::Text,
        }
    }
}

/// What a connection lists: the rows of `from` matching `filters`, ordered by `keys` (the last of
/// which is the unique integer id), ascending unless `descending`.
#[derive(Debug, Clone)]
pub(crate) struct Listing {
    /// Names the connection in its cursors, so a cursor only works where it was issued.
    pub tag: String,
    /// `FROM` clause (a table and its alias).
    pub from: String,
    /// `WHERE` conditions.
    pub filters: Sql,
    /// Sort keys; the last is the unique id.
    pub keys: Vec<Key>,
    /// Sort direction of every key.
    pub descending: bool,
    /// The number of matching rows when it is known without counting (kept counters).
    pub total: Option<i64>,
}

/// One element of a page: its cursor and id.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    /// The opaque cursor.
    pub cursor: String,
    /// The id (the last key).
    pub id: i64,
}

/// A page of ids, ready to be loaded and wrapped in a connection.
#[derive(Debug, Clone, Default)]
pub(crate) struct Page {
    /// The elements, in order.
    pub entries: Vec<Entry>,
    /// More elements follow.
    pub has_next_page: bool,
    /// More elements precede.
    pub has_previous_page: bool,
    /// Elements over all pages.
    pub total_count: i32,
}

impl Page {
    /// The ids of the page, in order.
    pub(crate) fn ids(&self) -> Vec<i64> {
        self.entries.iter().map(|e| e.id).collect()
    }

    /// An empty page.
    pub(crate) fn empty() -> Self {
        Self::default()
    }

    /// The first cursor of the page (`pageInfo.startCursor`).
    pub(crate) fn start_cursor(&self) -> Option<String> {
        self.entries.first().map(|e| e.cursor.clone())
    }

    /// The last cursor of the page (`pageInfo.endCursor`).
    pub(crate) fn end_cursor(&self) -> Option<String> {
        self.entries.last().map(|e| e.cursor.clone())
    }

    /// Pairs each entry's cursor with the loaded object of its id (entries whose object is
    /// missing are dropped: it vanished between the page and the load).
    pub(crate) fn pair<T: Clone>(
        &self,
        mut load: impl FnMut(i64) -> Option<T>,
    ) -> Vec<(String, T)> {
        self.entries
            .iter()
            .filter_map(|e| load(e.id).map(|t| (e.cursor.clone(), t)))
            .collect()
    }
}

/// The checked paging request.
#[derive(Debug, Clone)]
struct Request {
    first: Option<usize>,
    last: Option<usize>,
    after: Option<Vec<KeyVal>>,
    before: Option<Vec<KeyVal>>,
}

#[derive(Serialize, Deserialize)]
struct Cursor {
    t: String,
    k: Vec<KeyVal>,
}

/// Encodes a cursor for the connection `tag` at `keys`.
pub(crate) fn encode_cursor(tag: &str, keys: Vec<KeyVal>) -> String {
    let c = Cursor {
        t: tag.to_string(),
        k: keys,
    };
    STANDARD.encode(serde_json::to_vec(&c).unwrap_or_default())
}

/// Decodes a cursor that `argument` carries for the connection `tag`, whose keys are of `kinds`.
pub(crate) fn decode_cursor(
    argument: &str,
    cursor: &str,
    tag: &str,
    kinds: &[KeyKind],
) -> Result<Vec<KeyVal>, ApiError> {
    let refuse = || {
        ApiError::bad_input(format!(
            "`{argument}` is not a cursor of this connection (use a cursor it returned)"
        ))
    };
    let bytes = STANDARD.decode(cursor.trim()).map_err(|_| refuse())?;
    let c: Cursor = serde_json::from_slice(&bytes).map_err(|_| refuse())?;
    if c.t != tag || c.k.len() != kinds.len() {
        return Err(refuse());
    }
    let ok = c.k.iter().zip(kinds).all(|(v, k)| {
        matches!(
            (v, k),
            (KeyVal::Int(_), KeyKind::Int) | (KeyVal::Text(_), KeyKind::Text)
        )
    });
    if !ok {
        return Err(refuse());
    }
    Ok(c.k)
}

fn size(argument: &str, value: Option<i32>) -> Result<Option<usize>, ApiError> {
    match value {
        None => Ok(None),
        Some(n) if n < 0 => Err(ApiError::bad_input(format!(
            "`{argument}` must not be negative (got {n})"
        ))),
        Some(n) if n as usize > MAX_PAGE_SIZE => Err(ApiError::bad_input(format!(
            "`{argument}` is {n}; at most {MAX_PAGE_SIZE} elements can be requested per page"
        ))),
        Some(n) => Ok(Some(n as usize)),
    }
}

fn check(args: &PageArgs, tag: &str, kinds: &[KeyKind]) -> Result<Request, ApiError> {
    let first = size("first", args.first)?;
    let last = size("last", args.last)?;
    let after = args
        .after
        .as_deref()
        .map(|c| decode_cursor("after", c, tag, kinds))
        .transpose()?;
    let before = args
        .before
        .as_deref()
        .map(|c| decode_cursor("before", c, tag, kinds))
        .transpose()?;
    Ok(Request {
        first,
        last,
        after,
        before,
    })
}

/// Checks the paging arguments without running anything (for connections that are empty by
/// rule, such as `advertsWhere` without filters).
pub(crate) fn validate(args: &PageArgs) -> Result<(), ApiError> {
    size("first", args.first)?;
    size("last", args.last)?;
    Ok(())
}

fn tuple(exprs: &[&str]) -> String {
    format!("({})", exprs.join(", "))
}

/// Runs a listing: one keyset query for the page and one count.
pub(crate) async fn fetch(
    pool: &AnyPool,
    listing: &Listing,
    args: &PageArgs,
) -> Result<Page, ApiError> {
    let kinds: Vec<KeyKind> = listing.keys.iter().map(|k| k.kind).collect();
    let req = check(args, &listing.tag, &kinds)?;

    let total: i64 = match listing.total {
        Some(n) => n,
        // Not selected: never sent.
        None if !args.count => 0,
        None => {
            let mut count = Sql::new(&format!(
                "SELECT COUNT(*) AS n FROM {} WHERE ",
                listing.from
            ));
            append(&mut count, &listing.filters);
            count.fetch_n(pool).await?
        }
    };

    let exprs: Vec<&str> = listing.keys.iter().map(|k| k.expr.as_str()).collect();
    let select: Vec<String> = exprs
        .iter()
        .enumerate()
        .map(|(i, e)| format!("{e} AS k{i}"))
        .collect();
    let mut sql = Sql::new(&format!(
        "SELECT {} FROM {} WHERE ",
        select.join(", "),
        listing.from
    ));
    append(&mut sql, &listing.filters);
    let (gt, lt) = if listing.descending {
        ("<", ">")
    } else {
        (">", "<")
    };
    if let Some(after) = &req.after {
        sql.push(&format!(" AND {} {gt} ", tuple(&exprs)));
        sql.list(after.iter().cloned());
    }
    if let Some(before) = &req.before {
        sql.push(&format!(" AND {} {lt} ", tuple(&exprs)));
        sql.list(before.iter().cloned());
    }
    let forward = req.last.is_none() || req.first.is_some();
    let (asc, desc) = ("ASC", "DESC");
    let dir = match (forward, listing.descending) {
        (true, false) | (false, true) => asc,
        _ => desc,
    };
    let order: Vec<String> = exprs.iter().map(|e| format!("{e} {dir}")).collect();
    let n = if forward {
        req.first.unwrap_or(DEFAULT_PAGE_SIZE)
    } else {
        req.last.unwrap_or(DEFAULT_PAGE_SIZE)
    };
    sql.push(&format!(" ORDER BY {} LIMIT {}", order.join(", "), n + 1));

    let rows = sql.fetch_all(pool).await?;
    let mut keyed = Vec::with_capacity(rows.len());
    for row in &rows {
        keyed.push(read_keys(row, &kinds)?);
    }
    let more = keyed.len() > n;
    keyed.truncate(n);
    let (has_next, mut has_prev);
    if forward {
        has_next = more;
        has_prev = req.after.is_some();
        if let Some(l) = req.last
            && keyed.len() > l
        {
            keyed.drain(..keyed.len() - l);
            has_prev = true;
        }
    } else {
        keyed.reverse();
        has_prev = more;
        has_next = req.before.is_some();
    }
    let entries = keyed
        .into_iter()
        .map(|keys| entry(&listing.tag, keys))
        .collect();
    Ok(Page {
        entries,
        has_next_page: has_next,
        has_previous_page: has_prev,
        total_count: i32::try_from(total).unwrap_or(i32::MAX),
    })
}

/// The sort keys `k0`, `k1`, … of a row, of `kinds`.
fn read_keys(row: &AnyRow, kinds: &[KeyKind]) -> Result<Vec<KeyVal>, ApiError> {
    let mut keys = Vec::with_capacity(kinds.len());
    for (i, kind) in kinds.iter().enumerate() {
        let name = format!("k{i}");
        keys.push(match kind {
            KeyKind::Int => KeyVal::Int(col::<i64>(row, &name)?),
            KeyKind::Text => KeyVal::Text(col::<String>(row, &name)?),
        });
    }
    Ok(keys)
}

/// The page element at `keys` (the last is the id) of the connection `tag`.
fn entry(tag: &str, keys: Vec<KeyVal>) -> Entry {
    let id = match keys.last() {
        Some(KeyVal::Int(i)) => *i,
        _ => 0,
    };
    Entry {
        cursor: encode_cursor(tag, keys),
        id,
    }
}

/// The cursor tag of one parent's connection among the rows of a [`Listing`] of many parents
/// (`advertImages:100070734`): a cursor works only below the parent that issued it.
pub(crate) fn parent_tag(tag: &str, parent: i64) -> String {
    format!("{tag}:{parent}")
}

/// The first pages (`first` rows, no cursor) of many parents' connections in one statement:
/// `listing` holds the rows of all of them, `parent` is the SQL expression of a row's parent.
/// A window numbers each parent's rows in the listing's order (and counts them, with `count`,
/// as [`fetch`] does apart); each page is the one [`fetch`] returns for that parent alone with
/// the tag [`parent_tag`]. Parents without rows have no entry.
pub(crate) async fn first_pages(
    pool: &AnyPool,
    listing: &Listing,
    parent: &str,
    first: usize,
    count: bool,
) -> Result<HashMap<i64, Page>, ApiError> {
    let kinds: Vec<KeyKind> = listing.keys.iter().map(|k| k.kind).collect();
    let dir = if listing.descending { "DESC" } else { "ASC" };
    let order: Vec<String> = listing
        .keys
        .iter()
        .map(|k| format!("{} {dir}", k.expr))
        .collect();
    let keys: Vec<String> = listing
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{} AS k{i}", k.expr))
        .collect();
    let names: Vec<String> = (0..kinds.len()).map(|i| format!("k{i}")).collect();
    let total = if count {
        format!(", COUNT(*) OVER (PARTITION BY {parent}) AS total")
    } else {
        String::new()
    };
    let mut sql = Sql::new(&format!(
        "SELECT p, {}{} FROM (SELECT {parent} AS p, {}, ROW_NUMBER() OVER (PARTITION BY {parent} ORDER BY {}) AS rn{total} FROM {} WHERE ",
        names.join(", "),
        if count { ", total" } else { "" },
        keys.join(", "),
        order.join(", "),
        listing.from
    ));
    append(&mut sql, &listing.filters);
    // One row more than the page tells whether more follow, as `LIMIT n + 1` does apart.
    let n = i64::try_from(first).unwrap_or(i64::MAX);
    sql.push(") t WHERE rn <= ")
        .arg(n.saturating_add(1))
        .push(" ORDER BY p, rn");
    let mut pages: HashMap<i64, Page> = HashMap::new();
    for row in sql.fetch_all(pool).await? {
        let p: i64 = col(&row, "p")?;
        let page = pages.entry(p).or_default();
        if count {
            page.total_count = i32::try_from(col::<i64>(&row, "total")?).unwrap_or(i32::MAX);
        }
        if page.entries.len() == first {
            page.has_next_page = true;
        } else {
            let keys = read_keys(&row, &kinds)?;
            page.entries.push(entry(&parent_tag(&listing.tag, p), keys));
        }
    }
    Ok(pages)
}

/// Pages through a list already in memory (ids in order), with the same rules and cursors made
/// of positions.
pub(crate) fn in_memory(tag: &str, ids: &[i64], args: &PageArgs) -> Result<Page, ApiError> {
    let req = check(args, tag, &[KeyKind::Int])?;
    let position = |k: &Option<Vec<KeyVal>>| match k.as_ref().and_then(|k| k.first()) {
        Some(KeyVal::Int(i)) => Some(*i),
        _ => None,
    };
    let start = position(&req.after).map_or(0, |p| (p + 1).max(0) as usize);
    let end = position(&req.before).map_or(ids.len(), |p| (p.max(0) as usize).min(ids.len()));
    let window: Vec<usize> = (start.min(end)..end).collect();
    let mut chosen = window.clone();
    if let Some(f) = req.first {
        chosen.truncate(f);
    }
    if let Some(l) = req.last {
        if chosen.len() > l {
            chosen.drain(..chosen.len() - l);
        }
    } else if req.first.is_none() {
        chosen.truncate(DEFAULT_PAGE_SIZE);
    }
    let has_next =
        chosen.last().is_some_and(|&i| i + 1 < end) || (chosen.is_empty() && end < ids.len());
    let has_prev = chosen.first().is_some_and(|&i| i > start) || start > 0;
    Ok(Page {
        entries: chosen
            .into_iter()
            .map(|i| Entry {
                cursor: encode_cursor(tag, vec![KeyVal::Int(i as i64)]),
                id: ids[i],
            })
            .collect(),
        has_next_page: has_next,
        has_previous_page: has_prev,
        total_count: i32::try_from(ids.len()).unwrap_or(i32::MAX),
    })
}

/// A page of a list paged by offset, for the lists whose schema documents numeric cursors
/// (purchase `carts`: `skip`/`take`, or `after`/`first` with the offset as the cursor). Unlike a
/// keyset page, a deep page costs the rows it skips, and rows written meanwhile can shift pages;
/// the schema's contract is an offset, so that is what it gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OffsetPage {
    /// Rows skipped.
    pub offset: i64,
    /// Rows on the page, at most.
    pub size: i64,
}

impl OffsetPage {
    /// From `skip` or `after` (the offset as text; `skip` wins) and `take` or `first` (`take`
    /// wins): `size` is `default` when neither is given and may be at most `max` (a page of
    /// `what`, named in the error).
    pub(crate) fn from_skip_take(
        (skip, after): (Option<i32>, Option<&str>),
        (take, first): (Option<i32>, Option<i32>),
        (default, max): (i64, i64),
        what: &str,
    ) -> Result<Self, ApiError> {
        let size = match take.or(first) {
            None => default,
            Some(n) if n < 0 => return Err(ApiError::bad_input("take/first must not be negative")),
            Some(n) if i64::from(n) > max => {
                return Err(ApiError::bad_input(format!(
                    "take/first is {n}; at most {max} {what} fit on a page"
                )));
            }
            Some(n) => i64::from(n),
        };
        let offset = match (skip, after) {
            (Some(s), _) if s < 0 => return Err(ApiError::bad_input("skip must not be negative")),
            (Some(s), _) => i64::from(s),
            (None, Some(a)) => a.trim().parse::<u32>().map(i64::from).map_err(|_| {
                ApiError::bad_input(format!(
                    "after `{a}` is not a cursor (a non-negative integer)"
                ))
            })?,
            (None, None) => 0,
        };
        Ok(Self { offset, size })
    }

    /// Appends ` LIMIT size OFFSET offset`.
    pub(crate) fn push_to(&self, sql: &mut Sql) {
        sql.push(" LIMIT ")
            .arg(self.size)
            .push(" OFFSET ")
            .arg(self.offset);
    }

    /// The cursor of the page's `i`th row: its offset in the whole list.
    pub(crate) fn cursor(&self, i: usize) -> String {
        (self.offset + i64::try_from(i).unwrap_or(i64::MAX)).to_string()
    }

    /// `startCursor`: the page's offset.
    pub(crate) fn start_cursor(&self) -> String {
        self.offset.to_string()
    }

    /// `endCursor`: the offset just past the page, given `total` matching rows (the `after` that
    /// asks for the next page).
    pub(crate) fn end_cursor(&self, total: i64) -> String {
        total.min(self.offset + self.size).to_string()
    }

    /// Whether rows follow the page, given `total` matching rows.
    pub(crate) fn has_next(&self, total: i64) -> bool {
        total > self.offset + self.size
    }

    /// Whether rows precede the page.
    pub(crate) fn has_previous(&self) -> bool {
        self.offset > 0
    }
}

fn append(target: &mut Sql, filters: &Sql) {
    // The filter was built on its own, numbered from $1; the targets start with no arguments, so
    // its numbering stays right.
    debug_assert_eq!(target.arg_count(), 0);
    *target = target.clone().concat(filters);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_checked() {
        assert!(size("first", Some(100)).is_ok());
        assert!(size("first", Some(101)).is_err());
        assert!(size("last", Some(-1)).is_err());
        assert_eq!(size("first", None).ok(), Some(None));
    }

    #[test]
    fn cursors_only_work_where_they_were_issued() {
        let c = encode_cursor("brands", vec![KeyVal::Text("Giant".into()), KeyVal::Int(7)]);
        let kinds = [KeyKind::Text, KeyKind::Int];
        assert_eq!(
            decode_cursor("after", &c, "brands", &kinds).ok(),
            Some(vec![KeyVal::Text("Giant".into()), KeyVal::Int(7)])
        );
        assert!(decode_cursor("after", &c, "taxons", &kinds).is_err());
        assert!(decode_cursor("after", &c, "brands", &[KeyKind::Int, KeyKind::Int]).is_err());
        assert!(decode_cursor("after", "garbage", "brands", &kinds).is_err());
    }

    #[test]
    fn offset_pages_read_skip_take_or_their_relay_spellings() -> Result<(), ApiError> {
        let page = |s, a, t, f| OffsetPage::from_skip_take((s, a), (t, f), (20, 100), "carts");
        assert_eq!(
            page(None, None, None, None)?,
            OffsetPage {
                offset: 0,
                size: 20
            }
        );
        assert_eq!(
            page(Some(5), Some("9"), Some(3), Some(7))?,
            OffsetPage { offset: 5, size: 3 }
        );
        assert_eq!(
            page(None, Some(" 9 "), None, Some(7))?,
            OffsetPage { offset: 9, size: 7 }
        );
        for bad in [
            page(Some(-1), None, None, None),
            page(None, Some("-1"), None, None),
            page(None, Some("abc"), None, None),
            page(None, None, Some(-1), None),
            page(None, None, None, Some(101)),
        ] {
            assert!(bad.is_err());
        }
        let p = OffsetPage {
            offset: 10,
            size: 5,
        };
        assert_eq!(
            (p.cursor(2), p.start_cursor(), p.end_cursor(12)),
            ("12".into(), "10".into(), "12".into())
        );
        assert!(p.has_next(16) && !p.has_next(15) && p.has_previous());
        Ok(())
    }

    #[test]
    fn in_memory_pages_walk_without_gaps() -> Result<(), ApiError> {
        let ids: Vec<i64> = (10..17).collect();
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let p = in_memory(
                "t",
                &ids,
                &PageArgs::new(Some(3), after.clone(), None, None),
            )?;
            seen.extend(p.ids());
            if !p.has_next_page {
                break;
            }
            after = p.entries.last().map(|e| e.cursor.clone());
        }
        assert_eq!(seen, ids);
        let last2 = in_memory("t", &ids, &PageArgs::new(None, None, Some(2), None))?;
        assert_eq!(last2.ids(), vec![15, 16]);
        assert!(last2.has_previous_page);
        Ok(())
    }
}
