//! `responsible_for(scheme, level)`: the id of the role that answers for a level (分级管理),
//! as [`sunlight_core::Scheme::responsible_for`] says.

use std::sync::Arc;

use datafusion::arrow::array::StringBuilder;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use sunlight_core::presets::Registry;

use super::args::{answer, arrays, text_arg, texts};

/// The `responsible_for` scalar function.
#[derive(Debug)]
pub struct ResponsibleFor {
    signature: Signature,
    registry: &'static Registry,
}

impl ResponsibleFor {
    /// The function over the schemes of `registry`.
    pub fn new(registry: &'static Registry) -> Self {
        ResponsibleFor {
            signature: Signature::user_defined(Volatility::Immutable),
            registry,
        }
    }
}

super::args::same_registry!(ResponsibleFor, NAME);

const NAME: &str = "responsible_for";

impl ScalarUDFImpl for ResponsibleFor {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [scheme, level] = arg_types else {
            return plan_err!(
                "{NAME} takes two arguments, (scheme, level), but {} were given",
                arg_types.len()
            );
        };
        Ok(vec![
            text_arg(NAME, 1, "scheme", scheme)?,
            text_arg(NAME, 2, "level", level)?,
        ])
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let ([schemes, levels], all_scalar) = arrays::<2>(NAME, &args)?;
        let schemes = texts(NAME, "scheme", &schemes)?;
        let levels = texts(NAME, "level", &levels)?;
        let mut out = StringBuilder::with_capacity(schemes.len(), schemes.len() * 16);
        for (i, (scheme, level)) in schemes.iter().zip(levels).enumerate() {
            let (Some(scheme), Some(level)) = (scheme, level) else {
                out.append_null();
                continue;
            };
            let role = self
                .registry
                .get(scheme)
                .and_then(|s| s.responsible_for(level));
            match role {
                Ok(r) => out.append_value(&r.id),
                Err(e) => return exec_err!("{NAME}: row {}: {e}", i + 1),
            }
        }
        answer(Arc::new(out.finish()), all_scalar)
    }
}
