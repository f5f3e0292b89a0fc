//! `MIN` and `MAX` as DataFusion's, with a cheaper grouped form for texts.
//!
//! Reports and analysts take names with a grouped `MIN(unit_name)`, `MIN(scheme)` and the like.
//! DataFusion 55 keeps a grouped text minimum per group as it should, but finds each batch's
//! candidates through a `HashMap` (SipHash) built for that batch, so every row pays a hash, a
//! probe and an insert.
//!
//! Here each row is compared with its group's value in place, and a group's value is rewritten
//! only when the row's text beats it; a row with the same group and text as the row before it
//! (a table's rows lie together) is not compared at all. The values live in one buffer, not one
//! allocation per group. Measured on the report's `units` query as it was then, with its names
//! taken over every risk point of the year (10 M risk points, 3.07 M rows a year): its first
//! grouping took 146 ms of compute against 189 ms with DataFusion's accumulator (110 ms without
//! the two `MIN`s). The query now takes the names from `submissions`, still through `MIN`.
//! Everything else (types, coercion, statistics, windows, ungrouped and sliding accumulators,
//! other argument types) is DataFusion's own `min`/`max`, which these replace by name.

use std::mem::size_of;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, StringViewBuilder};
use datafusion::arrow::compute::{not, nullif, prep_null_mask_filter};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, ScalarValue, exec_datafusion_err};
use datafusion::functions_aggregate::min_max::{max_udaf, min_udaf};
use datafusion::logical_expr::expr::{AggregateFunction, AggregateFunctionParams};
use datafusion::logical_expr::function::{
    AccumulatorArgs, AggregateFunctionSimplification, StateFieldsArgs,
};
use datafusion::logical_expr::utils::AggregateOrderSensitivity;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Documentation, EmitTo, Expr, GroupsAccumulator,
    Operator, ReversedUDAF, SetMonotonicity, Signature, StatisticsArgs,
};

/// `min` or `max`: DataFusion's function, with [`TextGroups`] for grouped `Utf8View` arguments.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct TextMinMax {
    inner: AggregateUDF,
    is_min: bool,
}

impl TextMinMax {
    /// `MIN`, to be registered in place of DataFusion's.
    pub fn min() -> Self {
        TextMinMax {
            inner: min_udaf().as_ref().clone(),
            is_min: true,
        }
    }

    /// `MAX`, to be registered in place of DataFusion's.
    pub fn max() -> Self {
        TextMinMax {
            inner: max_udaf().as_ref().clone(),
            is_min: false,
        }
    }

    fn imp(&self) -> &Arc<dyn AggregateUDFImpl> {
        self.inner.inner()
    }
}

impl AggregateUDFImpl for TextMinMax {
    fn name(&self) -> &str {
        self.imp().name()
    }

    fn aliases(&self) -> &[String] {
        self.imp().aliases()
    }

    fn signature(&self) -> &Signature {
        self.imp().signature()
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.imp().return_type(arg_types)
    }

    fn return_field(&self, arg_fields: &[FieldRef]) -> Result<FieldRef> {
        self.imp().return_field(arg_fields)
    }

    fn is_nullable(&self) -> bool {
        self.imp().is_nullable()
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        self.imp().accumulator(acc_args)
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        self.imp().state_fields(args)
    }

    fn groups_accumulator_supported(&self, args: AccumulatorArgs) -> bool {
        self.imp().groups_accumulator_supported(args)
    }

    fn create_groups_accumulator(
        &self,
        args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        if args.return_field.data_type() == &DataType::Utf8View {
            Ok(Box::new(TextGroups::new(self.is_min)))
        } else {
            self.imp().create_groups_accumulator(args)
        }
    }

    fn create_sliding_accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        self.imp().create_sliding_accumulator(args)
    }

    fn order_sensitivity(&self) -> AggregateOrderSensitivity {
        self.imp().order_sensitivity()
    }

    fn simplify(&self) -> Option<AggregateFunctionSimplification> {
        self.imp().simplify()
    }

    fn simplify_expr_op_literal(
        &self,
        agg_function: &AggregateFunction,
        arg: &Expr,
        op: Operator,
        lit: &Expr,
        arg_is_left: bool,
    ) -> Result<Option<Expr>> {
        self.imp()
            .simplify_expr_op_literal(agg_function, arg, op, lit, arg_is_left)
    }

    fn reverse_expr(&self) -> ReversedUDAF {
        self.imp().reverse_expr()
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.imp().coerce_types(arg_types)
    }

    fn is_descending(&self) -> Option<bool> {
        self.imp().is_descending()
    }

    fn value_from_stats(&self, statistics_args: &StatisticsArgs) -> Option<ScalarValue> {
        self.imp().value_from_stats(statistics_args)
    }

    fn default_value(&self, data_type: &DataType) -> Result<ScalarValue> {
        self.imp().default_value(data_type)
    }

    fn supports_null_handling_clause(&self) -> bool {
        self.imp().supports_null_handling_clause()
    }

    fn supports_within_group_clause(&self) -> bool {
        self.imp().supports_within_group_clause()
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.imp().documentation()
    }

    fn set_monotonicity(&self, data_type: &DataType) -> SetMonotonicity {
        self.imp().set_monotonicity(data_type)
    }

    fn schema_name(&self, params: &AggregateFunctionParams) -> Result<String> {
        self.imp().schema_name(params)
    }

    fn display_name(&self, params: &AggregateFunctionParams) -> Result<String> {
        self.imp().display_name(params)
    }

    fn human_display(&self, params: &AggregateFunctionParams) -> Result<String> {
        self.imp().human_display(params)
    }
}

