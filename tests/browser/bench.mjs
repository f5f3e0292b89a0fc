// Measures, in Debian's headless Chromium, how long the core takes to validate and grade a
// 200-row table: all of it, read from a JavaScript object (validateTable, or TableChecker.check,
// which the form runs when it loads a table), from the checker's own copy (TableChecker.insertRow
// and removeRow, which the form runs when rows are added or removed), and after an edit of one row (TableChecker.checkRow,
// which the form runs on each change: that row checked again, duplicates looked for again); then
// the same in the element with its view updated; and the gzipped size of what a portal downloads.
// Figures for notes, not assertions:
//   bash scripts/build-wasm.sh && node tests/browser/bench.mjs [--runs 50] [--rows 200]
// Targets (issue 3): validate + grade under 1 ms; wasm + js under 250 KiB gzipped.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import { launch, REPO } from './chromium.mjs';
import { startServer } from './server.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg('runs', 50);
const ROWS = arg('rows', 200);
const pkg = path.join(REPO, 'wasm', 'pkg');

const sizes = {};
for (const f of ['sunlight_wasm_bg.wasm', 'sunlight_wasm.js', 'sunlight-self-check.js']) {
  const data = await fs.readFile(path.join(pkg, f));
  sizes[f] = { raw: data.length, gzip: gzipSync(data, { level: 9 }).length };
}
const totalGz = Object.values(sizes).reduce((a, s) => a + s.gzip, 0);

