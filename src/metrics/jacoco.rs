//! JaCoCo XML (also written by Kover and often named `coverage.xml`): line coverage is
//! the report-level `<counter type="LINE" missed=… covered=…/>`, which comes last, so
//! the whole file is streamed once.

use super::{percent, xml, Read};

pub(super) fn read(name: &str, bytes: &[u8]) -> Result<Read, String> {
    let bytes = xml::utf8(bytes);
    let mut reader = xml::reader(&bytes);
    let mut stack: Vec<String> = Vec::new();
    let mut report_level: Option<(u64, u64)> = None;
    // Sum of the packages' LINE counters, for reports without a report-level one.
    let mut packages: Option<(u64, u64)> = None;
    while let Some((element, opens)) = xml::next_element(&mut reader, &mut stack, name)? {
        let local = xml::local_name(&element);
        if local == "counter" && xml::attr(&element, "type").as_deref() == Some("LINE") {
            let field = |key: &str| -> Result<u64, String> {
                let text = xml::attr(&element, key).unwrap_or_default();
                text.parse::<u64>().map_err(|_| {
                    format!("{name}: a JaCoCo LINE counter has {key}=\"{text}\", not a count")
                })
            };
            let (missed, covered) = (field("missed")?, field("covered")?);
            match stack.last().map(String::as_str) {
                Some("report") => report_level = Some((missed, covered)),
                Some("package") => {
                    let (m, c) = packages.unwrap_or((0, 0));
                    packages = Some((m + missed, c + covered));
                }
                _ => {}
            }
        }
        if opens {
            stack.push(local);
        }
    }
    let Some((missed, covered)) = report_level.or(packages) else {
        return Err(format!("{name}: the JaCoCo report has no LINE counter"));
    };
    Ok(Read {
        percent: percent(name, "JaCoCo", covered, covered + missed)?,
        note: None,
    })
}