/// Where a group's value is in [`TextGroups::bytes`].
#[derive(Clone, Copy, Debug)]
struct Span {
    start: usize,
    len: usize,
}

/// The grouped minimum or maximum of `Utf8View` texts: one span per group into one buffer.
///
/// A value that is beaten by a longer one is left behind in the buffer; the buffer is compacted
/// when more than half of it (and over a mebibyte) is such garbage, and when the first groups are
/// emitted.
#[derive(Debug)]
struct TextGroups {
    is_min: bool,
    spans: Vec<Option<Span>>,
    bytes: Vec<u8>,
    /// Bytes of `bytes` that some group's span covers.
    live: usize,
}

impl TextGroups {
    fn new(is_min: bool) -> Self {
        TextGroups {
            is_min,
            spans: Vec::new(),
            bytes: Vec::new(),
            live: 0,
        }
    }

    /// Sets group `group`'s value to `new`: in place when the old one is at least as long.
    fn set(&mut self, group: usize, new: &[u8]) {
        match self.spans[group] {
            Some(old) if old.len >= new.len() => {
                self.bytes[old.start..old.start + new.len()].copy_from_slice(new);
                self.live -= old.len - new.len();
                self.spans[group] = Some(Span {
                    start: old.start,
                    len: new.len(),
                });
            }
            old => {
                if let Some(old) = old {
                    self.live -= old.len;
                }
                let start = self.bytes.len();
                self.bytes.extend_from_slice(new);
                self.live += new.len();
                self.spans[group] = Some(Span {
                    start,
                    len: new.len(),
                });
                if self.bytes.len() > (1 << 20) && self.bytes.len() > 2 * self.live {
                    self.compact();
                }
            }
        }
    }

    /// Rewrites the buffer with only the groups' values, in group order.
    fn compact(&mut self) {
        let mut bytes = Vec::with_capacity(self.live);
        for span in self.spans.iter_mut().flatten() {
            let start = bytes.len();
            bytes.extend_from_slice(&self.bytes[span.start..span.start + span.len]);
            span.start = start;
        }
        self.bytes = bytes;
    }

    /// The array of the groups `emit_to` names, which leave the accumulator.
    fn emit(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let n = match emit_to {
            EmitTo::All => self.spans.len(),
            EmitTo::First(n) => n.min(self.spans.len()),
        };
        let mut out = StringViewBuilder::with_capacity(n);
        for span in &self.spans[..n] {
            match span {
                Some(span) => {
                    let text = std::str::from_utf8(&self.bytes[span.start..span.start + span.len])
                        .map_err(|e| exec_datafusion_err!("min/max of texts: {e}"))?;
                    out.append_value(text);
                }
                None => out.append_null(),
            }
        }
        if n == self.spans.len() {
            self.spans = Vec::new();
            self.bytes = Vec::new();
            self.live = 0;
        } else {
            self.spans.drain(..n);
            self.live = self.spans.iter().flatten().map(|s| s.len).sum();
            self.compact();
        }
        Ok(Arc::new(out.finish()))
    }
}

