//! As much of Rust's lexical structure as the tidy checks need: where a source
//! file's comments, string literals and `#[cfg(test)]` items are, so that a check
//! reads code as code, strings as strings, and production code only.

use std::ops::Range;

/// One source file, split into its code and its string literals.
pub(super) struct RustText<'a> {
    text: &'a str,
    /// `text` with comments, literals' contents and `#[cfg(test)]` items blanked
    /// (every byte but newlines made a space), so offsets and lines stay those of
    /// `text`.
    code: String,
    /// The string literals outside `#[cfg(test)]` items.
    literals: Vec<Literal<'a>>,
}

/// A string literal: where its contents start, and its contents as written
/// (escapes not undone).
pub(super) struct Literal<'a> {
    pub offset: usize,
    pub text: &'a str,
}

impl<'a> RustText<'a> {
    pub fn new(text: &'a str) -> Self {
        let (mut code, mut literals) = lex(text);
        let tests = test_items(&code);
        for range in &tests {
            blank(&mut code, range.clone());
        }
        literals.retain(|l| !tests.iter().any(|t| t.contains(&l.offset)));
        let code = String::from_utf8(code).expect("only whole characters are blanked");
        RustText {
            text,
            code,
            literals,
        }
    }

    /// The production code: no comments, no literals' contents, no test items.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The production code's string literals.
    pub fn literals(&self) -> &[Literal<'a>] {
        &self.literals
    }

    /// The 1-based line of byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.text[..offset].matches('\n').count() + 1
    }
}

fn blank(code: &mut [u8], range: Range<usize>) {
    for b in &mut code[range] {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Blanks comments and the contents of string and character literals, and
/// collects the string literals.
fn lex(text: &str) -> (Vec<u8>, Vec<Literal<'_>>) {
    let bytes = text.as_bytes();
    let mut code = bytes.to_vec();
    let mut literals = Vec::new();
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while i < bytes.len() {
        let starts_token = i == 0 || !is_ident(bytes[i - 1]);
        match bytes[i] {
            b'/' if at(i + 1) == b'/' => {
                let end = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                blank(&mut code, i..end);
                i = end;
            }
            b'/' if at(i + 1) == b'*' => {
                let (mut depth, mut j) = (1, i + 2);
                while j < bytes.len() && depth > 0 {
                    if bytes[j] == b'/' && at(j + 1) == b'*' {
                        depth += 1;
                        j += 2;
                    } else if bytes[j] == b'*' && at(j + 1) == b'/' {
                        depth -= 1;
                        j += 2;
                    } else {
                        j += 1;
                    }
                }
                blank(&mut code, i..j);
                i = j;
            }
            b'r' | b'b' if starts_token && raw_string(bytes, i).is_some() => {
                let (start, end, hashes) = raw_string(bytes, i).expect("just matched");
                literals.push(Literal {
                    offset: start,
                    text: &text[start..end],
                });
                blank(&mut code, start..end);
                i = end + 1 + hashes;
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                let end = j.min(bytes.len());
                literals.push(Literal {
                    offset: start,
                    text: &text[start..end],
                });
                blank(&mut code, start..end);
                i = end + 1;
            }
            b'\'' => {
                // A character literal, or a lifetime (left as it is).
                let end = if at(i + 1) == b'\\' {
                    // After the backslash and the character it escapes.
                    text.get(i + 3..)
                        .and_then(|rest| rest.find('\''))
                        .map(|n| i + 3 + n)
                } else {
                    let len = text[i + 1..].chars().next().map_or(0, char::len_utf8);
                    (at(i + 1 + len) == b'\'').then_some(i + 1 + len)
                };
                match end {
                    Some(end) => {
                        blank(&mut code, i + 1..end);
                        i = end + 1;
                    }
                    None => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    (code, literals)
}

/// A raw string (`r"…"`, `r#"…"#`, `br"…"`) starting at `i`: where its contents
/// start and end, and its number of `#`s.
fn raw_string(bytes: &[u8], i: usize) -> Option<(usize, usize, usize)> {
    let mut j = i + usize::from(bytes[i] == b'b');
    if bytes.get(j) != Some(&b'r') {
        return None;
    }
    j += 1;
    let hashes = bytes[j..].iter().take_while(|&&b| b == b'#').count();
    j += hashes;
    if bytes.get(j) != Some(&b'"') {
        return None;
    }
    let start = j + 1;
    let closing: Vec<u8> = std::iter::once(b'"')
        .chain(std::iter::repeat_n(b'#', hashes))
        .collect();
    let end = bytes[start..]
        .windows(closing.len())
        .position(|w| w == closing)
        .map_or(bytes.len(), |n| start + n);
    Some((start, end, hashes))
}

/// The byte ranges of the items under `#[cfg(test)]` (the whole file under
/// `#![cfg(test)]`), in code whose comments and literals are blanked.
fn test_items(code: &[u8]) -> Vec<Range<usize>> {
    let text = std::str::from_utf8(code).expect("only whole characters are blanked");
    if text.contains("#![cfg(test)]") {
        return std::iter::once(0..code.len()).collect();
    }
    let mut ranges = Vec::new();
    let mut from = 0;
    while let Some(n) = text[from..].find("#[cfg(test)]") {
        let start = from + n;
        let mut j = start + "#[cfg(test)]".len();
        while j < code.len() && code[j] != b'{' && code[j] != b';' {
            j += 1;
        }
        if code.get(j) == Some(&b'{') {
            let mut depth = 0;
            while j < code.len() {
                match code[j] {
                    b'{' => depth += 1,
                    b'}' => depth -= 1,
                    _ => {}
                }
                j += 1;
                if depth == 0 {
                    break;
                }
            }
        } else {
            j = (j + 1).min(code.len());
        }
        ranges.push(start..j);
        from = j;
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::RustText;

    #[test]
    fn comments_literals_and_tests_are_told_apart() {
        let src = r####"
// "in a comment"
/* "in a /* nested */ block" */
fn f<'a>(x: &'a str) -> char {
    let _ = "one \" two";
    let _ = r#"raw "quoted""#;
    let _ = br"bytes";
    let _ = '"';
    let _ = ['\'', '"'];
    '{'
}
#[cfg(test)]
mod tests {
    fn g() { let _ = "test only"; }
}
fn h() { let _ = "after"; }
"####;
        let text = RustText::new(src);
        let literals: Vec<&str> = text.literals().iter().map(|l| l.text).collect();
        assert_eq!(
            literals,
            [r#"one \" two"#, r#"raw "quoted""#, "bytes", "after"]
        );
        assert!(!text.code().contains("in a"));
        assert!(!text.code().contains("fn g"));
        assert!(text.code().contains("fn h"));
        assert!(text.code().contains("fn f<'a>(x: &'a str)"));
        let after = text.literals().last().unwrap();
        assert_eq!(text.line_of(after.offset), 16);
    }
}
