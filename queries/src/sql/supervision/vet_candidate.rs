//! `vet_candidate(person, events, on)`: promotion vetting (seed 002, 第十二至十四条) — veto,
//! postpone or clear, with the article and clause that decided it —
//! [`sunlight_core::rules::vetting::vet`], as the browser's `vetCandidate`.

use datafusion::arrow::datatypes::DataType;
use serde::Serialize;
use sunlight_core::model::ArchiveEvent;
use sunlight_core::rules::vetting::{Finding, vet};

use super::function::{Arg, Kind, SupervisionRule, date_arg, record};

/// The `vet_candidate` function.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct VetCandidate;

fn article(f: &Finding) -> String {
    if f.clause == 0 {
        f.article.to_string()
    } else {
        format!("{}({})", f.article, f.clause)
    }
}

/// A vetting's outcome, as `vet_candidate` answers.
#[derive(Debug, Serialize)]
pub struct Vetted {
    outcome: &'static str,
    deciding: Option<String>,
    articles: String,
    talk_on_promotion: bool,
    findings_zh: String,
    events: Option<String>,
}

impl SupervisionRule for VetCandidate {
    const NAME: &'static str = "vet_candidate";
    const ARGS: &'static [(&'static str, Kind)] = &[
        ("person", Kind::Text),
        ("events", Kind::TextList),
        ("on", Kind::Date),
    ];
    type Answer = Vetted;

    fn output() -> DataType {
        record(&[
            ("outcome", DataType::Utf8),
            ("deciding", DataType::Utf8),
            ("articles", DataType::Utf8),
            ("talk_on_promotion", DataType::Boolean),
            ("findings_zh", DataType::Utf8),
            ("events", DataType::Utf8),
        ])
    }

    fn row(&self, a: &[Arg<'_>]) -> Result<Option<Vetted>, String> {
        let Some(person) = a[0].text() else {
            return Ok(None);
        };
        let events: Vec<ArchiveEvent> = a[1].parsed("archive event")?;
        let v = vet(person, &events, date_arg(&a[2], "the vetting date")?);
        // The first finding with the final outcome is the one that decided it.
        let deciding = v.findings.iter().find(|f| f.outcome == v.outcome);
        let articles: Vec<String> = v.findings.iter().map(article).collect();
        let zh: Vec<String> = v
            .findings
            .iter()
            .map(|f| format!("{}：{}", article(f), f.text.zh))
            .collect();
        Ok(Some(Vetted {
            outcome: v.outcome.as_str(),
            deciding: deciding.map(article),
            articles: articles.join(","),
            talk_on_promotion: v.talk_on_promotion,
            findings_zh: zh.join("；"),
            events: deciding.map(|f| f.events.join(",")),
        }))
    }
}
