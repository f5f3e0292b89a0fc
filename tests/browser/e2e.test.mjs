// End to end: the demo page in Debian's headless Chromium, served on localhost, filled as a clerk
// would for two schemes; the submission the page emits must be accepted by the NATIVE core with
// the same hash. Needs wasm/pkg (scripts/build-wasm.sh) and the verify-submission example built:
//   cargo build -p sunlight-tests --example verify-submission && node --test tests/browser/
// Screenshots go to target/e2e/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { launch, REPO, TARGET } from './chromium.mjs';
import { startServer, verifyNatively } from './server.mjs';

const OUT = path.join(TARGET, 'e2e');
const VERIFY = process.env.SUNLIGHT_VERIFY_BIN || path.join(TARGET, 'debug', 'examples', 'verify-submission');

let server;
let browser;
let page;

before(async () => {
  await fs.mkdir(OUT, { recursive: true });
  await fs.access(path.join(REPO, 'wasm', 'pkg', 'sunlight_wasm_bg.wasm')).catch(() => {
    throw new Error('wasm/pkg is missing: run scripts/build-wasm.sh first');
  });
  await fs.access(VERIFY).catch(() => {
    throw new Error(`${VERIFY} is missing: cargo build -p sunlight-tests --example verify-submission`);
  });
  server = await startServer({ root: path.join(REPO, 'wasm'), verifyBin: VERIFY });
  browser = await launch();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => { throw e; });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
});

const form = () => page.locator('sunlight-self-check');
const row = (i) => form().locator('fieldset.row').nth(i);
const field = (scope, label) => scope.getByLabel(label, { exact: true });

async function open(query) {
  await page.goto(`${server.url}/demo/index.html?${query}`);
  await form().locator('fieldset.row').first().waitFor();
}

/** Resolves with the next `submit` event's detail. Call before clicking submit. */
function nextSubmit() {
  return page.evaluate(() => new Promise((resolve) => {
    document.querySelector('sunlight-self-check').addEventListener('submit',
      (e) => resolve({ json: e.detail.json, hash: e.detail.hash }), { once: true });
  }));
}

async function acceptedNatively(name, detail) {
  const file = path.join(OUT, `${name}.submission.json`);
  await fs.writeFile(file, detail.json);
  const v = await verifyNatively(VERIFY, file);
  assert.equal(v.code, 0, `native core rejected ${name}: ${v.stderr}`);
  assert.equal(v.stdout.trim(), detail.hash, 'native hash differs from the page hash');
  return JSON.parse(detail.json);
}

