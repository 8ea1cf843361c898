//! The little Markdown of a lesson's notes: paragraphs, `-`/`*`/`1.` lists, `**bold**`,
//! `*italic*` (or `_italic_`) and `` `code` ``. Parsed into plain data that the note component
//! turns into elements whose every piece of text is a text node, so a note can never inject
//! markup: `<script>` in a note is shown as those characters. Anything unclosed stays literal.

/// One run of text with its emphasis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The characters, shown as they are (never read as markup).
    pub text: String,
    /// Inside `**…**`.
    pub bold: bool,
    /// Inside `*…*` or `_…_`.
    pub italic: bool,
    /// Inside `` `…` `` (no emphasis is read inside code).
    pub code: bool,
}

/// One block of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Consecutive non-empty lines, joined with spaces.
    Paragraph(Vec<Span>),
    /// Consecutive list lines; `ordered` for `1.` lists.
    List {
        /// Numbered (`1.`) rather than bulleted (`-`, `*`).
        ordered: bool,
        /// Each item's text.
        items: Vec<Vec<Span>>,
    },
}

/// The list marker of a line and the rest of it: `Some((ordered, rest))`.
fn list_item(line: &str) -> Option<(bool, &str)> {
    let line = line.trim_start();
    for bullet in ["- ", "* ", "+ "] {
        if let Some(rest) = line.strip_prefix(bullet) {
            return Some((false, rest));
        }
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if (1..=3).contains(&digits) {
        let rest = &line[digits..];
        if let Some(rest) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return Some((true, rest));
        }
    }
    None
}

/// The blocks of `source`.
pub fn parse(source: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let flush = |paragraph: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(inline(&paragraph.join(" "))));
            paragraph.clear();
        }
    };
    for line in source.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            flush(&mut paragraph, &mut blocks);
            continue;
        }
        if let Some((ordered, rest)) = list_item(trimmed) {
            flush(&mut paragraph, &mut blocks);
            let item = inline(rest.trim());
            match blocks.last_mut() {
                Some(Block::List { ordered: o, items }) if *o == ordered => items.push(item),
                _ => blocks.push(Block::List {
                    ordered,
                    items: vec![item],
                }),
            }
            continue;
        }
        // A line right after a list item continues it (a wrapped item).
        if paragraph.is_empty()
            && let Some(Block::List { items, .. }) = blocks.last_mut()
            && line.starts_with([' ', '\t'])
            && let Some(last) = items.last_mut()
        {
            last.push(plain(" "));
            last.extend(inline(trimmed));
            continue;
        }
        paragraph.push(trimmed);
    }
    flush(&mut paragraph, &mut blocks);
    blocks
}

fn plain(text: &str) -> Span {
    Span {
        text: text.to_owned(),
        bold: false,
        italic: false,
        code: false,
    }
}

/// The spans of one paragraph or list item.
pub fn inline(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    emphasis(text, false, false, &mut spans);
    // Neighbours with the same style are one span.
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if (last.bold, last.italic, last.code) == (span.bold, span.italic, span.code) => {
                last.text.push_str(&span.text)
            }
            _ => merged.push(span),
        }
    }
    merged.retain(|span| !span.text.is_empty());
    merged
}

