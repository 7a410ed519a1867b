//! The catalogue data of an item as stored (a JSON document in `client_items.data`), the
//! values it contributes to filters and search, and its conversion to the API's types.

use serde::{Deserialize, Serialize};
use shopql_server_stubs::client::{
    ItemArtist, ItemData, ItemDescriptions, ItemFormat, ItemImage, ItemImageAlternative, ItemLabel,
    ItemShopDescription, ItemVideo, Track,
};

use crate::apis::listed;

/// `ItemData`, stored. Field names follow the API so the JSON reads like a response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct ItemDoc {
    pub title: Option<String>,
    pub cat: Option<String>,
    #[serde(rename = "type")]
    pub product_type: Option<String>,
    pub manufacturer: Option<String>,
    pub discogs_id: Option<i64>,
    pub asset_link: Option<String>,
    pub weight: Option<i64>,
    pub genres: Option<Vec<String>>,
    pub styles: Option<Vec<String>>,
    pub country: Option<String>,
    pub release_date: Option<i64>,
    pub subtitle: Option<String>,
    pub authors: Option<Vec<String>>,
    pub publisher: Option<String>,
    pub published_date: Option<i64>,
    pub page_count: Option<i32>,
    pub categories: Option<Vec<String>>,
    pub language: Option<String>,
    pub format: Option<String>,
    pub images: Option<Vec<ImageDoc>>,
    pub formats: Option<Vec<FormatDoc>>,
    pub artists: Option<Vec<ArtistDoc>>,
    pub labels: Option<Vec<LabelDoc>>,
    pub videos: Option<Vec<String>>,
    pub tracklist: Option<Vec<TrackDoc>>,
}

/// An image and its smaller rendition.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct ImageDoc {
    pub uri: Option<String>,
    pub alternative: Option<String>,
}

/// A release format.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct FormatDoc {
    pub name: Option<String>,
    pub qty: Option<String>,
    pub descriptions: Option<Vec<String>>,
}

/// A credited artist.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct ArtistDoc {
    pub name: Option<String>,
    pub anv: Option<String>,
    pub id: Option<i64>,
    pub join: Option<String>,
}

/// A label with its catalogue number.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct LabelDoc {
    pub name: Option<String>,
    pub id: Option<i64>,
    pub catno: Option<String>,
}

/// A tracklist entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct TrackDoc {
    #[serde(rename = "type_")]
    pub kind: Option<String>,
    pub title: Option<String>,
    pub artists: Option<Vec<ArtistDoc>>,
    pub uri: Option<String>,
    pub duration: Option<String>,
    pub position: Option<String>,
}

/// `ItemDescriptions`, stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct DescriptionsDoc {
    pub main: Option<String>,
    pub shop: Option<ShopDescriptionDoc>,
}

/// The store's own description.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct ShopDescriptionDoc {
    pub text: Option<String>,
    pub html: Option<String>,
    pub short: Option<String>,
}

impl ItemDoc {
    /// The API's `ItemData`.
    pub(crate) fn to_api(&self) -> ItemData {
        let strings = |v: &Option<Vec<String>>| listed(v, String::clone);
        ItemData {
            title: self.title.clone(),
            cat: self.cat.clone(),
            r#type: self.product_type.clone(),
            manufacturer: self.manufacturer.clone(),
            discogs_id: self.discogs_id.map(|v| v as f64),
            asset_link: self.asset_link.clone(),
            weight: self.weight.map(|v| v as f64),
            genres: strings(&self.genres),
            styles: strings(&self.styles),
            country: self.country.clone(),
            release_date: self.release_date.map(|v| v as f64),
            subtitle: self.subtitle.clone(),
            authors: strings(&self.authors),
            publisher: self.publisher.clone(),
            published_date: self.published_date.map(|v| v as f64),
            page_count: self.page_count,
            categories: strings(&self.categories),
            language: self.language.clone(),
            format: self.format.clone(),
            images: listed(&self.images, |i| ItemImage {
                uri: i.uri.clone(),
                alternative: i
                    .alternative
                    .clone()
                    .map(|uri| ItemImageAlternative { uri: Some(uri) }),
            }),
            formats: listed(&self.formats, |f| ItemFormat {
                descriptions: strings(&f.descriptions),
                name: f.name.clone(),
                qty: f.qty.clone(),
            }),
            artists: listed(&self.artists, artist),
            labels: listed(&self.labels, |l| ItemLabel {
                name: l.name.clone(),
                id: l.id.map(|v| v as f64),
                catno: l.catno.clone(),
            }),
            videos: listed(&self.videos, |uri| ItemVideo {
                uri: Some(uri.clone()),
            }),
            tracklist: listed(&self.tracklist, |t| Track {
                r#type: t.kind.clone(),
                title: t.title.clone(),
                artists: listed(&t.artists, artist),
                uri: t.uri.clone(),
                duration: t.duration.clone(),
                position: t.position.clone(),
            }),
        }
    }
}

fn artist(a: &ArtistDoc) -> ItemArtist {
    ItemArtist {
        name: a.name.clone(),
        anv: a.anv.clone(),
        id: a.id.map(|v| v as f64),
        join: a.join.clone(),
    }
}

impl DescriptionsDoc {
    /// The API's `ItemDescriptions`.
    pub(crate) fn to_api(&self) -> ItemDescriptions {
        ItemDescriptions {
            main: self.main.clone(),
            shop: self.shop.as_ref().map(|s| ItemShopDescription {
                text: s.text.clone(),
                html: s.html.clone(),
                short: s.short.clone(),
            }),
        }
    }
}

/// A listing option, stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct OptionDoc {
    pub name: Option<String>,
    pub value: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_search_text() {
        let doc = ItemDoc {
            title: Some("The Unreleased Anthems".into()),
            genres: Some(vec!["Electronic".into()]),
            styles: Some(vec!["Tech House".into(), " ".into()]),
            country: Some("UK".into()),
            release_date: Some(911_174_400_000),
            formats: Some(vec![FormatDoc {
                name: Some("Vinyl".into()),
                qty: Some("2".into()),
                descriptions: Some(vec!["LP".into()]),
            }]),
            artists: Some(vec![ArtistDoc {
                name: Some("Various".into()),
                id: Some(194),
                ..ArtistDoc::default()
            }]),
            labels: Some(vec![LabelDoc {
                name: Some("Anthem Records".into()),
                id: Some(5521),
                catno: Some("ANTH 001".into()),
            }]),
            ..ItemDoc::default()
        };
        let api = doc.to_api();
        assert_eq!(api.release_date, Some(911_174_400_000.0));
        assert_eq!(api.authors, None);
        assert_eq!(api.genres, Some(vec![Some("Electronic".to_string())]));
    }
}