test('town-2012: fill, grade live, errors, draft resumed after reload, submit, native verify', async () => {
  await open('scheme=town-2012&table=department&lang=zh-CN&endpoint=/api/submissions');
  // Start from a clean slate: this profile is new, but be explicit.
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await form().locator('fieldset.row').first().waitFor();

  // The portal's unit arrives prefilled and fixed.
  assert.equal(await field(form(), '单位名称').inputValue(), '城关镇');
  assert.equal(await field(form(), '单位代码').inputValue(), 'chengguan');
  await field(form(), '部门代码').fill('finance');
  await field(form(), '部门名称').fill('财政所');

  const r = row(0);
  await field(r, '权力名称').fill('最低生活保障审批');
  await field(r, '权力类别').selectOption('approval');
  await field(r, '流程环节').fill('审核');
  await field(r, '廉政风险点').fill('优亲厚友，违规审批低保');
  await field(r, '风险类型').selectOption('post-duty');
  const level = r.locator('.level');
  assert.match(await level.textContent(), /待评定/);
  await field(r, '权力的重要程度').selectOption('high');
  await field(r, '自由裁量权的大小').selectOption('large');
  await field(r, '腐败现象发生的概率').selectOption('high');
  await field(r, '危害程度').selectOption('moderate');
  assert.equal(await level.textContent(), '高');
  assert.match(await r.locator('.leader').textContent(), /单位主要领导/);
  assert.match(await r.locator('.why').textContent(), /综合得分 11/);

  // A factor changes: the level follows, and so does the responsible leader.
  await field(r, '腐败现象发生的概率').selectOption('low');
  assert.equal(await level.textContent(), '中');
  assert.match(await r.locator('.leader').textContent(), /单位分管领导/);
  assert.equal(await level.getAttribute('data-severity'), 'medium');
  await field(r, '腐败现象发生的概率').selectOption('high');
  assert.equal(await level.textContent(), '高');

  // An error beside its field: a required field emptied and left.
  const responsible = field(r, '责任部门或责任人');
  await responsible.fill('财政所所长');
  await responsible.fill('');
  await responsible.blur();
  const errId = (await responsible.getAttribute('aria-describedby')).split(' ')[0];
  const err = form().locator(`[id="${errId}"]`);
  assert.equal(await err.textContent(), '第 1 行：请填写责任部门或责任人');
  assert.equal(await responsible.getAttribute('aria-invalid'), 'true');
  await responsible.fill('财政所所长');
  assert.equal(await err.textContent(), '');

  // One measure only, for a high risk: submitting shows the summary and blocks.
  await r.getByRole('button', { name: '添加“前期预防”措施' }).click();
  await field(r, '措施类别').selectOption('open-procedures');
  await field(r, '措施内容').fill('低保审批程序和结果张榜公示');
  await page.evaluate(() => document.querySelector('sunlight-self-check')
    .addEventListener('submit', () => { window.__early = true; }, { once: true }));
  await form().getByRole('button', { name: '校验并提交' }).click();
  const summary = form().locator('.summary');
  await summary.waitFor();
  const summaryText = await summary.textContent();
  assert.match(summaryText, /表格有 2 处错误/);
  assert.match(summaryText, /缺少“中期监控”/);
  assert.match(summaryText, /缺少“后期处置”/);
  assert.equal(await page.evaluate(() => window.__early === true), false, 'an invalid table must not be submitted');
  // Announced to screen readers too.
  await form().locator('.sr-only[role=status]').filter({ hasText: '表格有 2 处错误' }).waitFor();
  // The summary leads to the place to fix: the row's measures.
  await summary.getByRole('button', { name: /缺少“中期监控”/ }).click();
  assert.equal(await form().evaluate((f) => f.shadowRoot.activeElement?.dataset.path), 'rows[0].measures[0].kind');

  // Reload: the draft is found again, as typed.
  await page.reload();
  await form().locator('fieldset.row').first().waitFor();
  assert.match(await form().locator('.notice').first().textContent(), /已恢复/);
  assert.equal(await field(form(), '部门名称').inputValue(), '财政所');
  assert.equal(await field(row(0), '权力名称').inputValue(), '最低生活保障审批');
  assert.equal(await field(row(0), '措施内容').inputValue(), '低保审批程序和结果张榜公示');
  assert.equal(await row(0).locator('.level').textContent(), '高');

  // The remaining lines of defence, and a second, low risk.
  await row(0).getByRole('button', { name: '添加“中期监控”措施' }).click();
  await row(0).locator('.line').nth(1).getByLabel('措施类别', { exact: true }).selectOption('collective-decision');
  await row(0).getByRole('button', { name: '添加“后期处置”措施' }).click();
  await row(0).locator('.line').nth(2).getByLabel('措施内容', { exact: true }).fill('发现违规即责令整改并追回资金');
  await form().getByRole('button', { name: '添加风险点' }).click();
  const r2 = row(1);
  await field(r2, '权力名称').fill('办公用品采购');
  await field(r2, '权力类别').selectOption('internal-management');
  await field(r2, '廉政风险点').fill('虚报采购数量');
  await field(r2, '风险类型').selectOption('moral');
  for (const [label, v] of [['权力的重要程度', 'low'], ['自由裁量权的大小', 'small'], ['腐败现象发生的概率', 'low'], ['危害程度', 'minor']]) {
    await field(r2, label).selectOption(v);
  }
  await field(r2, '责任部门或责任人').fill('办公室主任');
  assert.equal(await r2.locator('.level').textContent(), '低');

  // Each edit is checked by its row (or the header) alone; what the element holds is always
  // what checking the whole table afresh gives, repetitions across rows included.
  const fresh = () => form().evaluate((f) => JSON.stringify(f._result) === JSON.stringify(f.validate()));
  const codes = () => form().evaluate((f) => f._result.errors.map((e) => `${e.row} ${e.code}`));
  assert.equal(await fresh(), true);
  await field(r2, '权力名称').fill('最低生活保障审批');
  await field(r2, '流程环节').fill('审核');
  await field(r2, '廉政风险点').fill(' 优亲厚友，违规审批低保 ');
  assert.equal(await fresh(), true);
  assert.ok((await codes()).includes('1 duplicate-risk-point'));
  await field(r, '廉政风险点').fill('优亲厚友，违规审批低保对象');
  assert.equal(await fresh(), true);
  assert.ok(!(await codes()).includes('1 duplicate-risk-point'));
  await field(r, '廉政风险点').fill('优亲厚友，违规审批低保');
  await field(r2, '权力名称').fill('办公用品采购');
  await field(r2, '流程环节').fill('');
  await field(r2, '廉政风险点').fill('虚报采购数量');
  await field(form(), '部门名称').fill('');
  assert.equal(await fresh(), true);
  await field(form(), '部门名称').fill('财政所');
  assert.equal(await fresh(), true);
  // A measure added and removed: the row is drawn again and checked by itself.
  await r.getByRole('button', { name: '添加“前期预防”措施' }).click();
  assert.equal(await fresh(), true);
  assert.equal(await level.textContent(), '高');
  await r.locator('.line').nth(0).getByRole('button', { name: '删除此措施' }).last().click();
  assert.equal(await fresh(), true);
  assert.equal(await r.locator('.level').textContent(), '高');
  assert.match(await r.locator('.why').textContent(), /综合得分/);

  const detailP = nextSubmit();
  await form().getByRole('button', { name: '校验并提交' }).click();
  const detail = await detailP;
  assert.match(detail.hash, /^sha256:[0-9a-f]{64}$/);
  await form().locator('[part=server-answer]', { hasText: '服务器已接收（HTTP 200）' }).waitFor();
  assert.match(await form().locator('.server-hash').textContent(), new RegExp(detail.hash));
  assert.equal(server.received.at(-1), detail.json, 'the POSTed body is the emitted submission');

  const sub = await acceptedNatively('town-2012', detail);
  assert.equal(sub.rows.length, 2);
  assert.equal(sub.rows[0].level, 'high');
  assert.equal(sub.rows[1].graded_level, 'low');
  assert.equal(sub.department.name, '财政所');

  await page.screenshot({ path: path.join(OUT, 'town-2012.png'), fullPage: true });

  // The draft remembers that it was submitted, so it is not sent twice by mistake.
  await page.reload();
  await form().locator('fieldset.row').first().waitFor();
  assert.match(await form().locator('.notice').nth(1).textContent(), new RegExp(`已于 .* 提交（哈希 ${detail.hash}）`));
});

