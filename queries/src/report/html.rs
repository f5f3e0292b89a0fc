//! The report's HTML: self-contained (styles inline, charts inline as SVG, no scripts, no network).

use std::fmt::Write as _;

use super::{Options, Section, Table, escape};

const STYLE: &str = "body{font-family:'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei',sans-serif;margin:0 auto;max-width:1200px;padding:1.5rem;color:#1a1a1a;line-height:1.5}\
h1{font-size:1.6rem;border-bottom:3px solid #0072B2;padding-bottom:.4rem}h2{font-size:1.2rem;margin-top:2rem}\
nav a{margin-right:1rem}table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}\
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}td.num{text-align:right;font-variant-numeric:tabular-nums}\
td.suppressed{color:#777;font-style:italic}.note{color:#555;font-size:.9rem}.files a{margin-right:.8rem}\
figure{margin:0;overflow-x:auto}figure svg{max-width:100%;height:auto}.public{background:#fff8e1;border:1px solid #E69F00;padding:.5rem}\
@media print{nav{display:none}section{page-break-inside:avoid}}";

/// The rows of a table a page shows; the rest are in its CSV file.
const SHOWN_ROWS: usize = 200;

/// A section's table as HTML: its first rows, every cell escaped, counts below `k` marked.
pub(super) fn table(t: &Table, k: u64) -> String {
    if t.rows.is_empty() {
        "<p class=\"note\">无数据 / no data</p>\n".to_owned()
    } else {
        t.to_html(k, SHOWN_ROWS)
    }
}

/// A whole page.
pub(super) fn page(title: &str, sections: &[Section], opts: &Options, nested: bool) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(title),
        escape(title)
    );
    if opts.public {
        let _ = writeln!(
            out,
            "<p class=\"public\">公示版：不含个人姓名；少于 {k} 的计数不予公开，标为“&lt;{k}”。 / Public edition: no names of people; counts below {k} are withheld and marked.</p>",
            k = opts.k
        );
    }
    if nested {
        out.push_str("<nav><a href=\"../index.html\">← 总报告 / report</a></nav>\n");
    } else {
        out.push_str("<nav>");
        for s in sections {
            let _ = write!(
                out,
                "<a href=\"#{}\">{}</a>",
                escape(&s.id),
                escape(s.title.split(" / ").next().unwrap_or(&s.title))
            );
        }
        out.push_str("</nav>\n");
    }
    let prefix = if nested { "../" } else { "" };
    for s in sections {
        let _ = write!(
            out,
            "<section id=\"{}\">\n<h2>{}</h2>\n",
            escape(&s.id),
            escape(&s.title)
        );
        if !s.note.is_empty() {
            let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(&s.note));
        }
        if let Some(svg) = &s.svg {
            // plotters escapes every text it draws; the SVG holds no scripts.
            let _ = write!(out, "<figure>\n{svg}\n</figure>\n");
        }
        if let Some(t) = &s.table_html {
            out.push_str(t);
        }
        if !s.files.is_empty() {
            out.push_str("<p class=\"files\">");
            for (href, label) in &s.files {
                let href = if href.starts_with("../") || href.starts_with("units/") {
                    href.clone()
                } else {
                    format!("{prefix}{href}")
                };
                let _ = write!(out, "<a href=\"{}\">{}</a>", escape(&href), escape(label));
            }
            out.push_str("</p>\n");
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}
