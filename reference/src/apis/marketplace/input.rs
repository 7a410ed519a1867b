//! Small input rules shared by the mutations: optional text patches, key/value lists (metadata and
//! external ids, with the `externalId` shortcut stored under the key `default`), and id fields.

use shopql_server_stubs::marketplace::KeyValueInput;
use shopql_server_stubs::{ApiResult, Maybe};
use sqlx::AnyConnection;

use super::errors::{Errors, path};
use super::rows::{key_values, replace_key_values};

/// The key under which `externalId` is stored among the external ids.
pub(crate) const DEFAULT_EXTERNAL_KEY: &str = "default";

/// Applies a nullable text field: absent keeps, null clears, a value sets (blank clears too).
pub(crate) fn patch_text(field: &Maybe<String>, current: &mut Option<String>) {
    match field {
        Maybe::Absent => {}
        Maybe::Null => *current = None,
        Maybe::Value(v) if v.trim().is_empty() => *current = None,
        Maybe::Value(v) => *current = Some(v.clone()),
    }
}

/// Applies a nullable field: absent keeps `current`, null sets `null`, a value sets what `set`
/// makes of it.
pub(crate) fn patch<T, C>(field: &Maybe<T>, current: &mut C, null: C, set: impl FnOnce(&T) -> C) {
    match field {
        Maybe::Absent => {}
        Maybe::Null => *current = null,
        Maybe::Value(v) => *current = set(v),
    }
}

/// Applies a nullable field whose value `check` may refuse: absent keeps `current`, null clears
/// it, a value sets what `check` makes of it; a refusal keeps `current` and is recorded at `name`.
pub(crate) fn patch_checked<T, U>(
    field: &Maybe<T>,
    current: &mut Option<U>,
    name: &str,
    errors: &mut Errors,
    check: impl FnOnce(&T) -> Result<U, String>,
) {
    match field {
        Maybe::Absent => {}
        Maybe::Null => *current = None,
        Maybe::Value(v) => match check(v) {
            Ok(u) => *current = Some(u),
            Err(message) => errors.add(name, message),
        },
    }
}

/// Checks a key/value list (`prefix.N.key`): keys must not be blank or repeated.
pub(crate) fn parse_pairs(
    list: &Maybe<Vec<KeyValueInput>>,
    prefix: &str,
    errors: &mut Errors,
) -> Option<Vec<(String, String)>> {
    let list = match list {
        Maybe::Absent => return None,
        Maybe::Null => return Some(Vec::new()),
        Maybe::Value(l) => l,
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for (i, kv) in list.iter().enumerate() {
        let key = kv.key.trim();
        if key.is_empty() {
            errors.add(path(prefix, &format!("{i}.key")), "must not be blank");
        } else if out.iter().any(|(k, _)| k == key) {
            errors.add(path(prefix, &format!("{i}.key")), "is repeated");
        } else {
            out.push((key.to_string(), kv.value.clone()));
        }
    }
    Some(out)
}

/// Key/value changes of one object.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct KvPatch {
    /// New metadata, replacing the old.
    pub metadata: Option<Vec<(String, String)>>,
    /// New external ids, replacing the old.
    pub external_ids: Option<Vec<(String, String)>>,
    /// The `externalId` shortcut: set (`Some(Some)`), remove (`Some(None)`) or keep (`None`).
    pub external_id: Option<Option<String>>,
}

impl KvPatch {
    /// Reads the three inputs of an object (`metadata`, `externalIds`, `externalId`).
    pub(crate) fn parse(
        metadata: &Maybe<Vec<KeyValueInput>>,
        external_ids: &Maybe<Vec<KeyValueInput>>,
        external_id: &Maybe<String>,
        prefix: &str,
        errors: &mut Errors,
    ) -> Self {
        Self {
            metadata: parse_pairs(metadata, &path(prefix, "metadata"), errors),
            external_ids: parse_pairs(external_ids, &path(prefix, "externalIds"), errors),
            // A blank id removes it, as null does.
            external_id: (external_id.clone().into_update())
                .map(|v| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())),
        }
    }

    /// Writes the changes.
    pub(crate) async fn apply(
        &self,
        conn: &mut AnyConnection,
        owner_type: &str,
        owner_id: i64,
    ) -> ApiResult<()> {
        if let Some(m) = &self.metadata {
            replace_key_values(&mut *conn, owner_type, owner_id, "metadata", m).await?;
        }
        if self.external_ids.is_none() && self.external_id.is_none() {
            return Ok(());
        }
        let mut list = match &self.external_ids {
            Some(l) => l.clone(),
            None => key_values(&mut *conn, owner_type, owner_id, "external").await?,
        };
        match &self.external_id {
            None => {}
            Some(value) => {
                list.retain(|(k, _)| k != DEFAULT_EXTERNAL_KEY);
                if let Some(v) = value {
                    list.insert(0, (DEFAULT_EXTERNAL_KEY.to_string(), v.clone()));
                }
            }
        }
        replace_key_values(conn, owner_type, owner_id, "external", &list).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_patches() {
        let mut v = Some("a".to_string());
        patch_text(&Maybe::Absent, &mut v);
        assert_eq!(v.as_deref(), Some("a"));
        patch_text(&Maybe::Value("b".into()), &mut v);
        assert_eq!(v.as_deref(), Some("b"));
        patch_text(&Maybe::Null, &mut v);
        assert_eq!(v, None);
    }

    #[test]
    fn pairs_need_distinct_keys() {
        let list = Maybe::Value(vec![
            KeyValueInput {
                key: "a".into(),
                value: "1".into(),
            },
            KeyValueInput {
                key: " ".into(),
                value: "2".into(),
            },
            KeyValueInput {
                key: "a".into(),
                value: "3".into(),
            },
        ]);
        let mut errors = Errors::new();
        let pairs = parse_pairs(&list, "metadata", &mut errors);
        assert_eq!(pairs, Some(vec![("a".into(), "1".into())]));
        let fields: Vec<String> = errors.into_graphql().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["metadata.1.key", "metadata.2.key"]);
    }
}