test('university-2010 in English: another scheme, its own factor and levels, submit, native verify', async () => {
  await open('scheme=university-2010&table=department&lang=en&endpoint=/api/submissions');
  assert.equal(await form().locator('h2').textContent(), 'department integrity-risk table');
  await field(form(), 'department id').fill('finance');
  await field(form(), 'department name').fill('Finance Office 财务处');
  const r = row(0);
  await field(r, 'power name').fill('经费报销审核');
  await field(r, 'power category').selectOption('internal-management');
  await field(r, 'risk point').fill('审核把关不严，违规报销 <b>not html</b>');
  await field(r, 'risk type').selectOption('post-duty');
  await field(r, 'possible consequence').selectOption('discipline');
  assert.equal(await r.locator('.level').textContent(), 'level 2');
  assert.match(await r.locator('.leader').textContent(), /leader in charge/);
  await field(r, 'possible consequence').selectOption('crime');
  assert.equal(await r.locator('.level').textContent(), 'level 1');
  assert.match(await r.locator('.why').textContent(), /could constitute a crime/);
  await field(r, 'responsible department or person').fill('财务处处长');
  for (const [n, line, text] of [[0, 'prior prevention', '岗位廉政承诺'], [1, 'in-process monitoring', '报销单据双人复核'], [2, 'after-the-fact disposal', '违规报销追回并问责']]) {
    await r.getByRole('button', { name: `Add a measure: ${line}` }).click();
    await r.locator('.line').nth(n).getByLabel('measure text', { exact: true }).fill(text);
  }
  // User text is shown as text, never parsed as HTML.
  assert.equal(await form().locator('b').count(), 0);

  const detailP = nextSubmit();
  await form().getByRole('button', { name: 'Check and submit' }).click();
  const detail = await detailP;
  await form().locator('[part=server-answer]', { hasText: 'The server accepted it (HTTP 200)' }).waitFor();
  const sub = await acceptedNatively('university-2010', detail);
  assert.equal(sub.scheme, 'university-2010');
  assert.equal(sub.rows[0].level, 'level-1');
  assert.equal(sub.rows[0].risk_point, '审核把关不严，违规报销 <b>not html</b>');
  await page.screenshot({ path: path.join(OUT, 'university-2010.png'), fullPage: true });
});