/// Reads `text` with the emphasis `bold`/`italic` already open around it.
fn emphasis(text: &str, bold: bool, italic: bool, out: &mut Vec<Span>) {
    let style = |text: &str, code: bool| Span {
        text: text.to_owned(),
        bold,
        italic,
        code,
    };
    let mut rest = text;
    let mut literal = String::new();
    while let Some(c) = rest.chars().next() {
        // `code`: everything up to the next backtick is literal.
        if c == '`'
            && let Some(end) = rest[1..].find('`')
            && end > 0
        {
            out.push(style(&std::mem::take(&mut literal), false));
            out.push(style(&rest[1..1 + end], true));
            rest = &rest[end + 2..];
            continue;
        }
        if rest.starts_with("**")
            && let Some(end) = rest[2..].find("**")
            && end > 0
        {
            out.push(style(&std::mem::take(&mut literal), false));
            emphasis(&rest[2..2 + end], true, italic, out);
            rest = &rest[end + 4..];
            continue;
        }
        // `_` inside a word (snake_case) is not emphasis.
        let inside_word = c == '_' && literal.chars().last().is_some_and(char::is_alphanumeric);
        if (c == '*' || c == '_')
            && !inside_word
            && !rest.starts_with("**")
            && let Some(end) = rest[1..].find(c)
            && end > 0
            && !rest[1..].starts_with(' ')
        {
            out.push(style(&std::mem::take(&mut literal), false));
            emphasis(&rest[1..1 + end], bold, true, out);
            rest = &rest[end + 2..];
            continue;
        }
        literal.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out.push(style(&literal, false));
}

/// The note as plain text (emphasis dropped), e.g. for a tooltip or a test.
#[cfg(test)]
pub fn plain_text(blocks: &[Block]) -> String {
    let spans = |spans: &[Span]| spans.iter().map(|s| s.text.as_str()).collect::<String>();
    blocks
        .iter()
        .map(|block| match block {
            Block::Paragraph(text) => spans(text),
            Block::List { items, .. } => items.iter().map(|i| spans(i)).collect::<Vec<_>>().join("\n"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(text: &str, bold: bool, italic: bool, code: bool) -> Span {
        Span {
            text: text.into(),
            bold,
            italic,
            code,
        }
    }

    #[test]
    fn paragraphs_lists_and_emphasis() {
        let blocks = parse(
            "The kernel reads **nine** pixels,\nthen adds the *bias*.\n\n- `x = 0.42`\n- _then_ ReLU\n\n1. one\n2. two",
        );
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph(vec![
                    span("The kernel reads ", false, false, false),
                    span("nine", true, false, false),
                    span(" pixels, then adds the ", false, false, false),
                    span("bias", false, true, false),
                    span(".", false, false, false),
                ]),
                Block::List {
                    ordered: false,
                    items: vec![
                        vec![span("x = 0.42", false, false, true)],
                        vec![
                            span("then", false, true, false),
                            span(" ReLU", false, false, false)
                        ],
                    ],
                },
                Block::List {
                    ordered: true,
                    items: vec![
                        vec![span("one", false, false, false)],
                        vec![span("two", false, false, false)]
                    ],
                },
            ]
        );
    }

    #[test]
    fn markup_and_html_stay_text() {
        // Every character of an attempted injection comes back as text to be shown as it is.
        let attack = "<script>alert(1)</script> <img src=x onerror=alert(2)> &amp; \"quoted\"";
        let blocks = parse(attack);
        assert_eq!(
            blocks,
            vec![Block::Paragraph(vec![span(attack, false, false, false)])]
        );
        // Markup inside code and emphasis is text too.
        let blocks = parse("`<b>bold?</b>` **<i>x</i>**");
        assert_eq!(
            blocks,
            vec![Block::Paragraph(vec![
                span("<b>bold?</b>", false, false, true),
                span(" ", false, false, false),
                span("<i>x</i>", true, false, false),
            ])]
        );
        // Links and images are not Markdown here: their text is shown.
        assert_eq!(
            plain_text(&parse("[x](javascript:alert(1))")),
            "[x](javascript:alert(1))"
        );
    }

    #[test]
    fn unclosed_or_odd_markers_are_literal() {
        assert_eq!(plain_text(&parse("2 * 3 = 6 and a ** b")), "2 * 3 = 6 and a ** b");
        assert_eq!(plain_text(&parse("`open code")), "`open code");
        assert_eq!(plain_text(&parse("snake_case_name")), "snake_case_name");
        assert_eq!(
            parse("**b** *i*")[0],
            Block::Paragraph(vec![
                span("b", true, false, false),
                span(" ", false, false, false),
                span("i", false, true, false),
            ])
        );
        assert!(parse("").is_empty());
        assert!(parse("\n  \n").is_empty());
        // Multi-byte characters are never split.
        assert_eq!(plain_text(&parse("−0.69 → 0 ✓ *é*")), "−0.69 → 0 ✓ é");
    }
}
