// End to end through `sunlight serve`: the demo portal's page in Debian's headless Chromium, the
// form filled as a clerk would and submitted to POST /api/v1/submissions on the real server;
// the row is then found with SQL (`sunlight sql`). With --tokens, a token for another department
// is refused (403) and a missing one too (401), and a table the server refuses shows its issue
// codes. Needs wasm/pkg (scripts/build-wasm.sh) and the sunlight binary:
//   cargo build -p sunlight-queries --bin sunlight && node --test tests/browser/serve.test.mjs
// scripts/test.d/40-serve.sh runs it. Screenshots go to target/e2e/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

import { launch, REPO, TARGET } from './chromium.mjs';

const OUT = path.join(TARGET, 'e2e');
const BIN = process.env.SUNLIGHT_BIN || path.join(TARGET, 'debug', 'sunlight');
const FINANCE = 'browser-finance-token-0123456789';
const PARTY = 'browser-party-office-token-987654';

let work;
let server;
let url;
let browser;
let page;

/** Starts `sunlight serve` on a free port; resolves with its base URL. */
function startServer(store, tokens) {
  server = spawn(BIN, ['serve', '--store', store, '--addr', '127.0.0.1:0', '--tokens', tokens,
    '--package', path.join(REPO, 'wasm', 'pkg'), '--fold-ms', '100'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    server.on('exit', (code) => reject(new Error(`sunlight serve exited ${code} before listening`)));
    const lines = readline.createInterface({ input: server.stdout });
    lines.on('line', (line) => {
      const m = /^sunlight serve: listening on (http:\/\/\S+)$/.exec(line);
      if (m) resolve(m[1]);
    });
  });
}

function sunlight(args) {
  return new Promise((resolve, reject) => {
    execFile(BIN, args, { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`sunlight ${args[0]} failed: ${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Waits until the server has folded everything it acknowledged into the Parquet store. */
async function folded() {
  for (;;) {
    const h = await (await fetch(`${url}/healthz`)).json();
    if (h.unfolded === 0) return h;
    await new Promise((r) => setTimeout(r, 20));
  }
}

before(async () => {
  await fs.mkdir(OUT, { recursive: true });
  await fs.access(path.join(REPO, 'wasm', 'pkg', 'sunlight_wasm_bg.wasm')).catch(() => {
    throw new Error('wasm/pkg is missing: run scripts/build-wasm.sh first');
  });
  await fs.access(BIN).catch(() => {
    throw new Error(`${BIN} is missing: cargo build -p sunlight-queries --bin sunlight`);
  });
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'sunlight-serve-e2e-'));
  const tokens = path.join(work, 'tokens.txt');
  await fs.writeFile(tokens, `# token unit department\n${FINANCE} chengguan finance\n${PARTY} chengguan party-office\n`);
  url = await startServer(path.join(work, 'store'), tokens);
  browser = await launch();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => { throw e; });
});

after(async () => {
  if (browser) await browser.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.on('exit', resolve));
    server.kill('SIGTERM');
    assert.equal(await exited, 0, 'sunlight serve must stop cleanly on SIGTERM');
  }
  if (work) await fs.rm(work, { recursive: true, force: true });
});

const form = () => page.locator('sunlight-self-check');
const row = (i) => form().locator('fieldset.row').nth(i);
const field = (scope, label) => scope.getByLabel(label, { exact: true });
const setToken = (t) => form().evaluate((f, t) => (t ? f.setAttribute('token', t) : f.removeAttribute('token')), t);
const answer = () => form().locator('[part=server-answer]');

test('the portal lists every preset and the report link only when there is a report', async () => {
  await page.goto(`${url}/`);
  for (const id of ['town-2012', 'ministry-2012', 'education-bureau', 'university-2010']) {
    assert.equal(await page.locator(`a[href="/portal/${id}"]`).count(), 1, id);
  }
  assert.equal(await page.locator('a[href="/report/"]').count(), 0);
});