test('styles stay inside: the portal cannot restyle the form, the theme reaches it', async () => {
  await open('scheme=town-2012&lang=zh-CN');
  const submit = form().getByRole('button', { name: '校验并提交' });
  // The portal's `button { background: hotpink }` does not reach the shadow tree ...
  const bg = await submit.evaluate((b) => getComputedStyle(b).backgroundColor);
  assert.notEqual(bg, 'rgb(255, 105, 180)');
  // ... but its --sunlight-accent does, and so does ::part(row).
  assert.equal(bg, 'rgb(122, 31, 31)');
  assert.equal(await row(0).evaluate((f) => getComputedStyle(f).backgroundColor), 'rgb(255, 253, 248)');
  // And the form's styles do not leak out: the portal's labels keep their own look.
  assert.equal(await page.locator('.choose label').first().evaluate((l) => getComputedStyle(l).fontWeight), '700');
});

test('a draft that cannot be read is kept aside and reported, never dropped', async () => {
  await open('scheme=ministry-2012&lang=zh-CN');
  const key = await form().evaluate((f) => f.draftKey);
  assert.equal(key, 'sunlight-draft:ministry-2012:department:mca');
  const garbage = '{"format":"sunlight-draft/1","draft":{"rows":"not a list"';
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [key, garbage]);
  await page.reload();
  await form().locator('fieldset.row').first().waitFor();
  const notice = await form().locator('.notice.bad').textContent();
  assert.match(notice, /无法读取/);
  const aside = /“(sunlight-draft:ministry-2012:department:mca:unreadable:[^”]+)”/.exec(notice);
  assert.ok(aside, notice);
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), aside[1]), garbage);
  // The form started blank and autosaves again under the proper key.
  await field(form(), '部门名称').fill('办公厅');
  const saved = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), key));
  assert.equal(saved.draft.department.name, '办公厅');
});

test('download the draft as a file and load it back', async () => {
  await open('scheme=education-bureau&lang=zh-CN');
  await field(form(), '部门名称').fill('计财科');
  await field(row(0), '权力名称').fill('学校大宗物品采购');
  for (const [label, v] of [['主抓领导', 'principal'], ['群众关注度', 'low'], ['自由裁量权', 'none'],
    ['由上级主管部门批准', 'no'], ['权力行使的频率', 'frequent'], ['廉政风险点的多少', 'many']]) {
    await field(row(0), label).selectOption(v);
  }
  assert.equal(await row(0).locator('.level').textContent(), '一级');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    form().getByRole('button', { name: '下载草稿' }).click(),
  ]);
  const file = path.join(OUT, 'education-bureau.draft.json');
  await download.saveAs(file);
  const saved = JSON.parse(await fs.readFile(file, 'utf8'));
  assert.equal(saved.format, 'sunlight-draft/1');
  assert.equal(saved.draft.rows[0].power.name, '学校大宗物品采购');

  // Start over, then load the file back.
  const key = await form().evaluate((f) => f.draftKey);
  await page.evaluate((k) => localStorage.removeItem(k), key);
  await page.reload();
  await form().locator('fieldset.row').first().waitFor();
  assert.equal(await field(row(0), '权力名称').inputValue(), '');
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    form().getByRole('button', { name: '载入草稿文件' }).click(),
  ]);
  await chooser.setFiles(file);
  await form().locator('.notice', { hasText: '已载入草稿文件' }).waitFor();
  assert.equal(await field(row(0), '权力名称').inputValue(), '学校大宗物品采购');
  assert.equal(await field(form(), '部门名称').inputValue(), '计财科');
  assert.equal(await row(0).locator('.level').textContent(), '一级');

  // A file that is not a draft is refused with a reason, and the form is left as it was.
  const bad = path.join(OUT, 'not-a-draft.json');
  await fs.writeFile(bad, JSON.stringify({ scheme: 'education-bureau', rows: [{ colour: 'red' }] }));
  const [chooser2] = await Promise.all([
    page.waitForEvent('filechooser'),
    form().getByRole('button', { name: '载入草稿文件' }).click(),
  ]);
  await chooser2.setFiles(bad);
  await form().locator('.notice.bad', { hasText: '不能作为草稿载入' }).waitFor();
  assert.match(await form().locator('.notice.bad').last().textContent(), /colour/);
  assert.equal(await field(row(0), '权力名称').inputValue(), '学校大宗物品采购');
});

