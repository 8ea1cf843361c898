//! Just enough JSON for the files the browser reads (lesson files, a model's manifest and its
//! safetensors header): objects, arrays, strings, whole numbers, `true`/`false`/`null`, read into
//! a small tree and written back with escaping. Hand-written because a general JSON library
//! would add more to the client's first download than the whole lesson feature. Nesting is
//! limited, so a hostile file cannot exhaust the stack.

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A whole number (these files need no others; reading fractions would add the float parser to the download).
    Number(i64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, its members in file order.
    Object(Vec<(String, Json)>),
}

/// Why text is not JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonError {
    /// The text ends before the value does.
    Truncated,
    /// Something unexpected at this byte offset.
    Invalid(usize),
}

/// Deepest nesting of arrays and objects read.
const MAX_DEPTH: usize = 16;

impl Json {
    /// Member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }
}

/// Reads one JSON value filling `text` (whitespace around it allowed).
pub fn parse(text: &str) -> Result<Json, JsonError> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        at: 0,
    };
    let value = reader.value(0)?;
    reader.space();
    if reader.at != reader.bytes.len() {
        return Err(JsonError::Invalid(reader.at));
    }
    Ok(value)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn space(&mut self) {
        while self.bytes.get(self.at).is_some_and(|b| b" \t\r\n".contains(b)) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Result<u8, JsonError> {
        self.space();
        self.bytes.get(self.at).copied().ok_or(JsonError::Truncated)
    }

    fn expect(&mut self, byte: u8) -> Result<(), JsonError> {
        if self.peek()? != byte {
            return Err(JsonError::Invalid(self.at));
        }
        self.at += 1;
        Ok(())
    }

    fn word(&mut self, word: &[u8], value: Json) -> Result<Json, JsonError> {
        let end = self.at + word.len();
        match self.bytes.get(self.at..end) {
            Some(found) if found == word => {
                self.at = end;
                Ok(value)
            }
            _ if end > self.bytes.len() && word.starts_with(&self.bytes[self.at..]) => {
                Err(JsonError::Truncated)
            }
            _ => Err(JsonError::Invalid(self.at)),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(JsonError::Invalid(self.at));
        }
        match self.peek()? {
            b'{' => {
                self.at += 1;
                let mut members = Vec::new();
                if self.peek()? == b'}' {
                    self.at += 1;
                    return Ok(Json::Object(members));
                }
                loop {
                    if self.peek()? != b'"' {
                        return Err(JsonError::Invalid(self.at));
                    }
                    let key = self.string()?;
                    self.expect(b':')?;
                    members.push((key, self.value(depth + 1)?));
                    match self.peek()? {
                        b',' => self.at += 1,
                        b'}' => {
                            self.at += 1;
                            return Ok(Json::Object(members));
                        }
                        _ => return Err(JsonError::Invalid(self.at)),
                    }
                }
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if self.peek()? == b']' {
                    self.at += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    match self.peek()? {
                        b',' => self.at += 1,
                        b']' => {
                            self.at += 1;
                            return Ok(Json::Array(items));
                        }
                        _ => return Err(JsonError::Invalid(self.at)),
                    }
                }
            }
            b'"' => self.string().map(Json::String),
            b't' => self.word(b"true", Json::Bool(true)),
            b'f' => self.word(b"false", Json::Bool(false)),
            b'n' => self.word(b"null", Json::Null),
            b'-' | b'0'..=b'9' => {
                let start = self.at;
                self.at += 1;
                while self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
                    self.at += 1;
                }
                if self.bytes.get(self.at).is_some_and(|b| b".eE".contains(b)) {
                    return Err(JsonError::Invalid(self.at));
                }
                let text = std::str::from_utf8(&self.bytes[start..self.at])
                    .map_err(|_| JsonError::Invalid(start))?;
                text.parse()
                    .map(Json::Number)
                    .map_err(|_| JsonError::Invalid(start))
            }
            _ => Err(JsonError::Invalid(self.at)),
        }
    }

    /// A string, the reader on its opening quote.
    fn string(&mut self) -> Result<String, JsonError> {
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let byte = *self.bytes.get(self.at).ok_or(JsonError::Truncated)?;
            self.at += 1;
            match byte {
                b'"' => return String::from_utf8(out).map_err(|_| JsonError::Invalid(self.at)),
                b'\\' => {
                    let escape = *self.bytes.get(self.at).ok_or(JsonError::Truncated)?;
                    self.at += 1;
                    let c = match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let mut unit = self.hex4()?;
                            // A surrogate pair: the second half follows as another \u escape.
                            if (0xD800..0xDC00).contains(&unit)
                                && self.bytes.get(self.at..self.at + 2) == Some(b"\\u")
                            {
                                self.at += 2;
                                let low = self.hex4()?;
                                unit = 0x10000 + ((unit - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF);
                            }
                            char::from_u32(unit).ok_or(JsonError::Invalid(self.at))?
                        }
                        _ => return Err(JsonError::Invalid(self.at - 1)),
                    };
                    let mut buffer = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
                }
                0..0x20 => return Err(JsonError::Invalid(self.at - 1)),
                _ => out.push(byte),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self.bytes.get(self.at..self.at + 4).ok_or(JsonError::Truncated)?;
        let text = std::str::from_utf8(digits).map_err(|_| JsonError::Invalid(self.at))?;
        let unit = u32::from_str_radix(text, 16).map_err(|_| JsonError::Invalid(self.at))?;
        self.at += 4;
        Ok(unit)
    }
}

