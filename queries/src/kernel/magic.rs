//! The magics: lines starting with `%` that configure the kernel or act on the last result.

use crate::output::Format;

/// Every magic with a one-line description, as `%help` prints them and completion offers them.
pub const MAGICS: [(&str, &str, &str); 8] = [
    (
        "%store",
        "[DIR]",
        "open the store in DIR (without DIR: show which store is open)",
    ),
    (
        "%limit",
        "[N]",
        "show at most N rows of a result (without N: show the limit)",
    ),
    (
        "%chart",
        "bar|stacked|line|heatmap x=COL y=COL [by=COL] [title=TEXT]",
        "draw the last result (heatmap: x the columns, by the rows, y the values)",
    ),
    (
        "%export",
        "csv|parquet|json PATH",
        "write the whole last result to PATH",
    ),
    (
        "%schemes",
        "",
        "the preset schemes: risk types and level scales",
    ),
    ("%tables", "", "the tables and views of the open store"),
    ("%echo", "TEXT", "print TEXT"),
    ("%help", "", "this list"),
];

/// The kinds `%chart` draws.
pub const CHART_KINDS: [&str; 4] = ["bar", "stacked", "line", "heatmap"];

/// What `%chart` is asked to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartSpec {
    /// One of [`CHART_KINDS`].
    pub kind: &'static str,
    /// Category (or heat-map column) column.
    pub x: String,
    /// Value column.
    pub y: String,
    /// Series (or heat-map row) column.
    pub by: Option<String>,
    /// Title above the chart.
    pub title: Option<String>,
}

/// A parsed magic line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Magic {
    /// `%store [DIR]`.
    Store(Option<String>),
    /// `%limit [N]`.
    Limit(Option<usize>),
    /// `%chart …`.
    Chart(ChartSpec),
    /// `%export FORMAT PATH`.
    Export {
        /// File format.
        format: Format,
        /// Where to write.
        path: String,
    },
    /// `%schemes`.
    Schemes,
    /// `%tables`.
    Tables,
    /// `%echo TEXT`.
    Echo(String),
    /// `%help`.
    Help,
}

/// The largest row limit: beyond it a notebook becomes unusable; `%export` writes everything.
pub const MAX_LIMIT: usize = 100_000;

/// Parses one magic line (starting with `%`). The error is a message for the analyst.
pub fn parse(line: &str) -> Result<Magic, String> {
    let line = line.trim();
    let body = line.strip_prefix('%').unwrap_or(line);
    let (name, args) = match body.find(char::is_whitespace) {
        Some(i) => (&body[..i], body[i..].trim()),
        None => (body, ""),
    };
    let no_args = |m: Magic| {
        if args.is_empty() {
            Ok(m)
        } else {
            Err(format!("%{name} takes no arguments"))
        }
    };
    match name {
        "store" => Ok(Magic::Store((!args.is_empty()).then(|| unquote(args)))),
        "limit" => {
            if args.is_empty() {
                return Ok(Magic::Limit(None));
            }
            match args.parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(Magic::Limit(Some(n))),
                _ => Err(format!(
                    "%limit needs a whole number from 1 to {MAX_LIMIT}, not '{args}'"
                )),
            }
        }
        "chart" => chart(args).map(Magic::Chart),
        "export" => {
            let usage = "usage: %export csv|parquet|json PATH";
            let (format, path) = args
                .split_once(char::is_whitespace)
                .ok_or_else(|| usage.to_owned())?;
            let format = match format {
                "csv" => Format::Csv,
                "parquet" => Format::Parquet,
                "json" => Format::Json,
                other => return Err(format!("cannot export as '{other}'; {usage}")),
            };
            let path = unquote(path.trim());
            if path.is_empty() {
                return Err(usage.to_owned());
            }
            Ok(Magic::Export { format, path })
        }
        "schemes" => no_args(Magic::Schemes),
        "tables" => no_args(Magic::Tables),
        "help" => no_args(Magic::Help),
        "echo" => Ok(Magic::Echo(args.to_owned())),
        other => Err(format!("unknown magic %{other}; %help lists them")),
    }
}

