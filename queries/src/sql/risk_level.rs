//! `risk_level(scheme, factors)`: the level the core grades a risk point at.
//!
//! `factors` is either a JSON object of factor id → option id (as the `factors` column of
//! `risk_points` holds it) or a map (`MAP {'consequence': 'crime'}`). The grading is
//! [`sunlight_core::grade`], the function the form and the ingest call, so SQL, form and store
//! always agree.

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, MapArray, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use sunlight_core::presets::Registry;

use super::args::{answer, arrays, is_text, text_arg, texts};

/// The `risk_level` scalar function.
#[derive(Debug)]
pub struct RiskLevel {
    signature: Signature,
    registry: &'static Registry,
}

impl RiskLevel {
    /// The function over the schemes of `registry`.
    pub fn new(registry: &'static Registry) -> Self {
        RiskLevel {
            signature: Signature::user_defined(Volatility::Immutable),
            registry,
        }
    }
}

super::args::same_registry!(RiskLevel, NAME);

const NAME: &str = "risk_level";

impl ScalarUDFImpl for RiskLevel {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [scheme, factors] = arg_types else {
            return plan_err!(
                "{NAME} takes two arguments, (scheme, factors), but {} were given",
                arg_types.len()
            );
        };
        let factors = match factors {
            DataType::Map(_, _) => factors.clone(),
            t if is_text(t) => DataType::Utf8,
            t => {
                return plan_err!(
                    "{NAME}: argument 2 (factors) must be a JSON object as text or a map of factor → option, but it is {t}"
                );
            }
        };
        Ok(vec![text_arg(NAME, 1, "scheme", scheme)?, factors])
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let ([schemes, factors], all_scalar) = arrays::<2>(NAME, &args)?;
        let schemes = texts(NAME, "scheme", &schemes)?;
        let factor_rows = factor_maps(&factors)?;
        let mut out = StringBuilder::with_capacity(schemes.len(), schemes.len() * 8);
        let mut last: Option<(&str, &sunlight_core::Scheme)> = None;
        for (i, (scheme, factors)) in schemes.into_iter().zip(factor_rows).enumerate() {
            let (Some(scheme_id), Some(factors)) = (scheme, factors) else {
                out.append_null();
                continue;
            };
            let factors = factors.map_err(|m| {
                datafusion::error::DataFusionError::Execution(format!("{NAME}: row {}: {m}", i + 1))
            })?;
            let scheme = match last {
                Some((id, s)) if id == scheme_id => s,
                _ => match self.registry.get(scheme_id) {
                    Ok(s) => {
                        last = Some((scheme_id, s));
                        s
                    }
                    Err(e) => return exec_err!("{NAME}: row {}: {e}", i + 1),
                },
            };
            match sunlight_core::grade(scheme, &factors) {
                Ok(g) => out.append_value(&g.level),
                Err(e) => return exec_err!("{NAME}: row {}: {e}", i + 1),
            }
        }
        answer(Arc::new(out.finish()), all_scalar)
    }
}

type Factors = std::result::Result<BTreeMap<String, String>, String>;

/// The factors of every row: `None` for a null, an error text for a value that is not usable.
fn factor_maps(a: &ArrayRef) -> Result<Vec<Option<Factors>>> {
    if let DataType::Map(_, _) = a.data_type() {
        return map_rows(a.as_map());
    }
    let rows = texts(NAME, "factors", a)?;
    Ok(rows
        .into_iter()
        .map(|t| {
            t.map(|text| {
                serde_json::from_str::<BTreeMap<String, String>>(text).map_err(|e| {
                    format!(
                        "factors must be a JSON object of factor → option text, such as {{\"consequence\": \"crime\"}}: {e}"
                    )
                })
            })
        })
        .collect())
}

fn map_rows(m: &MapArray) -> Result<Vec<Option<Factors>>> {
    let keys = cast(m.keys(), &DataType::Utf8)?;
    let values = cast(m.values(), &DataType::Utf8)?;
    let keys = keys.as_string::<i32>();
    let values = values.as_string::<i32>();
    let offsets = m.value_offsets();
    let mut out = Vec::with_capacity(m.len());
    for i in 0..m.len() {
        if m.is_null(i) {
            out.push(None);
            continue;
        }
        let (start, end) = (offsets[i] as usize, offsets[i + 1] as usize);
        let mut f = BTreeMap::new();
        let mut bad = None;
        for j in start..end {
            if values.is_null(j) {
                bad = Some(format!("factor '{}' has no value", keys.value(j)));
                break;
            }
            f.insert(keys.value(j).to_owned(), values.value(j).to_owned());
        }
        out.push(Some(bad.map_or(Ok(f), Err)));
    }
    Ok(out)
}
