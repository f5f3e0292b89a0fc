//! The supervision office's event batches for one unit and year, built and checked through the
//! core: the review steps of the unit's department tables (确定 → 审定 → 公示 → 备案, a few left
//! unfinished and a rare step out of order), archive events of the people who filed personal
//! tables (reports received and checked, talks, warnings, low satisfaction, now and then a light
//! finding, a sanction or a case), and the register (the year's assessment score, candidates to
//! vet, and the obligations each department met — mostly on time, some late, a few not at all).

use std::collections::BTreeMap;

use serde_json::{Value, json};
use sunlight_core::model::{ArchiveEvent, Batch, OfficeRecord};
use sunlight_core::rules::BatchEvent;
use sunlight_core::rules::deadlines::obligations;
use sunlight_core::rules::workflow::{ReviewEvent, ReviewStep};
use sunlight_core::{BatchSubmission, Date, Scheme, UnitRef};

use super::Filed;
use super::rng::{Rng, mix, mix_str};
use crate::error::{Error, Result};

const PUBLIC_CHANNELS: [&str; 4] = [
    "online-report",
    "letter",
    "public-evaluation",
    "questionnaire",
];

fn finalize<T: BatchEvent>(
    unit: &UnitRef,
    events: Vec<T>,
    at: Date,
) -> Result<Option<(String, usize)>> {
    if events.is_empty() {
        return Ok(None);
    }
    let n = events.len();
    let batch = Batch {
        schema_version: 1,
        kind: T::KIND.to_owned(),
        unit: unit.clone(),
        events,
        submitted_at: None,
        hash: None,
    };
    let sub = BatchSubmission::finalize(batch, &format!("{at}T17:30:00+08:00"))?;
    Ok(Some((sub.to_json()?, n)))
}

fn event(v: Value) -> Result<ArchiveEvent> {
    serde_json::from_value(v).map_err(|e| {
        Error::Usage(format!(
            "the demo built an archive event the core refuses: {e}"
        ))
    })
}