/// `text` as a JSON string literal, quotes included.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `value` as compact JSON text (members in their order).
pub fn write(value: &Json) -> String {
    match value {
        Json::Null => "null".to_owned(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => quote(s),
        Json::Array(items) => format!("[{}]", items.iter().map(write).collect::<Vec<_>>().join(",")),
        Json::Object(members) => format!(
            "{{{}}}",
            members
                .iter()
                .map(|(k, v)| format!("{}:{}", quote(k), write(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_objects_arrays_strings_and_whole_numbers() {
        let text = r#" { "a": [1, -25, true, false, null], "s": "q\"\\\n\u00e9\ud83d\ude00 ✓", "o": {} } "#;
        let value = parse(text).unwrap();
        assert_eq!(
            value.get("a"),
            Some(&Json::Array(vec![
                Json::Number(1),
                Json::Number(-25),
                Json::Bool(true),
                Json::Bool(false),
                Json::Null
            ]))
        );
        assert_eq!(value.get("s").and_then(Json::as_str), Some("q\"\\\né😀 ✓"));
        assert_eq!(value.get("o"), Some(&Json::Object(vec![])));
        // What `quote` writes reads back the same.
        let odd = "tab\t \"quote\" back\\slash \u{1} line\nend é";
        assert_eq!(parse(&quote(odd)).unwrap(), Json::String(odd.into()));
        // What `write` writes reads back the same.
        assert_eq!(parse(&write(&value)).unwrap(), value);
    }

    #[test]
    fn cut_short_and_broken_text_is_told_apart() {
        for cut in [r#"{"a": [1, 2"#, r#"{"a": "str"#, "[tr", r#"{"a""#, "  "] {
            assert_eq!(parse(cut), Err(JsonError::Truncated), "{cut:?}");
        }
        for bad in [
            "{a: 1}",
            "[1,]",
            "[1 2]",
            "nul!",
            "\"\u{1}\"",
            "{} {}",
            "[01x]",
            r#""\q""#,
            "[1.5]",
            "-",
            "[1e3]",
        ] {
            assert!(matches!(parse(bad), Err(JsonError::Invalid(_))), "{bad:?}");
        }
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(
            matches!(parse(&deep), Err(JsonError::Invalid(_))),
            "deep nesting is refused"
        );
    }
}
