//! Images and documents: the patch rules of `ImageInput` and `DocumentInput` (add without an id,
//! replace or delete with one), checks of URLs and uploads, and the download route of uploaded
//! files.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use shopql_server_stubs::marketplace::{DocumentInput, ImageInput};
use shopql_server_stubs::{ApiResult, Maybe};
use sqlx::AnyConnection;

use super::errors::{Errors, path};
use super::rows::{Ids, insert};
use crate::domain::marketplace::ids::{NodeType, decode_as};
use crate::state::AppState;
use crate::store::sql::{Sql, col};

/// Where downloads of uploaded files are served, below the API's path. The URLs are
/// capability URLs: they need no credential (advert images are shown to buyers), and the
/// file's id, 128 bits from a CSPRNG, is what keeps an unpublished upload private.
pub(crate) const FILES_PREFIX: &str = "/marketplace/graphql/files";

/// A new uploaded file's id: 32 hex digits, 128 random bits (ids of older uploads have 96).
pub(crate) fn new_file_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// Most documents an advert may have.
pub(crate) const MAX_DOCUMENTS: i64 = 20;

/// Where a file comes from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Source {
    /// Downloaded from a URL (stored as the URL).
    Url(String),
    /// Uploaded in the request (stored, and served from [`FILES_PREFIX`]).
    Upload {
        /// The content, base64 as received (whitespace removed).
        data_base64: String,
        /// The file name, made safe for a URL path.
        filename: String,
        /// The sniffed content type.
        content_type: &'static str,
    },
}

/// A change to an advert's or variant's images.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ImageOp {
    /// A new image.
    Add {
        /// Its file.
        source: Source,
        /// Its alt text.
        alt: Option<String>,
    },
    /// A new file and/or alt text for an existing image.
    Replace {
        /// The image.
        id: i64,
        /// The new file, if any.
        source: Option<Source>,
        /// The new alt text, if given (`Some(None)` clears it).
        alt: Option<Option<String>>,
    },
    /// Removes an image.
    Delete {
        /// The image.
        id: i64,
    },
}

/// A change to an advert's documents.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DocumentOp {
    /// A new document.
    Add(Source),
    /// A new file for an existing document.
    Replace {
        /// The document.
        id: i64,
        /// The new file.
        source: Source,
    },
    /// Detaches the document from the advert (and deletes it once no advert uses it).
    Detach {
        /// The document.
        id: i64,
    },
}

/// Whether `url` is an absolute http(s) URL.
pub(crate) fn is_http_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && url.len() <= 2048 && !url.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// The last path segment of a URL (`router.pdf` of `https://x/a/router.pdf?x=1`).
pub(crate) fn url_filename(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let after_scheme = path.split_once("://").map_or(path, |(_, r)| r);
    match after_scheme.split_once('/') {
        Some((_, p)) => p.rsplit('/').next().unwrap_or("").to_string(),
        None => String::new(),
    }
}

/// A file name safe in a URL path: letters, digits, `.`, `-` and `_`, others replaced by `-`.
pub(crate) fn safe_filename(name: &str) -> String {
    let cleaned: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "file".to_string()
    } else {
        cleaned.chars().take(120).collect()
    }
}

/// The content type of image bytes, from their signature.
pub(crate) fn sniff_image(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if data.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if data.len() >= 12 && data.starts_with(b"RIFF") && &data[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

fn is_pdf_name(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".pdf")
}

/// Decodes base64 (whitespace ignored); returns the normalized text and the bytes.
fn decode_upload(text: &str) -> Option<(String, Vec<u8>)> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = STANDARD.decode(&compact).ok()?;
    Some((compact, bytes))
}

fn text(m: &Maybe<String>) -> Option<&str> {
    m.as_option().map(String::as_str)
}

