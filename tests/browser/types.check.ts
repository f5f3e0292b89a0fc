// Compile-only check that the package's TypeScript declarations describe what a portal uses:
// `tsc -p tests/browser/tsconfig.json` (scripts/test.d/20-wasm.sh runs it after the build).
// The @ts-expect-error lines fail the check if the types become too loose.

import init, {
  finalizeTable,
  formDefinition,
  gradeRiskPoint,
  listSchemes,
  TableChecker,
  validateTable,
  verifySubmission,
  type Grade,
  type Issue,
  type SelfCheckTable,
  type ValidationResult,
  type ValidationUpdate,
} from '../../wasm/pkg/sunlight_wasm.js';
import type { SubmitDetail, SunlightSelfCheck } from '../../wasm/pkg/sunlight-self-check.js';

export async function portal(): Promise<string[]> {
  await init();
  const out: string[] = [];
  const schemes = listSchemes();
  out.push(schemes[0].levels[0].name.zh, schemes[0].risk_types[0].id);
  const form = formDefinition('town-2012', 'department');
  out.push(...form.row.filter((f) => f.input === 'select').map((f) => f.path));
  out.push(form.measure_lines[0].kinds[0]?.name.en ?? '');
  const g: Grade = gradeRiskPoint('town-2012', { importance: 'high', discretion: 'large', probability: 'high', harm: 'severe' });
  out.push(g.responsible_name.zh, g.reasons[0].text.en);
  const table: SelfCheckTable = { scheme: 'town-2012', year: 2012, rows: [{ factors: { harm: 'minor' }, measures: [{ line: 'prevention' }] }] };
  const v: ValidationResult = validateTable(table);
  const issues: Issue[] = [...v.errors, ...v.warnings];
  out.push(...issues.map((i) => `${i.path} ${i.message.zh}`), v.grades[0]?.level ?? 'not graded');
  const checker = new TableChecker();
  const full: ValidationResult = checker.check(table);
  const update: ValidationUpdate = checker.checkRow(0, { factors: { harm: 'severe' } });
  out.push(String(full.ok), ...update.rows.map((r) => `${r.row} ${r.grade?.level ?? ''} ${r.errors.length}`), String(update.head.errors.length));
  const added: ValidationResult = checker.insertRow(1, { factors: { harm: 'minor' } });
  const removed: ValidationResult = checker.removeRow(0);
  out.push(String(added.grades.length), String(removed.ok));
  checker.free();
  const fin = finalizeTable(table, '2012-08-20T10:00:00+08:00');
  if (fin.ok) out.push(fin.json, fin.hash);
  else out.push(String(fin.errors.length));
  const ver = verifySubmission('{}');
  if (!ver.ok) out.push(ver.problem);

  const el: SunlightSelfCheck | null = document.querySelector('sunlight-self-check');
  if (el) {
    el.addEventListener('submit', (e) => {
      const d: SubmitDetail = e.detail;
      out.push(d.hash, d.submission.scheme ?? '');
    });
    const sent = await el.submit();
    out.push(sent?.json ?? '', el.draftKey);
  }
  return out;
}

export function mistakes(g: Grade, el: SunlightSelfCheck): void {
  // @ts-expect-error: a grade has no such member
  void g.colour;
  // @ts-expect-error: grading needs the factors as a map of strings
  gradeRiskPoint('town-2012', ['high']);
  // @ts-expect-error: finalising needs the submission time
  finalizeTable({});
  // @ts-expect-error: draftKey is read-only
  el.draftKey = 'x';
}
