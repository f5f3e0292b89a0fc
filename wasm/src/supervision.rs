//! The supervision rules in the browser: the same core functions the analytics run.

use js_sys::Error;
use sunlight_core::Date;
use sunlight_core::model::ArchiveEvent;
use sunlight_core::rules::{deadlines, decision, rating, response, vetting, workflow, yellow_card};
use wasm_bindgen::prelude::*;

use crate::convert::{from_js, into_error, list_from_js, to_js};
use crate::scheme;

fn date(s: &str, what: &str) -> Result<Date, Error> {
    s.parse()
        .map_err(|e| into_error(format!("the {what}: {e}")))
}

fn events(value: JsValue) -> Result<Vec<ArchiveEvent>, Error> {
    list_from_js(value, "archive events")
}

/// A table's review status (确定 → 审定 → 公示 → 备案) derived from its events, with every
/// refused event and why.
#[wasm_bindgen(js_name = reviewStatus)]
pub fn review_status(
    table: &str,
    #[wasm_bindgen(unchecked_param_type = "ReviewEvent[]")] events: JsValue,
) -> Result<JsValue, Error> {
    let list: Vec<workflow::ReviewEvent> = list_from_js(events, "review events")?;
    to_js(&workflow::status(table, &list))
}

/// The graduated response (seed 003) for a person from their archive events dated `from..=to`.
#[wasm_bindgen(js_name = recommendResponse)]
pub fn recommend_response(
    #[wasm_bindgen(js_name = schemeId)] scheme_id: &str,
    person: &str,
    #[wasm_bindgen(unchecked_param_type = "ArchiveEvent[]")] archive: JsValue,
    from: &str,
    to: &str,
) -> Result<JsValue, Error> {
    let s = scheme(scheme_id)?;
    to_js(&response::recommend(
        &s.supervision,
        person,
        &events(archive)?,
        date(from, "first day")?,
        date(to, "last day")?,
    ))
}

/// The yellow card (seed 004) for a person in a year, or `null`.
#[wasm_bindgen(js_name = yellowCard)]
pub fn yellow_card_for(
    #[wasm_bindgen(js_name = schemeId)] scheme_id: &str,
    person: &str,
    #[wasm_bindgen(unchecked_param_type = "ArchiveEvent[]")] archive: JsValue,
    year: i32,
) -> Result<JsValue, Error> {
    let s = scheme(scheme_id)?;
    to_js(&yellow_card::yellow_card(
        &s.supervision,
        person,
        &events(archive)?,
        year,
    ))
}

/// Promotion vetting (seed 002, articles 12–14) of a candidate on a date.
#[wasm_bindgen(js_name = vetCandidate)]
pub fn vet_candidate(
    person: &str,
    #[wasm_bindgen(unchecked_param_type = "ArchiveEvent[]")] archive: JsValue,
    on: &str,
) -> Result<JsValue, Error> {
    to_js(&vetting::vet(
        person,
        &events(archive)?,
        date(on, "vetting date")?,
    ))
}

/// The triggers of article 10 (seed 002) that apply to a decision record, and what follows.
#[wasm_bindgen(js_name = decisionAccountability)]
pub fn decision_accountability(
    #[wasm_bindgen(unchecked_param_type = "DecisionRecord")] record: JsValue,
) -> Result<JsValue, Error> {
    let r: decision::DecisionRecord = from_js(record, "decision record")?;
    let (triggers, disposition) = decision::accountability(&r);
    to_js(&serde_json::json!({ "triggers": triggers, "disposition": disposition }))
}

/// The dated obligations a scheme and the seeds' rules create for a department in a year.
#[wasm_bindgen(js_name = obligations)]
pub fn obligations(
    #[wasm_bindgen(js_name = schemeId)] scheme_id: &str,
    year: i32,
) -> Result<JsValue, Error> {
    to_js(&deadlines::obligations(scheme(scheme_id)?, year).map_err(into_error)?)
}

/// The unit rating with every cap explained (seed 004).
#[wasm_bindgen(js_name = rateUnit)]
pub fn rate_unit(
    #[wasm_bindgen(js_name = schemeId)] scheme_id: &str,
    #[wasm_bindgen(unchecked_param_type = "RatingInput")] input: JsValue,
) -> Result<JsValue, Error> {
    let s = scheme(scheme_id)?;
    let i: rating::RatingInput = from_js(input, "rating input")?;
    to_js(&rating::rate(&s.supervision, &i).map_err(into_error)?)
}
