//! An invoice's status: the flags that tell its story, and the single legacy status that the
//! `statuses` filter and the STATUS sort use.

use super::shipping::ShippedState;

/// The stored facts about an invoice's progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InvoiceFacts {
    /// Paid by the buyer.
    pub paid: bool,
    /// Payment under review.
    pub payment_under_review: bool,
    /// How much has shipped.
    pub shipped: ShippedState,
    /// A return is awaited.
    pub awaiting_return: bool,
    /// A refund is awaited.
    pub awaiting_refund: bool,
    /// Refunded (fully or partly).
    pub refunded: bool,
    /// Cancelled.
    pub cancelled: bool,
    /// Ready for collection.
    pub ready: bool,
    /// Collected.
    pub collected: bool,
    /// Paid out to the seller.
    pub remitted: bool,
}

/// A status flag (the GraphQL `InvoiceStatusFlagEnum`), in the order flags are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flag {
    /// PAID
    Paid,
    /// PAYMENT_UNDER_REVIEW
    PaymentUnderReview,
    /// SENT
    Sent,
    /// PARTIALLY_SENT
    PartiallySent,
    /// AWAITING_RETURN
    AwaitingReturn,
    /// AWAITING_REFUND
    AwaitingRefund,
    /// REFUNDED
    Refunded,
    /// CANCELLED
    Cancelled,
    /// READY
    Ready,
    /// COLLECTED
    Collected,
    /// REMITTED
    Remitted,
}

/// The flags of an invoice.
pub(crate) fn flags(f: InvoiceFacts) -> Vec<Flag> {
    let mut out = Vec::new();
    let mut push = |on: bool, flag: Flag| {
        if on {
            out.push(flag);
        }
    };
    push(f.paid, Flag::Paid);
    push(f.payment_under_review, Flag::PaymentUnderReview);
    push(f.shipped == ShippedState::All, Flag::Sent);
    push(f.shipped == ShippedState::Partial, Flag::PartiallySent);
    push(f.awaiting_return, Flag::AwaitingReturn);
    push(f.awaiting_refund, Flag::AwaitingRefund);
    push(f.refunded, Flag::Refunded);
    push(f.cancelled, Flag::Cancelled);
    push(f.ready, Flag::Ready);
    push(f.collected, Flag::Collected);
    push(f.remitted, Flag::Remitted);
    out
}

/// The legacy status (the GraphQL `InvoiceStatusEnum`), declared in sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Status {
    /// Not paid yet.
    Pending,
    /// Paid, nothing shipped.
    Paid,
    /// Shipped, fully or partly.
    Sent,
    /// Ready for collection.
    Ready,
    /// Collected.
    Collected,
    /// Refunded.
    Refunded,
    /// Cancelled.
    Cancelled,
}

impl Status {
    #[cfg(test)]
    /// Every status, in declaration (sort) order.
    pub(crate) const ALL: [Status; 7] = [
        Status::Pending,
        Status::Paid,
        Status::Sent,
        Status::Ready,
        Status::Collected,
        Status::Refunded,
        Status::Cancelled,
    ];

    /// The stored rank: the position in declaration order (what the STATUS sort orders by).
    pub(crate) fn rank(self) -> i64 {
        match self {
            Status::Pending => 0,
            Status::Paid => 1,
            Status::Sent => 2,
            Status::Ready => 3,
            Status::Collected => 4,
            Status::Refunded => 5,
            Status::Cancelled => 6,
        }
    }

    #[cfg(test)]
    /// From the stored rank.
    pub(crate) fn from_rank(rank: i64) -> Status {
        Status::ALL
            .into_iter()
            .find(|s| s.rank() == rank)
            .unwrap_or(Status::Pending)
    }
}

/// The single status: the furthest the invoice has come, terminal states first.
pub(crate) fn status(f: InvoiceFacts) -> Status {
    if f.cancelled {
        Status::Cancelled
    } else if f.refunded {
        Status::Refunded
    } else if f.collected {
        Status::Collected
    } else if f.ready {
        Status::Ready
    } else if f.shipped != ShippedState::None {
        Status::Sent
    } else if f.paid {
        Status::Paid
    } else {
        Status::Pending
    }
}

/// Why an invoice cannot be shipped now.
pub(crate) fn shipment_refusal(f: InvoiceFacts) -> Option<&'static str> {
    if f.cancelled {
        Some("is cancelled and cannot be shipped")
    } else if !f.paid {
        Some("is not paid yet and cannot be shipped")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paid() -> InvoiceFacts {
        InvoiceFacts {
            paid: true,
            payment_under_review: false,
            shipped: ShippedState::None,
            awaiting_return: false,
            awaiting_refund: false,
            refunded: false,
            cancelled: false,
            ready: false,
            collected: false,
            remitted: false,
        }
    }

    #[test]
    fn flags_follow_shipping() {
        assert_eq!(flags(paid()), vec![Flag::Paid]);
        let partial = InvoiceFacts {
            shipped: ShippedState::Partial,
            ..paid()
        };
        assert_eq!(flags(partial), vec![Flag::Paid, Flag::PartiallySent]);
        let sent = InvoiceFacts {
            shipped: ShippedState::All,
            remitted: true,
            ..paid()
        };
        assert_eq!(flags(sent), vec![Flag::Paid, Flag::Sent, Flag::Remitted]);
    }

    #[test]
    fn the_status_is_the_furthest_step() {
        let pending = InvoiceFacts {
            paid: false,
            ..paid()
        };
        assert_eq!(status(pending), Status::Pending);
        assert_eq!(status(paid()), Status::Paid);
        assert_eq!(
            status(InvoiceFacts {
                shipped: ShippedState::Partial,
                ..paid()
            }),
            Status::Sent
        );
        assert_eq!(
            status(InvoiceFacts {
                cancelled: true,
                ..paid()
            }),
            Status::Cancelled
        );
        for s in Status::ALL {
            assert_eq!(Status::from_rank(s.rank()), s);
        }
        assert!(Status::Pending.rank() < Status::Cancelled.rank());
    }

    #[test]
    fn only_paid_open_invoices_ship() {
        assert_eq!(shipment_refusal(paid()), None);
        assert!(
            shipment_refusal(InvoiceFacts {
                paid: false,
                ..paid()
            })
            .is_some()
        );
        assert!(
            shipment_refusal(InvoiceFacts {
                cancelled: true,
                ..paid()
            })
            .is_some()
        );
    }
}
