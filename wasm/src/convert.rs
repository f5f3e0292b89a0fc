//! Crossing the boundary: JavaScript values in and out, and errors as JavaScript `Error`s.

use std::fmt::Display;

use js_sys::{Array, Error, JSON};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

/// Any error as a JavaScript `Error` carrying its message (ruff's `into_error`).
pub(crate) fn into_error(e: impl Display) -> Error {
    Error::new(&e.to_string())
}

/// A Rust value as a plain JavaScript value: objects (never `Map`s), arrays, strings, numbers,
/// `null` for absent values.
///
/// Written as one JSON text and parsed by the engine's `JSON.parse`: one string crosses the
/// boundary instead of one call per member, which is several times faster for a 200-row report.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, Error> {
    let text = serde_json::to_string(value)
        .map_err(|e| into_error(format!("cannot pass the result to JavaScript: {e}")))?;
    JSON::parse(&text).map_err(|e| {
        into_error(format!(
            "cannot pass the result to JavaScript: {}",
            describe_error(&e)
        ))
    })
}

/// What a JavaScript value is, in words, for messages.
fn describe(value: &JsValue) -> String {
    if value.is_null() {
        "null".into()
    } else if value.is_undefined() {
        "undefined".into()
    } else if Array::is_array(value) {
        "an array".into()
    } else {
        format!("a {}", value.js_typeof().as_string().unwrap_or_default())
    }
}

/// A plain object argument read into `T`; `what` names it in the error message.
///
/// The object goes through `JSON.stringify` and the core's JSON reader rather than walking the
/// JavaScript object, so the browser reads a table exactly as ingest reads the submitted text:
/// an unknown member (a typo such as `risk_piont`) is an error here too, not silently dropped.
pub(crate) fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, Error> {
    if !value.is_object() || Array::is_array(&value) {
        return Err(into_error(format!(
            "the {what} must be an object, not {}",
            describe(&value)
        )));
    }
    read_json(&value, what, "is")
}

/// `value` through `JSON.stringify` and the core's JSON reader; `verb` agrees with `what`.
fn read_json<T: DeserializeOwned>(value: &JsValue, what: &str, verb: &str) -> Result<T, Error> {
    let text: String = JSON::stringify(value)
        .map_err(|e| {
            into_error(format!(
                "the {what} cannot be written as JSON: {}",
                describe_error(&e)
            ))
        })?
        .into();
    serde_json::from_str(&text)
        .map_err(|e| into_error(format!("the {what} {verb} not of the expected shape: {e}")))
}

/// The message of a thrown JavaScript value.
fn describe_error(e: &JsValue) -> String {
    e.dyn_ref::<Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| describe(e))
}

/// A JavaScript array argument read into a `Vec<T>`; `what` names it in the error message.
pub(crate) fn list_from_js<T: DeserializeOwned>(
    value: JsValue,
    what: &str,
) -> Result<Vec<T>, Error> {
    if !Array::is_array(&value) {
        return Err(into_error(format!(
            "the {what} must be an array, not {}",
            describe(&value)
        )));
    }
    read_json(&value, what, "are")
}
