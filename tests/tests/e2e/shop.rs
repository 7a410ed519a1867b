//! The shop cart, cart admin, lock and usage APIs through the SDK, with a token from the REST
//! token endpoint: every root field, results asserted.

use shopql_sdk::Maybe;
use shopql_sdk::{cart_admin, lock, shop, usage};
use shopql_tests::Coverage;

fn sku(sku: &str, quantity: u32) -> Option<shop::CartSkuItemInput> {
    Some(shop::CartSkuItemInput {
        sku: sku.into(),
        quantity: Maybe::Value(quantity),
        ..Default::default()
    })
}

fn external(sku: &str, gross: f64, net: f64) -> shop::CartItemInputType {
    shop::CartItemInputType {
        sku: sku.into(),
        name: "Shipping with Fedex".into(),
        quantity: Maybe::Value(1),
        images: Maybe::Absent,
        variant: shop::ProductVariantInput {
            price: shop::PriceInput {
                gross,
                net,
                discounts: Maybe::Absent,
            },
            product: shop::ProductInput {
                id: "my-shipping-product-id".into(),
                path: "an url".into(),
                topics: Maybe::Absent,
            },
            attributes: Maybe::Absent,
        },
        meta: Maybe::Absent,
    }
}

fn quantity_of(cart: &shop::Cart, sku: &str) -> u32 {
    cart.items
        .iter()
        .filter(|i| i.variant.sku.as_deref() == Some(sku))
        .map(|i| i.quantity)
        .sum()
}

