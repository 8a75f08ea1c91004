//! Themes: TOML files of named styles (`themes/*.toml`, embedded at build time), read
//! into ratatui styles and degraded to what the terminal can show.
//!
//! A user theme may set only some roles; the rest come from the theme it names in
//! `base` (default `dark`). Severity and status colours come from the theme, never
//! from code.

use crate::domain::check::RunStatus;
use crate::domain::finding::Severity;
use crate::domain::issue::Status;
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The themes that ship with preflight, by name.
pub const BUILT_IN: [(&str, &str); 3] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

macro_rules! roles {
    ($(#[$doc:meta])* $ty:ident { $($variant:ident = $name:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $ty {
            $($variant,)*
        }

        impl $ty {
            /// Every role, as theme files list them.
            pub const ALL: &'static [$ty] = &[$($ty::$variant,)*];

            /// The role's key in a theme file.
            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)*
                }
            }
        }
    };
}

roles! {
    /// A role of the user interface (`[ui]` in a theme). A type, so a misspelt role
    /// is a compile error, not a silently plain style.
    Ui {
        Text = "text",
        Dim = "dim",
        Border = "border",
        BorderFocused = "border_focused",
        Title = "title",
        Selection = "selection",
        Go = "go",
        NoGo = "no_go",
        Key = "key",
        Error = "error",
    }
}

roles! {
    /// A check's state (`[check]` in a theme): a run's status, or running / stale.
    CheckRole {
        Passed = "passed",
        Failed = "failed",
        Running = "running",
        TimedOut = "timed-out",
        Error = "error",
        Stale = "stale",
    }
}

roles! {
    /// A plan task's state (`[plan]` in a theme): its status, or blocked (todo with a
    /// need still open). Cancelled has its own role so it never reads as done or open.
    PlanRole {
        Todo = "todo",
        Doing = "doing",
        Done = "done",
        Blocked = "blocked",
        Cancelled = "cancelled",
    }
}

impl CheckRole {
    /// The role of a finished run's status.
    pub fn of(status: RunStatus) -> CheckRole {
        match status {
            RunStatus::Passed => CheckRole::Passed,
            RunStatus::Failed => CheckRole::Failed,
            RunStatus::TimedOut => CheckRole::TimedOut,
            RunStatus::Error => CheckRole::Error,
        }
    }
}

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorDepth {
    TrueColor,
    Ansi256,
    Ansi16,
    /// `NO_COLOR` or a dumb terminal: bold, underline and reverse only.
    None,
}

