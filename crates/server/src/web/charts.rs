//! Charts as inline SVG, drawn on the server (no script, no external library): horizontal bar
//! charts whose bars may be split into coloured parts (e.g. on time / overdue). Accessible: the
//! SVG is `role="img"` with an `aria-label` and a `<title>`, every bar has its own `<title>`, and
//! pages show the same numbers in a table below the chart.

use std::fmt::Write;

/// One part of a bar, with its colour class (`.chart-s0` … in app.css).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub series: usize,
    pub value: i64,
}

/// One bar: a label and its parts, drawn end to end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub parts: Vec<Part>,
}

impl Bar {
    pub fn total(&self) -> i64 {
        self.parts.iter().map(|p| p.value.max(0)).sum()
    }
}

/// A horizontal bar chart.
#[derive(Debug, Clone)]
pub struct BarChart<'a> {
    /// What the chart shows (the SVG's title and accessible name).
    pub title: &'a str,
    /// The name of each series, for the legend and the bars' titles.
    pub series: &'a [&'a str],
    pub bars: Vec<Bar>,
}

// Each bar has its label on the line above it, so the chart stays legible when a phone scales
// it down to a third of a desktop's width.
const WIDTH: i64 = 420;
const VALUE_W: i64 = 40;
const ROW_H: i64 = 44;
const LABEL_H: i64 = 18;
const BAR_H: i64 = 16;
const TOP: i64 = 30;

/// Escapes text for SVG (XML) content and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Shortens a label to `max` characters (the full label stays in the bar's title).
fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_string() } else { format!("{}…", s.chars().take(max - 1).collect::<String>()) }
}

impl BarChart<'_> {
    /// The chart as an `<svg>` element (escaped throughout: safe to insert with `|safe`).
    pub fn svg(&self) -> String {
        let max = self.bars.iter().map(Bar::total).max().unwrap_or(0).max(1);
        let height = TOP + ROW_H * self.bars.len().max(1) as i64 + 4;
        let plot = WIDTH - VALUE_W;
        let mut s = String::new();
        let summary = self.bars.iter().map(|b| format!("{}：{}", b.label, b.total())).collect::<Vec<_>>().join("；");
        let _ = write!(
            s,
            r#"<svg class="chart chart-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}" preserveAspectRatio="xMinYMin meet"><title>{}</title>"#,
            escape(&format!("{}。{}", self.title, summary)),
            escape(self.title)
        );
        // Legend.
        let mut x = 0;
        for (i, name) in self.series.iter().enumerate() {
            let _ = write!(
                s,
                r#"<rect class="chart-s{i}" x="{x}" y="4" width="12" height="12" rx="2"/><text class="chart-legend" x="{}" y="15">{}</text>"#,
                x + 16,
                escape(name)
            );
            x += 16 + 14 * name.chars().count() as i64 + 18;
        }
        if self.bars.is_empty() {
            let _ = write!(s, r#"<text class="chart-label" x="0" y="{}">暂无数据</text>"#, TOP + LABEL_H);
        }
        for (row, bar) in self.bars.iter().enumerate() {
            let y = TOP + ROW_H * row as i64;
            let _ = write!(
                s,
                r#"<text class="chart-label" x="0" y="{}">{}</text>"#,
                y + LABEL_H - 4,
                escape(&short(&bar.label, 28))
            );
            let bar_y = y + LABEL_H;
            let _ = write!(s, r#"<rect class="chart-track" x="0" y="{bar_y}" width="{plot}" height="{BAR_H}"/>"#);
            let mut x = 0;
            for part in bar.parts.iter().filter(|p| p.value > 0) {
                let w = (part.value * plot / max).max(2);
                let name = self.series.get(part.series).copied().unwrap_or("");
                let _ = write!(
                    s,
                    r#"<rect class="chart-s{}" x="{x}" y="{bar_y}" width="{w}" height="{BAR_H}"><title>{}</title></rect>"#,
                    part.series,
                    escape(&format!("{}：{}{}", bar.label, name, part.value))
                );
                x += w;
            }
            let _ = write!(
                s,
                r#"<text class="chart-value" x="{}" y="{}">{}</text>"#,
                x + 6,
                bar_y + BAR_H - 3,
                bar.total()
            );
        }
        s.push_str("</svg>");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(bars: Vec<Bar>) -> String {
        BarChart { title: "各部门待答复申请", series: &["按期", "超期"], bars }.svg()
    }

    #[test]
    fn accessible_and_scaled() {
        let svg = chart(vec![
            Bar { label: "公安局".into(), parts: vec![Part { series: 0, value: 3 }, Part { series: 1, value: 1 }] },
            Bar { label: "民政局".into(), parts: vec![Part { series: 0, value: 2 }] },
        ]);
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(r#"aria-label="各部门待答复申请。公安局：4；民政局：2""#), "{svg}");
        assert!(svg.contains("<title>各部门待答复申请</title>"));
        assert!(svg.contains("<title>公安局：超期1</title>"), "{svg}");
        // The longest bar fills the plot: 4 of 4 → 380 px in parts 285 + 95.
        assert!(svg.contains(r#"width="285""#) && svg.contains(r#"width="95""#), "{svg}");
        // 2 of 4 → half.
        assert!(svg.contains(r#"width="190""#), "{svg}");
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn escapes_labels() {
        let svg = chart(vec![Bar { label: "<script>&\"".into(), parts: vec![Part { series: 0, value: 1 }] }]);
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;&amp;&quot;"), "{svg}");
    }

    #[test]
    fn empty_and_zero() {
        let svg = chart(vec![]);
        assert!(svg.contains("暂无数据"));
        let svg = chart(vec![Bar { label: "审计局".into(), parts: vec![Part { series: 0, value: 0 }] }]);
        assert!(!svg.contains("<rect class=\"chart-s0\" x=\"0\" y=\"48\""), "no zero-width bar: {svg}");
        assert!(svg.contains(">0</text>"));
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(short("市人力资源和社会保障局信息中心", 12), "市人力资源和社会保障局…");
        assert_eq!(short("示例市人力资源和社会保障局", 28), "示例市人力资源和社会保障局");
        assert_eq!(short("公安局", 12), "公安局");
    }
}
