//! Lazy fields and fields with arguments, end to end over HTTP, on the purchase API:
//! `CartType.availableShippingMethods` is configured lazy in `build.rs`, so it is a trait method
//! that runs only when a query selects it; `CartType.dynamicProperties(cultureName:)` takes an
//! argument, so it is a trait method with the parent and the typed argument.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{TestServer, code};
use serde_json::{Value, json};
use shopql_server_stubs::purchase::*;
use shopql_server_stubs::{ApiError, ApiResult, FieldContext, Maybe};

/// Counts the calls of the lazy and argument-taking resolvers, and keeps the last command.
/// (parent cart id, culture name) of each `dynamicProperties` call.
type Cultures = Vec<(Option<String>, Option<String>)>;

#[derive(Default, Clone)]
struct Purchase {
    shipping_calls: Arc<AtomicUsize>,
    property_cultures: Arc<Mutex<Cultures>>,
    last_command: Arc<Mutex<Option<InputAddItemType>>>,
}

fn cart_of(id: &str, store_id: String, currency: &str) -> CartType {
    CartType {
        id: Some(id.to_string()),
        name: "default".to_string(),
        store_id: Some(store_id),
        comment: Some(format!("in {currency}")),
        items_count: Some(0),
        ..CartType::default()
    }
}

#[shopql_server_stubs::async_trait::async_trait]
impl PurchaseResolvers for Purchase {
    async fn cart(
        &self,
        _: &FieldContext<'_>,
        store_id: String,
        _cart_name: Option<String>,
        _user_id: Option<String>,
        _culture_name: Option<String>,
        currency_code: String,
        _cart_type: Option<String>,
        cart_id: Option<String>,
    ) -> ApiResult<Option<CartType>> {
        if cart_id.as_deref() == Some("missing") {
            return Ok(None);
        }
        Ok(Some(cart_of(
            cart_id.as_deref().unwrap_or("c-1"),
            store_id,
            &currency_code,
        )))
    }

    async fn add_item(
        &self,
        _: &FieldContext<'_>,
        command: InputAddItemType,
    ) -> ApiResult<Option<CartType>> {
        if command.quantity < 1 {
            return Err(ApiError::bad_input("quantity must be positive"));
        }
        let cart = cart_of("c-2", command.store_id.clone(), "USD");
        *self.last_command.lock().unwrap() = Some(command);
        Ok(Some(cart))
    }

    async fn carts(
        &self,
        _: &FieldContext<'_>,
        store_id: Option<String>,
        _cart_name: Option<String>,
        _user_id: Option<String>,
        _culture_name: Option<String>,
        _currency_code: Option<String>,
        _cart_type: Option<String>,
        _filter: Option<String>,
        _sort: Option<String>,
        _skip: Option<i32>,
        _take: Option<i32>,
        _first: Option<i32>,
        _after: Option<String>,
    ) -> ApiResult<Option<CartConnection>> {
        // A list with a `null` item: its lazy fields must not run.
        let store = store_id.unwrap_or_default();
        Ok(Some(CartConnection {
            total_count: Some(2),
            items: Some(vec![Some(cart_of("c-a", store, "EUR")), None]),
            ..CartConnection::default()
        }))
    }

    async fn cart_type_available_shipping_methods(
        &self,
        _: &FieldContext<'_>,
        parent: &CartType,
    ) -> ApiResult<Option<Vec<Option<ShippingMethodType>>>> {
        self.shipping_calls.fetch_add(1, Ordering::SeqCst);
        let for_cart = parent.id.clone().unwrap_or_default();
        Ok(Some(vec![
            Some(ShippingMethodType {
                code: Some("FixedRate".into()),
                option_name: Some(format!("Ground for {for_cart}")),
                priority: Some(1),
                ..ShippingMethodType::default()
            }),
            None,
        ]))
    }

    async fn cart_type_dynamic_properties(
        &self,
        _: &FieldContext<'_>,
        parent: &CartType,
        culture_name: Option<String>,
    ) -> ApiResult<Option<Vec<Option<DynamicPropertyValueType>>>> {
        self.property_cultures
            .lock()
            .unwrap()
            .push((parent.id.clone(), culture_name.clone()));
        Ok(Some(vec![Some(DynamicPropertyValueType {
            name: Some("giftNote".into()),
            value_type: Some("ShortText".into()),
            value: Some(json!(format!(
                "note in {}",
                culture_name.as_deref().unwrap_or("every culture")
            ))),
            ..DynamicPropertyValueType::default()
        })]))
    }

    // Everything else is not needed by these tests.

