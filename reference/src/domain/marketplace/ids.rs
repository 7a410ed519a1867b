//! Relay global ids: the standard base64 encoding (with `=` padding) of `<TypeName>-<legacyId>`,
//! for example `QWR2ZXJ0LTEwMDA3MDczNA==` for `Advert-100070734`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Every type of the schema that implements `Node`. (UnpublishedAdvert and DeletedAdvert carry
/// the `Advert` id of the advert they wrap, so they have no id type of their own.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum NodeType {
    /// An advert (published, unpublished or deleted).
    Advert,
    /// A variant of an advert.
    Variant,
    /// A per-store inventory record of a variant.
    Inventory,
    /// An advert or variant image.
    Image,
    /// A PDF document attached to adverts.
    AdvertDocument,
    /// A seller (or a member store of a multi-store seller).
    Seller,
    /// A brand.
    Brand,
    /// A taxon (category).
    Taxon,
    /// A prototype: the option types of a taxon.
    Prototype,
    /// An option type.
    OptionType,
    /// A value of an option type.
    OptionValue,
    /// An invoice.
    Invoice,
    /// A line item of an invoice.
    LineItem,
    /// A shipment of an invoice.
    Shipment,
    /// A postage carrier.
    ShipmentCarrier,
    /// A shipping profile.
    ShippingProfile,
}

impl NodeType {
    /// Every node type.
    pub(crate) const ALL: [NodeType; 16] = [
        NodeType::Advert,
        NodeType::Variant,
        NodeType::Inventory,
        NodeType::Image,
        NodeType::AdvertDocument,
        NodeType::Seller,
        NodeType::Brand,
        NodeType::Taxon,
        NodeType::Prototype,
        NodeType::OptionType,
        NodeType::OptionValue,
        NodeType::Invoice,
        NodeType::LineItem,
        NodeType::Shipment,
        NodeType::ShipmentCarrier,
        NodeType::ShippingProfile,
    ];

    /// The GraphQL type name, as written in the id.
    pub(crate) fn name(self) -> &'static str {
        match self {
            NodeType::Advert => "Advert",
            NodeType::Variant => "Variant",
            NodeType::Inventory => "Inventory",
            NodeType::Image => "Image",
            NodeType::AdvertDocument => "AdvertDocument",
            NodeType::Seller => "Seller",
            NodeType::Brand => "Brand",
            NodeType::Taxon => "Taxon",
            NodeType::Prototype => "Prototype",
            NodeType::OptionType => "OptionType",
            NodeType::OptionValue => "OptionValue",
            NodeType::Invoice => "Invoice",
            NodeType::LineItem => "LineItem",
            NodeType::Shipment => "Shipment",
            NodeType::ShipmentCarrier => "ShipmentCarrier",
            NodeType::ShippingProfile => "ShippingProfile",
        }
    }

    /// The node type named `name` (exact, case-sensitive).
    pub(crate) fn from_name(name: &str) -> Option<NodeType> {
        NodeType::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// Why a global id was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum IdError {
    /// Not base64, not `<Type>-<number>`, or a number out of range.
    #[error("`{0}` is not a valid global id (expected base64 of `<TypeName>-<legacyId>`)")]
    Malformed(String),
    /// Well formed, but names a type that has no global ids.
    #[error("`{id}` names the unknown type `{type_name}`")]
    UnknownType {
        /// The id as given.
        id: String,
        /// The type name it decodes to.
        type_name: String,
    },
    /// A valid id of another type than the one expected here.
    #[error("`{id}` is a {found} id, not a {expected} id")]
    WrongType {
        /// The id as given.
        id: String,
        /// The type expected.
        expected: &'static str,
        /// The type found.
        found: &'static str,
    },
}

/// A decoded global id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct GlobalId {
    /// The type.
    pub node_type: NodeType,
    /// The numeric (legacy) id; positive and within a GraphQL `Int`.
    pub legacy_id: i64,
}

/// The global id of `legacy_id` of type `node_type`.
pub(crate) fn encode(node_type: NodeType, legacy_id: i64) -> String {
    STANDARD.encode(format!("{}-{legacy_id}", node_type.name()))
}

