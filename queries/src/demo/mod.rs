//! A deterministic generator of realistic submissions for all four preset schemes.
//!
//! Every table is built as a draft and finished with [`Submission::finalize`], so every
//! submission is valid exactly as the form would make it. The same options always give the same
//! bytes. Units keep their departments, powers and risk points from year to year; each year a few
//! risk points appear or disappear and some are re-graded (the dynamic management the seeds ask
//! for), a few tables come in late or not at all, and a few are resubmitted (a newer version
//! superseding the first).
//!
//! Output is streamed as NDJSON, one file per scheme and year, so it scales to tens of millions
//! of risk points without holding them in memory. A handful of deliberately bad files go to a
//! separate folder ([`bad_files`]). Beside the tables, each unit and year gets the supervision
//! office's event batches — review steps of its tables, archive events of its people, and its
//! register (candidates, assessment score, obligations met) — in `events/<scheme>.ndjson`
//! (see `events.rs`), also built and checked through the core.

mod bad;
mod content;
mod events;
mod rng;

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sunlight_core::{
    DefenceLine, DepartmentRef, FlowStep, Measure, PersonRef, Power, RiskRow, Scheme,
    SelfCheckTable, Severity, Submission, UnitRef, presets::Registry,
};

pub use bad::{BadFile, bad_files};
use content::{PROFILES, Profile};
use rng::{Rng, mix, mix_str};

use crate::error::{Error, Result};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Units per preset scheme.
    pub units: usize,
    /// First and last year (inclusive); a scheme contributes only the years it applies to.
    pub years: (i32, i32),
    /// The seed: the same seed gives the same data.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            units: 2,
            years: (2012, 2014),
            seed: 1,
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Submissions written (every version).
    pub submissions: u64,
    /// Risk points written (every version).
    pub risk_points: u64,
    /// The NDJSON files of good submissions.
    pub files: Vec<PathBuf>,
    /// The folder of deliberately bad files.
    pub bad_dir: PathBuf,
    /// Event batches written (archive events, review steps, register entries).
    pub event_batches: u64,
    /// Events written in them.
    pub events: u64,
    /// The NDJSON files of event batches, one per scheme.
    pub event_files: Vec<PathBuf>,
}

/// What the event generator needs to know of a submitted table.
#[derive(Debug, Clone)]
struct Filed {
    hash: String,
    unit: UnitRef,
    department: String,
    /// The person of a personal table, and whether their post is a key post.
    person: Option<(String, bool)>,
    submitted: sunlight_core::Date,
}

/// One submission as written: its JSON line, its row count, and what the events need.
struct Emitted {
    line: String,
    rows: usize,
    filed: Filed,
}

/// Units generated together: bounds memory while keeping both cores busy.
const UNITS_PER_CHUNK: usize = 32;

