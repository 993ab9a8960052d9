//! How text becomes index terms. Two analyzers, both on normalised text (width, case and
//! traditional→simplified folded by `domain::text`, one character for one character):
//!
//! - **words**: jieba's search-mode segmentation (政务信息资源 → 政务 / 信息 / 资源 / 政务信息 /
//!   信息资源 …), for relevance;
//! - **grams**: every character and every pair of adjacent characters of each run of letters,
//!   digits or ideographs, for exact substring matching: a partial word such as 注册地 is the phrase
//!   注册 册地, whatever jieba made of the text.
//!
//! Offsets of the emitted tokens point into the original (not normalised) text, so highlights
//! land on what the user wrote.

use std::sync::OnceLock;

use jieba_rs::Jieba;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The analyzer names registered on the index.
pub const WORDS: &str = "gov_words";
pub const GRAMS: &str = "gov_grams";

/// Words jieba's dictionary lacks but clerks search for.
const EXTRA_WORDS: &[&str] = &[
    "一数一源",
    "低保",
    "低保户",
    "电子证照",
    "统一社会信用代码",
    "公民身份号码",
    "政务信息资源",
    "信息资源目录",
    "行政区划代码",
    "营业执照",
    "不动产",
    "公积金",
    "社保",
    "医保",
    "残疾人",
    "网格化",
    "前置机",
];

fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(|| {
        let mut j = Jieba::new();
        for w in EXTRA_WORDS {
            j.add_word(w, Some(20_000), None);
        }
        j
    })
}

/// Loads the dictionary now rather than on the first search.
pub fn warm_up() {
    let _ = jieba();
}

/// Text normalised character by character, remembering where each character came from.
pub struct Normalized {
    pub chars: Vec<char>,
    /// Byte offset in the original text of each character, plus the original length at the end.
    pub offsets: Vec<usize>,
}

impl Normalized {
    pub fn new(text: &str) -> Normalized {
        let chars = domain::text::normalize_chars(text);
        let mut offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        offsets.push(text.len());
        Normalized { chars, offsets }
    }

    pub fn string(&self) -> String {
        self.chars.iter().collect()
    }
}

/// Characters that make up words: letters, digits, ideographs.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// The runs of word characters of a normalised text, as (start, end) character indexes.
pub fn runs(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in chars.iter().enumerate() {
        match (is_word_char(*c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, chars.len()));
    }
    out
}

/// The jieba words of a normalised text: (start, end) character indexes and the word.
/// `search` adds the sub-words of long words (indexing); queries use the plain cut.
pub fn words(normalized: &str, search: bool) -> Vec<(usize, usize, String)> {
    let tokens = if search { jieba().cut_for_search(normalized, false) } else { jieba().cut(normalized, false) };
    tokens
        .into_iter()
        .filter(|t| t.word.chars().any(is_word_char))
        .map(|t| (t.start, t.end, t.word.to_string()))
        .collect()
}

/// A token stream over tokens computed up front.
pub struct VecTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// jieba search-mode words, positions in order of their start.
#[derive(Clone, Default)]
pub struct WordTokenizer;

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let n = Normalized::new(text);
        let mut words = words(&n.string(), true);
        words.sort_by_key(|(s, e, _)| (*s, *e));
        let tokens = words
            .into_iter()
            .map(|(s, e, w)| Token {
                offset_from: n.offsets[s],
                offset_to: n.offsets[e],
                position: s,
                text: w,
                position_length: 1,
            })
            .collect();
        VecTokenStream { tokens, next: 0 }
    }
}

/// Characters and adjacent pairs of characters within each run of word characters. Both the
/// character and the pair starting at character `i` sit at position `i`; runs are separated by a
/// gap so that no phrase crosses punctuation.
#[derive(Clone, Default)]
pub struct GramTokenizer;

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let n = Normalized::new(text);
        let mut tokens = Vec::with_capacity(n.chars.len() * 2);
        for (s, e) in runs(&n.chars) {
            for i in s..e {
                // Positions are character indexes: a punctuation character between runs leaves a
                // gap of at least one, which no phrase of grams spans.
                tokens.push(Token {
                    offset_from: n.offsets[i],
                    offset_to: n.offsets[i + 1],
                    position: i,
                    text: n.chars[i].to_string(),
                    position_length: 1,
                });
                if i + 1 < e {
                    tokens.push(Token {
                        offset_from: n.offsets[i],
                        offset_to: n.offsets[i + 2],
                        position: i,
                        text: n.chars[i..i + 2].iter().collect(),
                        position_length: 1,
                    });
                }
            }
        }
        VecTokenStream { tokens, next: 0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<T: Tokenizer>(mut t: T, s: &str) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        let mut stream = t.token_stream(s);
        while let Some(tok) = stream.next() {
            out.push((tok.text.clone(), tok.position));
        }
        out
    }

    #[test]
    fn words_in_search_mode() {
        let got: Vec<String> = texts(WordTokenizer, "政务信息资源共享交换平台").into_iter().map(|t| t.0).collect();
        for w in ["政务", "信息", "资源", "共享", "交换", "平台"] {
            assert!(got.contains(&w.to_string()), "{w} in {got:?}");
        }
    }

    #[test]
    fn words_fold_script_and_width() {
        let a: Vec<String> = texts(WordTokenizer, "企業註冊地址").into_iter().map(|t| t.0).collect();
        let b: Vec<String> = texts(WordTokenizer, "企业注册地址").into_iter().map(|t| t.0).collect();
        assert_eq!(a, b);
        let c: Vec<String> = texts(WordTokenizer, "ＡＰＩ接口").into_iter().map(|t| t.0).collect();
        assert!(c.contains(&"api".to_string()), "{c:?}");
    }

    #[test]
    fn grams_and_gaps() {
        let got = texts(GramTokenizer, "低保，A1");
        assert_eq!(
            got,
            vec![
                ("低".to_string(), 0),
                ("低保".to_string(), 0),
                ("保".to_string(), 1),
                ("a".to_string(), 3),
                ("a1".to_string(), 3),
                ("1".to_string(), 4),
            ]
        );
    }

    #[test]
    fn offsets_point_into_the_original() {
        let text = "（企業）ＡＢ";
        let mut t = GramTokenizer;
        let mut stream = t.token_stream(text);
        let mut spans = Vec::new();
        while let Some(tok) = stream.next() {
            spans.push((tok.text.clone(), text[tok.offset_from..tok.offset_to].to_string()));
        }
        assert!(spans.contains(&("企业".to_string(), "企業".to_string())), "{spans:?}");
        assert!(spans.contains(&("ab".to_string(), "ＡＢ".to_string())), "{spans:?}");
    }
}
