//! The colours the cockpit really sends, per shipped theme and colour depth: a frame is
//! drawn through the app's own backend into bytes, the bytes are read back with `vte`
//! into cells, and the five severities, the `new` status and the selection must stay
//! distinct. `cargo test --lib colour_table -- --nocapture` prints the table.

use super::backend::Screen;
use super::keymap::KeyMap;
use super::model::Model;
use super::theme::{rgb_of_index, ColorDepth, Theme, BUILT_IN};
use super::update::{update, Msg};
use crate::config::{self, Source};
use crate::domain::finding::Severity;
use crate::domain::issue::{Issue, Status};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::collections::BTreeSet;
use std::path::Path;
use vte::{Params, Parser, Perform};

const WIDTH: u16 = 100;
const HEIGHT: u16 = 24;

/// A colour as the terminal was told it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Sent {
    Default,
    /// 0–15, sent as `3x`/`9x`/`4x`/`10x`.
    Basic(u8),
    /// Sent as `38;5;N` / `48;5;N`.
    Index(u8),
    Rgb(u8, u8, u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Pen {
    fg: Sent,
    bg: Sent,
    bold: bool,
    underline: bool,
    reverse: bool,
}

impl Default for Pen {
    fn default() -> Pen {
        Pen {
            fg: Sent::Default,
            bg: Sent::Default,
            bold: false,
            underline: false,
            reverse: false,
        }
    }
}

/// A minimal terminal: cursor moves, SGR, printed characters.
struct Screenful {
    cells: Vec<Vec<(char, Pen)>>,
    at: (usize, usize),
    pen: Pen,
    /// Every SGR parameter sent, as numbers.
    codes: BTreeSet<u16>,
}

impl Screenful {
    fn read(bytes: &[u8]) -> Screenful {
        let mut screen = Screenful {
            cells: vec![vec![(' ', Pen::default()); usize::from(WIDTH)]; usize::from(HEIGHT)],
            at: (0, 0),
            pen: Pen::default(),
            codes: BTreeSet::new(),
        };
        Parser::new().advance(&mut screen, bytes);
        screen
    }

    fn row(&self, y: usize) -> String {
        self.cells[y].iter().map(|(c, _)| *c).collect()
    }

    /// The pen of the first cell of `text` on the row that holds `row_marker`.
    fn pen_of(&self, row_marker: &str, text: &str) -> Pen {
        let y = (0..usize::from(HEIGHT))
            .find(|&y| self.row(y).contains(row_marker))
            .unwrap_or_else(|| panic!("no row holds {row_marker}:\n{}", self.text()));
        let row = self.row(y);
        let x = row[..row.find(text).expect(text)].chars().count();
        self.cells[y][x].1
    }

    fn text(&self) -> String {
        (0..usize::from(HEIGHT))
            .map(|y| self.row(y) + "\n")
            .collect()
    }
}

fn colour(items: &mut impl Iterator<Item = u16>) -> Option<Sent> {
    match items.next()? {
        5 => Some(Sent::Index(u8::try_from(items.next()?).ok()?)),
        2 => {
            let mut c = || u8::try_from(items.next()?).ok();
            Some(Sent::Rgb(c()?, c()?, c()?))
        }
        _ => None,
    }
}

impl Perform for Screenful {
    fn print(&mut self, c: char) {
        let (x, y) = self.at;
        if y < self.cells.len() && x < self.cells[y].len() {
            self.cells[y][x] = (c, self.pen);
        }
        self.at.0 += unicode_width::UnicodeWidthChar::width(c)
            .unwrap_or(0)
            .max(1);
    }

    fn csi_dispatch(&mut self, params: &Params, _: &[u8], _: bool, action: char) {
        let mut items = params.iter().flat_map(|p| p.iter().copied());
        match action {
            'H' => {
                let row = items.next().unwrap_or(1).max(1);
                let column = items.next().unwrap_or(1).max(1);
                self.at = (usize::from(column) - 1, usize::from(row) - 1);
            }
            'm' => {
                let all: Vec<u16> = items.collect();
                self.codes.extend(all.iter().copied());
                let mut items = all.into_iter();
                while let Some(code) = items.next() {
                    let p = &mut self.pen;
                    match code {
                        0 => *p = Pen::default(),
                        1 => p.bold = true,
                        4 => p.underline = true,
                        7 => p.reverse = true,
                        22 => p.bold = false,
                        24 => p.underline = false,
                        27 => p.reverse = false,
                        30..=37 => p.fg = Sent::Basic((code - 30) as u8),
                        90..=97 => p.fg = Sent::Basic((code - 90 + 8) as u8),
                        40..=47 => p.bg = Sent::Basic((code - 40) as u8),
                        100..=107 => p.bg = Sent::Basic((code - 100 + 8) as u8),
                        39 => p.fg = Sent::Default,
                        49 => p.bg = Sent::Default,
                        38 => p.fg = colour(&mut items).unwrap_or(Sent::Default),
                        48 => p.bg = colour(&mut items).unwrap_or(Sent::Default),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

/// One issue of each severity (the HIGH one `new`), and a sixth one selected, so the
/// severities are seen unselected.
fn model() -> Model {
    let text = "[[check]]\nid = \"test\"\nrun = \"true\"\n";
    let config = config::load_str(text, Path::new("preflight.toml"), Source::Default).unwrap();
    let mut model = Model::new(config, KeyMap::default_map().unwrap());
    model.trusted = true;
    let actor = crate::store::actor_named("sam".into());
    let mut issues: Vec<Issue> = Severity::ALL
        .iter()
        .chain([&Severity::Low])
        .enumerate()
        .map(|(n, severity)| {
            let status = if n == 1 { Status::New } else { Status::Open };
            let mut issue = Issue::new(
                format!("PF-{n}AAAAA"),
                format!("Issue of severity {}", severity.as_str()),
                *severity,
                status,
                &actor,
            );
            issue.revision = 1;
            issue
        })
        .collect();
    issues[5].title = "The selected one".into();
    model.set_issues(issues);
    model.register.selected = Some("PF-5AAAAA".into());
    update(&mut model, Msg::Resize(WIDTH, HEIGHT));
    model
}

fn sent(theme: &Theme, model: &Model) -> Screenful {
    let mut bytes = Vec::new();
    {
        let mut terminal = Terminal::with_options(
            Screen::new(&mut bytes),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, WIDTH, HEIGHT)),
            },
        )
        .unwrap();
        terminal
            .draw(|frame| super::view::draw(frame, model, theme))
            .unwrap();
    }
    Screenful::read(&bytes)
}

/// The terminal's own colours a theme is made for (dark themes on a dark terminal).
fn backdrop(theme: &str) -> ((u8, u8, u8), (u8, u8, u8)) {
    if theme == "light" {
        ((255, 255, 255), (0, 0, 0))
    } else {
        ((0, 0, 0), (229, 229, 229))
    }
}

fn rgb(colour: Sent, default: (u8, u8, u8)) -> (u8, u8, u8) {
    match colour {
        Sent::Default => default,
        Sent::Basic(i) | Sent::Index(i) => rgb_of_index(i),
        Sent::Rgb(r, g, b) => (r, g, b),
    }
}

/// "Redmean" colour distance (0–765): a cheap stand-in for perceived difference.
fn distance(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let mean = f64::midpoint(f64::from(a.0), f64::from(b.0));
    let d = |x: u8, y: u8| f64::from(x) - f64::from(y);
    let (r, g, b) = (d(a.0, b.0), d(a.1, b.1), d(a.2, b.2));
    ((2.0 + mean / 256.0) * r * r + 4.0 * g * g + (2.0 + (255.0 - mean) / 256.0) * b * b).sqrt()
}

/// Least distance that counts as "tell apart" for truecolour text.
const APART: f64 = 100.0;

/// How far apart two styles look: the larger of the text and background distances
/// (reverse video swaps them first).
fn apart(theme: &str, a: Pen, b: Pen) -> f64 {
    let (bg, fg) = backdrop(theme);
    let colours = |p: Pen| {
        let (f, b) = (rgb(p.fg, fg), rgb(p.bg, bg));
        if p.reverse {
            (b, f)
        } else {
            (f, b)
        }
    };
    let ((fa, ba), (fb, bb)) = (colours(a), colours(b));
    distance(fa, fb).max(distance(ba, bb))
}

const DEPTHS: [ColorDepth; 4] = [
    ColorDepth::TrueColor,
    ColorDepth::Ansi256,
    ColorDepth::Ansi16,
    ColorDepth::None,
];

const LABELS: [&str; 5] = ["CRIT", "HIGH", "MED ", "LOW ", "INFO"];

/// (label, pen) for the five severities and the `new` status, as drawn.
fn severity_pens(screen: &Screenful) -> Vec<(String, Pen)> {
    let mut pens: Vec<(String, Pen)> = Severity::ALL
        .iter()
        .enumerate()
        .map(|(n, _)| {
            let id = format!("PF-{n}AAAAA");
            (LABELS[n].trim().to_string(), screen.pen_of(&id, LABELS[n]))
        })
        .collect();
    pens.push(("new".into(), screen.pen_of("PF-1AAAAA", "new ")));
    pens
}

#[test]
fn every_theme_keeps_severities_and_the_selection_apart_at_every_depth() {
    let model = model();
    for (name, _) in BUILT_IN {
        for depth in DEPTHS {
            let theme = Theme::load(name, depth).unwrap();
            let screen = sent(&theme, &model);
            let what = format!("{name} at {depth:?}");
            let pens = severity_pens(&screen);
            let selected = screen.pen_of("PF-5AAAAA", "The selected");
            let plain = screen.pen_of("PF-3AAAAA", "Issue of");
            match depth {
                ColorDepth::None => {
                    let coloured: Vec<&u16> = screen
                        .codes
                        .iter()
                        .filter(|c| matches!(c, 30..=38 | 40..=48 | 90..=97 | 100..=107))
                        .collect();
                    assert!(coloured.is_empty(), "{what} sent colours {coloured:?}");
                    assert!(selected.reverse, "{what}: the selection is reverse video");
                    let crit = pens[0].1;
                    assert!(crit.bold && crit.reverse, "{what}: CRIT stands out");
                }
                ColorDepth::Ansi16 | ColorDepth::Ansi256 => {
                    if depth == ColorDepth::Ansi16 {
                        assert!(
                            !screen.codes.contains(&38) && !screen.codes.contains(&48),
                            "{what} sent an extended colour: {:?}",
                            screen.codes
                        );
                    }
                    for (i, (a, pa)) in pens.iter().enumerate() {
                        for (b, pb) in &pens[i + 1..] {
                            let key = |p: &Pen| (p.fg, p.bg, p.reverse);
                            assert_ne!(key(pa), key(pb), "{what}: {a} and {b} look alike");
                        }
                    }
                }
                ColorDepth::TrueColor => {
                    for (i, (a, pa)) in pens.iter().enumerate() {
                        for (b, pb) in &pens[i + 1..] {
                            let d = apart(name, *pa, *pb);
                            assert!(d >= APART, "{what}: {a} and {b} only {d:.0} apart");
                        }
                    }
                }
            }
            assert!(
                apart(name, selected, plain) >= 40.0 || selected.reverse != plain.reverse,
                "{what}: the selected row looks like the others ({selected:?} vs {plain:?})"
            );
        }
    }
}

#[test]
fn colour_table() {
    // The table of what is sent, for BENCHMARKS-style reports (see the module doc).
    let model = model();
    for (name, _) in BUILT_IN {
        for depth in DEPTHS {
            let theme = Theme::load(name, depth).unwrap();
            let screen = sent(&theme, &model);
            let row: Vec<String> = severity_pens(&screen)
                .into_iter()
                .map(|(label, p)| format!("{label} {}", describe(p)))
                .chain([format!(
                    "selection {}",
                    describe(screen.pen_of("PF-5AAAAA", "The selected"))
                )])
                .collect();
            println!("| {name} | {depth:?} | {} |", row.join(" | "));
            assert_eq!(row.len(), 7);
        }
    }
}

fn describe(p: Pen) -> String {
    let c = |s: Sent, bg: bool| match s {
        Sent::Default => None,
        Sent::Basic(i) => Some(format!(
            "{}",
            match (i < 8, bg) {
                (true, false) => 30 + u16::from(i),
                (true, true) => 40 + u16::from(i),
                (false, false) => 82 + u16::from(i),
                (false, true) => 92 + u16::from(i),
            }
        )),
        Sent::Index(i) => Some(format!("{};5;{i}", if bg { 48 } else { 38 })),
        Sent::Rgb(r, g, b) => Some(format!("#{r:02x}{g:02x}{b:02x}")),
    };
    let mut parts: Vec<String> = [c(p.fg, false), c(p.bg, true)]
        .into_iter()
        .flatten()
        .collect();
    for (on, name) in [(p.bold, "bold"), (p.underline, "ul"), (p.reverse, "rev")] {
        if on {
            parts.push(name.into());
        }
    }
    if parts.is_empty() {
        "plain".into()
    } else {
        parts.join(" ")
    }
}