    async fn clear_cart(
        &self,
        _: &FieldContext<'_>,
        _command: InputClearCartType,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented("Mutation.clearCart"))
    }
    async fn change_comment(
        &self,
        _: &FieldContext<'_>,
        _command: Option<InputChangeCommentType>,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented("Mutation.changeComment"))
    }
    async fn change_cart_item_price(
        &self,
        _: &FieldContext<'_>,
        _command: InputChangeCartItemPriceType,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented("Mutation.changeCartItemPrice"))
    }
    async fn change_cart_item_quantity(
        &self,
        _: &FieldContext<'_>,
        _command: InputChangeCartItemQuantityType,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented("Mutation.changeCartItemQuantity"))
    }
    async fn change_cart_item_comment(
        &self,
        _: &FieldContext<'_>,
        _command: Option<InputChangeCartItemCommentType>,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented("Mutation.changeCartItemComment"))
    }
    async fn remove_cart_item(
        &self,
        _: &FieldContext<'_>,
        _command: InputRemoveItemType,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented("Mutation.removeCartItem"))
    }
    async fn add_coupon(
        &self,
        _: &FieldContext<'_>,
        _command: InputAddCouponType,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented("Mutation.addCoupon"))
    }
    async fn remove_coupon(
        &self,
        _: &FieldContext<'_>,
        _command: InputRemoveCouponType,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented("Mutation.removeCoupon"))
    }
    async fn remove_shipment(
        &self,
        _: &FieldContext<'_>,
        _command: InputRemoveShipmentType,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented("Mutation.removeShipment"))
    }
    async fn add_or_update_cart_shipment(
        &self,
        _: &FieldContext<'_>,
        _command: InputAddOrUpdateCartShipmentType,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented(
            "Mutation.addOrUpdateCartShipment",
        ))
    }
    async fn add_or_update_cart_payment(
        &self,
        _: &FieldContext<'_>,
        _command: InputAddOrUpdateCartPaymentType,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented("Mutation.addOrUpdateCartPayment"))
    }
    async fn validate_coupon(
        &self,
        _: &FieldContext<'_>,
        _command: InputValidateCouponType,
    ) -> ApiResult<Option<bool>> {
        Err(ApiError::not_implemented("Mutation.validateCoupon"))
    }
    async fn merge_cart(
        &self,
        _: &FieldContext<'_>,
        _command: InputMergeCartType,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented("Mutation.mergeCart"))
    }
    async fn remove_cart(
        &self,
        _: &FieldContext<'_>,
        _command: InputRemoveCartType,
    ) -> ApiResult<Option<bool>> {
        Err(ApiError::not_implemented("Mutation.removeCart"))
    }
    async fn clear_shipments(
        &self,
        _: &FieldContext<'_>,
        _command: InputClearShipmentsType,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented("Mutation.clearShipments"))
    }
    async fn clear_payments(
        &self,
        _: &FieldContext<'_>,
        _command: InputClearPaymentsType,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented("Mutation.clearPayments"))
    }
    async fn update_cart_dynamic_properties(
        &self,
        _: &FieldContext<'_>,
        _command: InputUpdateCartDynamicPropertiesType,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented(
            "Mutation.updateCartDynamicProperties",
        ))
    }
    async fn update_cart_item_dynamic_properties(
        &self,
        _: &FieldContext<'_>,
        _command: InputUpdateCartItemDynamicPropertiesType,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented(
            "Mutation.updateCartItemDynamicProperties",
        ))
    }
    async fn update_cart_shipment_dynamic_properties(
        &self,
        _: &FieldContext<'_>,
        _command: InputUpdateCartShipmentDynamicPropertiesType,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented(
            "Mutation.updateCartShipmentDynamicProperties",
        ))
    }
    async fn update_cart_payment_dynamic_properties(
        &self,
        _: &FieldContext<'_>,
        _command: InputUpdateCartPaymentDynamicPropertiesType,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented(
            "Mutation.updateCartPaymentDynamicProperties",
        ))
    }
    async fn add_cart_address(
        &self,
        _: &FieldContext<'_>,
        _command: InputAddOrUpdateCartAddressType,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented("Mutation.addCartAddress"))
    }
    async fn add_or_update_cart_address(
        &self,
        _: &FieldContext<'_>,
        _command: InputAddOrUpdateCartAddressType,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented("Mutation.addOrUpdateCartAddress"))
    }
    async fn add_wishlist_bulk_item(
        &self,
        _: &FieldContext<'_>,
        _command: InputAddWishlistBulkItemType,
    ) -> ApiResult<Option<BulkWishlistType>> {
        Err(ApiError::not_implemented("Mutation.addWishlistBulkItem"))
    }
    async fn refresh_cart(
        &self,
        _: &FieldContext<'_>,
        _command: RefreshCartType,
    ) -> ApiResult<Option<CartType>> {
        Err(ApiError::not_implemented("Mutation.refreshCart"))
    }
    async fn cart_type_available_payment_methods(
        &self,
        _: &FieldContext<'_>,
        _: &CartType,
    ) -> ApiResult<Option<Vec<Option<PaymentMethodType>>>> {
        Err(ApiError::not_implemented(
            "CartType.availablePaymentMethods",
        ))
    }
    async fn cart_type_is_valid(
        &self,
        _: &FieldContext<'_>,
        _: &CartType,
        _rule_set: Option<String>,
    ) -> ApiResult<Option<bool>> {
        Err(ApiError::not_implemented("CartType.isValid"))
    }
    async fn cart_type_validation_errors(
        &self,
        _: &FieldContext<'_>,
        _: &CartType,
        _rule_set: Option<String>,
    ) -> ApiResult<Option<Vec<Option<ValidationErrorType>>>> {
        Err(ApiError::not_implemented("CartType.validationErrors"))
    }
    async fn line_item_type_dynamic_properties(
        &self,
        _: &FieldContext<'_>,
        _: &LineItemType,
        _culture_name: Option<String>,
    ) -> ApiResult<Option<Vec<Option<DynamicPropertyValueType>>>> {
        Err(ApiError::not_implemented("LineItemType.dynamicProperties"))
    }
    async fn shipment_type_dynamic_properties(
        &self,
        _: &FieldContext<'_>,
        _: &ShipmentType,
        _culture_name: Option<String>,
    ) -> ApiResult<Option<Vec<Option<DynamicPropertyValueType>>>> {
        Err(ApiError::not_implemented("ShipmentType.dynamicProperties"))
    }
    async fn payment_type_dynamic_properties(
        &self,
        _: &FieldContext<'_>,
        _: &PaymentType,
        _culture_name: Option<String>,
    ) -> ApiResult<Option<Vec<Option<DynamicPropertyValueType>>>> {
        Err(ApiError::not_implemented("PaymentType.dynamicProperties"))
    }
}

