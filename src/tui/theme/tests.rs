use super::*;

#[test]
fn every_shipped_theme_parses_and_styles_every_role_itself() {
    for (name, text) in BUILT_IN {
        let theme = Theme::parse(text, name, ColorDepth::TrueColor, 0).unwrap();
        assert_eq!(theme.name, name);
        assert!(
            theme.missing_roles().is_empty(),
            "{name}: {:?}",
            theme.missing_roles()
        );
    }
}

#[test]
fn severities_and_statuses_come_from_the_theme() {
    let theme = Theme::load("dark", ColorDepth::TrueColor).unwrap();
    assert_eq!(
        theme.severity(Severity::High).fg,
        Some(Color::Rgb(0xfb, 0x92, 0x3c))
    );
    assert!(theme
        .severity(Severity::Critical)
        .add_modifier
        .contains(Modifier::BOLD));
    assert_eq!(
        theme.status(Status::Verified).fg,
        Some(Color::Rgb(0x22, 0xc5, 0x5e))
    );
    assert_eq!(
        theme.run(RunStatus::TimedOut).fg,
        Some(Color::Rgb(0xfb, 0x92, 0x3c))
    );
}

#[test]
fn colours_degrade_to_the_terminal() {
    let red = Color::Rgb(255, 0, 0);
    assert_eq!(degrade(red, ColorDepth::TrueColor), red);
    assert_eq!(degrade(red, ColorDepth::Ansi256), Color::Indexed(196));
    assert_eq!(
        degrade(Color::Rgb(128, 128, 128), ColorDepth::Ansi256),
        Color::Indexed(244)
    );
    assert_eq!(degrade(red, ColorDepth::Ansi16), Color::Red);
    assert_eq!(
        degrade(Color::Rgb(0xf8, 0x71, 0x71), ColorDepth::Ansi16),
        Color::LightRed
    );
    assert_eq!(degrade(red, ColorDepth::None), Color::Reset);
    // A check's `38;5;196` on a 16-colour terminal: the nearest basic colour.
    assert_eq!(degrade(Color::Indexed(196), ColorDepth::Ansi16), Color::Red);
    assert_eq!(
        degrade(Color::Indexed(9), ColorDepth::Ansi16),
        Color::Indexed(9)
    );
    assert_eq!(rgb_of_index(232), (8, 8, 8));
    assert_eq!(rgb_of_index(16 + 36 * 5), (255, 0, 0));
    let plain = Theme::load("dark", ColorDepth::None).unwrap();
    let selection = plain.ui(Ui::Selection);
    assert!(
        selection.add_modifier.contains(Modifier::REVERSED),
        "a selection still shows without colour"
    );
    assert_eq!(selection.bg, Some(Color::Reset));
}

#[test]
fn the_environment_decides_the_depth() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    };
    assert_eq!(
        ColorDepth::detect(env(&[("NO_COLOR", "1"), ("COLORTERM", "truecolor")])),
        ColorDepth::None
    );
    assert_eq!(
        ColorDepth::detect(env(&[("COLORTERM", "truecolor")])),
        ColorDepth::TrueColor
    );
    assert_eq!(
        ColorDepth::detect(env(&[("TERM", "tmux-256color")])),
        ColorDepth::Ansi256
    );
    assert_eq!(
        ColorDepth::detect(env(&[("TERM", "screen")])),
        ColorDepth::Ansi16
    );
    assert_eq!(
        ColorDepth::detect(env(&[("TERM", "dumb")])),
        ColorDepth::None
    );
}

#[test]
fn a_user_theme_overrides_a_subset_of_its_base() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    std::fs::write(
        &path,
        "base = \"light\"\n[severity]\ncritical = \"#000000\"\n",
    )
    .unwrap();
    let theme = Theme::load(path.to_str().unwrap(), ColorDepth::TrueColor).unwrap();
    assert_eq!(
        theme.severity(Severity::Critical).fg,
        Some(Color::Rgb(0, 0, 0))
    );
    let light = Theme::load("light", ColorDepth::TrueColor).unwrap();
    assert_eq!(
        theme.severity(Severity::High),
        light.severity(Severity::High)
    );
    assert!(theme.missing_roles().is_empty());
}

#[test]
fn bad_theme_files_say_where() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "[ui]\ntext = \"#12345\"\n").unwrap();
    let err = Theme::load(path.to_str().unwrap(), ColorDepth::TrueColor).unwrap_err();
    assert!(err.contains("text: bad colour `#12345`"), "{err}");
    std::fs::write(&path, "[ui]\ntext = true\n").unwrap();
    let err = Theme::load(path.to_str().unwrap(), ColorDepth::TrueColor).unwrap_err();
    assert!(err.contains("bad.toml:2:"), "{err}");
    std::fs::write(&path, "[ui]\ntxet = \"#123456\"\n").unwrap();
    let err = Theme::load(path.to_str().unwrap(), ColorDepth::TrueColor).unwrap_err();
    assert!(
        err.ends_with("unknown role `ui.txet`; did you mean `text`?"),
        "{err}"
    );
    assert!(Theme::load("solarized", ColorDepth::TrueColor)
        .unwrap_err()
        .contains("built-in themes: dark, light, high-contrast"));
}
