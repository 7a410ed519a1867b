//! Partial updates of shipments and payments (`addOrUpdateCartShipment`,
//! `addOrUpdateCartPayment`): inputs are checked first, then applied to the cart: only the
//! fields given change; a method must be one the store offers for the cart.

use rust_decimal::Decimal;
use shopql_server_stubs::purchase::{InputPaymentType, InputShipmentType};
use shopql_server_stubs::{ApiError, ApiResult};

use crate::apis::optional;
use crate::domain::purchase::cart::{
    Address, AddressPatch, CartPart, Payment, PropertyValue, Shipment,
};
use crate::domain::purchase::properties::{self, ObjectType, PropertyInput};
use crate::store::uuid;

use super::input::{
    address_patch, dec_update, maybe_properties, property_error, text_update, update,
};
use super::service::{Change, id_text};

/// Sets `inputs` on `values` (of an object of `object_type`), checked against the store's
/// definitions; `BAD_USER_INPUT` on a refused value.
pub(crate) fn apply_properties(
    values: &mut Vec<PropertyValue>,
    c: &Change<'_>,
    object_type: ObjectType,
    inputs: &[PropertyInput],
) -> ApiResult<()> {
    properties::apply(
        values,
        &c.catalog.properties,
        object_type,
        inputs,
        c.culture,
    )
    .map_err(property_error)
}

/// `addOrUpdateCartShipment` input, checked.
pub(crate) struct ShipmentPatch {
    id: Option<String>,
    fulfillment_center_id: Option<Option<String>>,
    height: Option<Option<Decimal>>,
    length: Option<Option<Decimal>>,
    width: Option<Option<Decimal>>,
    weight: Option<Option<Decimal>>,
    volumetric_weight: Option<Option<Decimal>>,
    measure_unit: Option<Option<String>>,
    weight_unit: Option<Option<String>>,
    method_code: Option<Option<String>>,
    method_option: Option<Option<String>>,
    delivery_address: Option<Option<AddressPatch>>,
    currency: Option<String>,
    price: Option<Option<Decimal>>,
    vendor_id: Option<Option<String>>,
    comment: Option<Option<String>>,
    properties: Vec<PropertyInput>,
}

impl ShipmentPatch {
    pub(crate) fn from(s: InputShipmentType) -> ApiResult<Self> {
        Ok(Self {
            id: optional(&s.id, |i| id_text("shipment.id", i))?,
            fulfillment_center_id: text_update(
                "shipment.fulfillmentCenterId",
                s.fulfillment_center_id,
            )?,
            height: dec_update("shipment.height", s.height)?,
            length: dec_update("shipment.length", s.length)?,
            width: dec_update("shipment.width", s.width)?,
            weight: dec_update("shipment.weight", s.weight)?,
            volumetric_weight: dec_update("shipment.volumetricWeight", s.volumetric_weight)?,
            measure_unit: text_update("shipment.measureUnit", s.measure_unit)?,
            weight_unit: text_update("shipment.weightUnit", s.weight_unit)?,
            method_code: text_update("shipment.shipmentMethodCode", s.shipment_method_code)?,
            method_option: text_update("shipment.shipmentMethodOption", s.shipment_method_option)?,
            delivery_address: update(s.delivery_address, address_patch)?,
            currency: s.currency.into_option(),
            price: dec_update("shipment.price", s.price)?,
            vendor_id: text_update("shipment.vendorId", s.vendor_id)?,
            comment: text_update("shipment.comment", s.comment)?,
            properties: maybe_properties(s.dynamic_properties),
        })
    }

    pub(crate) fn apply(self, c: &mut Change<'_>) -> ApiResult<()> {
        check_currency(self.currency.as_deref(), c)?;
        upsert(c, self.id, &self.properties, |s: &mut Shipment, c| {
            set_all!(s, self: fulfillment_center_id, height, length, width, weight);
            set_all!(s, self: volumetric_weight, measure_unit, weight_unit, vendor_id, comment);
            set(&mut s.price_override, self.price);
            if self.method_code.is_some() || self.method_option.is_some() {
                let code_changed = self.method_code.is_some();
                let code = match self.method_code {
                    Some(v) => v,
                    None => s.method_code.clone(),
                };
                let option = match self.method_option {
                    Some(v) => v,
                    None if code_changed => None,
                    None => s.method_option.clone(),
                };
                match code {
                    Some(code) => {
                        let m = c
                            .catalog
                            .shipping_method(&code, option.as_deref())
                            .ok_or_else(|| {
                                ApiError::bad_input(format!(
                                    "shipping method `{code}`{} is not available for this cart",
                                    option
                                        .as_deref()
                                        .map(|o| format!(" with option `{o}`"))
                                        .unwrap_or_default()
                                ))
                            })?;
                        s.method_code = Some(m.code.clone());
                        s.method_option = Some(m.option_name.clone());
                    }
                    None => {
                        s.method_code = None;
                        s.method_option = None;
                    }
                }
            }
            patch_address(&mut s.delivery_address, self.delivery_address);
            Ok(())
        })
    }
}

