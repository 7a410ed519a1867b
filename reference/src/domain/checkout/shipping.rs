//! Shipping methods: which of a store's rates apply to a checkout, and at what price.
//!
//! A store has rates; a rate is a method code (e.g. "standard") for a zone (a list of
//! countries, or every country), with a base price, a price per started kilogram, an optional
//! weight limit, and whether it becomes free above the store's free-shipping threshold. For a
//! destination country, each method uses its most specific rate (a zone naming the country wins
//! over "every country").

/// One shipping rate of a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShippingRate {
    /// Method code, e.g. "standard".
    pub code: String,
    /// Display name.
    pub name: String,
    /// Upper-case alpha-2 codes this rate ships to; empty means every country.
    pub countries: Vec<String>,
    /// Base price, minor units.
    pub price: i64,
    /// Added per started kilogram, minor units.
    pub per_kg: i64,
    /// Heaviest checkout (grams) this rate takes; `None` for no limit.
    pub max_weight_g: Option<i64>,
    /// Free when the subtotal reaches the store's threshold.
    pub free_eligible: bool,
    /// Display order among equal prices.
    pub position: i64,
}

/// A method the buyer may choose, priced for the checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShippingOption {
    /// Method code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Price, minor units.
    pub price: i64,
}

/// What the price and availability depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parcel<'a> {
    /// Destination country (upper-case alpha-2).
    pub alpha2: &'a str,
    /// Total weight in grams.
    pub weight_g: i64,
    /// Checkout subtotal, minor units.
    pub subtotal: i64,
    /// The store's free-shipping threshold, minor units.
    pub free_threshold: Option<i64>,
}

impl ShippingRate {
    fn covers(&self, alpha2: &str) -> bool {
        self.countries.is_empty() || self.countries.iter().any(|c| c == alpha2)
    }

    fn price_for(&self, parcel: &Parcel<'_>) -> i64 {
        let free = self.free_eligible
            && parcel
                .free_threshold
                .is_some_and(|t| parcel.subtotal >= t && parcel.subtotal > 0);
        if free {
            return 0;
        }
        let kilos = (parcel.weight_g.max(0) + 999) / 1000;
        self.price
            .saturating_add(self.per_kg.saturating_mul(kilos))
            .max(0)
    }
}

/// The methods available for `parcel`, cheapest first (then by position and code).
pub(crate) fn available(rates: &[ShippingRate], parcel: &Parcel<'_>) -> Vec<ShippingOption> {
    let mut chosen: Vec<&ShippingRate> = Vec::new();
    for rate in rates.iter().filter(|r| r.covers(parcel.alpha2)) {
        match chosen.iter_mut().find(|c| c.code == rate.code) {
            // A zone that names the country beats "every country".
            Some(existing) => {
                if existing.countries.is_empty() && !rate.countries.is_empty() {
                    *existing = rate;
                }
            }
            None => chosen.push(rate),
        }
    }
    let mut options: Vec<(i64, ShippingOption)> = chosen
        .into_iter()
        .filter(|r| r.max_weight_g.is_none_or(|max| parcel.weight_g <= max))
        .map(|r| {
            (
                r.position,
                ShippingOption {
                    code: r.code.clone(),
                    name: r.name.clone(),
                    price: r.price_for(parcel),
                },
            )
        })
        .collect();
    options.sort_by(|(pa, a), (pb, b)| {
        a.price
            .cmp(&b.price)
            .then(pa.cmp(pb))
            .then(a.code.cmp(&b.code))
    });
    options.into_iter().map(|(_, o)| o).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(code: &str, countries: &[&str], price: i64) -> ShippingRate {
        ShippingRate {
            code: code.into(),
            name: code.to_uppercase(),
            countries: countries.iter().map(|c| (*c).to_string()).collect(),
            price,
            per_kg: 0,
            max_weight_g: None,
            free_eligible: true,
            position: 0,
        }
    }

    fn parcel(alpha2: &str, weight_g: i64, subtotal: i64) -> Parcel<'_> {
        Parcel {
            alpha2,
            weight_g,
            subtotal,
            free_threshold: Some(5000),
        }
    }

    #[test]
    fn most_specific_zone_wins_and_cheapest_comes_first() {
        let rates = vec![
            rate("standard", &[], 1450),
            rate("standard", &["GB"], 450),
            ShippingRate {
                free_eligible: false,
                ..rate("express", &["GB"], 990)
            },
        ];
        let gb = available(&rates, &parcel("GB", 230, 2499));
        assert_eq!(
            gb.iter()
                .map(|o| (o.code.as_str(), o.price))
                .collect::<Vec<_>>(),
            vec![("standard", 450), ("express", 990)]
        );
        let us = available(&rates, &parcel("US", 230, 2499));
        assert_eq!(
            us.iter()
                .map(|o| (o.code.as_str(), o.price))
                .collect::<Vec<_>>(),
            vec![("standard", 1450)]
        );
    }

    #[test]
    fn free_above_threshold_weight_limits_and_per_kilo_prices() {
        let rates = vec![
            ShippingRate {
                per_kg: 100,
                ..rate("standard", &["GB"], 450)
            },
            ShippingRate {
                max_weight_g: Some(1000),
                free_eligible: false,
                ..rate("express", &["GB"], 990)
            },
        ];
        let free = available(&rates, &parcel("GB", 230, 5000));
        assert_eq!(free[0].price, 0);
        assert_eq!(free[1].price, 990);
        let heavy = available(&rates, &parcel("GB", 2500, 100));
        assert_eq!(heavy.len(), 1);
        assert_eq!(heavy[0].price, 450 + 3 * 100);
        assert!(available(&rates, &parcel("FR", 100, 100)).is_empty());
    }
}