async fn start() -> (TestServer, Purchase) {
    let purchase = Purchase::default();
    let router = shopql_server_stubs::purchase::router(purchase.clone());
    let app = shopql_server_stubs::axum::Router::new().nest("/purchase/graphql", router);
    (TestServer::start(app).await, purchase)
}

const PATH: &str = "/purchase/graphql";

#[tokio::test]
async fn a_lazy_field_runs_only_when_selected() {
    let (server, purchase) = start().await;
    let calls = || purchase.shipping_calls.load(Ordering::SeqCst);

    let (status, body) = server
        .gql(
            PATH,
            r#"{ cart(storeId: "Electronics", currencyCode: "USD") { id name storeId itemsCount } }"#,
            Value::Null,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "data": { "cart": { "id": "c-1", "name": "default", "storeId": "Electronics", "itemsCount": 0 } } })
    );
    assert_eq!(calls(), 0, "not selected, not run");

    let (_, body) = server
        .gql(
            PATH,
            r#"{ cart(storeId: "Electronics", currencyCode: "USD", cartId: "c-9") {
                id
                availableShippingMethods { code optionName priority price { amount } }
            } }"#,
            Value::Null,
        )
        .await;
    assert_eq!(
        body,
        json!({ "data": { "cart": {
            "id": "c-9",
            "availableShippingMethods": [
                { "code": "FixedRate", "optionName": "Ground for c-9", "priority": 1, "price": null },
                null,
            ],
        } } }),
    );
    assert_eq!(calls(), 1, "selected once, run once");

    // Selected twice under two aliases: run per selection.
    let (_, body) = server
        .gql(
            PATH,
            r#"{ cart(storeId: "Electronics", currencyCode: "USD") {
                a: availableShippingMethods { code }
                b: availableShippingMethods { priority }
            } }"#,
            Value::Null,
        )
        .await;
    assert_eq!(body["data"]["cart"]["a"][0]["code"], "FixedRate", "{body}");
    assert_eq!(body["data"]["cart"]["b"][0]["priority"], 1, "{body}");
    assert_eq!(calls(), 3);

    // Skipped by a directive, or under a null parent: not run.
    let (_, body) = server
        .gql(
            PATH,
            r#"query ($skip: Boolean!) { cart(storeId: "E", currencyCode: "USD") { id availableShippingMethods @skip(if: $skip) { code } } }"#,
            json!({ "skip": true }),
        )
        .await;
    assert_eq!(body, json!({ "data": { "cart": { "id": "c-1" } } }));
    let (_, body) = server
        .gql(
            PATH,
            r#"{ cart(storeId: "E", currencyCode: "USD", cartId: "missing") { availableShippingMethods { code } } }"#,
            Value::Null,
        )
        .await;
    assert_eq!(body, json!({ "data": { "cart": null } }));
    assert_eq!(calls(), 3);
}