/// The event batches of one unit in one year, as canonical JSON lines with their event counts.
pub(super) fn unit_year(
    scheme: &Scheme,
    seed: u64,
    filed: &[Filed],
    year: i32,
) -> Result<Vec<(String, usize)>> {
    let Some(unit) = filed.first().map(|f| f.unit.clone()) else {
        return Ok(Vec::new());
    };
    let mut rng = Rng::new(mix(&[seed, mix_str(&unit.id), year as u64, 0xE7]));
    // The current version of each table: the last one filed.
    let mut current: BTreeMap<(&str, Option<&str>), &Filed> = BTreeMap::new();
    for f in filed {
        current.insert(
            (
                f.department.as_str(),
                f.person.as_ref().map(|p| p.0.as_str()),
            ),
            f,
        );
    }
    let mut out = Vec::new();
    let mut last_day = Date::new(year, 1, 1)?;

    // Review steps of the department tables.
    let mut reviews = Vec::new();
    for f in current.values().filter(|f| f.person.is_none()) {
        let mut day = f.submitted;
        let steps = if rng.chance(0.15) {
            1 + rng.below(3)
        } else {
            4
        };
        let mut order: Vec<ReviewStep> = ReviewStep::ORDER[..steps].to_vec();
        if steps >= 3 && rng.chance(0.05) {
            // Published before the party committee approved: the status refuses the step.
            order.swap(1, 2);
        }
        for step in order {
            day = day.add_days(1 + rng.below(6) as i64)?;
            let (by, scope) = match step {
                ReviewStep::Confirm => ("单位领导班子", ""),
                ReviewStep::Approve => ("党委", ""),
                ReviewStep::Publish => ("办公室", *rng.pick(&["机关内部", "社会公开"])),
                ReviewStep::File => ("纪检监察室", ""),
            };
            reviews.push(ReviewEvent {
                table: f.hash.clone(),
                step,
                by: by.to_owned(),
                at: format!("{day}T10:00:00+08:00"),
                scope: scope.to_owned(),
            });
            last_day = last_day.max(day);
        }
    }
    out.extend(finalize(&unit, reviews, last_day.add_days(1)?)?);

    // Archive events of the people who filed personal tables.
    let mut archive = Vec::new();
    let mut people: Vec<(&str, &str, bool)> = current
        .values()
        .filter_map(|f| {
            f.person
                .as_ref()
                .map(|(p, key)| (p.as_str(), f.department.as_str(), *key))
        })
        .collect();
    people.dedup();
    let mut n = 0usize;
    let mut next_id = |prefix: &str| {
        n += 1;
        format!("{}-{year}-{prefix}{n:03}", unit.id)
    };
    for (person, department, key_post) in &people {
        let base = |id: &str, day: Date, channel: &str, kind: &str| {
            json!({"id": id, "person": person, "department": department, "key_post": key_post,
                   "date": day, "source": channel, "kind": kind})
        };
        let reports = if rng.chance(0.3) { 1 + rng.below(3) } else { 0 };
        for _ in 0..reports {
            let day = Date::new(year, 1 + rng.below(11) as u8, 1 + rng.below(28) as u8)?;
            let id = next_id("r");
            let channel = *rng.pick(&PUBLIC_CHANNELS);
            let mut v = base(&id, day, channel, "report-received");
            v["complaints"] = json!(1 + rng.below(3));
            archive.push(event(v)?);
            let checked = day.add_days(10 + rng.below(20) as i64)?;
            let roll = rng.below(10);
            if roll < 4 {
                let severity = match rng.below(20) {
                    0 => "serious",
                    1..=5 => "heavier",
                    _ => "minor",
                };
                let mut v = base(&next_id("v"), checked, "office", "report-verified");
                v["refers_to"] = json!(id);
                v["severity"] = json!(severity);
                archive.push(event(v)?);
                let follow = if severity == "minor" {
                    "warning-given"
                } else {
                    "talk-held"
                };
                archive.push(event(base(
                    &next_id("f"),
                    checked.add_days(3)?,
                    "office",
                    follow,
                ))?);
            } else if roll < 8 {
                let mut v = base(&next_id("u"), checked, "office", "report-unfounded");
                v["refers_to"] = json!(id);
                archive.push(event(v)?);
            }
        }
        if rng.chance(0.05) {
            let day = Date::new(year, 12, 10)?;
            archive.push(event(base(
                &next_id("s"),
                day,
                "public-evaluation",
                "low-satisfaction",
            ))?);
        }
        if rng.chance(0.03) {
            let day = Date::new(year, 1 + rng.below(12) as u8, 1 + rng.below(28) as u8)?;
            let mut v = base(&next_id("l"), day, "case", "light-finding");
            v["severity"] = json!("minor");
            archive.push(event(v)?);
        }
        if rng.chance(0.01) {
            let day = Date::new(year, 1 + rng.below(12) as u8, 1 + rng.below(28) as u8)?;
            let mut v = base(&next_id("x"), day, "case", "sanction");
            v["severity"] = json!("heavier");
            v["until"] = json!(day.add_months(12)?);
            archive.push(event(v)?);
            archive.push(event(base(&next_id("k"), day, "case", "case-filed"))?);
        }
    }
    archive.sort_by_key(|e| e.date);
    out.extend(finalize(&unit, archive, Date::new(year, 12, 31)?)?);

    // The register: the assessment, candidates, obligations met.
    let mut register = vec![OfficeRecord::Assessment {
        id: format!("{}-{year}-score", unit.id),
        year,
        score: 68 + rng.below(31) as u8,
    }];
    if !people.is_empty() && rng.chance(0.5) {
        let (person, _, _) = people[rng.below(people.len())];
        register.push(OfficeRecord::Candidate {
            id: format!("{}-{year}-candidate", unit.id),
            person: person.to_owned(),
            post: "拟任科室负责人".to_owned(),
            date: Date::new(year, 12, 20)?,
        });
    }
    let obs = obligations(scheme, year)?;
    let departments: Vec<&str> = {
        let mut d: Vec<&str> = current.keys().map(|(d, _)| *d).collect();
        d.dedup();
        d
    };
    for department in departments {
        for o in obs.iter().filter(|o| !o.id.starts_with("table-")) {
            let roll = rng.below(100);
            let date = match roll {
                0..=5 => continue,
                6..=15 => o.due.add_days(1 + rng.below(20) as i64)?,
                _ => o.due.add_days(-(rng.below(15) as i64))?,
            };
            register.push(OfficeRecord::Completed {
                id: format!("{}-{department}-{}", unit.id, o.id),
                department: department.to_owned(),
                obligation: o.id.clone(),
                date,
            });
        }
    }
    out.extend(finalize(&unit, register, Date::new(year + 1, 2, 28)?)?);
    Ok(out)
}