/// The source an image or document entry gives (`None`: neither a URL nor data), or the field
/// (`sourceUrl`, `filename`, ...) and message of its first error. What differs between the two
/// kinds are the checks: of a URL once it is http(s), of an upload's file name before its data
/// is decoded, and of the decoded data (which gives its content type).
fn read_source(
    source_url: &Maybe<String>,
    data_base64: &Maybe<String>,
    filename: &Maybe<String>,
    check_url: impl Fn(&str) -> Result<(), &'static str>,
    check_filename: impl Fn(&str) -> Result<(), &'static str>,
    content_type: impl Fn(&[u8]) -> Result<&'static str, (&'static str, String)>,
) -> Result<Option<Source>, (&'static str, String)> {
    let fail = |field: &'static str, message: &str| (field, message.to_string());
    match (text(source_url), text(data_base64)) {
        (Some(_), Some(_)) => Err(fail(
            "sourceUrl",
            "give either sourceUrl or dataBase64, not both",
        )),
        (Some(url), None) => {
            if !is_http_url(url) {
                return Err(fail("sourceUrl", "must be an absolute http(s) URL"));
            }
            check_url(url).map_err(|m| fail("sourceUrl", m))?;
            Ok(Some(Source::Url(url.to_string())))
        }
        (None, Some(data)) => {
            let Some(filename) = text(filename).filter(|f| !f.trim().is_empty()) else {
                return Err(fail("filename", "is required with dataBase64"));
            };
            check_filename(filename).map_err(|m| fail("filename", m))?;
            let Some((compact, bytes)) = decode_upload(data) else {
                return Err(fail("dataBase64", "is not valid base64"));
            };
            Ok(Some(Source::Upload {
                content_type: content_type(&bytes)?,
                data_base64: compact,
                filename: safe_filename(filename),
            }))
        }
        (None, None) => Ok(None),
    }
}

/// Reads image entries (`images.N.…` under `prefix`) into operations.
pub(crate) fn parse_images(
    inputs: &[ImageInput],
    prefix: &str,
    errors: &mut Errors,
) -> Vec<ImageOp> {
    let mut ops = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let at = |name: &str| path(prefix, &format!("images.{i}.{name}"));
        let content_type = |bytes: &[u8]| {
            if let Some(size) = input.file_size.as_option()
                && i64::from(*size) != bytes.len() as i64
            {
                let message = format!("is {size} but the decoded data has {} bytes", bytes.len());
                return Err(("fileSize", message));
            }
            let kind = sniff_image(bytes);
            kind.ok_or(("dataBase64", "is not a JPEG, PNG, GIF or WebP image".into()))
        };
        let (url, data, name) = (&input.source_url, &input.data_base64, &input.filename);
        let source = match read_source(url, data, name, |_| Ok(()), |_| Ok(()), content_type) {
            Ok(source) => source,
            Err((field, message)) => {
                errors.add(at(field), message);
                continue;
            }
        };
        let alt = input.alt.clone().into_update();
        match input.image_id.as_option() {
            None => match source {
                Some(source) => ops.push(ImageOp::Add {
                    source,
                    alt: alt.flatten(),
                }),
                None => errors.add(
                    at("sourceUrl"),
                    "a new image needs sourceUrl, or dataBase64 with filename",
                ),
            },
            Some(id) => {
                let Some(id) = errors.decode(id, NodeType::Image, &at("imageId")) else {
                    continue;
                };
                let alt_value = alt.clone().flatten();
                if source.is_none() && alt_value.is_none() {
                    ops.push(ImageOp::Delete { id });
                } else {
                    ops.push(ImageOp::Replace { id, source, alt });
                }
            }
        }
    }
    ops
}