#[tokio::test]
async fn a_field_with_arguments_gets_its_parent_and_typed_arguments() {
    let (server, purchase) = start().await;
    let (_, body) = server
        .gql(
            PATH,
            r#"query ($culture: String) { cart(storeId: "E", currencyCode: "USD", cartId: "c-7") {
                de: dynamicProperties(cultureName: "de-DE") { name valueType value }
                all: dynamicProperties { value }
                byVar: dynamicProperties(cultureName: $culture) { value }
            } }"#,
            json!({ "culture": "nb-NO" }),
        )
        .await;
    assert_eq!(
        body,
        json!({ "data": { "cart": {
            "de": [{ "name": "giftNote", "valueType": "ShortText", "value": "note in de-DE" }],
            "all": [{ "value": "note in every culture" }],
            "byVar": [{ "value": "note in nb-NO" }],
        } } }),
    );
    let mut seen = purchase.property_cultures.lock().unwrap().clone();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            (Some("c-7".into()), None),
            (Some("c-7".into()), Some("de-DE".into())),
            (Some("c-7".into()), Some("nb-NO".into())),
        ]
    );
}

#[tokio::test]
async fn input_objects_arrive_typed_with_absent_null_and_exact_decimals() {
    let (server, purchase) = start().await;
    let (_, body) = server
        .gql(
            PATH,
            r#"mutation ($command: InputAddItemType!) { addItem(command: $command) { id storeId } }"#,
            json!({ "command": {
                "storeId": "Electronics",
                "userId": "u-1",
                "productId": "p-1",
                "quantity": 2,
                "price": 29.99,
                "comment": null,
            } }),
        )
        .await;
    assert_eq!(
        body,
        json!({ "data": { "addItem": { "id": "c-2", "storeId": "Electronics" } } })
    );
    let command = purchase
        .last_command
        .lock()
        .unwrap()
        .clone()
        .expect("the command arrived");
    assert_eq!(command.store_id, "Electronics");
    assert_eq!(command.quantity, 2);
    assert_eq!(command.comment, Maybe::Null, "explicit null");
    assert_eq!(command.cart_name, Maybe::Absent, "left out");
    assert_eq!(
        command
            .price
            .as_option()
            .map(ToString::to_string)
            .as_deref(),
        Some("29.99")
    );

    // The same as a literal in the document.
    let (_, body) = server
        .gql(
            PATH,
            r#"mutation { addItem(command: { storeId: "S", userId: "u", productId: "p", quantity: 1, cartName: "wish" }) { storeId } }"#,
            Value::Null,
        )
        .await;
    assert_eq!(body, json!({ "data": { "addItem": { "storeId": "S" } } }));
    let command = purchase
        .last_command
        .lock()
        .unwrap()
        .clone()
        .expect("the command arrived");
    assert_eq!(command.cart_name, Maybe::Value("wish".into()));
    assert_eq!(command.price, Maybe::Absent);

    // A required input field left out is refused before the resolver runs.
    let (_, body) = server
        .gql(
            PATH,
            r#"mutation { addItem(command: { storeId: "S", productId: "p", quantity: 1 }) { storeId } }"#,
            Value::Null,
        )
        .await;
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");
}

#[tokio::test]
async fn unimplemented_methods_say_so() {
    let (server, _) = start().await;
    let (_, body) = server
        .gql(
            PATH,
            r#"mutation { clearCart(command: { storeId: "S", userId: "u" }) { id } }"#,
            Value::Null,
        )
        .await;
    assert_eq!(code(&body), "NOT_IMPLEMENTED", "{body}");
    assert_eq!(
        body["errors"][0]["message"],
        "`Mutation.clearCart` is not implemented"
    );
    assert_eq!(body["errors"][0]["path"], json!(["clearCart"]));
    assert_eq!(body["data"], json!({ "clearCart": null }));
}

#[tokio::test]
async fn null_items_of_a_list_are_null_and_their_lazy_fields_do_not_run() {
    let (server, purchase) = start().await;
    let (_, body) = server
        .gql(
            PATH,
            r#"{ carts(storeId: "E") { totalCount items { __typename id availableShippingMethods { code } } } }"#,
            Value::Null,
        )
        .await;
    assert_eq!(
        body,
        json!({ "data": { "carts": { "totalCount": 2, "items": [
            { "__typename": "CartType", "id": "c-a", "availableShippingMethods": [{ "code": "FixedRate" }, null] },
            null,
        ] } } })
    );
    assert_eq!(purchase.shipping_calls.load(Ordering::SeqCst), 1);
}
