//! Checkout rules of the client API, with no I/O: the status machine and expiry, the checks a
//! checkout line must pass, stock arithmetic, totals in integer minor units, shipping method
//! choice and address rules. The store layer (`apis::client`) reads and writes; this decides.

pub(crate) mod address;
pub(crate) mod lines;
pub(crate) mod shipping;
pub(crate) mod totals;

/// A checkout expires 31 days after its last update (the seed: `expires − updated` is
/// 2678400000 ms in both of its responses).
pub(crate) const CHECKOUT_TTL_MS: i64 = 31 * 24 * 3600 * 1000;

/// A customer session lasts 90 days (the seed: `expires` is 7776000000 ms after the session's
/// creation).
pub(crate) const SESSION_TTL_MS: i64 = 90 * 24 * 3600 * 1000;

/// When a checkout changed at `updated_ms` expires.
pub(crate) fn expires_after(updated_ms: i64) -> i64 {
    updated_ms.saturating_add(CHECKOUT_TTL_MS)
}

/// The status of a checkout, as the API shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CheckoutStatus {
    /// Can be changed and submitted.
    Open,
    /// Submitted: an order exists.
    Completed,
    /// Not changed for 31 days; read-only.
    Expired,
    /// Canceled by the store; read-only.
    Canceled,
}

impl CheckoutStatus {
    /// The stored and wire text.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Completed => "completed",
            Self::Expired => "expired",
            Self::Canceled => "canceled",
        }
    }

    /// Parses the stored text.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "open" => Some(Self::Open),
            "completed" => Some(Self::Completed),
            "expired" => Some(Self::Expired),
            "canceled" => Some(Self::Canceled),
            _ => None,
        }
    }

    /// The status at `now_ms` of a checkout stored with this status and expiry: an open
    /// checkout reads as expired from its `expires` time on, whether or not a sweep has written
    /// that down yet.
    pub(crate) fn effective(self, expires_ms: i64, now_ms: i64) -> Self {
        if self == Self::Open && now_ms >= expires_ms {
            Self::Expired
        } else {
            self
        }
    }

    /// Why a change is refused in this status (a CONFLICT message), or `None` when it is open.
    pub(crate) fn refusal(self) -> Option<&'static str> {
        match self {
            Self::Open => None,
            Self::Completed => Some("the checkout is completed (already submitted)"),
            Self::Expired => Some("the checkout has expired (no change for 31 days)"),
            Self::Canceled => Some("the checkout was canceled by the store"),
        }
    }
}

/// The stock left after taking `quantity` from `stock`, or `None` when there is not enough.
/// The database applies the same rule atomically (`UPDATE … SET stock = stock - q WHERE
/// stock >= q`); this is its statement for unit tests and for computing `unavailable`.
pub(crate) fn stock_after(stock: i64, quantity: i64) -> Option<i64> {
    if quantity <= 0 {
        return None;
    }
    stock.checked_sub(quantity).filter(|left| *left >= 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_matches_the_seed_figures() {
        // Step 3: created/updated 1765473025596, expires 1768151425596.
        assert_eq!(expires_after(1_765_473_025_596), 1_768_151_425_596);
        // Step 4: updated 1765475982226, expires 1768154382226.
        assert_eq!(expires_after(1_765_475_982_226), 1_768_154_382_226);
        // Login: a 90-day session.
        assert_eq!(SESSION_TTL_MS, 7_776_000_000);
    }

    #[test]
    fn open_checkouts_expire_at_their_expiry_time() {
        let s = CheckoutStatus::Open;
        assert_eq!(s.effective(1000, 999), CheckoutStatus::Open);
        assert_eq!(s.effective(1000, 1000), CheckoutStatus::Expired);
        assert_eq!(
            CheckoutStatus::Completed.effective(1000, 5000),
            CheckoutStatus::Completed
        );
        assert!(CheckoutStatus::Open.refusal().is_none());
        assert!(CheckoutStatus::Expired.refusal().is_some());
        for s in ["open", "completed", "expired", "canceled"] {
            assert_eq!(CheckoutStatus::parse(s).map(|x| x.as_str()), Some(s));
        }
        assert_eq!(CheckoutStatus::parse("paid"), None);
    }

    #[test]
    fn stock_never_goes_below_zero() {
        assert_eq!(stock_after(5, 5), Some(0));
        assert_eq!(stock_after(5, 6), None);
        assert_eq!(stock_after(5, 0), None);
        assert_eq!(stock_after(0, 1), None);
    }
}