/// Removes one pair of matching quotes around `s`, if present.
fn unquote(s: &str) -> String {
    for q in ['"', '\''] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return s[1..s.len() - 1].to_owned();
        }
    }
    s.to_owned()
}

fn chart(args: &str) -> Result<ChartSpec, String> {
    let usage = "usage: %chart bar|stacked|line|heatmap x=COL y=COL [by=COL] [title=TEXT]";
    let (kind, mut rest) = match args.find(char::is_whitespace) {
        Some(i) => (&args[..i], args[i..].trim_start()),
        None => (args, ""),
    };
    let kind = CHART_KINDS
        .into_iter()
        .find(|k| *k == kind)
        .ok_or_else(|| format!("unknown chart kind '{kind}'; {usage}"))?;
    let (mut x, mut y, mut by, mut title) = (None, None, None, None);
    while !rest.is_empty() {
        let (key, after) = rest
            .split_once('=')
            .ok_or_else(|| format!("expected KEY=VALUE, found '{rest}'; {usage}"))?;
        let key = key.trim();
        let after = after.trim_start();
        let (value, remaining) =
            if let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') {
                let inner = &after[1..];
                let end = inner
                    .find(q)
                    .ok_or_else(|| format!("the value of {key}= has no closing {q}"))?;
                (&inner[..end], &inner[end + 1..])
            } else if key == "title" {
                (after.trim_end(), "")
            } else {
                match after.find(char::is_whitespace) {
                    Some(i) => (&after[..i], &after[i..]),
                    None => (after, ""),
                }
            };
        let slot = match key {
            "x" => &mut x,
            "y" => &mut y,
            "by" => &mut by,
            "title" => &mut title,
            other => return Err(format!("unknown chart option '{other}'; {usage}")),
        };
        *slot = Some(value.to_owned());
        rest = remaining.trim_start();
    }
    let (Some(x), Some(y)) = (x, y) else {
        return Err(format!("%chart needs x= and y=; {usage}"));
    };
    Ok(ChartSpec {
        kind,
        x,
        y,
        by,
        title,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magics_parse() {
        assert_eq!(
            parse("%store target/demo/store"),
            Ok(Magic::Store(Some("target/demo/store".into())))
        );
        assert_eq!(
            parse("%store \"a b\""),
            Ok(Magic::Store(Some("a b".into())))
        );
        assert_eq!(parse("%store"), Ok(Magic::Store(None)));
        assert_eq!(parse("%limit 20"), Ok(Magic::Limit(Some(20))));
        assert_eq!(parse("%tables"), Ok(Magic::Tables));
        assert_eq!(
            parse("%export csv out dir/levels.csv"),
            Ok(Magic::Export {
                format: Format::Csv,
                path: "out dir/levels.csv".into()
            })
        );
        assert_eq!(
            parse("%echo hello, world"),
            Ok(Magic::Echo("hello, world".into()))
        );
    }

    #[test]
    fn chart_options_with_quotes_and_a_free_title() {
        let Ok(Magic::Chart(c)) =
            parse("%chart heatmap x=department_name y=n by=\"risk type\" title=风险类型 × 部门")
        else {
            panic!("a chart");
        };
        assert_eq!(c.kind, "heatmap");
        assert_eq!((c.x.as_str(), c.y.as_str()), ("department_name", "n"));
        assert_eq!(c.by.as_deref(), Some("risk type"));
        assert_eq!(c.title.as_deref(), Some("风险类型 × 部门"));
        let Ok(Magic::Chart(c)) = parse("%chart bar title='a b' x=a y=b") else {
            panic!("a chart");
        };
        assert_eq!(c.title.as_deref(), Some("a b"));
        assert_eq!(c.by, None);
    }

    #[test]
    fn bad_magics_are_messages_not_panics() {
        for bad in [
            "%limit 0",
            "%limit -3",
            "%limit 99999999999999999999999",
            "%limit x",
            "%chart pie x=a y=b",
            "%chart bar x=a",
            "%chart bar x=a y=b colour=red",
            "%chart bar x=\"a y=b",
            "%chart bar junk",
            "%export xlsx a.xlsx",
            "%export csv",
            "%tables now",
            "%frobnicate",
            "%",
            "%chart",
            "%chart bar x=",
        ] {
            assert!(parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
