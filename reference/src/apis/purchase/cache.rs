//! Per-request memory of the carts a request has priced, so that fields computed only when
//! selected (`availableShippingMethods`, `dynamicProperties`, `validationErrors`, …) reuse the
//! cart, catalogue and evaluation of the resolver that returned the cart instead of reading
//! and pricing it again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::domain::purchase::cart::{CartPart, LineItem, Payment, Shipment};
use crate::domain::purchase::catalog::{Product, StoreCatalog};
use crate::domain::purchase::money::Currency;
use crate::domain::purchase::totals::{Evaluation, PricingInput};

use super::db::CartRow;

/// A priced cart as a resolver returned it.
#[derive(Debug, Clone)]
pub(crate) struct CartView {
    /// The stored cart.
    pub row: CartRow,
    /// Its store.
    pub catalog: Arc<StoreCatalog>,
    /// Its currency.
    pub currency: Currency,
    /// The culture of the request.
    pub culture: String,
    /// The products of its lines.
    pub products: HashMap<String, Product>,
    /// Its prices.
    pub eval: Evaluation,
    /// Display name of the owner.
    pub customer_name: String,
    /// When it was priced.
    pub now_ms: i64,
}

impl CartView {
    /// The pricing input the view was evaluated with.
    pub(crate) fn input(&self) -> PricingInput<'_> {
        PricingInput {
            catalog: &self.catalog,
            currency: &self.currency,
            products: &self.products,
            now_ms: self.now_ms,
        }
    }
}

/// Views by key: `cart:<id>`, `line:<id>`, `shipment:<id>`, `payment:<id>`.
#[derive(Debug, Default)]
pub(crate) struct RequestCache {
    views: Mutex<HashMap<String, Arc<CartView>>>,
}

impl RequestCache {
    /// Remembers `view` under its cart id and the ids of its parts.
    pub(crate) fn put(&self, view: Arc<CartView>) {
        let Ok(mut map) = self.views.lock() else {
            return;
        };
        put_parts::<LineItem>(&mut map, &view);
        put_parts::<Shipment>(&mut map, &view);
        put_parts::<Payment>(&mut map, &view);
        map.insert(format!("cart:{}", view.row.id), view);
    }

    /// The view remembered under `key`.
    pub(crate) fn get(&self, key: &str) -> Option<Arc<CartView>> {
        self.views.lock().ok()?.get(key).cloned()
    }
}

/// Remembers `view` under `<kind>:<id>` of each of its parts of type `P`.
fn put_parts<P: CartPart>(map: &mut HashMap<String, Arc<CartView>>, view: &Arc<CartView>) {
    for p in P::all(&view.row.doc) {
        map.insert(format!("{}:{}", P::KIND, p.id()), Arc::clone(view));
    }
}