/// Generates the demo data under `out`: `out/submissions/<scheme>/<year>.ndjson` and `out/bad/`.
/// `progress` is called with the risk points written so far.
pub fn generate(
    registry: &Registry,
    out: &Path,
    options: &Options,
    progress: &mut dyn FnMut(u64),
) -> Result<Summary> {
    if options.years.0 > options.years.1 {
        return Err(Error::Usage(format!(
            "the first year {} is after the last year {}",
            options.years.0, options.years.1
        )));
    }
    let mut summary = Summary::default();
    let events_dir = out.join("events");
    fs::create_dir_all(&events_dir)
        .map_err(|e| Error::io("creating the folder", &events_dir, e))?;
    for profile in &PROFILES {
        let scheme = registry.get(profile.scheme)?;
        let dir = out.join("submissions").join(profile.scheme);
        fs::create_dir_all(&dir).map_err(|e| Error::io("creating the folder", &dir, e))?;
        let events_path = events_dir.join(format!("{}.ndjson", profile.scheme));
        let mut events_out = BufWriter::new(
            File::create(&events_path).map_err(|e| Error::io("creating", &events_path, e))?,
        );
        for year in options.years.0..=options.years.1 {
            if !scheme.years.contains(i64::from(year)) {
                continue;
            }
            let path = dir.join(format!("{year}.ndjson"));
            let file = File::create(&path).map_err(|e| Error::io("creating", &path, e))?;
            let mut w = BufWriter::with_capacity(1 << 20, file);
            let units: Vec<usize> = (0..options.units).collect();
            for chunk in units.chunks(UNITS_PER_CHUNK) {
                let made: Vec<Result<Vec<Emitted>>> = chunk
                    .par_iter()
                    .map(|&u| unit_year(registry, scheme, profile, options, u, year))
                    .collect();
                for unit in made {
                    let unit = unit?;
                    for e in &unit {
                        w.write_all(e.line.as_bytes())
                            .and_then(|()| w.write_all(b"\n"))
                            .map_err(|err| Error::io("writing", &path, err))?;
                        summary.submissions += 1;
                        summary.risk_points += e.rows as u64;
                    }
                    let filed: Vec<Filed> = unit.into_iter().map(|e| e.filed).collect();
                    for (line, n) in events::unit_year(scheme, options.seed, &filed, year)? {
                        events_out
                            .write_all(line.as_bytes())
                            .and_then(|()| events_out.write_all(b"\n"))
                            .map_err(|err| Error::io("writing", &events_path, err))?;
                        summary.event_batches += 1;
                        summary.events += n as u64;
                    }
                }
                progress(summary.risk_points);
            }
            w.flush().map_err(|e| Error::io("writing", &path, e))?;
            summary.files.push(path);
        }
        events_out
            .flush()
            .map_err(|e| Error::io("writing", &events_path, e))?;
        summary.event_files.push(events_path);
    }
    let bad_dir = out.join("bad");
    fs::create_dir_all(&bad_dir).map_err(|e| Error::io("creating the folder", &bad_dir, e))?;
    let mut expected = String::from("# file\texpected rejection code\n");
    for b in bad_files(registry)? {
        let p = bad_dir.join(&b.name);
        fs::write(&p, &b.bytes).map_err(|e| Error::io("writing", &p, e))?;
        expected.push_str(&format!("{}\t{}\n", b.name, b.codes.join(",")));
    }
    let p = bad_dir.join("expected.tsv");
    fs::write(&p, expected).map_err(|e| Error::io("writing", &p, e))?;
    summary.bad_dir = bad_dir;
    Ok(summary)
}

fn unit_ref(profile: &Profile, u: usize) -> UnitRef {
    if u == 0 {
        UnitRef {
            id: profile.first_unit.0.to_owned(),
            name: profile.first_unit.1.to_owned(),
        }
    } else {
        UnitRef {
            id: format!("{}-{:05}", profile.unit_pattern.0, u + 1),
            name: profile.unit_pattern.1.replace("{n}", &(u + 1).to_string()),
        }
    }
}

/// Every submission of one unit in one year, as canonical JSON lines with their row counts.
fn unit_year(
    registry: &Registry,
    scheme: &Scheme,
    profile: &Profile,
    options: &Options,
    u: usize,
    year: i32,
) -> Result<Vec<Emitted>> {
    let unit = unit_ref(profile, u);
    let unit_seed = mix(&[options.seed, mix_str(profile.scheme), u as u64]);
    let first_year = options.years.0.max(scheme.years.from);
    let mut out = Vec::new();
    for (d, (dept_id, dept_name)) in profile.departments.iter().enumerate() {
        let dept = DepartmentRef {
            id: (*dept_id).to_owned(),
            name: (*dept_name).to_owned(),
        };
        let dept_seed = mix(&[unit_seed, d as u64]);
        // Department table.
        let mut yr = Rng::new(mix(&[dept_seed, year as u64, 1]));
        if year == first_year || !yr.chance(0.04) {
            let rows = rows_for(scheme, profile, dept_seed, year, 8, 17, None);
            let table = draft(scheme, &unit, &dept, year, None, rows);
            emit(registry, scheme, table, year, &mut yr, &mut out)?;
        }
        // Personal tables: one or two people per department.
        let mut people = Rng::new(mix(&[dept_seed, 7]));
        let n_people = 1 + people.below(2);
        for k in 0..n_people {
            let person_seed = mix(&[dept_seed, 100 + k as u64]);
            let mut pr = Rng::new(person_seed);
            let (post, key_post) = *pr.pick(content::POSTS);
            let person = PersonRef {
                id: format!("{}-{}-p{}", unit.id, dept.id, k + 1),
                name: format!("{}{}", pr.pick(content::SURNAMES), pr.pick(content::GIVEN)),
                post: post.to_owned(),
                key_post,
            };
            let mut yr = Rng::new(mix(&[person_seed, year as u64, 2]));
            if year != first_year && yr.chance(0.04) {
                continue;
            }
            let rows = rows_for(scheme, profile, person_seed, year, 3, 4, Some(post));
            let table = draft(scheme, &unit, &dept, year, Some(person), rows);
            emit(registry, scheme, table, year, &mut yr, &mut out)?;
        }
    }
    Ok(out)
}

