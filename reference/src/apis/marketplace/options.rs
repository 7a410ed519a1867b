//! Option values chosen on adverts (option types applied to ADVERT, in the prototype of the
//! advert's taxon) and on variants (option types applied to VARIANT): either a listed value for
//! SINGLE_SELECT and MULTI_SELECT types, or entered text for FREE_TEXT, INTEGER and DECIMAL ones.

use std::collections::HashSet;

use shopql_server_stubs::{ApiResult, Maybe};
use sqlx::AnyConnection;

use super::errors::{Errors, path};
use super::rows::insert;
use crate::domain::marketplace::ids::NodeType;
use crate::store::sql::Sql;

/// A validated choice.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Choice {
    /// The option type.
    pub option_type_id: i64,
    /// The listed value, for select types.
    pub option_value_id: Option<i64>,
    /// The entered text, for free-text and numeric types.
    pub text_value: Option<String>,
}

/// One entry of `advertOptionValues` or `variantOptionValues` as given.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChoiceInput {
    /// `optionValueId`
    pub option_value_id: Maybe<String>,
    /// `optionTypeId`
    pub option_type_id: Maybe<String>,
    /// `textValue`
    pub text_value: Maybe<String>,
}

/// Where the choices go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// On the advert: the option type must be applied to ADVERT and belong to this prototype.
    Advert(Option<i64>),
    /// On a variant: the option type must be applied to VARIANT.
    Variant,
}

#[derive(sqlx::FromRow)]
struct TypeInfo {
    applied_to: String,
    field_type: String,
}

async fn option_type(conn: &mut AnyConnection, id: i64) -> ApiResult<Option<TypeInfo>> {
    let mut sql = Sql::new("SELECT applied_to, field_type FROM mp_option_types WHERE id = ");
    sql.arg(id);
    sql.fetch_optional_as(conn).await
}

/// Whether the option type is one of the prototype's (never without a prototype).
async fn in_prototype(
    conn: &mut AnyConnection,
    prototype: Option<i64>,
    option_type: i64,
) -> ApiResult<bool> {
    let Some(prototype) = prototype else {
        return Ok(false);
    };
    let mut sql =
        Sql::new("SELECT option_type_id FROM mp_prototype_option_types WHERE prototype_id = ");
    sql.arg(prototype)
        .push(" AND option_type_id = ")
        .arg(option_type);
    Ok(sql.fetch_optional(conn).await?.is_some())
}

/// The prototype of a taxon.
pub(crate) async fn prototype_of(
    conn: &mut AnyConnection,
    taxon: Option<i64>,
) -> ApiResult<Option<i64>> {
    let Some(taxon) = taxon else {
        return Ok(None);
    };
    let mut sql = Sql::new("SELECT prototype_id FROM mp_taxons WHERE id = ");
    sql.arg(taxon);
    let found: Option<(Option<i64>,)> = sql.fetch_optional_as(conn).await?;
    Ok(found.and_then(|(prototype,)| prototype))
}

