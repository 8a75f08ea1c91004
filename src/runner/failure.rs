//! Why a run could not do its job, in the words a user needs: a tool that is not
//! installed reads `ruff: command not found (exit 127)`, not "the report is empty".
//!
//! Pure: the exit code, the command line and the last lines of output come in.

use regex::Regex;
use std::sync::LazyLock;

/// The shell could not find the command (POSIX).
pub const EXIT_NOT_FOUND: i32 = 127;
/// The shell found the command but could not execute it (POSIX).
pub const EXIT_NOT_EXECUTABLE: i32 = 126;

/// dash `sh: 1: ruff: not found`, bash `bash: line 1: ruff: command not found`,
/// busybox `sh: ruff: not found`, npm's `sh: 1: eslint: not found`.
static NOT_FOUND: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^(?:[^:]*: )?(?:line \d+: |\d+: )?(?P<command>[^:\s][^:]*): (?:command )?not found\s*$",
    )
    .ok()
});

/// dash `sh: 1: ./run.sh: Permission denied`.
static NOT_EXECUTABLE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^(?:[^:]*: )?(?:line \d+: |\d+: )?(?P<command>[^:\s][^:]*): Permission denied\s*$")
        .ok()
});

/// Why a run that exited with `code` could not run its tool, when the exit code says
/// so: the command named by the shell's own message in `last_lines` (newest last), or
/// else the first word of `run`.
pub fn could_not_run(code: i32, run: &str, last_lines: &[&str]) -> Option<String> {
    let (pattern, what) = match code {
        EXIT_NOT_FOUND => (&NOT_FOUND, "command not found"),
        EXIT_NOT_EXECUTABLE => (&NOT_EXECUTABLE, "not executable"),
        _ => return None,
    };
    let named = pattern.as_ref().and_then(|re| {
        last_lines.iter().rev().find_map(|line| {
            re.captures(line.trim_end())
                .and_then(|c| c.name("command"))
                .map(|m| m.as_str().to_string())
        })
    });
    let command = named.or_else(|| run.split_whitespace().next().map(str::to_string))?;
    Some(format!("{command}: {what} (exit {code})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test_case::test_case("sh: 1: ruff: not found", 127, "ruff: command not found (exit 127)" ; "dash")]
    #[test_case::test_case("bash: line 1: ruff: command not found", 127, "ruff: command not found (exit 127)" ; "bash")]
    #[test_case::test_case("sh: ruff: not found", 127, "ruff: command not found (exit 127)" ; "busybox")]
    #[test_case::test_case("sh: 1: ./run.sh: Permission denied", 126, "./run.sh: not executable (exit 126)" ; "not executable")]
    #[test_case::test_case("no shell message at all", 127, "ruff: command not found (exit 127)" ; "the command's first word")]
    fn names_the_missing_command(line: &str, code: i32, expected: &str) {
        let lines = ["> lint", line, ""];
        assert_eq!(
            could_not_run(code, "ruff check --no-fix .", &lines).as_deref(),
            Some(expected)
        );
    }

    #[test]
    fn other_exit_codes_say_nothing() {
        assert_eq!(
            could_not_run(1, "ruff check", &["sh: 1: x: not found"]),
            None
        );
        assert_eq!(could_not_run(0, "ruff check", &[]), None);
    }
}
