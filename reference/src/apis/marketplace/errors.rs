//! Validation errors of mutation payloads: `errors { field messages }` with status 422, instead
//! of GraphQL errors, for input that is well typed but wrong.

use shopql_server_stubs::ApiResult;
use shopql_server_stubs::marketplace::{self as gql, ValidationError};

use crate::domain::marketplace::ids::{NodeType, decode_as};

/// Payload status on success.
pub(crate) const OK: i32 = 200;
/// Payload status when `errors` is set.
pub(crate) const UNPROCESSABLE: i32 = 422;

/// Collected problems, by input field path (`title`, `variants.0.sku`, `base`).
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Errors(Vec<(String, String)>);

impl Errors {
    /// No problems yet.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Records a problem with `field`.
    pub(crate) fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push((field.into(), message.into()));
    }

    /// Decodes the id a mutation input gives in `field` as a `t`; a problem there if it is not.
    pub(crate) fn decode(&mut self, id: &str, t: NodeType, field: &str) -> Option<i64> {
        decode_as(id, t)
            .map_err(|e| self.add(field, e.to_string()))
            .ok()
    }

    /// True when nothing was recorded.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The payload's `errors`: one entry per field, in the order fields were first reported.
    pub(crate) fn into_graphql(self) -> Vec<ValidationError> {
        let mut out: Vec<ValidationError> = Vec::new();
        for (field, message) in self.0 {
            match out.iter_mut().find(|e| e.field == field) {
                Some(e) => {
                    if !e.messages.contains(&message) {
                        e.messages.push(message);
                    }
                }
                None => out.push(ValidationError {
                    field,
                    messages: vec![message],
                }),
            }
        }
        out
    }

    /// A single problem.
    pub(crate) fn one(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut e = Self::new();
        e.add(field, message);
        e
    }
}

/// What a mutation comes to: the object it changed, or the problems of its input (a 422
/// payload); `Err` outside for failures that are GraphQL errors.
pub(crate) type Outcome<T> = ApiResult<Result<T, Errors>>;

/// A mutation payload: the object the mutation changed with status 200, or its `errors` with
/// status 422 and no object.
pub(crate) trait Payload: Sized {
    /// What a success carries.
    type Object;

    /// The payload of `outcome`, for the input's `clientMutationId`.
    fn of(client_mutation_id: Option<String>, outcome: Result<Self::Object, Errors>) -> Self;
}

/// The payload of `outcome` (the payload type is the caller's return type).
pub(crate) fn payload<P: Payload>(cmid: Option<String>, outcome: Result<P::Object, Errors>) -> P {
    P::of(cmid, outcome)
}

/// Implements [`Payload`] for the generated payload structs, which differ only in the name of
/// the field holding their object (and the resubmission's, which holds none).
macro_rules! payloads {
    ($($payload:ident $({ $field:ident: $object:ident })?;)*) => {$(
        impl Payload for gql::$payload {
            type Object = payloads!(@object $($object)?);

            fn of(client_mutation_id: Option<String>, outcome: Result<Self::Object, Errors>) -> Self {
                let (_object, errors, status) = match outcome {
                    Ok(object) => (Some(object), None, OK),
                    Err(e) => (None, Some(e.into_graphql()), UNPROCESSABLE),
                };
                Self {
                    $($field: _object,)?
                    client_mutation_id,
                    errors,
                    status,
                }
            }
        }
    )*};
    (@object $object:ident) => { gql::$object };
    (@object) => { () };
}

payloads! {
    AdvertUpsertMutationPayload { advert: Advert };
    AdvertDeleteMutationPayload { advert: Advert };
    AdvertVettingResubmitMutationPayload;
    VariantUpdateMutationPayload { variant: Variant };
    VariantDeleteMutationPayload { variant: Variant };
    ShipmentCreateMutationPayload { shipment: Shipment };
    ShipmentUpdateMutationPayload { shipment: Shipment };
}

/// `prefix.name`, or `name` without a prefix.
pub(crate) fn path(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_grouped_by_field() {
        let mut e = Errors::new();
        e.add("title", "can't be blank");
        e.add("variants.0.sku", "is already used");
        e.add("title", "is too long");
        e.add("title", "is too long");
        let g = e.into_graphql();
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].field, "title");
        assert_eq!(g[0].messages, vec!["can't be blank", "is too long"]);
        assert_eq!(path("variants.0", "sku"), "variants.0.sku");
        assert_eq!(path("", "sku"), "sku");
    }
}