fn draft(
    scheme: &Scheme,
    unit: &UnitRef,
    dept: &DepartmentRef,
    year: i32,
    person: Option<PersonRef>,
    rows: Vec<RiskRow>,
) -> SelfCheckTable {
    SelfCheckTable {
        scheme: scheme.id.clone(),
        year: i64::from(year),
        period: "annual".to_owned(),
        table: if person.is_some() {
            "personal"
        } else {
            "department"
        }
        .to_owned(),
        unit: unit.clone(),
        department: dept.clone(),
        person,
        rows,
        ..SelfCheckTable::default()
    }
}

/// Finalises a table (and sometimes a second, corrected version) and appends the JSON lines.
fn emit(
    registry: &Registry,
    scheme: &Scheme,
    table: SelfCheckTable,
    year: i32,
    rng: &mut Rng,
    out: &mut Vec<Emitted>,
) -> Result<()> {
    let late = rng.chance(0.05);
    let (at, date) = submitted_at(scheme, year, late, rng)?;
    let resubmit = rng.chance(0.03);
    let rows = table.rows.len();
    let second = resubmit.then(|| {
        let mut t = table.clone();
        if let Some(row) = t.rows.first_mut() {
            row.measures.push(Measure {
                line: DefenceLine::Disposal.as_str().to_owned(),
                kind: String::new(),
                text: "复查后补充：发现问题限期整改并通报".to_owned(),
            });
        }
        t
    });
    let filed = |sub: &Submission, submitted| {
        let t = sub.table();
        Filed {
            hash: sub.hash().to_owned(),
            unit: t.unit.clone(),
            department: t.department.id.clone(),
            person: t.person.as_ref().map(|p| (p.id.clone(), p.key_post)),
            submitted,
        }
    };
    let sub = Submission::finalize(registry, table, &at)?;
    out.push(Emitted {
        line: sub.to_json()?,
        rows,
        filed: filed(&sub, date),
    });
    if let Some(t) = second {
        let later = date.add_days(3 + rng.below(8) as i64)?;
        let at2 = format!("{later}T16:30:00+08:00");
        let sub = Submission::finalize(registry, t, &at2)?;
        out.push(Emitted {
            line: sub.to_json()?,
            rows,
            filed: filed(&sub, later),
        });
    }
    Ok(())
}

fn submitted_at(
    scheme: &Scheme,
    year: i32,
    late: bool,
    rng: &mut Rng,
) -> Result<(String, sunlight_core::Date)> {
    let phase = scheme
        .phase(&scheme.table_deadline)
        .ok_or_else(|| Error::Usage(format!("scheme '{}' names no deadline phase", scheme.id)))?;
    let start = phase.start.in_year(year)?;
    let end = phase.end.in_year(year)?;
    let date = if late {
        end.add_days(1 + rng.below(30) as i64)?
    } else {
        let span = start.days_until(end).max(0) as usize + 1;
        start.add_days(rng.below(span) as i64)?
    };
    let (h, m) = (9 + rng.below(9), rng.below(60));
    Ok((format!("{date}T{h:02}:{m:02}:00+08:00"), date))
}

