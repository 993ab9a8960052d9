//! Highlights: the query's terms marked in a name or a summary, on the original text (matching is
//! done on the normalised text, so 註冊 is marked for a search for 注册).

use crate::analyzer::Normalized;

/// `text` with each occurrence of a needle (normalised) wrapped in `<mark>`, HTML-escaped, cut to
/// about `window` characters around the first match when `window` is given.
pub fn highlight(text: &str, needles: &[Vec<char>], window: Option<usize>) -> String {
    let n = Normalized::new(text);
    let mut marked = vec![false; n.chars.len()];
    for needle in needles.iter().filter(|x| !x.is_empty()) {
        if needle.len() > n.chars.len() {
            continue;
        }
        for i in 0..=(n.chars.len() - needle.len()) {
            if n.chars[i..i + needle.len()] == needle[..] {
                marked[i..i + needle.len()].iter_mut().for_each(|m| *m = true);
            }
        }
    }
    let (from, to) = match window {
        Some(w) if n.chars.len() > w => {
            let first = marked.iter().position(|m| *m).unwrap_or(0);
            let from = first.saturating_sub(w / 4);
            (from, (from + w).min(n.chars.len()))
        }
        _ => (0, n.chars.len()),
    };
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    let mut open = false;
    for i in from..to {
        if marked[i] != open {
            out.push_str(if marked[i] { "<mark>" } else { "</mark>" });
            open = marked[i];
        }
        escape_into(&text[n.offsets[i]..n.offsets[i + 1]], &mut out);
    }
    if open {
        out.push_str("</mark>");
    }
    if to < n.chars.len() {
        out.push('…');
    }
    out
}

fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needles(xs: &[&str]) -> Vec<Vec<char>> {
        xs.iter().map(|x| x.chars().collect()).collect()
    }

    #[test]
    fn marks_on_the_original_text() {
        assert_eq!(highlight("企業註冊地址", &needles(&["注册"]), None), "企業<mark>註冊</mark>地址");
        assert_eq!(highlight("<b>低保</b>名单", &needles(&["低保"]), None), "&lt;b&gt;<mark>低保</mark>&lt;/b&gt;名单");
        assert_eq!(highlight("ＡＰＩ服务", &needles(&["api"]), None), "<mark>ＡＰＩ</mark>服务");
    }

    #[test]
    fn windows_around_the_first_match() {
        let text = format!("{}低保{}", "甲".repeat(50), "乙".repeat(50));
        let got = highlight(&text, &needles(&["低保"]), Some(20));
        assert!(got.starts_with('…') && got.ends_with('…'), "{got}");
        assert!(got.contains("<mark>低保</mark>"), "{got}");
    }
}