/// Reads document entries (`documents.N.…`) into operations.
pub(crate) fn parse_documents(inputs: &[DocumentInput], errors: &mut Errors) -> Vec<DocumentOp> {
    let mut ops = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let at = |name: &str| format!("documents.{i}.{name}");
        let check_url = |url: &str| match is_pdf_name(&url_filename(url)) {
            true => Ok(()),
            false => Err("must point to a PDF file (.pdf)"),
        };
        let check_filename = |name: &str| match is_pdf_name(name) {
            true => Ok(()),
            false => Err("must be a PDF file name (.pdf)"),
        };
        let content_type = |bytes: &[u8]| match bytes.starts_with(b"%PDF-") {
            true => Ok("application/pdf"),
            false => Err(("dataBase64", "is not a PDF document".into())),
        };
        let (url, data, name) = (&input.source_url, &input.data_base64, &input.filename);
        let source = match read_source(url, data, name, check_url, check_filename, content_type) {
            Ok(source) => source,
            Err((field, message)) => {
                errors.add(at(field), message);
                continue;
            }
        };
        match input.document_id.as_option() {
            None => match source {
                Some(s) => ops.push(DocumentOp::Add(s)),
                None => errors.add(
                    at("sourceUrl"),
                    "a new document needs sourceUrl, or dataBase64 with filename",
                ),
            },
            Some(id) => match decode_as(id, NodeType::AdvertDocument) {
                Ok(id) => ops.push(match source {
                    Some(source) => DocumentOp::Replace { id, source },
                    None => DocumentOp::Detach { id },
                }),
                Err(e) => errors.add(at("documentId"), e.to_string()),
            },
        }
    }
    ops
}

/// How many new ids the operations need.
pub(crate) fn new_images(ops: &[ImageOp]) -> usize {
    ops.iter()
        .filter(|o| matches!(o, ImageOp::Add { .. }))
        .count()
}

/// How many new ids the operations need.
pub(crate) fn new_documents(ops: &[DocumentOp]) -> usize {
    ops.iter()
        .filter(|o| matches!(o, DocumentOp::Add(_)))
        .count()
}

/// Whose images a patch is about.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Owner {
    /// A new advert or variant: it has no images yet.
    New,
    /// An advert (its own images and its variants').
    Advert(i64),
    /// A variant.
    Variant(i64),
}

/// Checks that every image an operation names belongs to `owner` (and the seller).
pub(crate) async fn check_images(
    conn: &mut AnyConnection,
    seller: i64,
    owner: Owner,
    ops: &[ImageOp],
    prefix: &str,
    errors: &mut Errors,
) -> ApiResult<()> {
    // A new advert or variant has no images yet: every image named is unknown.
    let (column, owner_id, whose) = match owner {
        Owner::New => ("", None, "this advert"),
        Owner::Advert(advert) => (" AND advert_id = ", Some(advert), "this advert"),
        Owner::Variant(variant) => (" AND variant_id = ", Some(variant), "this variant"),
    };
    for (i, op) in ops.iter().enumerate() {
        let id = match op {
            ImageOp::Replace { id, .. } | ImageOp::Delete { id } => *id,
            ImageOp::Add { .. } => continue,
        };
        let found = match owner_id {
            None => false,
            Some(owner_id) => {
                let mut sql = Sql::new("SELECT id FROM mp_images WHERE id = ");
                sql.arg(id).push(" AND seller_id = ").arg(seller);
                sql.push(column).arg(owner_id);
                sql.fetch_optional(&mut *conn).await?.is_some()
            }
        };
        if !found {
            errors.add(
                path(prefix, &format!("images.{i}.imageId")),
                format!("not found among the images of {whose}"),
            );
        }
    }
    Ok(())
}

