use super::*;
use crate::markdown::lines::split;

fn fm(text: &str) -> Option<FrontMatter> {
    parse(text, &split(text))
}

#[test]
fn needs_a_fence_on_the_first_line_and_a_closing_one() {
    assert_eq!(fm("# Title\n---\ntodos: []\n---\n"), None);
    assert_eq!(fm("---\ntodos: []\n"), None);
    let f = fm("---\n---\n# Body\n").unwrap();
    assert_eq!((f.body_from, f.todos.len()), (2, 0));
    let f = fm("\u{feff}---\r\nname: x\r\n...\r\n").unwrap();
    assert_eq!(f.name.as_deref(), Some("x"));
}

#[test]
fn yaml_values_and_their_offsets() {
    let text = "---\ntodos:\n- id: 1.10\n  content: \"Fix: quoted\"\n  status: \"pending\"\n  dependencies: a, b\n- id: t2\n  status: >-\n    done\n---\n";
    let f = fm(text).unwrap();
    assert!(f.notes.is_empty(), "{:?}", f.notes);
    let t = &f.todos[0];
    assert_eq!(t.id.as_deref(), Some("1.10"));
    assert_eq!(t.title, "Fix: quoted");
    assert_eq!(&text[t.status_at.clone().unwrap()], "pending");
    assert_eq!(t.needs, vec!["a", "b"]);
    assert_eq!(t.line, 3);
    let block = &f.todos[1];
    assert_eq!(block.status.as_deref(), Some("done"));
    assert_eq!(
        block.status_at, None,
        "a block scalar is not a simple token to rewrite"
    );
}

#[test]
fn lenient_scan_matches_the_yaml_reading() {
    let good = "---\nname: n\ntodos:\n  - id: a\n    content: First\n    status: 'completed'\n  - id: b\n    content: Second\n    status: pending\n    dependencies:\n      - a\n---\n";
    let bad = good.replace("content: First", "content: First: broken");
    let from_yaml = fm(good).unwrap();
    let lenient = fm(&bad).unwrap();
    assert_eq!(lenient.notes.len(), 1);
    assert_eq!(lenient.todos.len(), 2);
    assert_eq!(lenient.todos[0].title, "First: broken");
    for (y, l) in from_yaml.todos.iter().zip(&lenient.todos) {
        assert_eq!(
            (&y.id, &y.status, &y.needs, y.line),
            (&l.id, &l.status, &l.needs, l.line)
        );
    }
    let shift = "First: broken".len() - "First".len();
    let y = from_yaml.todos[1].status_at.clone().unwrap();
    assert_eq!(
        lenient.todos[1].status_at,
        Some(y.start + shift..y.end + shift)
    );
}

#[test]
fn deep_nesting_is_refused_before_it_can_overflow_the_stack() {
    let deep_dash = format!("---\ntodos: {}\n---\n", "- ".repeat(20_000));
    let deep_flow = format!(
        "---\ntodos: {}{}\n---\n",
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    let mut deep_block = String::from("---\n");
    for i in 0..2_000 {
        deep_block.push_str(&" ".repeat(i));
        deep_block.push_str("k:\n");
    }
    deep_block.push_str("---\n");
    let worker = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            [deep_dash, deep_flow, deep_block]
                .iter()
                .map(|t| fm(t).map(|f| f.notes.len()))
                .collect::<Vec<_>>()
        })
        .unwrap();
    assert_eq!(worker.join().unwrap(), vec![Some(1), Some(1), Some(1)]);
}
