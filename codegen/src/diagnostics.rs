//! Located, human-actionable diagnostics. The generator never panics on input: every problem in a
//! schema or operation document becomes a [`Diagnostic`], and all of them are reported at once.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How serious a diagnostic is. Errors stop generation; warnings are reported and generation goes
/// on with a clean result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The input cannot be turned into correct code.
    Error,
    /// The input is unusual or not spec-clean, but a correct result was produced.
    Warning,
}

/// A place in a source file: one-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The file the position refers to.
    pub file: Arc<Path>,
    /// One-based line.
    pub line: usize,
    /// One-based column.
    pub column: usize,
}

impl Location {
    /// A location in `file` at `line`:`column`.
    pub fn new(file: &Arc<Path>, line: usize, column: usize) -> Self {
        Self {
            file: Arc::clone(file),
            line,
            column,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// One problem found in a schema or an operation document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    /// Where the problem is.
    pub location: Location,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What to do about it, when there is something useful to say.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `location`.
    pub fn error(location: Location, message: impl Into<String>) -> Self {
        Self {
            location,
            severity: Severity::Error,
            message: message.into(),
            help: None,
        }
    }

    /// A warning at `location`.
    pub fn warning(location: Location, message: impl Into<String>) -> Self {
        Self {
            location,
            severity: Severity::Warning,
            message: message.into(),
            help: None,
        }
    }

    /// Adds a hint that says what to do.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {kind}: {}", self.location, self.message)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

/// A collection of diagnostics, sorted by place when reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// No diagnostics.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Adds all diagnostics of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// True if any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// True if there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The diagnostics in file, line, column order, duplicates removed.
    pub fn sorted(&self) -> Vec<Diagnostic> {
        let mut items = self.items.clone();
        items.sort();
        items.dedup();
        items
    }

    /// Sorts by place and removes duplicates (the client and the server emitters may both report
    /// the same problem).
    pub fn dedup(&mut self) {
        self.items.sort();
        self.items.dedup();
    }

    /// Iterates in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.sorted() {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

/// graphql-parser reports syntax errors as text such as
/// `schema parse error: Parse error at 3:7\nUnexpected ...`. This turns that text into a located
/// diagnostic, falling back to line 1, column 1 when no position can be read.
pub(crate) fn from_parse_error(file: &Arc<Path>, text: &str) -> Diagnostic {
    let (line, column) = text
        .split("Parse error at ")
        .nth(1)
        .and_then(|rest| {
            let pos: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ':')
                .collect();
            let (l, c) = pos.split_once(':')?;
            Some((l.parse().ok()?, c.parse().ok()?))
        })
        .unwrap_or((1, 1));
    let detail: Vec<&str> = text
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let message = if detail.is_empty() {
        text.trim().to_string()
    } else {
        format!("syntax error: {}", tidy_parse_detail(&detail.join("; ")))
    };
    Diagnostic::error(Location::new(file, line, column), message)
}

/// graphql-parser's messages name token kinds (`` `typo[Name]` ``) and sometimes repeat a word
/// ("Unexpected unexpected character"); this keeps what a person needs.
fn tidy_parse_detail(text: &str) -> String {
    let mut out = text.to_string();
    for kind in [
        "[Name]",
        "[Punctuator]",
        "[IntValue]",
        "[FloatValue]",
        "[StringValue]",
        "[BlockString]",
    ] {
        out = out.replace(kind, "");
    }
    out.replace("Unexpected unexpected", "Unexpected")
        .replace("Unexpected unterminated", "Unterminated")
}

/// Shared, cheap file name for locations.
pub(crate) fn file_id(path: &Path) -> Arc<Path> {
    Arc::from(PathBuf::from(path).into_boxed_path())
}

/// Edit distance with adjacent transpositions (optimal string alignment), case-insensitive, for
/// "did you mean" hints: `Crat` is one edit from `Cart`.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    // Three rows: two back (for transpositions), previous, current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest candidate to `name`, if it is close enough to be a plausible typo.
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let len = name.chars().count();
    let limit = (len / 3).max(1);
    candidates
        .into_iter()
        // The distance is at least the difference in length: skip the hopeless cheaply.
        .filter(|c| c.chars().count().abs_diff(len) <= limit)
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_error_positions_are_read() {
        let file = file_id(Path::new("a.graphql"));
        let d = from_parse_error(
            &file,
            "schema parse error: Parse error at 3:7\nUnexpected `}`\nExpected Name\n",
        );
        assert_eq!((d.location.line, d.location.column), (3, 7));
        assert_eq!(d.message, "syntax error: Unexpected `}`; Expected Name");
        assert_eq!(
            d.to_string(),
            "a.graphql:3:7: error: syntax error: Unexpected `}`; Expected Name"
        );
    }

    #[test]
    fn unreadable_parse_errors_fall_back_to_the_start() {
        let file = file_id(Path::new("a.graphql"));
        let d = from_parse_error(&file, "something odd");
        assert_eq!((d.location.line, d.location.column), (1, 1));
    }

    #[test]
    fn suggestions_find_close_names_only() {
        assert_eq!(
            did_you_mean("Strng", ["String", "Int", "Boolean"]),
            Some("did you mean `String`?".into())
        );
        assert_eq!(did_you_mean("Zzzzzz", ["String", "Int"]), None);
        assert_eq!(
            did_you_mean("Crat", ["Cart", "Query"]),
            Some("did you mean `Cart`?".into())
        );
        assert_eq!(
            did_you_mean("nmae", ["id", "name", "price"]),
            Some("did you mean `name`?".into())
        );
    }

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("abc", "acb"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("ABC", "abc"), 0);
    }

    #[test]
    fn parse_errors_are_tidied() {
        let file = file_id(Path::new("a.graphql"));
        let d = from_parse_error(
            &file,
            "query parse error: Parse error at 2:1\nUnexpected `typo[Name]`\nExpected schema\n",
        );
        assert_eq!(
            d.message,
            "syntax error: Unexpected `typo`; Expected schema"
        );
        let d = from_parse_error(
            &file,
            "query parse error: Parse error at 3:10\nUnexpected unexpected character '€'\n",
        );
        assert_eq!(d.message, "syntax error: Unexpected character '€'");
    }
}