/// Checks the documents an operation names and the 20-document limit.
pub(crate) async fn check_documents(
    conn: &mut AnyConnection,
    seller: i64,
    advert: Option<i64>,
    ops: &[DocumentOp],
    errors: &mut Errors,
) -> ApiResult<()> {
    let mut count = 0i64;
    if let Some(advert) = advert {
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM mp_advert_documents WHERE advert_id = ");
        sql.arg(advert);
        count = sql.fetch_n(&mut *conn).await?;
    }
    for (i, op) in ops.iter().enumerate() {
        let id = match op {
            DocumentOp::Add(_) => {
                count += 1;
                continue;
            }
            DocumentOp::Replace { id, .. } => *id,
            DocumentOp::Detach { id } => {
                count -= 1;
                *id
            }
        };
        let found = match advert {
            None => false,
            Some(advert) => {
                let mut sql = Sql::new(
                    "SELECT d.id AS id FROM mp_documents d JOIN mp_advert_documents ad ON ad.document_id = d.id WHERE d.id = ",
                );
                sql.arg(id).push(" AND d.seller_id = ").arg(seller);
                sql.push(" AND ad.advert_id = ").arg(advert);
                sql.fetch_optional(&mut *conn).await?.is_some()
            }
        };
        if !found {
            errors.add(
                format!("documents.{i}.documentId"),
                "not found among the documents of this advert",
            );
        }
    }
    if count > MAX_DOCUMENTS {
        errors.add(
            "documents",
            format!("an advert has at most {MAX_DOCUMENTS} documents (this would make {count})"),
        );
    }
    Ok(())
}

/// Stores a source: a URL as is, an upload as a file served by this server.
async fn store_source(
    conn: &mut AnyConnection,
    seller: i64,
    source: &Source,
    now: i64,
) -> ApiResult<(String, String)> {
    match source {
        Source::Url(url) => Ok((url.clone(), url_filename(url))),
        Source::Upload {
            data_base64,
            filename,
            content_type,
        } => {
            let id = new_file_id();
            let columns = "id, seller_id, filename, content_type, data_base64, created_at";
            let values = [
                id.as_str().into(),
                seller.into(),
                filename.as_str().into(),
                (*content_type).into(),
                data_base64.as_str().into(),
                now.into(),
            ];
            insert(conn, "mp_files", columns, values).await?;
            Ok((format!("{FILES_PREFIX}/{id}/{filename}"), filename.clone()))
        }
    }
}

/// Applies image operations to an advert (`variant` None) or one of its variants.
pub(crate) async fn apply_images(
    conn: &mut AnyConnection,
    seller: i64,
    advert: i64,
    variant: Option<i64>,
    ops: &[ImageOp],
    ids: &mut Ids,
    now: i64,
) -> ApiResult<()> {
    for op in ops {
        match op {
            ImageOp::Add { source, alt } => {
                let (url, _) = store_source(&mut *conn, seller, source, now).await?;
                let columns =
                    "id, seller_id, advert_id, variant_id, url, alt, created_at, updated_at";
                let values = [
                    ids.take_one()?.into(),
                    seller.into(),
                    advert.into(),
                    variant.into(),
                    url.into(),
                    alt.clone().into(),
                    now.into(),
                    now.into(),
                ];
                insert(&mut *conn, "mp_images", columns, values).await?;
            }
            ImageOp::Replace { id, source, alt } => {
                let mut sql = Sql::new("UPDATE mp_images SET updated_at = ");
                sql.arg(now);
                if let Some(source) = source {
                    let (url, _) = store_source(&mut *conn, seller, source, now).await?;
                    sql.push(", url = ").arg(url);
                }
                if let Some(alt) = alt {
                    sql.push(", alt = ").arg(alt.clone());
                }
                sql.push(" WHERE id = ").arg(*id);
                sql.execute(&mut *conn).await?;
            }
            ImageOp::Delete { id } => {
                let mut sql = Sql::new("DELETE FROM mp_images WHERE id = ");
                sql.arg(*id);
                sql.execute(&mut *conn).await?;
            }
        }
    }
    Ok(())
}