test('a 200-row table: typing stays in the draft even when the page goes away at once', async () => {
  await open('scheme=town-2012&lang=zh-CN');
  const key = await form().evaluate((f) => f.draftKey);
  const row = (i) => ({
    power: { name: `权力事项 ${i + 1}`, category: 'approval' },
    risk_point: `第 ${i + 1} 个风险点`,
    risk_type: 'post-duty',
    factors: { importance: 'low', discretion: 'medium', probability: 'low', harm: 'minor' },
    measures: [{ line: 'prevention', kind: 'open-procedures', text: '' }],
    responsible: '所长',
  });
  const draft = {
    scheme: 'town-2012', year: 2012, period: 'annual', table: 'department',
    unit: { id: 'chengguan', name: '城关镇' }, department: { id: 'finance', name: '财政所' },
    rows: Array.from({ length: 200 }, (_, i) => row(i)),
  };
  await page.evaluate(([k, d]) => localStorage.setItem(k, JSON.stringify({ format: 'sunlight-draft/1', saved_at: 'test', draft: d })), [key, draft]);
  await page.reload();
  const last = form().locator('fieldset.row').nth(199);
  await last.waitFor();
  assert.equal(await last.locator('.level').textContent(), '低');
  await field(last, '廉政风险点').fill('第 200 个风险点：改写后的描述');
  await page.reload(); // at once, before any pause
  await form().locator('fieldset.row').nth(199).waitFor();
  assert.equal(await field(form().locator('fieldset.row').nth(199), '廉政风险点').inputValue(), '第 200 个风险点：改写后的描述');
  // And the check ran: an emptied required field in row 200 is reported once typing pauses.
  const rp = field(form().locator('fieldset.row').nth(199), '权力名称');
  await rp.fill('');
  await rp.blur();
  await form().locator('.error', { hasText: '第 200 行：请填写权力名称' }).waitFor();

  // Rows and measures added and removed in a long table keep every field bound to its row.
  await form().locator('fieldset.row').first().locator('[part~="remove-row"]').click();
  assert.equal(await form().locator('fieldset.row').count(), 199);
  const first = form().locator('fieldset.row').first();
  assert.equal(await field(first, '权力名称').inputValue(), '权力事项 2');
  assert.equal(await first.locator('legend').first().textContent(), '风险点 1');
  await field(first, '权力名称').fill('权力事项 2（改）');
  const lastRow = form().locator('fieldset.row').nth(198);
  await lastRow.getByRole('button', { name: '添加“中期监控”措施' }).click();
  await lastRow.locator('.line').nth(1).getByLabel('措施内容', { exact: true }).fill('月度抽查');
  const t = await form().evaluate((f) => f.table);
  assert.equal(t.rows.length, 199);
  assert.equal(t.rows[0].power.name, '权力事项 2（改）');
  assert.deepEqual(t.rows[198].measures.map((m) => [m.line, m.text]), [['prevention', ''], ['monitoring', '月度抽查']]);
  assert.equal(await lastRow.locator('.error', { hasText: '第 199 行：请填写权力名称' }).count(), 1);
});

test("the server's rejection is shown with its reasons", async () => {
  // The university-2010 draft from the test above is still in this profile; tamper with what
  // goes over the wire so that the native core, behind the server, refuses it.
  const api = (url) => url.pathname === '/api/submissions';
  await page.route(api, (route) => {
    const body = route.request().postData().replace('"graded_level":"level-1"', '"graded_level":"level-3"');
    return route.continue({ postData: body });
  });
  try {
    await open('scheme=university-2010&table=department&lang=zh-CN&endpoint=/api/submissions');
    assert.equal(await row(0).locator('.level').textContent(), '一级');
    await form().getByRole('button', { name: '校验并提交' }).click();
    const answer = form().locator('[part=server-answer]', { hasText: '服务器拒收（HTTP 422）' });
    await answer.waitFor();
    const result = await form().locator('.result').textContent();
    assert.match(result, /rows\[0\]\.graded_level：第 1 行：记录的评定等级“level-3”与按评定因素计算的“一级”不符/);
    await form().locator('.result').screenshot({ path: path.join(OUT, 'server-rejected.png') });
  } finally {
    await page.unroute(api);
  }
});