/// Decodes a global id. Only the canonical encoding is accepted (standard alphabet, padded), so
/// that every object has exactly one id.
pub(crate) fn decode(id: &str) -> Result<GlobalId, IdError> {
    let malformed = || IdError::Malformed(id.to_string());
    if id.is_empty() || id.len() > 128 {
        return Err(malformed());
    }
    let bytes = STANDARD.decode(id).map_err(|_| malformed())?;
    let text = String::from_utf8(bytes).map_err(|_| malformed())?;
    let (type_name, number) = text.rsplit_once('-').ok_or_else(malformed)?;
    if type_name.is_empty()
        || !type_name.bytes().all(|b| b.is_ascii_alphanumeric())
        || number.is_empty()
        || !number.bytes().all(|b| b.is_ascii_digit())
        || (number.len() > 1 && number.starts_with('0'))
    {
        return Err(malformed());
    }
    let legacy_id: i64 = number.parse().map_err(|_| malformed())?;
    if legacy_id < 1 || legacy_id > i64::from(i32::MAX) {
        return Err(malformed());
    }
    let node_type = NodeType::from_name(type_name).ok_or_else(|| IdError::UnknownType {
        id: id.to_string(),
        type_name: type_name.to_string(),
    })?;
    if STANDARD.encode(&text) != id {
        return Err(malformed());
    }
    Ok(GlobalId {
        node_type,
        legacy_id,
    })
}

/// Decodes a global id that must be of type `expected`; returns its legacy id.
pub(crate) fn decode_as(id: &str, expected: NodeType) -> Result<i64, IdError> {
    let g = decode(id)?;
    if g.node_type != expected {
        return Err(IdError::WrongType {
            id: id.to_string(),
            expected: expected.name(),
            found: g.node_type.name(),
        });
    }
    Ok(g.legacy_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_ids_decode_to_what_the_seed_says() {
        let cases = [
            ("QWR2ZXJ0LTEwMDA3MDczNA==", NodeType::Advert, 100_070_734),
            ("QnJhbmQtNA==", NodeType::Brand, 4),
            ("VGF4b24tMjc4", NodeType::Taxon, 278),
            ("T3B0aW9uVmFsdWUtNzM2", NodeType::OptionValue, 736),
            ("T3B0aW9uVHlwZS0yNTA=", NodeType::OptionType, 250),
            ("VmFyaWFudC03ODAyOA==", NodeType::Variant, 78_028),
            ("SW1hZ2UtMjg0OTQw", NodeType::Image, 284_940),
            (
                "QWR2ZXJ0RG9jdW1lbnQtMzA1MTAz",
                NodeType::AdvertDocument,
                305_103,
            ),
            ("SW52b2ljZS0xMzIxOA==", NodeType::Invoice, 13_218),
            ("TGluZUl0ZW0tNDk5", NodeType::LineItem, 499),
            ("U2hpcG1lbnQtNzM1", NodeType::Shipment, 735),
            ("U2hpcG1lbnRDYXJyaWVyLTY5", NodeType::ShipmentCarrier, 69),
        ];
        for (id, t, n) in cases {
            assert_eq!(
                decode(id),
                Ok(GlobalId {
                    node_type: t,
                    legacy_id: n
                }),
                "{id}"
            );
            assert_eq!(encode(t, n), id);
        }
    }

    #[test]
    fn malformed_ids_are_refused() {
        for id in [
            "",
            "not base64!",
            "QWR2ZXJ0",                     // "Advert": no number
            "QWR2ZXJ0LQ==",                 // "Advert-"
            "QWR2ZXJ0LWFiYw==",             // "Advert-abc"
            "QWR2ZXJ0LS0x",                 // "Advert--1"
            "QWR2ZXJ0LTA=",                 // "Advert-0"
            "QWR2ZXJ0LTAx",                 // "Advert-01"
            "QWR2ZXJ0LTk5OTk5OTk5OTk5OQ==", // beyond Int
            "QWR2ZXJ0LTEwMDA3MDczNA",       // unpadded
            "QWR2ZXJ0LTEwMDA3MDczNA==\n",   // trailing junk
            "LTE=",                         // "-1": no type
        ] {
            assert!(
                matches!(decode(id), Err(IdError::Malformed(_))),
                "{id:?} gave {:?}",
                decode(id)
            );
        }
    }

    #[test]
    fn unknown_and_wrong_types_are_told_apart() {
        let id = STANDARD.encode("Order-5");
        assert!(matches!(decode(&id), Err(IdError::UnknownType { .. })));
        assert_eq!(decode_as("QnJhbmQtNA==", NodeType::Brand), Ok(4));
        assert!(matches!(
            decode_as("QnJhbmQtNA==", NodeType::Taxon),
            Err(IdError::WrongType { .. })
        ));
    }

    #[test]
    fn every_type_round_trips() {
        for t in NodeType::ALL {
            assert_eq!(NodeType::from_name(t.name()), Some(t));
            let id = encode(t, 2_147_483_647);
            assert_eq!(decode_as(&id, t), Ok(2_147_483_647));
        }
    }
}