/// Applies document operations to an advert.
pub(crate) async fn apply_documents(
    conn: &mut AnyConnection,
    seller: i64,
    advert: i64,
    ops: &[DocumentOp],
    ids: &mut Ids,
    now: i64,
) -> ApiResult<()> {
    for op in ops {
        match op {
            DocumentOp::Add(source) => {
                let (url, filename) = store_source(&mut *conn, seller, source, now).await?;
                let id = ids.take_one()?;
                let columns = "id, seller_id, url, filename, created_at, updated_at";
                let values = [
                    id.into(),
                    seller.into(),
                    url.into(),
                    filename.into(),
                    now.into(),
                    now.into(),
                ];
                insert(&mut *conn, "mp_documents", columns, values).await?;
                let link = [advert.into(), id.into()];
                insert(
                    &mut *conn,
                    "mp_advert_documents",
                    "advert_id, document_id",
                    link,
                )
                .await?;
            }
            DocumentOp::Replace { id, source } => {
                let (url, filename) = store_source(&mut *conn, seller, source, now).await?;
                let mut sql = Sql::new("UPDATE mp_documents SET url = ");
                sql.arg(url).push(", filename = ").arg(filename);
                sql.push(", updated_at = ")
                    .arg(now)
                    .push(" WHERE id = ")
                    .arg(*id);
                sql.execute(&mut *conn).await?;
            }
            DocumentOp::Detach { id } => {
                let mut unlink = Sql::new("DELETE FROM mp_advert_documents WHERE advert_id = ");
                unlink.arg(advert).push(" AND document_id = ").arg(*id);
                unlink.execute(&mut *conn).await?;
                let mut orphan = Sql::new("DELETE FROM mp_documents WHERE id = ");
                orphan.arg(*id).push(
                    " AND NOT EXISTS (SELECT 1 FROM mp_advert_documents ad WHERE ad.document_id = mp_documents.id)",
                );
                orphan.execute(&mut *conn).await?;
            }
        }
    }
    Ok(())
}

