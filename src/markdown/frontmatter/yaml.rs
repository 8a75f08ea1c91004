//! The todos of front matter read with `saphyr`, keeping where each status value is.

use super::{unquoted, FmTodo};
use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

/// Nesting deeper than this is refused before parsing: the parser recurses per level
/// and a hostile file must not overflow a worker thread's stack.
const MAX_DEPTH: usize = 32;

/// Read `name` and `todos` from front matter `source`, which starts at byte `base` of
/// the text and on line `first_line`. `Err` explains why it is not YAML we can read.
pub(super) fn read(
    source: &str,
    base: usize,
    first_line: usize,
) -> Result<(Option<String>, Vec<FmTodo>), String> {
    if let Some(why) = too_deep(source) {
        return Err(why);
    }
    let docs = MarkedYaml::load_from_str(source).map_err(|e| {
        format!(
            "{} at line {}",
            e.info(),
            e.marker().line() + first_line - 1
        )
    })?;
    let Some(root) = docs.first() else {
        return Ok((None, Vec::new()));
    };
    let ctx = Ctx {
        source,
        base,
        first_line,
        offsets: char_offsets(source),
    };
    let name = ctx
        .get(root, "name")
        .or_else(|| ctx.get(root, "title"))
        .and_then(|n| ctx.text(n));
    let todos = match ctx.get(root, "todos").map(|t| &t.data) {
        Some(YamlData::Sequence(items)) => items.iter().map(|item| ctx.todo(item)).collect(),
        _ => Vec::new(),
    };
    Ok((name, todos))
}

/// A reason to refuse the parser: nesting (indentation, flow brackets, compact `- - -`)
/// beyond [`MAX_DEPTH`].
fn too_deep(source: &str) -> Option<String> {
    let mut brackets: usize = 0;
    for line in source.lines() {
        let indent = line.len() - line.trim_start().len();
        let mut compact = 0;
        let mut rest = line.trim_start();
        while let Some(r) = rest.strip_prefix("- ").or_else(|| rest.strip_prefix("? ")) {
            compact += 1;
            rest = r.trim_start();
        }
        for c in line.chars() {
            match c {
                '[' | '{' => brackets += 1,
                ']' | '}' => brackets = brackets.saturating_sub(1),
                _ => {}
            }
        }
        if indent > 2 * MAX_DEPTH || compact > MAX_DEPTH / 2 || brackets > MAX_DEPTH {
            return Some("nested too deeply to parse safely".to_string());
        }
    }
    None
}

/// Byte offset of every char index of `source` (and of its end).
fn char_offsets(source: &str) -> Vec<usize> {
    source
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(source.len()))
        .collect()
}

/// The source and where it sits, to turn node spans into text and absolute offsets.
struct Ctx<'a> {
    source: &'a str,
    base: usize,
    first_line: usize,
    offsets: Vec<usize>,
}

impl<'a> Ctx<'a> {
    /// The value of `key` in mapping `node`.
    fn get<'n>(&self, node: &'n MarkedYaml<'a>, key: &str) -> Option<&'n MarkedYaml<'a>> {
        let YamlData::Mapping(map) = &node.data else {
            return None;
        };
        map.iter()
            .find(|(k, _)| self.text(k).as_deref() == Some(key))
            .map(|(_, v)| v)
    }

    /// Byte range (relative to the source) of a node.
    fn range(&self, node: &MarkedYaml<'_>) -> Option<std::ops::Range<usize>> {
        let start = *self.offsets.get(node.span.start.index())?;
        let end = *self.offsets.get(node.span.end.index())?;
        (start <= end).then_some(start..end)
    }

    /// A scalar as text. Numbers and booleans come from the source as written, so an id
    /// `1.10` stays `1.10` rather than the float `1.1`.
    fn text(&self, node: &MarkedYaml<'_>) -> Option<String> {
        match &node.data {
            YamlData::Value(Scalar::String(s)) => Some(s.to_string()),
            YamlData::Value(Scalar::Null) => None,
            YamlData::Value(_) => {
                let raw = self.source.get(self.range(node)?)?.trim();
                (!raw.is_empty()).then(|| raw.to_string())
            }
            YamlData::Representation(s, ..) => Some(s.to_string()),
            _ => None,
        }
    }

    /// One `todos:` item.
    fn todo(&self, item: &MarkedYaml<'a>) -> FmTodo {
        let field = |keys: &[&str]| keys.iter().find_map(|k| self.get(item, k));
        let status_node = field(&["status", "state"]);
        let status = status_node.and_then(|n| self.text(n));
        let status_at = match (status_node, &status) {
            (Some(node), Some(value)) => self
                .range(node)
                .and_then(|r| unquoted(self.source, r, value))
                .map(|r| self.base + r.start..self.base + r.end),
            _ => None,
        };
        FmTodo {
            id: field(&["id", "key"]).and_then(|n| self.text(n)),
            title: field(&["content", "title", "name", "task", "description"])
                .and_then(|n| self.text(n))
                .unwrap_or_default(),
            status,
            status_at,
            needs: field(&[
                "dependencies",
                "depends_on",
                "dependsOn",
                "needs",
                "deps",
                "blocked_by",
                "blockedBy",
            ])
            .map(|n| self.list(n))
            .unwrap_or_default(),
            line: item.span.start.line() + self.first_line - 1,
        }
    }

    /// A list of ids: a sequence, or one scalar (comma-separated).
    fn list(&self, node: &MarkedYaml<'_>) -> Vec<String> {
        match &node.data {
            YamlData::Sequence(items) => items.iter().filter_map(|i| self.text(i)).collect(),
            _ => self
                .text(node)
                .map(|s| {
                    s.split(',')
                        .map(|p| p.trim().to_string())
                        .filter(|p| !p.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}
