//! Checks and conversions of GraphQL inputs into domain values.

use rust_decimal::Decimal;
use shopql_server_stubs::purchase::{InputAddressType, InputDynamicPropertyValueType};
use shopql_server_stubs::scalars::Decimal as Dec;
use shopql_server_stubs::{ApiError, ApiResult, Maybe};

use crate::domain::purchase::cart::{
    ADDRESS_BILLING, ADDRESS_BILLING_AND_SHIPPING, AddressPatch, MAX_QUANTITY, max_price,
};
use crate::domain::purchase::properties::{PropertyError, PropertyInput};

/// Longest free text accepted (comments, address lines, property texts).
pub(crate) const MAX_TEXT: usize = 4000;

/// A price: not negative, at most [`max_price`].
pub(crate) fn price(field: &str, d: Dec) -> ApiResult<Decimal> {
    let d = d.0;
    if d < Decimal::ZERO {
        return Err(ApiError::bad_input(format!("{field} must not be negative")));
    }
    if d > max_price() {
        return Err(ApiError::bad_input(format!(
            "{field} must be at most {}",
            max_price()
        )));
    }
    Ok(d)
}

/// A quantity: `0..=MAX_QUANTITY`.
pub(crate) fn quantity(q: i32) -> ApiResult<i32> {
    if q < 0 {
        return Err(ApiError::bad_input("quantity must not be negative"));
    }
    if q > MAX_QUANTITY {
        return Err(ApiError::bad_input(format!(
            "quantity must be at most {MAX_QUANTITY}"
        )));
    }
    Ok(q)
}

/// Bounded free text.
pub(crate) fn text(field: &str, s: String) -> ApiResult<String> {
    if s.chars().count() > MAX_TEXT {
        return Err(ApiError::bad_input(format!(
            "{field} is longer than {MAX_TEXT} characters"
        )));
    }
    Ok(s)
}

/// A partial update of a text field: absent keeps, null clears, a value sets.
pub(crate) fn text_update(field: &str, m: Maybe<String>) -> ApiResult<Option<Option<String>>> {
    update(m, |s| text(field, s))
}

/// A partial update of a decimal field (dimensions, prices): not negative.
pub(crate) fn dec_update(field: &str, m: Maybe<Dec>) -> ApiResult<Option<Option<Decimal>>> {
    update(m, |d| price(field, d))
}

/// A partial update (absent: `None`, null: `Some(None)`) whose value `read` checks.
pub(crate) fn update<T, U>(
    m: Maybe<T>,
    read: impl FnOnce(T) -> ApiResult<U>,
) -> ApiResult<Option<Option<U>>> {
    m.into_update().map(|u| u.map(read).transpose()).transpose()
}

/// A product id: trimmed, lower-case hex as the catalogue stores it.
pub(crate) fn product_id(s: &str) -> ApiResult<String> {
    let id = s.trim().to_ascii_lowercase();
    if id.is_empty() || id.len() > 64 {
        return Err(ApiError::bad_input(
            "productId must be a product id (32 hex digits)",
        ));
    }
    Ok(id)
}

/// An address type: 1, 2 or 3.
pub(crate) fn address_type(t: i32) -> ApiResult<i32> {
    if (ADDRESS_BILLING..=ADDRESS_BILLING_AND_SHIPPING).contains(&t) {
        Ok(t)
    } else {
        Err(ApiError::bad_input(format!(
            "addressType {t} is not 1 (Billing), 2 (Shipping) or 3 (BillingAndShipping)"
        )))
    }
}

/// The fields an address input sets.
pub(crate) fn address_patch(a: InputAddressType) -> ApiResult<AddressPatch> {
    Ok(AddressPatch {
        id: text_update("address.id", a.id)?,
        key: text_update("address.key", a.key)?,
        city: text_update("address.city", a.city)?,
        country_code: text_update("address.countryCode", a.country_code)?,
        country_name: text_update("address.countryName", a.country_name)?,
        email: text_update("address.email", a.email)?,
        first_name: text_update("address.firstName", a.first_name)?,
        middle_name: text_update("address.middleName", a.middle_name)?,
        last_name: text_update("address.lastName", a.last_name)?,
        line1: text_update("address.line1", a.line1)?,
        line2: text_update("address.line2", a.line2)?,
        name: text_update("address.name", a.name)?,
        organization: text_update("address.organization", a.organization)?,
        phone: text_update("address.phone", a.phone)?,
        postal_code: text_update("address.postalCode", a.postal_code)?,
        region_id: text_update("address.regionId", a.region_id)?,
        region_name: text_update("address.regionName", a.region_name)?,
        zip: text_update("address.zip", a.zip)?,
        outer_id: text_update("address.outerId", a.outer_id)?,
        address_type: update(a.address_type, address_type)?,
    })
}

/// Dynamic property values to set (null entries of the list are skipped).
pub(crate) fn properties(list: Vec<Option<InputDynamicPropertyValueType>>) -> Vec<PropertyInput> {
    list.into_iter()
        .flatten()
        .map(|p| PropertyInput {
            name: p.name,
            value: p.value.into_option(),
            culture: p.culture_name.into_option().or(p.locale.into_option()),
        })
        .collect()
}

/// [`properties`] of an optional list.
pub(crate) fn maybe_properties(
    list: Maybe<Vec<Option<InputDynamicPropertyValueType>>>,
) -> Vec<PropertyInput> {
    list.into_option().map(properties).unwrap_or_default()
}

/// A refused dynamic property value.
pub(crate) fn property_error(e: PropertyError) -> ApiError {
    ApiError::bad_input(e.to_string())
}
