//! The two schemas of `fixtures/extern/`, `store` and `admin`: each is its own file with
//! `shared.graphql` appended, so the types both define are identical by construction.

use std::fs;
use std::path::{Path, PathBuf};

/// Writes `store.graphql` and `admin.graphql` into `dir` (created if needed), unless they
/// already hold that text, and returns their paths, `store` first.
pub fn write(dir: &Path) -> Vec<PathBuf> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extern");
    let shared = fs::read_to_string(fixtures.join("shared.graphql")).unwrap();
    fs::create_dir_all(dir).unwrap();
    ["store", "admin"]
        .into_iter()
        .map(|api| {
            let own = fs::read_to_string(fixtures.join(format!("{api}.graphql"))).unwrap();
            let text = format!("{own}\n{shared}");
            let path = dir.join(format!("{api}.graphql"));
            if fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                fs::write(&path, text).unwrap();
            }
            path
        })
        .collect()
}