const server = await startServer({ root: path.join(REPO, 'wasm'), verifyBin: '/nonexistent', isolated: true });
const browser = await launch();
try {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/demo/index.html?scheme=town-2012`);
  await page.locator('sunlight-self-check fieldset.row').first().waitFor();

  const result = await page.evaluate(async ({ runs, rows }) => {
    const m = await import('/pkg/sunlight_wasm.js');
    await m.default();
    const def = m.formDefinition('town-2012', 'department');
    const factors = def.row.filter((f) => f.path.startsWith('factors.'));
    const lines = def.measure_lines;
    const table = {
      scheme: 'town-2012', year: 2012, period: 'annual', table: 'department',
      unit: { id: 'chengguan', name: '城关镇' }, department: { id: 'finance', name: '财政所' },
      rows: Array.from({ length: rows }, (_, i) => ({
        power: { name: `权力事项 ${i + 1}`, category: 'approval', basis: '《中华人民共和国行政许可法》第十二条' },
        step: { name: ['受理', '审核', '审批', '送达'][i % 4] },
        risk_point: `第 ${i + 1} 个风险点：审核把关不严，优亲厚友，违规办理`,
        risk_type: 'post-duty',
        factors: Object.fromEntries(factors.map((f, k) => [f.path.slice(8), f.choices[Math.floor(i / (k + 1)) % f.choices.length].id])),
        measures: lines.map((l) => ({ line: l.line, kind: l.kinds[i % l.kinds.length].id, text: '按制度执行并留痕' })),
        responsible: '财政所所长',
      })),
    };
    const check = m.validateTable(table);
    if (!check.ok || check.grades.filter(Boolean).length !== rows) {
      throw new Error(`bench table is not valid: ${JSON.stringify(check.errors.slice(0, 3))}`);
    }
    const levels = {};
    for (const g of check.grades) levels[g.level] = (levels[g.level] || 0) + 1;
    // Same table with a mistake in every row: messages are built for each.
    const broken = structuredClone(table);
    for (const r of broken.rows) { r.responsible = ''; r.factors.harm = ''; }

    const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
    const time = (fn) => {
      for (let i = 0; i < 10; i++) fn(); // warm up
      const xs = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        fn();
        xs.push(performance.now() - t0);
      }
      return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
    };
    // Edits as a person makes them: a factor of one row (its grade changes), a letter of one
    // row's risk point (its duplicate key changes, so every row is compared again).
    const checker = new m.TableChecker();
    checker.check(table);
    const harm = factors.find((f) => f.path === 'factors.harm').choices.map((c) => c.id);
    let flip = 0;
    const editFactor = () => {
      flip ^= 1;
      table.rows[0].factors.harm = harm[flip];
      const u = checker.checkRow(0, table.rows[0]);
      if (u.rows.length !== 1 || !u.rows[0].grade) throw new Error(`unexpected update: ${JSON.stringify(u).slice(0, 200)}`);
    };
    const point = table.rows[100].risk_point;
    const editText = () => {
      flip ^= 1;
      table.rows[100].risk_point = flip ? `${point}。` : point;
      checker.checkRow(100, table.rows[100]);
    };
    const same = JSON.stringify(checker.check(table)) === JSON.stringify(m.validateTable(table));
    if (!same) throw new Error('TableChecker.check and validateTable differ');
    // A row removed and added back: the checker validates and grades the whole table again
    // from its own copy, which is what checking a 200-row table costs once it is read.
    const held = new m.TableChecker();
    held.check(table);
    const lastRow = table.rows[rows - 1];
    let present = true;
    const moveRow = () => {
      present = !present;
      const r = present ? held.insertRow(rows - 1, lastRow) : held.removeRow(rows - 1);
      if (r.grades.length !== (present ? rows : rows - 1) || !r.ok) throw new Error('unexpected result of insertRow/removeRow');
    };
    const brokenChecker = new m.TableChecker();
    brokenChecker.check(broken);
    const editBroken = () => {
      flip ^= 1;
      broken.rows[0].factors.harm = flip ? harm[0] : '';
      brokenChecker.checkRow(0, broken.rows[0]);
    };
    return {
      isolated: crossOriginIsolated,
      levels,
      valid: time(() => m.validateTable(table)),
      checkerFull: time(() => checker.check(table)),
      heldFull: time(moveRow),
      stringify: time(() => JSON.stringify(table)),
      editFactor: time(editFactor),
      editText: time(editText),
      broken: time(() => m.validateTable(broken)),
      editBroken: time(editBroken),
      gradeOnly: time(() => { for (const r of table.rows) m.gradeRiskPoint('town-2012', r.factors); }),
      table,
    };
  }, { runs: RUNS, rows: ROWS });

  // The element's own work per keystroke on a 200-row table: validate, grade, update the view.
  const key = await page.locator('sunlight-self-check').evaluate((f) => f.draftKey);
  await page.evaluate(([k, t]) => localStorage.setItem(k, JSON.stringify({ format: 'sunlight-draft/1', saved_at: 'bench', draft: t })), [key, result.table]);
  await page.reload();
  await page.locator('sunlight-self-check fieldset.row').nth(ROWS - 1).waitFor();
  const [element, elementSaved, elementFull] = await page.locator('sunlight-self-check').evaluate((f, runs) => {
    const time = (fn) => {
      const xs = [];
      for (let i = 0; i < 10; i++) fn();
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        fn();
        xs.push(performance.now() - t0);
      }
      xs.sort((a, b) => a - b);
      return { median: xs[Math.floor(xs.length / 2)], min: xs[0], max: xs[xs.length - 1] };
    };
    // What a choice in row 1 costs: the value set, as the input handler does, then the check.
    const row = f._table.rows[0];
    const values = [row.factors.harm, row.factors.harm === 'minor' ? 'severe' : 'minor'];
    let k = 0;
    const edit = () => {
      k ^= 1;
      row.factors.harm = values[k];
      f._check('rows[0].factors.harm');
    };
    // The input handler also saves the draft (the whole table, to localStorage) after the check.
    const editSaved = () => {
      edit();
      f._save();
    };
    return [time(edit), time(editSaved), time(() => f._check(null))];
  }, RUNS);

  const draw = await page.locator('sunlight-self-check').evaluate((f) => {
    const xs = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      f._render();
      xs.push(performance.now() - t0);
    }
    xs.sort((a, b) => a - b);
    return { median: xs[3], min: xs[0], max: xs[6] };
  });

  const ms = (t) => `median ${t.median.toFixed(3)} ms (min ${t.min.toFixed(3)}, max ${t.max.toFixed(3)})`;
  console.log(`Chromium ${browser.context.browser()?.version() ?? ''}, ${RUNS} runs, ${ROWS} rows, timer ${result.isolated ? '5 µs (cross-origin isolated)' : '100 µs'}`);
  console.log(`levels in the table: ${JSON.stringify(result.levels)}`);
  console.log(`full: validateTable (validate + grade), valid table: ${ms(result.valid)}`);
  console.log(`full: TableChecker.check, valid table:              ${ms(result.checkerFull)}`);
  console.log(`full: kept table, a row removed or added (validate + grade, nothing read): ${ms(result.heldFull)}`);
  console.log(`  of which reading it is not: JSON.stringify of the table alone: ${ms(result.stringify)}`);
  console.log(`edit: checkRow, a factor of one row changes:        ${ms(result.editFactor)}`);
  console.log(`edit: checkRow, a risk point changes (duplicates):  ${ms(result.editText)}`);
  console.log(`full: validateTable, every row with 2 errors:       ${ms(result.broken)}`);
  console.log(`edit: checkRow in that table:                       ${ms(result.editBroken)}`);
  console.log(`gradeRiskPoint x ${ROWS}, one call per row:           ${ms(result.gradeOnly)}`);
  console.log(`element, full: validate + grade + redraw:           ${ms(elementFull)}`);
  console.log(`element, edit: a choice in row 1, checked + redrawn: ${ms(element)}`);
  console.log(`element, edit as above + the draft saved:         ${ms(elementSaved)}`);
  console.log(`element: drawing the whole form (7 runs):           ${ms(draw)}`);
  for (const [f, s] of Object.entries(sizes)) console.log(`${f.padEnd(24)} ${String(s.raw).padStart(8)} B, gzip -9 ${String(s.gzip).padStart(7)} B`);
  console.log(`wasm + js gzipped: ${totalGz} B = ${(totalGz / 1024).toFixed(1)} KiB (target < 250 KiB)`);
} finally {
  await browser.close();
  await server.close();
}