/// Validates a list of choices; problems are reported at `prefix.N.field`.
pub(crate) async fn check(
    conn: &mut AnyConnection,
    inputs: &[ChoiceInput],
    level: Level,
    prefix: &str,
    errors: &mut Errors,
) -> ApiResult<Vec<Choice>> {
    let mut out = Vec::new();
    let mut single_types = HashSet::new();
    let mut seen_values = HashSet::new();
    for (i, input) in inputs.iter().enumerate() {
        let at = |name: &str| path(prefix, &format!("{i}.{name}"));
        let (type_id, value_id, text) = match (
            input.option_value_id.as_option(),
            input.option_type_id.as_option(),
            input.text_value.as_option(),
        ) {
            (Some(v), None, None) => {
                let Some(id) = errors.decode(v, NodeType::OptionValue, &at("optionValueId")) else {
                    continue;
                };
                let mut sql = Sql::new("SELECT option_type_id FROM mp_option_values WHERE id = ");
                sql.arg(id);
                let Some((type_id,)) = sql.fetch_optional_as::<(i64,), _>(&mut *conn).await? else {
                    errors.add(at("optionValueId"), "not found");
                    continue;
                };
                (type_id, Some(id), None)
            }
            (None, Some(t), Some(text)) => {
                let Some(id) = errors.decode(t, NodeType::OptionType, &at("optionTypeId")) else {
                    continue;
                };
                (id, None, Some(text.clone()))
            }
            (None, Some(_), None) => {
                errors.add(at("textValue"), "is required with optionTypeId");
                continue;
            }
            _ => {
                errors.add(
                    at("optionValueId"),
                    "give either optionValueId, or optionTypeId with textValue",
                );
                continue;
            }
        };
        let field = if value_id.is_some() {
            "optionValueId"
        } else {
            "optionTypeId"
        };
        let Some(info) = option_type(&mut *conn, type_id).await? else {
            errors.add(at(field), "not found");
            continue;
        };
        let wanted = match level {
            Level::Advert(_) => "ADVERT",
            Level::Variant => "VARIANT",
        };
        if info.applied_to != wanted {
            errors.add(
                at(field),
                format!(
                    "belongs to an option type applied to {}, not to {wanted}",
                    info.applied_to
                ),
            );
            continue;
        }
        if let Level::Advert(prototype) = level
            && !in_prototype(&mut *conn, prototype, type_id).await?
        {
            errors.add(
                at(field),
                "belongs to an option type outside the prototype of the advert's taxon",
            );
            continue;
        }
        let select = matches!(info.field_type.as_str(), "SINGLE_SELECT" | "MULTI_SELECT");
        match (&text, select) {
            (None, false) => {
                errors.add(
                    at(field),
                    format!(
                        "the option type is {}: give optionTypeId with textValue",
                        info.field_type
                    ),
                );
                continue;
            }
            (Some(_), true) => {
                errors.add(
                    at("optionTypeId"),
                    format!("the option type is {}: give optionValueId", info.field_type),
                );
                continue;
            }
            (Some(t), false) => {
                let ok = match info.field_type.as_str() {
                    "INTEGER" => t.trim().parse::<i64>().is_ok(),
                    "DECIMAL" => rust_decimal::Decimal::from_str_exact(t.trim()).is_ok(),
                    _ => !t.trim().is_empty(),
                };
                if !ok {
                    errors.add(
                        at("textValue"),
                        format!("is not a valid {} value", info.field_type),
                    );
                    continue;
                }
            }
            (None, true) => {}
        }
        // One value per single-valued type; no value twice.
        if (info.field_type != "MULTI_SELECT") && !single_types.insert(type_id) {
            errors.add(
                at(field),
                "the option type already has a value in this list",
            );
            continue;
        }
        if let Some(v) = value_id
            && !seen_values.insert(v)
        {
            errors.add(at(field), "is repeated");
            continue;
        }
        out.push(Choice {
            option_type_id: type_id,
            option_value_id: value_id,
            text_value: text.map(|t| t.trim().to_string()),
        });
    }
    Ok(out)
}

/// Whether every stored advert-level choice still fits the prototype (after a taxon change).
pub(crate) async fn advert_choices_fit(
    conn: &mut AnyConnection,
    advert: i64,
    prototype: Option<i64>,
) -> ApiResult<bool> {
    let mut sql = Sql::new("SELECT option_type_id FROM mp_advert_option_values WHERE advert_id = ");
    sql.arg(advert);
    for t in sql.fetch_column(&mut *conn).await? {
        if !in_prototype(&mut *conn, prototype, t).await? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Replaces the choices of an advert or a variant (`owner`, at `level`).
pub(crate) async fn replace(
    conn: &mut AnyConnection,
    level: Level,
    owner: i64,
    choices: &[Choice],
) -> ApiResult<()> {
    let (table, owner_column) = match level {
        Level::Advert(_) => ("mp_advert_option_values", "advert_id"),
        Level::Variant => ("mp_variant_option_values", "variant_id"),
    };
    let mut del = Sql::new(&format!("DELETE FROM {table} WHERE {owner_column} = "));
    del.arg(owner);
    del.execute(&mut *conn).await?;
    for (i, c) in choices.iter().enumerate() {
        let columns =
            format!("{owner_column}, position, option_type_id, option_value_id, text_value");
        let values = [
            owner.into(),
            (i as i64).into(),
            c.option_type_id.into(),
            c.option_value_id.into(),
            c.text_value.clone().into(),
        ];
        insert(&mut *conn, table, &columns, values).await?;
    }
    Ok(())
}