pub async fn journey(base_url: &str, coverage: &Coverage) -> anyhow::Result<()> {
    let token = shopql_sdk::auth::shop_token(
        base_url,
        "demo",
        "demo-access-id",
        "demo-access-secret",
        &["cart", "cart:admin", "lock", "usage"],
        3600,
    )
    .await?;
    let shop = shop::Client::from_graphql_client(
        coverage
            .client(base_url, "/demo/cart")
            .bearer(token.clone()),
    );

    // Hydrate from SKUs, then every item mutation on the cart it returns.
    let cart = shop
        .hydrate(shop::CartInput {
            items: Maybe::Value(vec![
                sku("robot-pink-standard", 1),
                sku("robot-red-standard", 2),
            ]),
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("hydrate returned no cart"))?;
    let id = cart.id.clone();
    assert_eq!(cart.state, shop::CartState::Cart);
    assert_eq!(cart.items.len(), 2);
    assert!(
        cart.total.gross > cart.total.net,
        "prices include tax: {:?}",
        cart.total
    );
    let read = shop
        .cart(shop::CartOptions {
            id: Some(id.clone()),
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("cart not found"))?;
    assert_eq!(read.total, cart.total);

    let cart = shop
        .add_sku_item(
            shop::CartSkuItemInput {
                sku: "smeg-robot-pink-standard".into(),
                quantity: Maybe::Value(1),
                ..Default::default()
            },
            shop::AddSkuItemOptions {
                id: Some(id.clone()),
            },
        )
        .await?
        .ok_or_else(|| anyhow::anyhow!("addSkuItem returned no cart"))?;
    assert_eq!(quantity_of(&cart, "smeg-robot-pink-standard"), 1);
    let cart = shop
        .add_external_item(
            external("my-shipping-cost-sku", 120.0, 100.0),
            shop::AddExternalItemOptions {
                id: Some(id.clone()),
            },
        )
        .await?
        .ok_or_else(|| anyhow::anyhow!("addExternalItem"))?;
    assert_eq!(quantity_of(&cart, "my-shipping-cost-sku"), 1);
    let cart = shop
        .add_cart_item(shop::AddCartItemOptions {
            id: Some(id.clone()),
            sku: Some("robot-pink-standard".into()),
            quantity: Some(2),
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("addCartItem"))?;
    assert_eq!(quantity_of(&cart, "robot-pink-standard"), 3);
    let cart = shop
        .remove_cart_item(shop::RemoveCartItemOptions {
            id: Some(id.clone()),
            sku: Some("robot-pink-standard".into()),
            quantity: Some(1),
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("removeCartItem"))?;
    assert_eq!(quantity_of(&cart, "robot-pink-standard"), 2);
    let cart = shop
        .set_cart_item(
            external("my-shipping-cost-sku", 60.0, 50.0),
            shop::SetCartItemOptions {
                id: Some(id.clone()),
            },
        )
        .await?
        .ok_or_else(|| anyhow::anyhow!("setCartItem"))?;
    let shipping = cart
        .items
        .iter()
        .find(|i| i.variant.sku.as_deref() == Some("my-shipping-cost-sku"))
        .map(|i| i.price.gross);
    assert_eq!(shipping, Some(60.0));
    let cart = shop
        .change_cart_item_pricing(
            shop::CartItemPricingChangeType {
                sku: "robot-red-standard".into(),
                quantity: Maybe::Absent,
                price: Maybe::Value(shop::PriceInput {
                    gross: 100.0,
                    net: 80.0,
                    discounts: Maybe::Absent,
                }),
            },
            shop::ChangeCartItemPricingOptions {
                id: Some(id.clone()),
            },
        )
        .await?
        .ok_or_else(|| anyhow::anyhow!("changeCartItemPricing"))?;
    let red = cart
        .items
        .iter()
        .find(|i| i.variant.sku.as_deref() == Some("robot-red-standard"));
    let managed = red
        .and_then(|i| i.context.as_ref())
        .and_then(|c| c.get("managed"))
        .and_then(serde_json::Value::as_bool);
    assert_eq!(managed, Some(false), "a repriced item is no longer managed");
    let cart = shop
        .set_customer(
            shop::CustomerInput {
                is_guest: false,
                identifier: Maybe::Value("buyer-1".into()),
                email: Maybe::Value("buyer@example.com".into()),
                ..Default::default()
            },
            shop::SetCustomerOptions {
                id: Some(id.clone()),
            },
        )
        .await?
        .ok_or_else(|| anyhow::anyhow!("setCustomer"))?;
    assert_eq!(
        cart.customer.and_then(|c| c.identifier).as_deref(),
        Some("buyer-1")
    );
    let cart = shop
        .set_meta(shop::SetMetaOptions {
            id: Some(id.clone()),
            meta: Some(vec![Some(shop::KeyValueInput {
                key: "channel".into(),
                value: "web".into(),
            })]),
            merge: Some(true),
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("setMeta"))?;
    assert_eq!(
        cart.meta
            .as_ref()
            .and_then(|m| m.get("channel"))
            .and_then(|v| v.as_str()),
        Some("web")
    );

    let voucher = shop.validate_voucher("NO-SUCH-VOUCHER".into()).await?;
    assert_eq!(voucher.and_then(|v| v.is_valid), Some(false));

    // The state machine: placed (read-only) → paid → ordered.
    let placed = shop
        .place(shop::PlaceOptions {
            id: Some(id.clone()),
        })
        .await?
        .map(|c| c.state);
    assert_eq!(placed, Some(shop::CartState::Placed));
    let intent = shop
        .order_intent(shop::OrderIntentOptions {
            id: Some(id.clone()),
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("orderIntent"))?;
    assert!(
        intent.order.is_some_and(|o| !o.is_empty()),
        "a placed cart has an order intent"
    );
    let refused = shop
        .add_cart_item(shop::AddCartItemOptions {
            id: Some(id.clone()),
            sku: Some("robot-pink-standard".into()),
            quantity: Some(1),
        })
        .await;
    assert_eq!(
        refused
            .err()
            .and_then(|e| e.code().map(str::to_string))
            .as_deref(),
        Some("CONFLICT")
    );
    assert_eq!(
        shop.pay(shop::PayOptions {
            id: Some(id.clone())
        })
        .await?
        .map(|c| c.state),
        Some(shop::CartState::Paid)
    );
    let ordered = shop
        .fulfill(
            "order-e2e-1".into(),
            shop::FulfillOptions {
                id: Some(id.clone()),
            },
        )
        .await?;
    assert_eq!(
        ordered.as_ref().map(|c| c.state.clone()),
        Some(shop::CartState::Ordered)
    );
    assert_eq!(
        ordered.and_then(|c| c.order_id).as_deref(),
        Some("order-e2e-1")
    );

    // Another cart: abandoned, then removed.
    let other = shop
        .hydrate(shop::CartInput {
            items: Maybe::Value(vec![sku("robot-red-standard", 1)]),
            ..Default::default()
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("hydrate"))?;
    assert_eq!(
        shop.abandon(shop::AbandonOptions {
            id: Some(other.id.clone())
        })
        .await?
        .map(|c| c.state),
        Some(shop::CartState::Abandoned)
    );
    assert_eq!(
        shop.remove(shop::RemoveOptions {
            id: Some(other.id.clone())
        })
        .await?,
        Some(true)
    );
    assert!(
        shop.cart(shop::CartOptions { id: Some(other.id) })
            .await?
            .is_none()
    );

    // Cart admin: promotions, listing, reading and removing carts.
    let admin = cart_admin::Client::from_graphql_client(
        coverage
            .client(base_url, "/demo/cart/admin")
            .bearer(token.clone()),
    );
    let promo = cart_admin::PromotionInput {
        identifier: "e2e-promo".into(),
        name: Maybe::Value("E2E 10% off pink robots".into()),
        periods: Maybe::Value(vec![cart_admin::PeriodInput {
            start: Maybe::Value("2000-01-01T00:00:00Z".into()),
            end: Maybe::Value("2100-01-01T00:00:00Z".into()),
        }]),
        triggers: Maybe::Absent,
        targets: Maybe::Value(cart_admin::PromotionTargetsInput {
            skus: Maybe::Value(vec!["robot-pink-standard".into()]),
        }),
        mechanism: cart_admin::MechanismInput {
            r#type: cart_admin::MechanismEnumType::Percentage,
            value: 10.0,
        },
        limitations: Maybe::Absent,
        conditions: Maybe::Absent,
    };
    let set = admin.set_promotions(vec![promo]).await?;
    assert_eq!(
        set.iter()
            .map(|p| p.identifier.as_str())
            .collect::<Vec<_>>(),
        ["e2e-promo"]
    );
    assert!(
        admin
            .promotions()
            .await?
            .iter()
            .any(|p| p.identifier == "e2e-promo")
    );
    let listed = admin
        .carts(cart_admin::CartsOptions {
            first: Some(100),
            ..Default::default()
        })
        .await?;
    assert!(
        listed.nodes.iter().any(|c| c.id == id),
        "the ordered cart is listed"
    );
    let read = admin
        .cart(id.clone())
        .await?
        .ok_or_else(|| anyhow::anyhow!("admin cart"))?;
    assert_eq!(read.order_id.as_deref(), Some("order-e2e-1"));
    assert_eq!(admin.remove_promotions(vec!["e2e-promo".into()]).await?, 1);
    assert_eq!(admin.remove_carts(vec![id.clone()]).await?, 1);

    // Lock: one holder at a time, status, release.
    let locks = lock::Client::from_graphql_client(
        coverage
            .client(base_url, "/demo/lock")
            .bearer(token.clone()),
    );
    assert!(
        locks
            .acquire(
                "e2e:order:42".into(),
                lock::AcquireOptions { ttl: Some(30) }
            )
            .await?
    );
    assert!(
        !locks
            .acquire("e2e:order:42".into(), lock::AcquireOptions::default())
            .await?
    );
    let status = locks
        .lock("e2e:order:42".into())
        .await?
        .ok_or_else(|| anyhow::anyhow!("lock status"))?;
    assert!(status.held && status.held_by_caller);
    assert!(locks.release("e2e:order:42".into()).await?);
    assert!(!locks.release("e2e:order:42".into()).await?);

    // Usage: the requests above are counted for today.
    let usage =
        usage::Client::from_graphql_client(coverage.client(base_url, "/demo/usage").bearer(token));
    let today = chrono_free_today();
    let report = usage
        .usage(today.clone(), today, usage::UsageOptions::default())
        .await?;
    assert!(report.total.requests > 0, "{report:?}");
    assert!(report.days.iter().map(|d| d.carts_hydrated).sum::<i32>() >= 2);
    Ok(())
}

/// Today's date (UTC) as `YYYY-MM-DD`, from the system clock.
fn chrono_free_today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0) as i64;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