impl ColorDepth {
    /// From the environment, as terminals announce themselves: `NO_COLOR` (any value)
    /// wins, `COLORTERM=truecolor|24bit`, a `TERM` with `256color`, `TERM=dumb`.
    pub fn detect(var: impl Fn(&str) -> Option<String>) -> ColorDepth {
        if var("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            return ColorDepth::None;
        }
        let term = var("TERM").unwrap_or_default();
        if term == "dumb" {
            return ColorDepth::None;
        }
        let colorterm = var("COLORTERM").unwrap_or_default().to_ascii_lowercase();
        if colorterm == "truecolor" || colorterm == "24bit" {
            ColorDepth::TrueColor
        } else if term.contains("256color") {
            ColorDepth::Ansi256
        } else {
            ColorDepth::Ansi16
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum RawStyle {
    Color(RawColor),
    Table(Box<RawTable>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    fg: Option<RawColor>,
    bg: Option<RawColor>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    reverse: bool,
    #[serde(default)]
    crossed_out: bool,
    /// The style on a 256-colour terminal, instead of the nearest colours.
    ansi256: Option<RawStyle>,
    /// The style on a 16-colour terminal, instead of the nearest colours.
    ansi16: Option<RawStyle>,
}

/// A colour: a name or `#rrggbb`, or a palette index (0–255).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum RawColor {
    Index(u8),
    Text(String),
}

impl RawColor {
    fn color(&self) -> Result<Color, String> {
        match self {
            RawColor::Index(i) => Ok(Color::Indexed(*i)),
            RawColor::Text(text) => parse_color(text),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    name: Option<String>,
    base: Option<String>,
    #[serde(default)]
    ui: BTreeMap<String, RawStyle>,
    #[serde(default)]
    severity: BTreeMap<String, RawStyle>,
    #[serde(default)]
    status: BTreeMap<String, RawStyle>,
    #[serde(default)]
    check: BTreeMap<String, RawStyle>,
    #[serde(default)]
    plan: BTreeMap<String, RawStyle>,
}

/// A theme ready to draw with: every role has a style.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    /// The colours the terminal shows; check output is degraded to it as well.
    pub depth: ColorDepth,
    ui: BTreeMap<String, Style>,
    severity: BTreeMap<String, Style>,
    status: BTreeMap<String, Style>,
    check: BTreeMap<String, Style>,
    plan: BTreeMap<String, Style>,
}

impl Theme {
    /// A theme without any style, for measuring text (every role plain).
    pub fn plain() -> Theme {
        Theme {
            name: "plain".into(),
            depth: ColorDepth::None,
            ui: BTreeMap::new(),
            severity: BTreeMap::new(),
            status: BTreeMap::new(),
            check: BTreeMap::new(),
            plan: BTreeMap::new(),
        }
    }

    /// A user-interface role's style.
    pub fn ui(&self, role: Ui) -> Style {
        self.ui.get(role.name()).copied().unwrap_or_default()
    }

    pub fn severity(&self, severity: Severity) -> Style {
        self.severity
            .get(severity.as_str())
            .copied()
            .unwrap_or_default()
    }

    pub fn status(&self, status: Status) -> Style {
        self.status
            .get(status.as_str())
            .copied()
            .unwrap_or_default()
    }

    /// A check's state: a run status, or running / stale.
    pub fn check(&self, role: CheckRole) -> Style {
        self.check.get(role.name()).copied().unwrap_or_default()
    }

    pub fn run(&self, status: RunStatus) -> Style {
        self.check(CheckRole::of(status))
    }

    /// A plan task's state.
    pub fn plan(&self, role: PlanRole) -> Style {
        self.plan.get(role.name()).copied().unwrap_or_default()
    }

    /// Load a built-in theme by name, or a theme file by path, for a terminal of
    /// `depth`. Errors are one line, with file:line:column for a bad file.
    pub fn load(name_or_path: &str, depth: ColorDepth) -> Result<Theme, String> {
        let (text, origin) = match BUILT_IN.iter().find(|(n, _)| *n == name_or_path) {
            Some((_, text)) => (text.to_string(), name_or_path.to_string()),
            None => {
                let text = std::fs::read_to_string(name_or_path).map_err(|e| {
                    let names: Vec<&str> = BUILT_IN.iter().map(|(n, _)| *n).collect();
                    format!(
                        "no theme `{name_or_path}` ({e}); built-in themes: {}",
                        names.join(", ")
                    )
                })?;
                (text, name_or_path.to_string())
            }
        };
        let mut theme = Theme::parse(&text, &origin, depth, 0)?;
        theme.depth = depth;
        Ok(theme)
    }

    fn parse(text: &str, origin: &str, depth: ColorDepth, nesting: usize) -> Result<Theme, String> {
        let raw: RawTheme = toml::from_str(text).map_err(|e| {
            let (line, column) = crate::config::line_column(text, e.span().map_or(0, |s| s.start));
            format!(
                "{origin}:{line}:{column}: {}",
                e.message().lines().next().unwrap_or("")
            )
        })?;
        let mut theme = match (&raw.base, nesting) {
            (_, 2..) => return Err(format!("{origin}: `base` themes nest too deeply")),
            (Some(base), _) => {
                let (_, text) = BUILT_IN.iter().find(|(n, _)| n == base).ok_or_else(|| {
                    format!("{origin}: no built-in theme `{base}` to use as base")
                })?;
                Theme::parse(text, base, depth, nesting + 1)?
            }
            (None, 0) if !BUILT_IN.iter().any(|(n, _)| *n == origin) => {
                Theme::parse(BUILT_IN[0].1, BUILT_IN[0].0, depth, nesting + 1)?
            }
            _ => Theme {
                name: String::new(),
                depth,
                ui: BTreeMap::new(),
                severity: BTreeMap::new(),
                status: BTreeMap::new(),
                check: BTreeMap::new(),
                plan: BTreeMap::new(),
            },
        };
        theme.name = raw.name.unwrap_or_else(|| origin.to_string());
        for (table, raw_table, into) in [
            ("ui", &raw.ui, &mut theme.ui),
            ("severity", &raw.severity, &mut theme.severity),
            ("status", &raw.status, &mut theme.status),
            ("check", &raw.check, &mut theme.check),
            ("plan", &raw.plan, &mut theme.plan),
        ] {
            let known = roles_of(table);
            for (role, style) in raw_table {
                if !known.contains(&role.as_str()) {
                    let hint = crate::domain::suggest::did_you_mean(role, known.iter().copied())
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| format!("roles: {}", known.join(", ")));
                    return Err(format!("{origin}: unknown role `{table}.{role}`; {hint}"));
                }
                into.insert(
                    role.clone(),
                    style_of(style, depth).map_err(|e| format!("{origin}: {role}: {e}"))?,
                );
            }
        }
        Ok(theme)
    }

    /// Roles a theme lacks (a shipped theme must define them all).
    pub fn missing_roles(&self) -> Vec<String> {
        let mut missing = Vec::new();
        let tables: [(&str, &BTreeMap<String, Style>); 5] = [
            ("ui", &self.ui),
            ("severity", &self.severity),
            ("status", &self.status),
            ("check", &self.check),
            ("plan", &self.plan),
        ];
        for (table, map) in tables {
            for role in roles_of(table) {
                if !map.contains_key(role) {
                    missing.push(format!("{table}.{role}"));
                }
            }
        }
        missing
    }
}

/// The role names a theme table takes.
fn roles_of(table: &str) -> Vec<&'static str> {
    match table {
        "ui" => Ui::ALL.iter().map(|r| r.name()).collect(),
        "severity" => Severity::ALL.iter().map(|s| s.as_str()).collect(),
        "status" => Status::ALL.iter().map(|s| s.as_str()).collect(),
        "check" => CheckRole::ALL.iter().map(|r| r.name()).collect(),
        "plan" => PlanRole::ALL.iter().map(|r| r.name()).collect(),
        _ => Vec::new(),
    }
}

fn style_of(raw: &RawStyle, depth: ColorDepth) -> Result<Style, String> {
    let table = match raw {
        RawStyle::Color(color) => return Ok(Style::default().fg(degrade(color.color()?, depth))),
        RawStyle::Table(table) => table,
    };
    // A theme's own pick for this depth wins over the nearest colour.
    let chosen = match depth {
        ColorDepth::Ansi256 => table.ansi256.as_ref(),
        ColorDepth::Ansi16 => table.ansi16.as_ref(),
        ColorDepth::TrueColor | ColorDepth::None => None,
    };
    if let Some(chosen) = chosen {
        return style_of(chosen, depth);
    }
    let mut style = Style::default();
    if let Some(fg) = &table.fg {
        style = style.fg(degrade(fg.color()?, depth));
    }
    if let Some(bg) = &table.bg {
        style = style.bg(degrade(bg.color()?, depth));
    }
    for (on, modifier) in [
        (table.bold, Modifier::BOLD),
        (table.italic, Modifier::ITALIC),
        (table.underline, Modifier::UNDERLINED),
        (table.reverse, Modifier::REVERSED),
        (table.crossed_out, Modifier::CROSSED_OUT),
    ] {
        if on {
            style = style.add_modifier(modifier);
        }
    }
    // Without colours a background (a selection, a badge) must still show: reverse.
    if depth == ColorDepth::None && table.bg.is_some() {
        style = style.add_modifier(Modifier::REVERSED);
    }
    Ok(style)
}

/// The 16 basic colours by name, as ratatui names them, and their usual RGB.
const BASIC: [(&str, Color, (u8, u8, u8)); 16] = [
    ("black", Color::Black, (0, 0, 0)),
    ("red", Color::Red, (205, 49, 49)),
    ("green", Color::Green, (13, 188, 121)),
    ("yellow", Color::Yellow, (229, 229, 16)),
    ("blue", Color::Blue, (36, 114, 200)),
    ("magenta", Color::Magenta, (188, 63, 188)),
    ("cyan", Color::Cyan, (17, 168, 205)),
    ("gray", Color::Gray, (229, 229, 229)),
    ("dark-gray", Color::DarkGray, (102, 102, 102)),
    ("light-red", Color::LightRed, (241, 76, 76)),
    ("light-green", Color::LightGreen, (35, 209, 139)),
    ("light-yellow", Color::LightYellow, (245, 245, 67)),
    ("light-blue", Color::LightBlue, (59, 142, 234)),
    ("light-magenta", Color::LightMagenta, (214, 112, 214)),
    ("light-cyan", Color::LightCyan, (41, 184, 219)),
    ("white", Color::White, (255, 255, 255)),
];

/// `#rrggbb`, a basic colour name, or `reset`.
pub fn parse_color(text: &str) -> Result<Color, String> {
    let t = text.trim().to_ascii_lowercase();
    if t == "reset" || t == "default" {
        return Ok(Color::Reset);
    }
    if let Some(hex) = t.strip_prefix('#') {
        if hex.len() == 6 {
            if let Ok(v) = u32::from_str_radix(hex, 16) {
                return Ok(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
            }
        }
        return Err(format!("bad colour `{text}`: write #rrggbb"));
    }
    let name = t.replace(['_', ' '], "-");
    BASIC
        .iter()
        .find(|(n, _, _)| *n == name || (name == "grey" && *n == "gray"))
        .map(|(_, c, _)| *c)
        .ok_or_else(|| format!("unknown colour `{text}`: write #rrggbb or a name like light-blue"))
}

/// A colour the terminal can show: truecolour as is, else the nearest xterm-256 or
/// basic colour; no colour at all under `NO_COLOR`. Palette indexes (from check
/// output or a theme) above 15 become the nearest basic colour on 16 colours.
pub fn degrade(color: Color, depth: ColorDepth) -> Color {
    match (color, depth) {
        (_, ColorDepth::None) => Color::Reset,
        (Color::Rgb(r, g, b), ColorDepth::Ansi256) => Color::Indexed(nearest_256(r, g, b)),
        (Color::Rgb(r, g, b), ColorDepth::Ansi16) => nearest_basic(r, g, b),
        (Color::Indexed(i), ColorDepth::Ansi16) if i >= 16 => {
            let (r, g, b) = rgb_of_index(i);
            nearest_basic(r, g, b)
        }
        (other, _) => other,
    }
}

/// The usual RGB of an xterm-256 palette index.
pub fn rgb_of_index(i: u8) -> (u8, u8, u8) {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    match i {
        0..=15 => BASIC[usize::from(i)].2,
        16..=231 => {
            let n = i - 16;
            (
                LEVELS[usize::from(n / 36)],
                LEVELS[usize::from(n / 6 % 6)],
                LEVELS[usize::from(n % 6)],
            )
        }
        _ => {
            let v = 8 + 10 * (i - 232);
            (v, v, v)
        }
    }
}

fn distance(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).pow(2) as u32;
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)
}

fn nearest_basic(r: u8, g: u8, b: u8) -> Color {
    BASIC
        .iter()
        .min_by_key(|(_, _, rgb)| distance(*rgb, (r, g, b)))
        .map_or(Color::Reset, |(_, c, _)| *c)
}

/// The xterm 6×6×6 cube (16–231) or grey ramp (232–255), whichever is closer.
fn nearest_256(r: u8, g: u8, b: u8) -> u8 {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let step = |v: u8| {
        LEVELS
            .iter()
            .enumerate()
            .min_by_key(|(_, l)| (i32::from(**l) - i32::from(v)).abs())
            .map_or(0, |(i, _)| i as u8)
    };
    let (ri, gi, bi) = (step(r), step(g), step(b));
    let cube = (
        LEVELS[ri as usize],
        LEVELS[gi as usize],
        LEVELS[bi as usize],
    );
    let cube_index = 16 + 36 * ri + 6 * gi + bi;
    let average = (u32::from(r) + u32::from(g) + u32::from(b)) / 3;
    let grey_step = ((average.saturating_sub(8)) / 10).min(23) as u8;
    let grey = 8 + 10 * grey_step;
    if distance((grey, grey, grey), (r, g, b)) < distance(cube, (r, g, b)) {
        232 + grey_step
    } else {
        cube_index
    }
}

#[cfg(test)]
mod tests;
