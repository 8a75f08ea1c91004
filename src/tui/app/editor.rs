//! `$EDITOR` (or `$VISUAL`): which one, and how to open it at a line. vi, vim, nvim,
//! emacs, nano, helix, kak, micro and their kin take `+LINE FILE`; VS Code takes
//! `-g FILE:LINE`; any other editor gets the file alone.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, ExitStatus};

/// The user's editor command (it may carry arguments: `emacs -nw`, `code --wait`).
pub fn editor() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".into())
}

/// Editors that take `+LINE FILE`.
const PLUS_LINE: &[&str] = &[
    "vi",
    "vim",
    "nvim",
    "gvim",
    "view",
    "vis",
    "emacs",
    "emacsclient",
    "nano",
    "pico",
    "hx",
    "helix",
    "kak",
    "micro",
    "joe",
    "mg",
    "ne",
    "jed",
];
/// VS Code and its builds: `-g FILE:LINE`.
const GOTO: &[&str] = &["code", "code-insiders", "codium", "vscodium", "cursor"];

/// The arguments that open `file` at `line` in `editor`.
pub fn at_line(editor: &str, file: &Path, line: Option<u32>) -> Vec<OsString> {
    let program = editor
        .split_whitespace()
        .next()
        .and_then(|p| Path::new(p).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match line {
        Some(line) if GOTO.contains(&program.as_str()) => {
            let mut place = file.as_os_str().to_os_string();
            place.push(format!(":{line}"));
            vec!["-g".into(), place]
        }
        Some(line) if PLUS_LINE.contains(&program.as_str()) => {
            vec![format!("+{line}").into(), file.as_os_str().to_os_string()]
        }
        _ => vec![file.as_os_str().to_os_string()],
    }
}

/// Run `editor` with `args` through the shell (so `$EDITOR` may hold arguments); the
/// arguments are passed as they are, never parsed by the shell.
pub fn run(editor: &str, args: &[OsString]) -> std::io::Result<ExitStatus> {
    Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg("sh")
        .args(args)
        .status()
}

/// The cockpit's `e`: a copy of the issue's file (fresh, or the one kept from the last
/// try when `again`) edited in `$EDITOR` with the terminal handed over. `Ok(None)`:
/// the editor ran and the copy is ready to save; `Some(why)`: it is not.
pub fn edit_issue<S: super::Screen>(
    store: &crate::store::Store,
    id: &str,
    again: bool,
    screen: &mut S,
) -> std::io::Result<Option<String>> {
    let copy = if again && store.edit_copy(id).exists() {
        store.edit_copy(id)
    } else {
        match store.begin_edit(id) {
            Ok(copy) => copy,
            Err(e) => return Ok(Some(format!("cannot edit {id}: {e}"))),
        }
    };
    let editor = editor();
    let mut status = None;
    screen.suspend(&mut || status = Some(run(&editor, &at_line(&editor, &copy, None))))?;
    Ok(match status {
        Some(Ok(s)) if s.success() => None,
        Some(Ok(s)) => Some(format!(
            "{editor} exited with {s}: {id} not saved (your text is in {})",
            copy.display()
        )),
        Some(Err(e)) => Some(format!("cannot start {editor}: {e}")),
        None => Some(format!("{id}: the editor did not run")),
    })
}

/// The cockpit's `E`: a file of the repository at a line in `$EDITOR`.
pub fn open_code<S: super::Screen>(
    root: &Path,
    path: &str,
    line: Option<u32>,
    screen: &mut S,
) -> std::io::Result<crate::tui::update::Msg> {
    use crate::tui::update::Msg;
    let file = match super::source::confine(root, path) {
        Ok(file) => file,
        Err(why) => return Ok(Msg::warn(why)),
    };
    let editor = editor();
    let mut status = None;
    screen.suspend(&mut || status = Some(run(&editor, &at_line(&editor, &file, line))))?;
    let place = line.map_or_else(|| path.to_string(), |l| format!("{path}:{l}"));
    Ok(match status {
        Some(Ok(s)) if s.success() => Msg::tell(format!("back from {editor} ({place})")),
        Some(Ok(s)) => Msg::warn(format!("{editor} exited with {s} ({place})")),
        Some(Err(e)) => Msg::warn(format!("cannot start {editor}: {e}")),
        None => Msg::warn(format!("{place}: the editor did not run")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(editor: &str, line: Option<u32>) -> Vec<String> {
        at_line(editor, Path::new("/repo/src/a.py"), line)
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn each_editor_gets_the_line_its_way() {
        for editor in ["vi", "/usr/bin/nvim", "emacs -nw", "nano", "hx", "kak"] {
            assert_eq!(
                args(editor, Some(12)),
                ["+12", "/repo/src/a.py"],
                "{editor}"
            );
        }
        assert_eq!(args("code", Some(12)), ["-g", "/repo/src/a.py:12"]);
        assert_eq!(args("code --wait", Some(3)), ["-g", "/repo/src/a.py:3"]);
        assert_eq!(args("ed", Some(12)), ["/repo/src/a.py"]);
        assert_eq!(args("vi", None), ["/repo/src/a.py"]);
    }
}
