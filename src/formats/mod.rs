//! Readers that turn a check's output into findings: one module per format.
//!
//! Two shapes: document formats (`sarif`, `junit`, the dependency audits, bandit,
//! pylint) read a whole report at once; stream formats (`cargo`, `lines`, `mypy`) see
//! the output line by line while the check runs, so a check that prints gigabytes is
//! never held in memory. A report without a declared format is recognised from its
//! content ([`detect`]).
//!
//! Every reader's findings end in [`Findings`], which bounds each finding (64 KiB of
//! message) and the run (10,000 findings, 32 MiB of text) and counts what it left out:
//! a reader that returns a `Vec` is collected into it here, in [`parse_document`] and
//! [`StreamParser::finish`], so a new reader gets the caps for free. Documents are read
//! from disk by the runner with [`crate::fsutil::MAX_REPORT`] as the limit.

mod advisory;
pub mod bandit;
pub mod cargo;
pub mod cargo_audit;
pub mod detect;
pub mod junit;
pub mod lines;
pub mod mypy;
pub mod npm_audit;
pub mod pip_audit;
pub mod pylint;
pub mod safety;
pub mod sarif;

use crate::domain::check::Format;
use crate::domain::finding::{Findings, Severity};
use std::path::Path;

pub use crate::domain::finding::MAX_FINDINGS;

/// What a reader needs besides the bytes.
#[derive(Debug, Clone, Copy)]
pub struct ParseContext<'a> {
    /// Severity for findings whose tool says none.
    pub default_severity: Severity,
    /// The repository root: absolute paths and `file://` URIs under it are made relative.
    pub root: &'a Path,
}

/// Read a whole report. `Err` carries a one-line reason: the report was missing,
/// empty or not the format declared, or the tool reported its own failure (an audit
/// that could not reach its advisories), which makes the run an `error`.
pub fn parse_document(
    format: &Format,
    bytes: &[u8],
    ctx: &ParseContext,
) -> Result<Findings, String> {
    let capped = |found: Result<Vec<_>, String>| found.map(Findings::from_iter);
    match format {
        Format::Sarif => sarif::parse(bytes, ctx),
        Format::Junit => junit::parse(bytes, ctx),
        Format::NpmAudit => capped(npm_audit::parse(bytes, ctx)),
        Format::PipAudit => capped(pip_audit::parse(bytes, ctx)),
        Format::Safety => capped(safety::parse(bytes, ctx)),
        Format::CargoAudit => capped(cargo_audit::parse(bytes, ctx)),
        Format::Bandit => capped(bandit::parse(bytes, ctx)),
        Format::Pylint => capped(pylint::parse(bytes, ctx)),
        Format::Mypy => capped(mypy::parse(bytes, ctx)),
        Format::Cargo => {
            let mut parser = cargo::CargoParser::default();
            for line in String::from_utf8_lossy(bytes).lines() {
                parser.feed(line, ctx);
            }
            parser.finish()
        }
        Format::Auto => match detect::recognise(bytes) {
            Ok(found) => parse_document(&found, bytes, ctx),
            Err(looks) => Err(format!(
                "not a report preflight reads (it looks like {looks}); name its format with `format = \"…\"`: {}",
                KNOWN_REPORTS
            )),
        },
        other => Err(format!("`{}` is not a document format", other.name())),
    }
}

/// The reports `auto` recognises, for its error.
const KNOWN_REPORTS: &str =
    "sarif, junit, npm-audit, pip-audit, safety, cargo-audit, bandit, pylint, mypy, cargo";

/// A reader fed one output line at a time.
pub enum StreamParser {
    Cargo(cargo::CargoParser),
    Lines(lines::LinesParser),
    Mypy(mypy::MypyParser),
}

impl StreamParser {
    /// The stream reader for `format`, or `None` for document and exit-code formats.
    pub fn for_format(format: &Format) -> Option<StreamParser> {
        match format {
            Format::Cargo => Some(StreamParser::Cargo(cargo::CargoParser::default())),
            Format::Lines(re) => Some(StreamParser::Lines(lines::LinesParser::new(re.clone()))),
            Format::Mypy => Some(StreamParser::Mypy(mypy::MypyParser::default())),
            _ => None,
        }
    }

    /// Feed one line (without its newline). Returns what to show for it:
    /// - `None`: show the line as it is (human output, e.g. cargo's "Compiling foo");
    /// - `Some(text)` with text: show `text` instead (cargo's JSON becomes its rendered
    ///   diagnostic, possibly several lines);
    /// - `Some("")`: hide the line (cargo JSON with nothing for a person, e.g. artifacts).
    pub fn feed(&mut self, line: &str, ctx: &ParseContext) -> Option<String> {
        match self {
            StreamParser::Cargo(p) => p.feed(line, ctx),
            StreamParser::Lines(p) => {
                p.feed(line, ctx);
                None
            }
            StreamParser::Mypy(p) => {
                p.feed(line, ctx);
                None
            }
        }
    }

    /// The findings of the whole run. `Err` when the output was not the format declared
    /// (cargo printed no JSON at all), which makes the run an `error`.
    pub fn finish(self) -> Result<Findings, String> {
        match self {
            StreamParser::Cargo(p) => p.finish(),
            StreamParser::Lines(p) => Ok(p.finish()),
            StreamParser::Mypy(p) => {
                let dropped = p.dropped();
                p.finish().map(|found| {
                    let mut findings = Findings::from_iter(found);
                    (0..dropped).for_each(|_| findings.leave_out());
                    findings
                })
            }
        }
    }

    /// How many findings were left out past the caps, so the UI can say so.
    pub fn dropped(&self) -> usize {
        match self {
            StreamParser::Cargo(p) => p.dropped(),
            StreamParser::Lines(p) => p.dropped(),
            StreamParser::Mypy(p) => p.dropped(),
        }
    }
}

/// Make a tool's path relative to the repository root when it lies under it:
/// strips `file://`, a leading `./`, and the root prefix.
pub fn relative_path(raw: &str, root: &Path) -> String {
    let raw = raw.strip_prefix("file://").unwrap_or(raw);
    let path = Path::new(raw);
    let rel = path.strip_prefix(root).unwrap_or(path);
    let text = rel.to_string_lossy();
    text.strip_prefix("./").unwrap_or(&text).to_string()
}
