//! The purchase API through the SDK: both queries and all 25 mutations, on a cart of its own.

use shopql_sdk::Maybe;
use shopql_sdk::purchase::*;
use shopql_tests::Coverage;

const STORE: &str = "Electronics";
const USER: &str = "b57d06db-1638-4d37-9734-fd01a9bc59aa";
const LAPTOP: &str = "9cbd8f316e254a679ba34a900fccb076";
const MOUSE: &str = "c3a1e0d2b4f64a7e8d9c0b1a2f3e4d5c";
const HEADPHONES: &str = "92e671024a8648de97dedcd488f58455";

/// The command fields every cart mutation shares, for the journey's own cart.
macro_rules! base {
    ($ty:ident { $($field:ident: $value:expr),* $(,)? }) => {
        $ty {
            store_id: STORE.into(),
            user_id: USER.into(),
            cart_name: Maybe::Value("e2e".into()),
            currency_code: Maybe::Value("USD".into()),
            culture_name: Maybe::Value("en-US".into()),
            $($field: $value,)*
            ..Default::default()
        }
    };
}

fn lines(cart: &CartType) -> Vec<&LineItemType> {
    cart.items.iter().flatten().flatten().collect()
}

pub async fn journey(base_url: &str, coverage: &Coverage) -> anyhow::Result<()> {
    let client = Client::from_graphql_client(
        coverage
            .client(base_url, "/purchase/graphql")
            .bearer("demo-purchase-token"),
    );
    let anonymous = Client::from_graphql_client(coverage.client(base_url, "/purchase/graphql"));
    let some = |c: Option<CartType>, what: &str| {
        c.ok_or_else(|| anyhow::anyhow!("{what} returned no cart"))
    };

    // Queries: the addressed cart is created empty on first use, then listed.
    let cart = some(
        client
            .cart(
                STORE.into(),
                "USD".into(),
                CartOptions {
                    cart_name: Some("e2e".into()),
                    user_id: Some(USER.into()),
                    ..Default::default()
                },
            )
            .await?,
        "cart",
    )?;
    assert_eq!(cart.items_count, Some(0));
    assert_eq!(cart.name, "e2e");
    let carts = client
        .carts(CartsOptions {
            store_id: Some(STORE.into()),
            user_id: Some(USER.into()),
            take: Some(50),
            ..Default::default()
        })
        .await?;
    let listed = carts.as_ref().and_then(|c| c.total_count).unwrap_or(0);
    assert!(
        listed >= 2,
        "the demo user's carts include e2e and the demo cart: {listed}"
    );

    // Items.
    some(
        client
            .add_item(base!(InputAddItemType {
                product_id: LAPTOP.into(),
                quantity: 1
            }))
            .await?,
        "addItem",
    )?;
    let cart = some(
        client
            .add_item(base!(InputAddItemType {
                product_id: MOUSE.into(),
                quantity: 1
            }))
            .await?,
        "addItem",
    )?;
    assert_eq!(cart.items_count, Some(2));
    let laptop_line = lines(&cart)
        .into_iter()
        .find(|l| l.product_id.as_deref() == Some(LAPTOP))
        .map(|l| l.id.clone())
        .unwrap_or_default();
    let mouse_line = lines(&cart)
        .into_iter()
        .find(|l| l.product_id.as_deref() == Some(MOUSE))
        .map(|l| l.id.clone())
        .unwrap_or_default();

    let cart = some(
        client
            .change_cart_item_quantity(base!(InputChangeCartItemQuantityType {
                line_item_id: mouse_line.clone(),
                quantity: 3
            }))
            .await?,
        "changeCartItemQuantity",
    )?;
    assert_eq!(cart.items_quantity, Some(4));
    let cart = some(
        client
            .change_cart_item_price(base!(InputChangeCartItemPriceType {
                line_item_id: Maybe::Value(laptop_line.clone()),
                price: "999".parse()?
            }))
            .await?,
        "changeCartItemPrice",
    )?;
    let laptop = lines(&cart)
        .into_iter()
        .find(|l| l.id == laptop_line)
        .and_then(|l| l.sale_price.as_ref().map(|m| m.amount.to_string()));
    assert_eq!(laptop.as_deref(), Some("999"));
    let cart = some(
        client
            .change_cart_item_comment(ChangeCartItemCommentOptions {
                command: Some(base!(InputChangeCartItemCommentType {
                    line_item_id: mouse_line.clone(),
                    comment: "gift wrap".into()
                })),
            })
            .await?,
        "changeCartItemComment",
    )?;
    assert!(
        lines(&cart)
            .iter()
            .any(|l| l.note.as_deref() == Some("gift wrap"))
    );
    let cart = some(
        client
            .change_comment(ChangeCommentOptions {
                command: Some(base!(InputChangeCommentType {
                    comment: Maybe::Value("deliver after 5pm".into())
                })),
            })
            .await?,
        "changeComment",
    )?;
    assert_eq!(cart.comment.as_deref(), Some("deliver after 5pm"));
    let cart = some(
        client
            .update_cart_item_dynamic_properties(base!(InputUpdateCartItemDynamicPropertiesType {
                line_item_id: mouse_line.clone(),
                dynamic_properties: vec![Some(InputDynamicPropertyValueType {
                    name: "ItemProperty".into(),
                    value: Maybe::Value("engraved".into()),
                    ..Default::default()
                })]
            }))
            .await?,
        "updateCartItemDynamicProperties",
    )?;
    assert_eq!(cart.items_count, Some(2));
    let cart = some(
        client
            .update_cart_dynamic_properties(base!(InputUpdateCartDynamicPropertiesType {
                dynamic_properties: vec![Some(InputDynamicPropertyValueType {
                    name: "Example string property".into(),
                    value: Maybe::Value("12345678".into()),
                    ..Default::default()
                })]
            }))
            .await?,
        "updateCartDynamicProperties",
    )?;
    assert!(cart.id.is_some());

    // Coupons.
    let valid = client
        .validate_coupon(base!(InputValidateCouponType {
            coupon: "SAVE10".into()
        }))
        .await?;
    assert_eq!(valid, Some(true));
    let invalid = client
        .validate_coupon(base!(InputValidateCouponType {
            coupon: "NOPE".into()
        }))
        .await?;
    assert_eq!(invalid, Some(false));
    let cart = some(
        client
            .add_coupon(base!(InputAddCouponType {
                coupon_code: "SAVE10".into()
            }))
            .await?,
        "addCoupon",
    )?;
    assert!(
        cart.coupons
            .iter()
            .flatten()
            .flatten()
            .any(|c| c.is_applied_successfully == Some(true))
    );
    let cart = some(
        client
            .remove_coupon(base!(InputRemoveCouponType {
                coupon_code: Maybe::Value("SAVE10".into())
            }))
            .await?,
        "removeCoupon",
    )?;
    assert_eq!(cart.coupons.iter().flatten().count(), 0);

    // Shipments, payments, addresses.
    let cart = some(
        client
            .add_or_update_cart_shipment(base!(InputAddOrUpdateCartShipmentType {
                shipment: InputShipmentType {
                    shipment_method_code: Maybe::Value("FixedRate".into()),
                    shipment_method_option: Maybe::Value("Ground".into()),
                    ..Default::default()
                }
            }))
            .await?,
        "addOrUpdateCartShipment",
    )?;
    let shipment_id = cart
        .shipments
        .iter()
        .flatten()
        .flatten()
        .find_map(|s| s.id.clone())
        .unwrap_or_default();
    assert!(!shipment_id.is_empty());
    some(
        client
            .update_cart_shipment_dynamic_properties(base!(
                InputUpdateCartShipmentDynamicPropertiesType {
                    shipment_id: shipment_id.clone(),
                    dynamic_properties: vec![Some(InputDynamicPropertyValueType {
                        name: "ShipmentProperty".into(),
                        value: Maybe::Value("fragile".into()),
                        ..Default::default()
                    })]
                }
            ))
            .await?,
        "updateCartShipmentDynamicProperties",
    )?;
    let cart = some(
        client
            .add_or_update_cart_payment(base!(InputAddOrUpdateCartPaymentType {
                payment: InputPaymentType {
                    payment_gateway_code: Maybe::Value("DefaultManualPaymentMethod".into()),
                    ..Default::default()
                }
            }))
            .await?,
        "addOrUpdateCartPayment",
    )?;
    let payment_id = cart
        .payments
        .iter()
        .flatten()
        .flatten()
        .find_map(|p| p.id.clone())
        .unwrap_or_default();
    some(
        client
            .update_cart_payment_dynamic_properties(base!(
                InputUpdateCartPaymentDynamicPropertiesType {
                    payment_id: payment_id.clone(),
                    dynamic_properties: vec![Some(InputDynamicPropertyValueType {
                        name: "PaymentProperty".into(),
                        value: Maybe::Value("po-42".into()),
                        ..Default::default()
                    })]
                }
            ))
            .await?,
        "updateCartPaymentDynamicProperties",
    )?;
    let address = |city: &str, kind: i32| InputAddressType {
        address_type: Maybe::Value(kind),
        city: Maybe::Value(city.into()),
        country_code: Maybe::Value("USA".into()),
        postal_code: Maybe::Value("98101".into()),
        line1: Maybe::Value("1 Main St".into()),
        ..Default::default()
    };
    let cart = some(
        client
            .add_cart_address(base!(InputAddOrUpdateCartAddressType {
                address: address("Seattle", 1)
            }))
            .await?,
        "addCartAddress",
    )?;
    assert_eq!(cart.addresses.iter().flatten().count(), 1);
    let cart = some(
        client
            .add_or_update_cart_address(base!(InputAddOrUpdateCartAddressType {
                address: address("Tacoma", 1)
            }))
            .await?,
        "addOrUpdateCartAddress",
    )?;
    let cities: Vec<_> = cart
        .addresses
        .iter()
        .flatten()
        .flatten()
        .filter_map(|a| a.city.clone())
        .collect();
    assert_eq!(
        cities,
        ["Tacoma"],
        "an address of the same type is updated, not added"
    );

    let cart = some(
        client
            .remove_shipment(base!(InputRemoveShipmentType {
                shipment_id: Maybe::Value(shipment_id)
            }))
            .await?,
        "removeShipment",
    )?;
    assert_eq!(cart.shipments.iter().flatten().count(), 0);
    some(
        client
            .add_or_update_cart_shipment(base!(InputAddOrUpdateCartShipmentType {
                shipment: InputShipmentType {
                    shipment_method_code: Maybe::Value("code".into()),
                    ..Default::default()
                }
            }))
            .await?,
        "addOrUpdateCartShipment",
    )?;
    let cart = some(
        client
            .clear_shipments(base!(InputClearShipmentsType {}))
            .await?,
        "clearShipments",
    )?;
    assert_eq!(cart.shipments.iter().flatten().count(), 0);
    let cart = some(
        client
            .clear_payments(base!(InputClearPaymentsType {}))
            .await?,
        "clearPayments",
    )?;
    assert_eq!(cart.payments.iter().flatten().count(), 0);

    // Merge an anonymous visitor's cart into the user's, then refresh.
    let visitor = some(
        anonymous
            .add_item(InputAddItemType {
                store_id: STORE.into(),
                user_id: "e2e-visitor".into(),
                currency_code: Maybe::Value("USD".into()),
                product_id: HEADPHONES.into(),
                quantity: 1,
                ..Default::default()
            })
            .await?,
        "addItem (anonymous)",
    )?;
    let cart = some(
        client
            .merge_cart(base!(InputMergeCartType {
                second_cart_id: visitor.id.clone().unwrap_or_default()
            }))
            .await?,
        "mergeCart",
    )?;
    assert_eq!(cart.items_count, Some(3));
    let cart = some(
        client.refresh_cart(base!(RefreshCartType {})).await?,
        "refreshCart",
    )?;
    assert_eq!(cart.items_count, Some(3));
    assert_eq!(cart.warnings.iter().flatten().count(), 0);

    // Remove a line, clear the cart, bulk-add to wishlists, remove the cart.
    let cart = some(
        client
            .remove_cart_item(base!(InputRemoveItemType {
                line_item_id: mouse_line
            }))
            .await?,
        "removeCartItem",
    )?;
    assert_eq!(cart.items_count, Some(2));
    let cart = some(
        client.clear_cart(base!(InputClearCartType {})).await?,
        "clearCart",
    )?;
    assert_eq!(cart.items_count, Some(0));
    let bulk = client
        .add_wishlist_bulk_item(InputAddWishlistBulkItemType {
            list_ids: vec![
                Some("ce682f58-3bbd-42e5-a576-08c82a86ca11".into()),
                Some("1b249c7a-5b7b-434d-a9b5-56a67ff993fe".into()),
            ],
            product_id: HEADPHONES.into(),
            quantity: Maybe::Value(1),
        })
        .await?;
    assert_eq!(bulk.and_then(|b| b.wishlists).map(|w| w.len()), Some(2));
    let removed = client
        .remove_cart(InputRemoveCartType {
            cart_id: cart.id.clone().unwrap_or_default(),
            user_id: Maybe::Value(USER.into()),
        })
        .await?;
    assert_eq!(removed, Some(true));
    Ok(())
}