test('a clerk submits through the served page; the row is in the store, found with SQL', async () => {
  await page.goto(`${url}/portal/town-2012`);
  await row(0).waitFor();
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await row(0).waitFor();
  assert.equal(await form().getAttribute('endpoint'), '/api/v1/submissions');
  assert.equal(await field(form(), '单位代码').inputValue(), 'chengguan');
  await field(form(), '部门代码').fill('finance');
  await field(form(), '部门名称').fill('财政所');
  const r = row(0);
  await field(r, '权力名称').fill('办公用品采购');
  await field(r, '权力类别').selectOption('internal-management');
  await field(r, '廉政风险点').fill('虚报采购数量（门户提交）');
  await field(r, '风险类型').selectOption('moral');
  for (const [label, v] of [['权力的重要程度', 'low'], ['自由裁量权的大小', 'small'], ['腐败现象发生的概率', 'low'], ['危害程度', 'minor']]) {
    await field(r, label).selectOption(v);
  }
  await field(r, '责任部门或责任人').fill('办公室主任');
  await r.getByRole('button', { name: '添加“中期监控”措施' }).click();
  await field(r, '措施内容').fill('每月核对采购台账');

  // Without a token: 401, explained.
  await form().getByRole('button', { name: '校验并提交' }).click();
  await answer().filter({ hasText: '服务器拒收（HTTP 401）' }).waitFor();
  assert.match(await form().locator('.result').textContent(), /缺少有效的提交令牌.*\[unauthorized\]/);

  // Another department's token: 403.
  await setToken(PARTY);
  await form().getByRole('button', { name: '校验并提交' }).click();
  await answer().filter({ hasText: '服务器拒收（HTTP 403）' }).waitFor();
  assert.match(await form().locator('.result').textContent(), /本部门.*\[forbidden\]/);

  // The department's own token: 201, and the hash the page computed.
  await setToken(FINANCE);
  const detailP = page.evaluate(() => new Promise((resolve) => {
    document.querySelector('sunlight-self-check').addEventListener('submit',
      (e) => resolve({ json: e.detail.json, hash: e.detail.hash }), { once: true });
  }));
  await form().getByRole('button', { name: '校验并提交' }).click();
  const detail = await detailP;
  await answer().filter({ hasText: '服务器已接收（HTTP 201）' }).waitFor();
  assert.match(await form().locator('.server-hash').textContent(), new RegExp(detail.hash));
  assert.match(await form().locator('.result').textContent(), /已接收并保存/);
  await page.screenshot({ path: path.join(OUT, 'serve-town-2012.png'), fullPage: true });

  // Sent again byte for byte (as a retry would): 200, nothing new stored.
  const again = await fetch(`${url}/api/v1/submissions`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${FINANCE}` }, body: detail.json,
  });
  assert.equal(again.status, 200);
  assert.equal((await again.json()).status, 'already-stored');

  await folded();
  const csv = await sunlight(['sql', '--store', path.join(work, 'store'), '--format', 'csv',
    `SELECT s.hash, s.department_name, s.source, r.risk_point, r.level FROM submissions_all s JOIN risk_points_all r ON r.hash = s.hash WHERE s.hash = '${detail.hash}'`]);
  const lines = csv.trim().split('\n');
  assert.equal(lines.length, 2, csv);
  assert.equal(lines[1], `${detail.hash},财政所,POST /api/v1/submissions,虚报采购数量（门户提交）,low`);
});

test("the real server's 422 is shown with each issue's path, message and code", async () => {
  // Tamper with what goes over the wire so that the server's core refuses it.
  const api = (u) => u.pathname === '/api/v1/submissions';
  await page.route(api, (route) => {
    const body = route.request().postData().replace('"graded_level":"low"', '"graded_level":"high"');
    return route.continue({ postData: body });
  });
  try {
    await page.goto(`${url}/portal/town-2012`);
    await row(0).waitFor();
    await setToken(FINANCE);
    await form().getByRole('button', { name: '校验并提交' }).click();
    await answer().filter({ hasText: '服务器拒收（HTTP 422）' }).waitFor();
    const result = await form().locator('.result').textContent();
    assert.match(result, /rows\[0\]\.graded_level：第 1 行：.*\[[a-z-]+\]/);
    assert.match(result, /表格有 \d+ 处错误，未保存 \[[a-z-]+\]/);
    await form().locator('.result').screenshot({ path: path.join(OUT, 'serve-rejected.png') });
  } finally {
    await page.unroute(api);
  }
});
