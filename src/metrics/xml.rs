//! What the XML readers share: finding the root element without reading further,
//! attribute look-up, and telling XML reports apart by their root.

use super::Detected;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::borrow::Cow;

/// Encodings declared by reports that are not UTF-8 and that map byte for byte to
/// Unicode (windows-1252 differs only in 0x80–0x9F, which is close enough here).
const LATIN1: [&str; 6] = [
    "iso-8859-1",
    "iso8859-1",
    "latin1",
    "latin-1",
    "windows-1252",
    "cp1252",
];

/// The report as UTF-8: as is when it already is, transcoded when its XML
/// declaration says Latin-1 (older JVMs and .NET tools write that).
pub(super) fn utf8(bytes: &[u8]) -> Cow<'_, [u8]> {
    if std::str::from_utf8(bytes).is_ok() {
        return Cow::Borrowed(bytes);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_ascii_lowercase();
    let declared = head
        .split_once("encoding=")
        .map(|(_, rest)| rest.trim_start_matches(['"', '\'']))
        .is_some_and(|rest| LATIN1.iter().any(|name| rest.starts_with(name)));
    if !declared {
        return Cow::Borrowed(bytes);
    }
    let text: String = bytes.iter().map(|b| char::from(*b)).collect();
    Cow::Owned(text.into_bytes())
}

/// A streaming reader over the whole report: events are read one at a time, so a
/// report of any size is never held as a tree.
pub(super) fn reader(bytes: &[u8]) -> Reader<&[u8]> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    Reader::from_reader(bytes)
}

/// The next element that opens (`true`) or is self-closing (`false`); closing tags pop
/// `stack`, the caller pushes the names of opened elements. `None` at the end.
pub(super) fn next_element<'a>(
    reader: &mut Reader<&'a [u8]>,
    stack: &mut Vec<String>,
    name: &str,
) -> Result<Option<(BytesStart<'a>, bool)>, String> {
    loop {
        let event = reader.read_event().map_err(|err| {
            format!(
                "{name}: malformed XML at byte {}: {err}",
                reader.error_position()
            )
        })?;
        match event {
            Event::Start(e) => return Ok(Some((e, true))),
            Event::Empty(e) => return Ok(Some((e, false))),
            Event::End(_) => {
                stack.pop();
            }
            Event::Eof => return Ok(None),
            _ => {}
        }
    }
}

/// The root element's local name and attributes (local names too: namespaces and
/// prefixes play no part in these formats), plus the DOCTYPE text if any.
pub(super) struct Root {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub doctype: Option<String>,
}

impl Root {
    /// An attribute's value, trimmed; `None` when absent.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
    }
}

/// The local name of an element as a string.
pub(super) fn local_name(e: &BytesStart) -> String {
    e.local_name().as_ref().to_string()
}

/// The value of one attribute of an element (by local name), if present and readable.
pub(super) fn attr(e: &BytesStart, key: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == key)
        .map(|a| a.value.trim().to_string())
}

/// Read up to the root element. Errors are quick-xml's, with the byte position.
pub(super) fn root(reader: &mut Reader<&[u8]>) -> Result<Root, String> {
    let mut doctype = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let attrs = e
                    .attributes()
                    .with_checks(false)
                    .flatten()
                    .map(|a| {
                        (
                            a.key.local_name().as_ref().to_string(),
                            a.value.into_owned(),
                        )
                    })
                    .collect();
                return Ok(Root {
                    name: local_name(&e),
                    attrs,
                    doctype,
                });
            }
            Ok(Event::DocType(t)) => {
                doctype = Some(t.as_ref().to_string());
            }
            Ok(Event::Eof) => return Err("XML without a root element".into()),
            Ok(_) => {}
            Err(err) => {
                return Err(format!(
                    "malformed XML at byte {}: {err}",
                    reader.error_position()
                ))
            }
        }
    }
}

/// Decide which XML report this is from its root element.
pub(super) fn detect(bytes: &[u8]) -> Detected {
    let bytes = utf8(bytes);
    let mut reader = reader(&bytes);
    let root = match root(&mut reader) {
        Ok(root) => root,
        Err(why) => return Detected::Unknown(why),
    };
    let doctype = root.doctype.as_deref().unwrap_or("");
    match root.name.as_str() {
        // Clover (PHPUnit, Istanbul's `clover` reporter) also uses <coverage>, but
        // with `generated`/`clover` and none of Cobertura's attributes.
        "coverage" if root.attr("clover").is_some() || root.attr("generated").is_some() => {
            Detected::Unknown("a Clover report, which is not supported".into())
        }
        "coverage" => Detected::Cobertura,
        "report" if doctype.to_ascii_uppercase().contains("JACOCO") => Detected::JaCoCo,
        // JaCoCo without its DOCTYPE (Kover, hand-made): its root is <report name=…>.
        "report" if root.attr("name").is_some() => Detected::JaCoCo,
        "testsuites" | "testsuite" => Detected::Unknown("a JUnit test report".into()),
        "CoverageSession" => {
            Detected::Unknown("an OpenCover report, which is not supported".into())
        }
        "html" => Detected::Unknown("an HTML page (an HTML coverage report?)".into()),
        "checkstyle" => Detected::Unknown("a Checkstyle report".into()),
        other => Detected::Unknown(format!("XML whose root is <{other}>")),
    }
}