impl GroupsAccumulator for TextGroups {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        let array = values
            .first()
            .and_then(|a| a.as_string_view_opt())
            .ok_or_else(|| {
                exec_datafusion_err!("min/max of texts: the argument is not Utf8View")
            })?;
        if array.len() != group_indices.len() {
            return Err(exec_datafusion_err!(
                "min/max of texts: {} values for {} group indices",
                array.len(),
                group_indices.len()
            ));
        }
        self.spans.resize(total_num_groups, None);
        // Rows come in runs of one table (one unit and department, one name): a row with the
        // same group and the same view as the row before it cannot change the group's value.
        // Equal views of one array are equal texts (inline bytes, or the same place in the same
        // buffer).
        let views = array.views();
        let mut last: Option<(usize, u128)> = None;
        for (row, &group) in group_indices.iter().enumerate() {
            if array.is_null(row) {
                continue;
            }
            if opt_filter.is_some_and(|f| !f.is_valid(row) || !f.value(row)) {
                continue;
            }
            let view = views[row];
            if last == Some((group, view)) {
                continue;
            }
            last = Some((group, view));
            let new = array.value(row).as_bytes();
            let beats = match self.spans[group] {
                None => true,
                Some(old) => {
                    let old = &self.bytes[old.start..old.start + old.len];
                    if self.is_min { new < old } else { new > old }
                }
            };
            if beats {
                self.set(group, new);
            }
        }
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        self.emit(emit_to)
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.emit(emit_to)?])
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        // A minimum is its own state.
        self.update_batch(values, group_indices, None, total_num_groups)
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        let array = values
            .first()
            .ok_or_else(|| exec_datafusion_err!("min/max of texts: no argument"))?;
        Ok(vec![match opt_filter {
            None => Arc::clone(array),
            // Rows the filter leaves out (false or null) become nulls, which the merge skips.
            Some(filter) => nullif(array, &not(&prep_null_mask_filter(filter))?)?,
        }])
    }

    fn size(&self) -> usize {
        self.spans.capacity() * size_of::<Option<Span>>() + self.bytes.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::StringViewArray;

    fn texts(values: &[Option<&str>]) -> ArrayRef {
        Arc::new(StringViewArray::from(values.to_vec()))
    }

    fn strings(array: &ArrayRef) -> Vec<Option<String>> {
        array
            .as_string_view()
            .iter()
            .map(|v| v.map(str::to_owned))
            .collect()
    }

    #[test]
    fn keeps_the_least_and_the_greatest_text_of_each_group() -> Result<()> {
        let values = texts(&[
            Some("乙单位"),
            Some("甲单位"),
            None,
            Some("a much longer text than twelve bytes"),
            Some("b"),
            Some("a"),
        ]);
        let groups = [0, 0, 1, 2, 2, 2];
        let mut min = TextGroups::new(true);
        min.update_batch(&[Arc::clone(&values)], &groups, None, 3)?;
        let mut max = TextGroups::new(false);
        max.update_batch(&[values], &groups, None, 3)?;
        assert_eq!(
            strings(&min.evaluate(EmitTo::All)?),
            [Some("乙单位".into()), None, Some("a".into())]
        );
        assert_eq!(
            strings(&max.evaluate(EmitTo::All)?),
            [Some("甲单位".into()), None, Some("b".into())]
        );
        Ok(())
    }

    #[test]
    fn skips_rows_the_filter_leaves_out_and_merges_states() -> Result<()> {
        let values = texts(&[Some("c"), Some("a"), Some("b")]);
        let filter = BooleanArray::from(vec![Some(true), None, Some(false)]);
        let mut acc = TextGroups::new(true);
        acc.update_batch(&[Arc::clone(&values)], &[0, 0, 1], Some(&filter), 2)?;
        let state = acc.convert_to_state(&[Arc::clone(&values)], Some(&filter))?;
        assert_eq!(strings(&state[0]), [Some("c".into()), None, None]);
        let mut merged = TextGroups::new(true);
        merged.merge_batch(&acc.state(EmitTo::All)?, &[1, 0], 2)?;
        merged.merge_batch(&[texts(&[Some("bb")])], &[0], 2)?;
        assert_eq!(
            strings(&merged.evaluate(EmitTo::All)?),
            [Some("bb".into()), Some("c".into())]
        );
        Ok(())
    }

    #[test]
    fn emits_the_first_groups_and_keeps_the_rest() -> Result<()> {
        let mut acc = TextGroups::new(true);
        let long = "x".repeat(40);
        acc.update_batch(
            &[texts(&[Some(&long), Some("short"), Some("zz"), Some("y")])],
            &[0, 1, 2, 2],
            None,
            3,
        )?;
        assert_eq!(strings(&acc.evaluate(EmitTo::First(1))?), [Some(long)]);
        acc.update_batch(&[texts(&[Some("r")])], &[0], None, 2)?;
        assert_eq!(
            strings(&acc.evaluate(EmitTo::All)?),
            [Some("r".into()), Some("y".into())]
        );
        assert_eq!(acc.size(), 0);
        Ok(())
    }

    #[test]
    fn compacts_values_left_behind() -> Result<()> {
        let mut acc = TextGroups::new(false);
        // Each longer value is appended; the shorter ones before it become garbage.
        for len in 1..=2000 {
            let text = "字".repeat(len);
            acc.update_batch(&[texts(&[Some(&text)])], &[0], None, 1)?;
        }
        assert!(acc.bytes.len() <= 2 * acc.live + (1 << 20));
        assert_eq!(
            strings(&acc.evaluate(EmitTo::All)?),
            [Some("字".repeat(2000))]
        );
        Ok(())
    }
}