/// `addOrUpdateCartPayment` input, checked.
pub(crate) struct PaymentPatch {
    id: Option<String>,
    outer_id: Option<Option<String>>,
    gateway_code: Option<Option<String>>,
    billing_address: Option<Option<AddressPatch>>,
    purpose: Option<Option<String>>,
    currency: Option<String>,
    price: Option<Option<Decimal>>,
    amount: Option<Option<Decimal>>,
    vendor_id: Option<Option<String>>,
    comment: Option<Option<String>>,
    properties: Vec<PropertyInput>,
}

impl PaymentPatch {
    pub(crate) fn from(p: InputPaymentType) -> ApiResult<Self> {
        Ok(Self {
            id: optional(&p.id, |i| id_text("payment.id", i))?,
            outer_id: text_update("payment.outerId", p.outer_id)?,
            gateway_code: text_update("payment.paymentGatewayCode", p.payment_gateway_code)?,
            billing_address: update(p.billing_address, address_patch)?,
            purpose: text_update("payment.purpose", p.purpose)?,
            currency: p.currency.into_option(),
            price: dec_update("payment.price", p.price)?,
            amount: dec_update("payment.amount", p.amount)?,
            vendor_id: text_update("payment.vendorId", p.vendor_id)?,
            comment: text_update("payment.comment", p.comment)?,
            properties: maybe_properties(p.dynamic_properties),
        })
    }

    pub(crate) fn apply(self, c: &mut Change<'_>) -> ApiResult<()> {
        check_currency(self.currency.as_deref(), c)?;
        upsert(c, self.id, &self.properties, |p: &mut Payment, c| {
            set_all!(p, self: outer_id, purpose, amount, vendor_id, comment);
            set(&mut p.price_override, self.price);
            match self.gateway_code {
                Some(Some(code)) => {
                    let m = c.catalog.payment_method(&code).ok_or_else(|| {
                        ApiError::bad_input(format!(
                            "payment method `{code}` is not available for this cart"
                        ))
                    })?;
                    p.gateway_code = Some(m.code.clone());
                }
                Some(None) => p.gateway_code = None,
                None => {}
            }
            patch_address(&mut p.billing_address, self.billing_address);
            Ok(())
        })
    }
}

/// Patches part `id` of type `P` (the only one when no id is given; when none is found, a new
/// one with that id or a new id): `edit` and the dynamic properties change a copy, which
/// replaces the part (or is added) only when all of it succeeded.
fn upsert<P: CartPart>(
    c: &mut Change<'_>,
    id: Option<String>,
    properties: &[PropertyInput],
    edit: impl FnOnce(&mut P, &Change<'_>) -> ApiResult<()>,
) -> ApiResult<()> {
    let parts = P::all(c.doc);
    let idx = match &id {
        Some(id) => parts.iter().position(|p| p.id() == id),
        None if parts.len() == 1 => Some(0),
        None => None,
    };
    let mut part = match idx {
        Some(i) => parts[i].clone(),
        None => P::with_id(id.unwrap_or_else(uuid)),
    };
    edit(&mut part, c)?;
    apply_properties(part.properties_mut(), c, P::OBJECT_TYPE, properties)?;
    match idx {
        Some(i) => P::all_mut(c.doc)[i] = part,
        None => P::all_mut(c.doc).push(part),
    }
    Ok(())
}

/// An address update: a patch changes the address (a new one when there is none), null
/// removes it.
fn patch_address(address: &mut Option<Address>, update: Option<Option<AddressPatch>>) {
    match update {
        Some(Some(patch)) => address
            .get_or_insert_with(|| Address {
                id: Some(uuid()),
                ..Address::default()
            })
            .apply(patch),
        Some(None) => *address = None,
        None => {}
    }
}

/// [`set`] of each field of a part from the patch's field of the same name.
macro_rules! set_all {
    ($part:ident, $patch:ident: $($field:ident),*) => {
        $(set(&mut $part.$field, $patch.$field);)*
    };
}
use set_all;

fn set<T>(field: &mut Option<T>, update: Option<Option<T>>) {
    if let Some(v) = update {
        *field = v;
    }
}

fn check_currency(given: Option<&str>, c: &Change<'_>) -> ApiResult<()> {
    match given.map(str::trim).filter(|g| !g.is_empty()) {
        Some(g) if !g.eq_ignore_ascii_case(&c.currency.code) => Err(ApiError::bad_input(format!(
            "currency `{g}` is not the cart's currency `{}`",
            c.currency.code
        ))),
        _ => Ok(()),
    }
}
