//! The text of a generation run's snapshot, shared by the snapshot tests.

use shopql_codegen::Generated;

/// The snapshot text: the warnings, then the generated files.
pub fn text(g: &Generated) -> String {
    let mut text = String::new();
    for w in g.warnings.sorted() {
        text.push_str(&format!("// {w}\n"));
    }
    if !text.is_empty() {
        text.push('\n');
    }
    for f in &g.files {
        text.push_str(&format!("// ----- {} -----\n", f.name));
        text.push_str(&f.contents);
    }
    text
}