/// `GET /marketplace/graphql/files/{id}/{filename}`: an uploaded file.
pub(crate) async fn serve_file(
    State(state): State<AppState>,
    Path((id, filename)): Path<(String, String)>,
) -> Response {
    let mut sql = Sql::new("SELECT filename, content_type, data_base64 FROM mp_files WHERE id = ");
    sql.arg(id);
    let row = match sql.fetch_optional(&state.store.pool).await {
        Ok(r) => r,
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    let Some(row) = row else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let stored: String = col(&row, "filename").unwrap_or_default();
    if stored != filename {
        return StatusCode::NOT_FOUND.into_response();
    }
    let content_type: String = col(&row, "content_type").unwrap_or_default();
    let data: String = col(&row, "data_base64").unwrap_or_default();
    match STANDARD.decode(data) {
        // nosniff: a browser must not run an upload as anything but its checked type.
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_names() {
        assert!(is_http_url("https://example.com/router.jpg"));
        assert!(is_http_url("http://example.com"));
        assert!(!is_http_url("ftp://example.com/x"));
        assert!(!is_http_url("https:///x"));
        assert!(!is_http_url("https://exa mple.com/x"));
        assert_eq!(
            url_filename("https://example.com/a/router.pdf?x=1"),
            "router.pdf"
        );
        assert_eq!(url_filename("https://example.com"), "");
        assert_eq!(safe_filename("my photo (1).jpg"), "my-photo--1-.jpg");
        assert_eq!(safe_filename("../../etc/passwd"), "-..-etc-passwd");
        assert_eq!(safe_filename(""), "file");
    }

    #[test]
    fn images_are_sniffed() {
        assert_eq!(sniff_image(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff_image(b"GIF89a..."), Some("image/gif"));
        assert_eq!(sniff_image(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff_image(b"%PDF-1.4"), None);
    }

    #[test]
    fn image_inputs_become_operations() {
        let id = crate::domain::marketplace::ids::encode(NodeType::Image, 284_940);
        let inputs = vec![
            ImageInput {
                source_url: Maybe::Value("https://example.com/router.jpg".into()),
                ..Default::default()
            },
            ImageInput {
                image_id: Maybe::Value(id.clone()),
                source_url: Maybe::Value("https://example.com/router3.jpg".into()),
                ..Default::default()
            },
            ImageInput {
                image_id: Maybe::Value(id.clone()),
                source_url: Maybe::Null,
                ..Default::default()
            },
            ImageInput {
                image_id: Maybe::Value(id),
                alt: Maybe::Value("Front".into()),
                ..Default::default()
            },
        ];
        let mut errors = Errors::new();
        let ops = parse_images(&inputs, "", &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert!(matches!(ops[0], ImageOp::Add { .. }));
        assert!(matches!(
            ops[1],
            ImageOp::Replace {
                source: Some(_),
                ..
            }
        ));
        assert_eq!(ops[2], ImageOp::Delete { id: 284_940 });
        assert!(matches!(
            ops[3],
            ImageOp::Replace {
                source: None,
                alt: Some(Some(_)),
                ..
            }
        ));
    }

    #[test]
    fn bad_image_inputs_are_reported_by_path() {
        let inputs = vec![
            ImageInput::default(),
            ImageInput {
                source_url: Maybe::Value("not a url".into()),
                ..Default::default()
            },
            ImageInput {
                data_base64: Maybe::Value(STANDARD.encode(b"%PDF-1.4")),
                filename: Maybe::Value("x.jpg".into()),
                ..Default::default()
            },
            ImageInput {
                data_base64: Maybe::Value(STANDARD.encode([0xFF, 0xD8, 0xFF, 0x00])),
                filename: Maybe::Value("x.jpg".into()),
                file_size: Maybe::Value(5),
                ..Default::default()
            },
        ];
        let mut errors = Errors::new();
        let ops = parse_images(&inputs, "variants.0", &mut errors);
        assert!(ops.is_empty());
        let fields: Vec<String> = errors.into_graphql().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![
                "variants.0.images.0.sourceUrl",
                "variants.0.images.1.sourceUrl",
                "variants.0.images.2.dataBase64",
                "variants.0.images.3.fileSize"
            ]
        );
    }

    #[test]
    fn documents_must_be_pdfs() {
        let mut errors = Errors::new();
        let ops = parse_documents(
            &[
                DocumentInput {
                    source_url: Maybe::Value("https://example.com/router.pdf".into()),
                    ..Default::default()
                },
                DocumentInput {
                    source_url: Maybe::Value("https://example.com/router.exe".into()),
                    ..Default::default()
                },
            ],
            &mut errors,
        );
        assert_eq!(ops.len(), 1);
        assert!(!errors.is_empty());
    }

    #[test]
    fn bad_document_inputs_are_reported_in_order_of_checks() {
        let doc = |url: Option<&str>, data: Option<&str>, name: Option<&str>| DocumentInput {
            source_url: url.map_or(Maybe::Absent, |u| Maybe::Value(u.into())),
            data_base64: data.map_or(Maybe::Absent, |d| Maybe::Value(d.into())),
            filename: name.map_or(Maybe::Absent, |n| Maybe::Value(n.into())),
            ..Default::default()
        };
        let text = STANDARD.encode(b"hello");
        let inputs = [
            doc(Some("https://example.com/a.pdf"), Some(&text), None),
            doc(Some("https://example.com/a.exe"), None, None),
            doc(None, Some(&text), None),
            doc(None, Some("!!!"), Some("a.doc")),
            doc(None, Some("!!!"), Some("a.pdf")),
            doc(None, Some(&text), Some("a.pdf")),
        ];
        let mut errors = Errors::new();
        assert!(parse_documents(&inputs, &mut errors).is_empty());
        let got: Vec<(String, Vec<String>)> = errors
            .into_graphql()
            .into_iter()
            .map(|e| (e.field, e.messages))
            .collect();
        let want = [
            (
                "documents.0.sourceUrl",
                "give either sourceUrl or dataBase64, not both",
            ),
            ("documents.1.sourceUrl", "must point to a PDF file (.pdf)"),
            ("documents.2.filename", "is required with dataBase64"),
            ("documents.3.filename", "must be a PDF file name (.pdf)"),
            ("documents.4.dataBase64", "is not valid base64"),
            ("documents.5.dataBase64", "is not a PDF document"),
        ];
        let want: Vec<(String, Vec<String>)> = want
            .iter()
            .map(|(f, m)| (f.to_string(), vec![m.to_string()]))
            .collect();
        assert_eq!(got, want);
    }
}
