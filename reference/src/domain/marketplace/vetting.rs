//! Publication and vetting: when an advert is published, displayable and online, and how vetting
//! moves (enter on publication under a vetted taxon, operator approval or rejection, resubmission).

/// What is stored about an advert's publication and vetting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AdvertState {
    /// The seller asked for the advert to be live (`attemptAutoPublish: true`).
    pub publish_requested: bool,
    /// The advert has what publication needs (title, taxon, a price for every variant, a variant).
    pub valid: bool,
    /// Waiting for the operator's vetting decision.
    pub requires_vetting: bool,
    /// Approved by the operator.
    pub vetted: bool,
    /// Rejected by the operator.
    pub vetting_rejected: bool,
    /// Soft-deleted.
    pub deleted: bool,
    /// Featured by the marketplace.
    pub featured: bool,
}

/// The flags derived from an [`AdvertState`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Visibility {
    /// Live, valid, and past vetting where vetting applies.
    pub published: bool,
    /// Published, not deleted, not awaiting or rejected by vetting.
    pub displayable: bool,
}

/// Derives publication flags.
pub fn visibility(s: AdvertState) -> Visibility {
    let vetting_clear = !s.requires_vetting && !s.vetting_rejected;
    let published = s.publish_requested && s.valid && vetting_clear && !s.deleted;
    Visibility {
        published,
        displayable: published,
    }
}

/// Whether an advert can be bought: displayable, with a published variant in stock (or sold
/// without limit).
pub fn online(displayable: bool, variants: impl IntoIterator<Item = VariantStock>) -> bool {
    displayable
        && variants
            .into_iter()
            .any(|v| v.published && (v.infinite_quantity || v.count_on_hand > 0))
}

/// What `online` needs to know of a variant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VariantStock {
    /// Published.
    pub published: bool,
    /// Sold without limit.
    pub infinite_quantity: bool,
    /// Units in stock.
    pub count_on_hand: i64,
}

/// Applies a seller's publication request. Under a taxon that requires vetting, a request to
/// publish an advert that has not been vetted (and is not rejected) puts it in the vetting queue.
pub fn request_publication(
    mut s: AdvertState,
    publish: bool,
    taxon_requires_vetting: bool,
) -> AdvertState {
    s.publish_requested = publish;
    if publish && taxon_requires_vetting && !s.vetted && !s.vetting_rejected {
        s.requires_vetting = true;
    }
    if !taxon_requires_vetting && !s.vetting_rejected {
        // Moved out of a vetted category: nothing left to wait for.
        s.requires_vetting = false;
    }
    s
}

/// Why a resubmission was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ResubmitError {
    /// Only rejected adverts can be resubmitted.
    #[error("is not rejected by vetting")]
    NotRejected,
    /// Deleted adverts cannot be resubmitted.
    #[error("is deleted")]
    Deleted,
}

/// Resubmits a rejected advert: back in the queue, rejection cleared.
pub fn resubmit(s: AdvertState) -> Result<AdvertState, ResubmitError> {
    if s.deleted {
        return Err(ResubmitError::Deleted);
    }
    if !s.vetting_rejected {
        return Err(ResubmitError::NotRejected);
    }
    Ok(AdvertState {
        requires_vetting: true,
        vetting_rejected: false,
        vetted: false,
        ..s
    })
}

/// The operator's decision on an advert in the vetting queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Approved.
    Approve,
    /// Rejected, with a reason for the seller.
    Reject(String),
}

/// Applies an operator decision (the operator API is not part of the seller schema; the
/// reference server exposes it to tests and tools).
pub fn decide(s: AdvertState, decision: &Decision) -> AdvertState {
    match decision {
        Decision::Approve => AdvertState {
            requires_vetting: false,
            vetted: true,
            vetting_rejected: false,
            ..s
        },
        Decision::Reject(_) => AdvertState {
            requires_vetting: false,
            vetted: false,
            vetting_rejected: true,
            ..s
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live() -> AdvertState {
        AdvertState {
            publish_requested: true,
            valid: true,
            ..AdvertState::default()
        }
    }

    #[test]
    fn published_needs_request_validity_and_clear_vetting() {
        assert!(visibility(live()).published);
        assert!(visibility(live()).displayable);
        // The visibility of a live advert with one thing changed.
        let changed = |change: fn(&mut AdvertState)| {
            let mut s = live();
            change(&mut s);
            visibility(s)
        };
        assert!(!changed(|s| s.publish_requested = false).published);
        assert!(!changed(|s| s.valid = false).published);
        assert!(!changed(|s| s.requires_vetting = true).displayable);
        assert!(!changed(|s| s.deleted = true).displayable);
    }

    #[test]
    fn publishing_under_a_vetted_taxon_enters_vetting() {
        let s = request_publication(AdvertState::default(), true, true);
        assert!(s.requires_vetting);
        assert!(!visibility(AdvertState { valid: true, ..s }).published);
        let approved = decide(s, &Decision::Approve);
        assert!(
            visibility(AdvertState {
                valid: true,
                ..approved
            })
            .published
        );
        // Once vetted, republishing does not queue it again.
        let again = request_publication(approved, true, true);
        assert!(!again.requires_vetting);
        // Outside vetted taxons nothing waits.
        assert!(!request_publication(AdvertState::default(), true, false).requires_vetting);
    }

    #[test]
    fn resubmission_only_for_rejected_adverts() {
        let rejected = decide(
            request_publication(AdvertState::default(), true, true),
            &Decision::Reject("no".into()),
        );
        assert!(rejected.vetting_rejected);
        let r = resubmit(rejected).map_err(|e| e.to_string());
        assert_eq!(
            r.map(|s| (s.requires_vetting, s.vetting_rejected, s.vetted)),
            Ok((true, false, false))
        );
        assert_eq!(resubmit(live()), Err(ResubmitError::NotRejected));
        assert_eq!(
            resubmit(AdvertState {
                deleted: true,
                ..rejected
            }),
            Err(ResubmitError::Deleted)
        );
    }

    #[test]
    fn online_needs_a_published_variant_in_stock() {
        let in_stock = VariantStock {
            published: true,
            infinite_quantity: false,
            count_on_hand: 3,
        };
        let empty = VariantStock {
            count_on_hand: 0,
            ..in_stock
        };
        let infinite = VariantStock {
            infinite_quantity: true,
            ..empty
        };
        assert!(online(true, [empty, in_stock]));
        assert!(!online(true, [empty]));
        assert!(online(true, [infinite]));
        assert!(!online(false, [in_stock]));
        assert!(!online(
            true,
            [VariantStock {
                published: false,
                ..in_stock
            }]
        ));
    }
}