/// The rows of one table for one year. Slots (power, step, risk point, base factors) are fixed by
/// `seed`; the year decides which are present and which are re-graded.
fn rows_for(
    scheme: &Scheme,
    profile: &Profile,
    seed: u64,
    year: i32,
    min: usize,
    spread: usize,
    post: Option<&str>,
) -> Vec<RiskRow> {
    let mut slots_rng = Rng::new(mix(&[seed, 11]));
    let n = min + slots_rng.below(spread);
    let mut seen = HashSet::new();
    let mut rows = Vec::with_capacity(n);
    for k in 0..n {
        let (p, s, ph) = loop {
            let key = (
                slots_rng.below(profile.powers.len()),
                slots_rng.below(content::STEPS.len()),
                slots_rng.below(content::RISK_PHRASES.len()),
            );
            if seen.insert(key) {
                break key;
            }
        };
        let base = pick_factors(scheme, &mut slots_rng);
        let risk_type = slots_rng.pick(&scheme.risk_types).id.clone();
        let slot_post = post.map_or_else(
            || slots_rng.pick(content::POSTS).0.to_owned(),
            str::to_owned,
        );
        let mut yr = Rng::new(mix(&[seed, k as u64, year as u64]));
        if !yr.chance(0.9) {
            continue;
        }
        let factors = if yr.chance(0.12) {
            pick_factors(scheme, &mut yr)
        } else {
            base
        };
        let power = &profile.powers[p];
        let (step, subject, time_limit) = content::STEPS[s];
        let mut row = RiskRow {
            power: Power {
                name: power.name.to_owned(),
                category: power.category.to_owned(),
                item: power.item.to_owned(),
                basis: power.basis.to_owned(),
                limits: power.limits.to_owned(),
                department: String::new(),
            },
            step: FlowStep {
                name: step.to_owned(),
                subject: subject.to_owned(),
                conditions: String::new(),
                procedure: String::new(),
                time_limit: time_limit.to_owned(),
                supervision: "纪检监察室全程监督".to_owned(),
            },
            post: slot_post,
            risk_point: content::RISK_PHRASES[ph].replace("{p}", power.name),
            risk_type,
            factors,
            ..RiskRow::default()
        };
        finish_row(scheme, &mut row, &mut yr);
        rows.push(row);
    }
    if rows.is_empty() {
        // A table needs at least one row: keep the first slot whatever the year says.
        let mut r = Rng::new(mix(&[seed, 99, year as u64]));
        let power = &profile.powers[0];
        let mut row = RiskRow {
            power: Power {
                name: power.name.to_owned(),
                category: power.category.to_owned(),
                basis: power.basis.to_owned(),
                ..Power::default()
            },
            post: post.unwrap_or("经办人员").to_owned(),
            risk_point: content::RISK_PHRASES[0].replace("{p}", power.name),
            risk_type: r.pick(&scheme.risk_types).id.clone(),
            factors: pick_factors(scheme, &mut r),
            ..RiskRow::default()
        };
        finish_row(scheme, &mut row, &mut r);
        rows.push(row);
    }
    rows
}

fn pick_factors(scheme: &Scheme, rng: &mut Rng) -> BTreeMap<String, String> {
    scheme
        .factors
        .iter()
        .filter_map(|f| {
            // Later options (lower risk) are more common: pick the lowest of two draws' ranks
            // from the end.
            let n = f.options.len();
            let i = rng.below(n).max(rng.below(n));
            f.options.get(i).map(|o| (f.id.clone(), o.id.clone()))
        })
        .collect()
}

/// Measures, the responsible person and (rarely) a stated level that overrides the grade.
fn finish_row(scheme: &Scheme, row: &mut RiskRow, rng: &mut Rng) {
    let grade = sunlight_core::grade(scheme, &row.factors).ok();
    let severity = grade.as_ref().map_or(Severity::Low, |g| g.severity);
    let mut level = grade.as_ref().map(|g| g.level.clone());
    if rng.chance(0.03)
        && let Some(other) = scheme.levels.iter().find(|l| Some(&l.id) != level.as_ref())
    {
        row.level = Some(other.id.clone());
        row.level_reason = rng.pick(content::OVERRIDE_REASONS).to_string();
        level = Some(other.id.clone());
    }
    let overridden = !row.level_reason.is_empty();
    let lines: Vec<DefenceLine> = if severity == Severity::High || overridden {
        if scheme.policy.full_defence_as == sunlight_core::IssueSeverity::Warning
            && !overridden
            && rng.chance(0.1)
        {
            vec![DefenceLine::Prevention, DefenceLine::Monitoring]
        } else {
            DefenceLine::ALL.to_vec()
        }
    } else {
        let n = 1 + rng.below(3);
        (0..n).map(|_| *rng.pick(&DefenceLine::ALL)).collect()
    };
    for line in lines {
        let kinds: Vec<_> = scheme.measures.iter().filter(|m| m.line == line).collect();
        if kinds.is_empty() {
            continue;
        }
        let kind = kinds[rng.below(kinds.len())];
        if row.measures.iter().any(|m| m.kind == kind.id) {
            continue;
        }
        row.measures.push(Measure {
            line: line.as_str().to_owned(),
            kind: kind.id.clone(),
            text: format!("{}，{}", kind.name.zh, rng.pick(content::MEASURE_DETAILS)),
        });
    }
    row.responsible = level
        .and_then(|l| scheme.responsible_for(&l).ok())
        .map_or_else(String::new, |r| r.name.zh.clone());
}
