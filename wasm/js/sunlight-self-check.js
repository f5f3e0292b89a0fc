// <sunlight-self-check>: the integrity-risk self-check table (廉政风险自查表) as a web component.
//
//   <script type="module" src="/sunlight/sunlight-self-check.js"></script>
//   <sunlight-self-check scheme="town-2012" table="department" lang="zh-CN"
//                        unit="chengguan" unit-name="城关镇" endpoint="/api/submissions">
//   </sunlight-self-check>
//
// Everything about schemes, grading and validation comes from the Rust core through the
// WebAssembly facade (sunlight_wasm.js); this file only draws the form and keeps the draft.
// No framework, Shadow DOM for isolation, and all user text is set with textContent or as input
// values, never as HTML.

import init, {
  formDefinition,
  validateTable,
  finalizeTable,
  TableChecker,
} from './sunlight_wasm.js';

const ready = init();

const DRAFT_FORMAT = 'sunlight-draft/1';

// Interface text; the domain's labels come from the core's form definition.
const UI = {
  loading: ['正在加载表单…', 'Loading the form…'],
  loadFailed: ['表单无法加载：{0}', 'The form cannot be loaded: {0}'],
  headerLegend: ['基本信息', 'About this table'],
  rowTitle: ['风险点 {0}', 'Risk point {0}'],
  removeRow: ['删除风险点 {0}', 'Remove risk point {0}'],
  addRow: ['添加风险点', 'Add a risk point'],
  rowAdded: ['已添加风险点 {0}', 'Risk point {0} added'],
  rowRemoved: ['已删除风险点 {0}', 'Risk point {0} removed'],
  powerDetail: ['权力详情（项目、依据、界限、责任部门）', 'Power details (item, basis, limits, department)'],
  stepDetail: ['流程详情（办理主体、条件、程序、期限、监督）', 'Flow details (subject, conditions, procedure, time limit, supervision)'],
  choose: ['请选择', 'Choose…'],
  byGrade: ['按评定结果', 'as graded'],
  ownMeasure: ['本单位自定措施', "the unit's own measure"],
  measures: ['防控措施（三道防线）', 'Measures (three lines of defence)'],
  addMeasure: ['添加“{0}”措施', 'Add a measure: {0}'],
  removeMeasure: ['删除此措施', 'Remove this measure'],
  noMeasureYet: ['尚无措施', 'no measure yet'],
  level: ['风险等级', 'Risk level'],
  notGraded: ['待评定：请选择全部评定因素', 'Not graded: choose every grading factor'],
  reason: ['定级依据', 'Why'],
  leader: ['责任领导', 'Responsible leader'],
  stated: ['填报为', 'stated as'],
  levelAnnounce: ['风险点 {0} 的风险等级：{1}', 'Risk point {0} is graded {1}'],
  submit: ['校验并提交', 'Check and submit'],
  download: ['下载草稿', 'Download draft'],
  load: ['载入草稿文件', 'Load a draft file'],
  summary: ['表格有 {0} 处错误，请改正后再提交：', 'The table has {0} error(s); correct them and submit again:'],
  warnings: ['{0} 条提示（不影响提交）：', '{0} warning(s), which do not block submission:'],
  errorsLive: ['表格有 {0} 处错误', 'The table has {0} error(s)'],
  draftSaved: ['草稿已自动保存于 {0}', 'Draft saved automatically at {0}'],
  draftResumed: ['已恢复 {0} 保存的草稿', 'Resumed the draft saved at {0}'],
  alreadySubmitted: ['此草稿已于 {0} 提交（哈希 {1}）；修改后可再次提交。', 'This draft was submitted at {0} (hash {1}); you may change it and submit again.'],
  draftUnreadable: ['本地保存的草稿无法读取（{0}），已原样另存为“{1}”，表格从空白开始。', 'The saved draft could not be read ({0}). It was kept aside, unchanged, as "{1}", and the form starts blank.'],
  draftStuck: ['本地保存的草稿无法读取（{0}），也无法另存；为免覆盖，本次不自动保存。请先下载或清理浏览器存储。', 'The saved draft could not be read ({0}) nor kept aside; to avoid overwriting it, autosave is off for now. Download your work or free browser storage.'],
  storageFailed: ['无法保存草稿：{0}', 'The draft could not be saved: {0}'],
  fileLoaded: ['已载入草稿文件“{0}”', 'Loaded the draft file "{0}"'],
  fileRejected: ['文件“{0}”不能作为草稿载入：{1}', 'The file "{0}" cannot be loaded as a draft: {1}'],
  notJson: ['不是 JSON 文件', 'it is not JSON'],
  notDraft: ['不是自查表草稿', 'it is not a self-check table draft'],
  otherScheme: ['它属于实施方案“{0}”、表格类型“{1}”', 'it belongs to scheme "{0}", table kind "{1}"'],
  ready: ['校验通过，已生成提交件，哈希 {0}', 'Checked: the submission is ready, hash {0}'],
  sending: ['正在发送到服务器…', 'Sending to the server…'],
  accepted: ['服务器已接收（HTTP {0}）', 'The server accepted it (HTTP {0})'],
  rejected: ['服务器拒收（HTTP {0}）', 'The server rejected it (HTTP {0})'],
  unreachable: ['无法连接服务器：{0}', 'The server could not be reached: {0}'],
  // What a refusal means when the server's answer does not say it itself.
  status400: ['服务器无法读取提交内容', 'The server could not read the submission'],
  status401: ['未获授权：缺少或无效的提交令牌', 'Not authorised: the submission token is missing or not valid'],
  status403: ['无权提交此单位或部门的表格', 'Not allowed to submit tables of this unit or department'],
  status413: ['提交内容超过服务器允许的大小', 'The submission is larger than the server accepts'],
  status415: ['服务器不接受此内容类型', 'The server does not accept this content type'],
  status422: ['服务器校验未通过', 'The server found problems in the table'],
  status5xx: ['服务器暂时无法保存，请稍后再试；草稿仍保存在本机', 'The server cannot store it now; try again later (the draft is still saved here)'],
};

function say(lang, key, ...args) {
  const pair = UI[key];
  let s = pair[lang === 'en' ? 1 : 0];
  args.forEach((a, i) => { s = s.replace(`{${i}}`, String(a)); });
  return s;
}

/** A label followed by its value: full-width colon in Chinese. */
const colon = (lang, label, value) => (lang === 'en' ? `${label}: ${value}` : `${label}：${value}`);

/** The Chinese or English of a core `Text`. */
function tx(text, lang) {
  if (!text) return '';
  return (lang === 'en' ? text.en : text.zh) || text.zh || text.en || '';
}

/** `rows[2].factors.harm` → ['rows', 2, 'factors', 'harm']. */
function parsePath(path) {
  const out = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) { out.push(part); continue; }
    out.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

function getAt(obj, path) {
  let at = obj;
  for (const k of parsePath(path)) {
    if (at == null) return undefined;
    at = at[k];
  }
  return at;
}

function setAt(obj, path, value) {
  const keys = parsePath(path);
  let at = obj;
  keys.slice(0, -1).forEach((k, i) => {
    if (at[k] == null || typeof at[k] !== 'object') at[k] = typeof keys[i + 1] === 'number' ? [] : {};
    at = at[k];
  });
  at[keys[keys.length - 1]] = value;
}

/** Now as RFC 3339 with the local offset, e.g. 2012-08-20T10:00:00+08:00. */
function nowRfc3339(d = new Date()) {
  const p = (n) => String(Math.trunc(Math.abs(n))).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${sign}${p(off / 60)}:${p(off % 60)}`;
}

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k === 'className') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

const idOf = (path) => 'f-' + path.replace(/[^A-Za-z0-9_-]/g, '_');

const STYLE = `
:host {
  display: block;
  contain: content;
  color: var(--sunlight-text, #1f2328);
  background: var(--sunlight-bg, #fff);
  font: var(--sunlight-font-size, 15px)/1.5 var(--sunlight-font, system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif);
  --_accent: var(--sunlight-accent, #0b5cad);
  --_error: var(--sunlight-error, #b3261e);
  --_warn: var(--sunlight-warning, #8a5a00);
  --_border: var(--sunlight-border, #c9ced6);
  --_muted: var(--sunlight-muted, #59636e);
  --_radius: var(--sunlight-radius, 6px);
  --_gap: var(--sunlight-gap, 12px);
}
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
.form { display: grid; gap: var(--_gap); }
h2 { font-size: 1.3em; margin: 0; }
.scheme { margin: 0; color: var(--_muted); }
fieldset { border: 1px solid var(--_border); border-radius: var(--_radius); padding: var(--_gap); margin: 0; min-width: 0; }
legend { font-weight: 600; padding: 0 4px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: var(--_gap); }
.field { display: flex; flex-direction: column; gap: 2px; min-width: 0; }
.field.wide { grid-column: 1 / -1; }
.field.check { flex-direction: row; flex-wrap: wrap; align-items: center; gap: 2px 6px; }
.field.check .help, .field.check .error { flex-basis: 100%; }
label { font-weight: 500; }
.req { color: var(--_error); margin-inline-start: 2px; }
input, select, textarea, button { font: inherit; }
input[type=text], input[type=number], select, textarea {
  width: 100%; padding: 4px 6px; border: 1px solid var(--_border); border-radius: calc(var(--_radius) - 2px);
  background: var(--sunlight-input-bg, #fff); color: inherit;
}
textarea { min-height: 3.2em; resize: vertical; }
[aria-invalid=true] { border-color: var(--_error); outline: 1px solid var(--_error); }
:focus-visible { outline: 2px solid var(--_accent); outline-offset: 1px; }
.help { margin: 0; font-size: .85em; color: var(--_muted); }
.error { margin: 0; font-size: .9em; color: var(--_error); }
.error:empty, .help:empty { display: none; }
.row > legend { font-size: 1.05em; }
/* Rows out of view are not laid out until scrolled near: a 200-row table stays responsive. */
.row { content-visibility: auto; contain-intrinsic-size: auto 60rem; }
.row-head { display: flex; justify-content: space-between; align-items: center; gap: var(--_gap); margin-bottom: var(--_gap); }
details { grid-column: 1 / -1; border-top: 1px dashed var(--_border); padding-top: 6px; }
details > .grid { margin-top: 6px; }
summary { cursor: pointer; color: var(--_accent); }
.grade { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: baseline; padding: 8px; border-radius: var(--_radius); background: var(--sunlight-grade-bg, #f4f6f8); margin-bottom: var(--_gap); }
.level { font-weight: 700; padding: 1px 8px; border-radius: 999px; color: #fff; background: var(--_muted); }
.level[data-severity=high] { background: var(--sunlight-level-high, #b3261e); }
.level[data-severity=medium] { background: var(--sunlight-level-medium, #b06000); }
.level[data-severity=low] { background: var(--sunlight-level-low, #1e7d32); }
.level[data-severity=none] { background: transparent; color: var(--_muted); border: 1px dashed var(--_border); font-weight: 500; }
.grade .why { color: var(--_muted); flex-basis: 100%; font-size: .9em; }
.lines { grid-column: 1 / -1; display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: var(--_gap); }
.line ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
.line li { display: grid; gap: 4px; padding: 6px; border: 1px solid var(--_border); border-radius: calc(var(--_radius) - 2px); }
.line .empty { color: var(--_muted); font-size: .9em; }
button { cursor: pointer; border: 1px solid var(--_border); background: var(--sunlight-button-bg, #f6f8fa); color: inherit; border-radius: var(--_radius); padding: 4px 12px; }
button.primary { background: var(--_accent); color: var(--sunlight-accent-text, #fff); border-color: var(--_accent); font-weight: 600; padding: 6px 18px; }
button.link { border: 0; background: none; color: var(--_error); padding: 0; text-decoration: underline; text-align: start; }
button.small { padding: 2px 8px; font-size: .85em; }
.actions { display: flex; flex-wrap: wrap; gap: var(--_gap); align-items: center; }
.summary { border: 2px solid var(--_error); border-radius: var(--_radius); padding: var(--_gap); }
.summary p { margin: 0 0 6px; font-weight: 600; color: var(--_error); }
.summary ul, .result ul, .warnings ul { margin: 0; padding-inline-start: 1.2em; }
.warnings { color: var(--_warn); }
.warnings p { margin: 0 0 4px; }
.notice { margin: 0; padding: 6px 10px; border-radius: var(--_radius); background: var(--sunlight-notice-bg, #eef4fb); }
.notice.bad { background: var(--sunlight-notice-bad-bg, #fdecea); color: var(--_error); }
.result { padding: 8px 10px; border-radius: var(--_radius); background: var(--sunlight-notice-bg, #eef4fb); overflow-wrap: anywhere; }
.result pre { white-space: pre-wrap; margin: 4px 0 0; max-height: 12em; overflow: auto; }
.saved { color: var(--_muted); font-size: .85em; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
[hidden] { display: none !important; }
`;

/**
 * The self-check table form. Attributes: `scheme` (a scheme id), `table` (`department` or
 * `personal`), `lang` (`zh-CN` by default, `en` for English), `unit` (the unit id; with `scheme`
 * and `table` it keys the draft), `unit-name`, `endpoint` (POST the submission there), `token`
 * (sent as `Authorization: Bearer TOKEN` with that POST, for servers such as `sunlight serve
 * --tokens`).
 * Fires `submit` (a CustomEvent whose `detail` is `{ json, hash, submission, warnings }`) once the
 * table is valid and finalised.
 */
export class SunlightSelfCheck extends HTMLElement {
  static get observedAttributes() {
    return ['scheme', 'table', 'lang', 'unit', 'unit-name', 'endpoint'];
  }

  constructor() {
    super();
    this._root = this.attachShadow({ mode: 'open' });
    this._root.append(el('style', { text: STYLE }));
    this._view = el('div', { className: 'form', part: 'form' });
    this._root.append(this._view);
    this._def = null;
    this._table = null;
    this._result = null;
    // The core keeps every row's check; an edit is checked by its row (or the header) alone.
    this._checker = null;
    this._parts = null;
    this._touched = new Set();
    this._showAll = false;
    this._autosave = true;
    this._notices = [];
    this._generation = 0;
    this._timer = null;
    this._pendingPath = null;
    this._lastCost = 0;
    // Nothing typed is lost when the page goes away while a save is postponed.
    this._onHide = () => this._flush();
  }

  get _lang() { return (this.getAttribute('lang') || 'zh-CN').toLowerCase().startsWith('en') ? 'en' : 'zh'; }
  get scheme() { return this.getAttribute('scheme') || ''; }
  get tableKind() { return this.getAttribute('table') || 'department'; }
  get unit() { return this.getAttribute('unit') || ''; }
  get draftKey() { return `sunlight-draft:${this.scheme}:${this.tableKind}:${this.unit}`; }

  /** A copy of the table as it stands. */
  get table() { return this._table ? structuredClone(this._table) : null; }

  /** Resolves once the form is drawn. */
  get ready() { return this._ready || Promise.resolve(); }

  connectedCallback() {
    window.addEventListener('pagehide', this._onHide);
    document.addEventListener('visibilitychange', this._onHide);
    this._ready = this._load();
  }

  disconnectedCallback() {
    this._flush();
    window.removeEventListener('pagehide', this._onHide);
    document.removeEventListener('visibilitychange', this._onHide);
  }

  attributeChangedCallback(name, old, value) {
    if (old === value || !this.isConnected || !this._def) return;
    if (name === 'lang') this._render();
    else if (name === 'endpoint') return;
    else if (name === 'unit-name' && this._table && !this._table.unit.name) {
      this._table.unit.name = value || '';
      this._render();
    } else if (name !== 'unit-name') this._ready = this._load();
  }

  async _load() {
    const generation = ++this._generation;
    this._view.replaceChildren(el('p', { text: say(this._lang, 'loading') }));
    try {
      await ready;
      if (generation !== this._generation) return;
      this._def = formDefinition(this.scheme, this.tableKind);
    } catch (e) {
      this._def = null;
      this._view.replaceChildren(el('p', { className: 'notice bad', role: 'alert', text: say(this._lang, 'loadFailed', e.message || e) }));
      return;
    }
    this._notices = [];
    this._touched = new Set();
    this._showAll = false;
    this._autosave = true;
    this._submission = null;
    this._serverAnswer = null;
    this._submitted = null;
    this._table = this._resume() || this._blank();
    this._render();
  }

  _blank() {
    const d = this._def;
    const period = d.header.find((f) => f.path === 'period');
    return {
      schema_version: 1,
      scheme: d.scheme,
      year: new Date().getFullYear(),
      period: period && period.choices.length ? period.choices[0].id : 'annual',
      table: d.table,
      unit: { id: this.unit, name: this.getAttribute('unit-name') || '' },
      department: { id: '', name: '' },
      person: d.table === 'personal' ? { id: '', name: '', post: '', key_post: false } : null,
      rows: [this._blankRow()],
    };
  }

  _blankRow() {
    const factors = {};
    for (const f of this._def.row) if (f.path.startsWith('factors.')) factors[f.path.slice(8)] = '';
    return {
      power: { name: '', category: '', item: '', basis: '', limits: '', department: '' },
      step: { name: '', subject: '', conditions: '', procedure: '', time_limit: '', supervision: '' },
      post: '', risk_point: '', risk_type: '', factors, level: null, level_reason: '',
      measures: [], responsible: '',
    };
  }

  // ---- drafts -------------------------------------------------------------------------------

  /** Why `value` cannot be this form's draft, or null when it can. */
  _draftProblem(value) {
    const lang = this._lang;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return say(lang, 'notDraft');
    try {
      validateTable(value);
    } catch (e) {
      return e.message;
    }
    if (value.scheme !== this._def.scheme || (value.table || 'department') !== this._def.table) {
      return say(lang, 'otherScheme', value.scheme, value.table || 'department');
    }
    return null;
  }

  /** The draft saved for this scheme, table and unit, or null. A draft that cannot be read is
   *  moved aside under another key, untouched, and reported; never dropped. */
  _resume() {
    let raw;
    try {
      raw = localStorage.getItem(this.draftKey);
    } catch (e) {
      this._notice(say(this._lang, 'storageFailed', e.message), true);
      return null;
    }
    if (raw === null) return null;
    let problem = null;
    let envelope = null;
    try {
      envelope = JSON.parse(raw);
    } catch {
      problem = say(this._lang, 'notJson');
    }
    if (!problem) {
      const table = envelope && envelope.format === DRAFT_FORMAT ? envelope.draft : undefined;
      problem = this._draftProblem(table);
      if (!problem) {
        this._notice(say(this._lang, 'draftResumed', envelope.saved_at || '?'));
        // A draft already submitted says so, so that it is not sent twice by mistake.
        const sub = envelope.submitted;
        if (sub && typeof sub.hash === 'string' && typeof sub.submitted_at === 'string') {
          this._submitted = { hash: sub.hash, submitted_at: sub.submitted_at };
          this._notice(say(this._lang, 'alreadySubmitted', sub.submitted_at, sub.hash));
        }
        return table;
      }
    }
    const aside = `${this.draftKey}:unreadable:${new Date().toISOString()}`;
    try {
      localStorage.setItem(aside, raw);
      localStorage.removeItem(this.draftKey);
      this._notice(say(this._lang, 'draftUnreadable', problem, aside), true);
    } catch {
      this._autosave = false;
      this._notice(say(this._lang, 'draftStuck', problem), true);
    }
    return null;
  }

  _envelope() {
    const env = { format: DRAFT_FORMAT, saved_at: nowRfc3339(), draft: this._table };
    if (this._submitted) env.submitted = this._submitted;
    return env;
  }

  _save() {
    if (!this._autosave || !this._table) return;
    const env = this._envelope();
    try {
      localStorage.setItem(this.draftKey, JSON.stringify(env));
      if (this._savedEl) this._savedEl.textContent = say(this._lang, 'draftSaved', env.saved_at.slice(11, 19));
    } catch (e) {
      if (this._savedEl) this._savedEl.textContent = say(this._lang, 'storageFailed', e.message);
    }
  }

  _download() {
    const blob = new Blob([JSON.stringify(this._envelope(), null, 2)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: `sunlight-draft-${this.scheme}-${this.tableKind}-${this.unit || 'unit'}.json` });
    this._root.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  async _loadFile(file) {
    const lang = this._lang;
    let value;
    try {
      value = JSON.parse(await file.text());
    } catch {
      this._notice(say(lang, 'fileRejected', file.name, say(lang, 'notJson')), true);
      this._render();
      return;
    }
    // Either a downloaded draft or a bare table.
    const table = value && value.format === DRAFT_FORMAT ? value.draft : value;
    const problem = this._draftProblem(table);
    if (problem) {
      this._notice(say(lang, 'fileRejected', file.name, problem), true);
    } else {
      this._table = table;
      this._submitted = null;
      this._touched = new Set();
      this._showAll = false;
      this._notice(say(lang, 'fileLoaded', file.name));
      this._save();
    }
    this._render();
  }

  _notice(text, bad = false) {
    this._notices.push({ text, bad });
    if (this._live) this._announce(text);
  }

  _announce(text) {
    if (!this._live) return;
    // Clear, then set on the next frame so the same message is announced again.
    this._live.textContent = '';
    requestAnimationFrame(() => { this._live.textContent = text; });
  }

  // ---- drawing ------------------------------------------------------------------------------

  _render() {
    const d = this._def;
    const lang = this._lang;
    this._fields = new Map();
    this._grades = [];
    this._errorShown = new Map();
    this._view.setAttribute('lang', lang === 'en' ? 'en' : 'zh-CN');

    this._live = el('div', { className: 'sr-only', 'aria-live': 'polite', role: 'status' });
    const notices = el('div', { className: 'notices' });
    for (const n of this._notices) {
      notices.append(el('p', { className: n.bad ? 'notice bad' : 'notice', part: 'notice', role: n.bad ? 'alert' : null, text: n.text }));
    }
    this._summary = el('div', { className: 'summary', part: 'summary', tabindex: '-1', role: 'group', 'aria-labelledby': 'summary-title', hidden: true });
    this._warnings = el('div', { className: 'warnings', part: 'warnings', hidden: true });

    const header = el('fieldset', { className: 'header', part: 'table-header' },
      el('legend', { text: say(lang, 'headerLegend') }));
    const grid = el('div', { className: 'grid' });
    for (const f of d.header) grid.append(this._field(f, f.path, this._table));
    header.append(grid);

    this._rowsEl = el('div', { className: 'rows' });
    this._table.rows.forEach((row, i) => this._rowsEl.append(this._row(row, i)));

    const fileInput = el('input', { type: 'file', accept: 'application/json,.json', hidden: true,
      onchange: (e) => { const f = e.target.files[0]; if (f) this._loadFile(f); e.target.value = ''; } });
    this._savedEl = el('span', { className: 'saved', part: 'saved' });
    const actions = el('div', { className: 'actions', part: 'actions' },
      el('button', { type: 'button', className: 'primary', part: 'button submit', text: say(lang, 'submit'), onclick: () => this.submit() }),
      el('button', { type: 'button', part: 'button', text: say(lang, 'download'), onclick: () => this._download() }),
      el('button', { type: 'button', part: 'button', text: say(lang, 'load'), onclick: () => fileInput.click() }),
      fileInput,
      this._savedEl,
    );
    this._resultEl = el('div', { className: 'result', part: 'result', role: 'status', hidden: true });

    this._view.replaceChildren(
      el('div', { className: 'title', part: 'title' },
        el('h2', { text: tx(d.title, lang) }),
        el('p', { className: 'scheme', text: tx(d.scheme_name, lang) })),
      notices,
      this._summary,
      header,
      this._rowsEl,
      el('div', { className: 'actions' },
        el('button', { type: 'button', part: 'button add-row', text: say(lang, 'addRow'), onclick: () => this._addRow() })),
      this._warnings,
      actions,
      this._resultEl,
      this._live,
    );
    this._showResult();
    this._check(null);
  }

  /** One labelled input bound to `path` of the table; `scope` holds its current value. */
  _field(f, path, table) {
    const lang = this._lang;
    const id = idOf(path);
    const value = getAt(table, path);
    let input;
    if (f.input === 'select') {
      input = el('select', { id });
      const none = f.path === 'level' ? say(lang, 'byGrade') : say(lang, 'choose');
      input.append(el('option', { value: '', text: `— ${none} —` }));
      for (const c of f.choices) input.append(el('option', { value: c.id, text: tx(c.name, lang) }));
      input.value = value ?? '';
      // A value the scheme does not offer stays visible, so validation can point at it.
      if (value && input.value !== value) {
        input.append(el('option', { value, text: value }));
        input.value = value;
      }
    } else if (f.input === 'textarea') {
      input = el('textarea', { id, rows: '2' });
      input.value = value ?? '';
    } else if (f.input === 'checkbox') {
      input = el('input', { id, type: 'checkbox' });
      input.checked = Boolean(value);
    } else if (f.input === 'integer') {
      input = el('input', { id, type: 'number', step: '1', inputmode: 'numeric' });
      input.value = value ? String(value) : '';
    } else {
      input = el('input', { id, type: 'text' });
      // The unit named by the portal keys the draft; it is not edited here.
      if (path === 'unit.id' && this.unit) input.readOnly = true;
      input.value = value ?? '';
    }
    input.setAttribute('part', 'input');
    input.dataset.path = path;
    if (f.required) input.setAttribute('aria-required', 'true');
    const helpText = tx(f.help, lang);
    const help = el('p', { className: 'help', id: `${id}-help`, text: helpText });
    const error = el('p', { className: 'error', part: 'error', id: `${id}-error` });
    input.setAttribute('aria-describedby', helpText ? `${id}-error ${id}-help` : `${id}-error`);
    input.addEventListener('input', () => this._edit(input, path, f, false));
    input.addEventListener('change', () => this._edit(input, path, f, true));
    input.addEventListener('blur', () => { if (!this._touched.has(path)) { this._touched.add(path); this._check(path); } });
    // The required mark sits beside the label, not in it, so the label is the field's name alone.
    const label = el('span', { className: 'label-line' },
      el('label', { for: id, part: 'label', text: tx(f.label, lang) }),
      f.required ? el('span', { className: 'req', 'aria-hidden': 'true', text: '*' }) : null);
    const wrap = el('div', {
      className: `field${f.input === 'textarea' ? ' wide' : ''}${f.input === 'checkbox' ? ' check' : ''}`,
      part: 'field', dataset: { path },
    });
    if (f.input === 'checkbox') wrap.append(input, label, help, error);
    else wrap.append(label, input, help, error);
    this._fields.set(path, { input, error, wrap });
    return wrap;
  }

  _edit(input, path, f, committed) {
    let value;
    if (f.input === 'checkbox') value = input.checked;
    else if (f.input === 'integer') value = input.value === '' ? 0 : Math.trunc(Number(input.value)) || 0;
    else if (f.path === 'level') value = input.value === '' ? null : input.value;
    else value = input.value;
    setAt(this._table, path, value);
    if (committed) this._touched.add(path);
    if (f.path === 'level') this._syncReason(path);
    // Typing in a large table: check and save once the typing pauses, so keystrokes stay
    // smooth. Choices, and every change in a small table, are checked at once.
    if (!committed && f.input !== 'select' && f.input !== 'checkbox' && this._table.rows.length > 20 && this._lastCost > 8) {
      this._pendingPath = path;
      clearTimeout(this._timer);
      this._timer = setTimeout(() => this._flush(), 150);
      return;
    }
    const started = performance.now();
    this._check(path);
    this._save();
    // Typing postpones by what a change costs, check and save: the check of one row is quick,
    // so in a long table the save of the whole draft is most of it.
    this._lastCost = performance.now() - started;
  }

  /** Runs a check and save that typing postponed. */
  _flush() {
    if (this._timer !== null) this._check(this._pendingPath);
  }

  /** Shows the reason field only when a level is stated (or a reason already written). */
  _syncReason(levelPath) {
    const reasonPath = levelPath.replace(/level$/, 'level_reason');
    const reason = this._fields.get(reasonPath);
    if (!reason) return;
    const stated = getAt(this._table, levelPath);
    reason.wrap.hidden = !stated && !getAt(this._table, reasonPath);
  }

  _row(row, i) {
    const d = this._def;
    const lang = this._lang;
    const base = `rows[${i}]`;
    const fs = el('fieldset', { className: 'row', part: 'row', dataset: { row: String(i) } });
    const legendId = `row-${i}-title`;
    fs.append(el('legend', { id: legendId, part: 'row-title', text: say(lang, 'rowTitle', i + 1) }));

    const grade = el('div', { className: 'grade', part: 'grade', dataset: { path: base } });
    const level = el('span', { className: 'level', part: 'level', dataset: { severity: 'none' } });
    const leader = el('span', { className: 'leader' });
    const why = el('span', { className: 'why' });
    grade.append(el('span', { className: 'label', text: colon(lang, say(lang, 'level'), '') }), level, leader, why);
    const head = el('div', { className: 'row-head' }, grade,
      el('button', { type: 'button', className: 'small', part: 'button remove-row', text: say(lang, 'removeRow', i + 1),
        onclick: () => this._removeRow(i) }));
    this._grades[i] = { level, leader, why, last: undefined };
    fs.append(head);

    const main = el('div', { className: 'grid' });
    const power = el('div', { className: 'grid' });
    const step = el('div', { className: 'grid' });
    for (const f of d.row) {
      const node = this._field(f, `${base}.${f.path}`, this._table);
      if (f.group === 'power-detail') power.append(node);
      else if (f.group === 'step-detail') step.append(node);
      else main.append(node);
    }
    const open = (fields) => d.row.some((f) => f.group === fields && getAt(row, f.path));
    main.append(
      el('details', { open: open('power-detail') }, el('summary', { text: say(lang, 'powerDetail') }), power),
      el('details', { open: open('step-detail') }, el('summary', { text: say(lang, 'stepDetail') }), step),
    );
    fs.append(main);
    this._syncReason(`${base}.level`);

    // Measures, one list per line of defence.
    const lines = el('div', { className: 'lines', dataset: { path: `${base}.measures` } });
    const measuresError = el('p', { className: 'error', part: 'error', id: idOf(`${base}.measures`) + '-error' });
    this._fields.set(`${base}.measures`, { input: null, error: measuresError, wrap: lines });
    const measures = el('fieldset', { className: 'measures', part: 'measures', 'aria-describedby': measuresError.id },
      el('legend', { text: say(lang, 'measures') }), lines, measuresError);
    for (const line of d.measure_lines) {
      const list = el('ul');
      (row.measures || []).forEach((m, j) => {
        if (m.line === line.line) list.append(this._measure(m, i, j, line));
      });
      if (!list.children.length) list.append(el('li', { className: 'empty', text: say(lang, 'noMeasureYet') }));
      lines.append(el('fieldset', { className: 'line', part: 'line' },
        el('legend', { text: tx(line.name, lang) }),
        list,
        el('button', { type: 'button', className: 'small', part: 'button add-measure', text: say(lang, 'addMeasure', tx(line.name, lang)),
          onclick: () => this._addMeasure(i, line.line) })));
    }
    fs.append(measures);
    return fs;
  }

  _measure(m, i, j, line) {
    const d = this._def;
    const lang = this._lang;
    const path = `rows[${i}].measures[${j}]`;
    const li = el('li', { dataset: { path } });
    for (const f of d.measure) {
      const field = f.path === 'kind'
        ? { ...f, choices: line.kinds, help: null }
        : f;
      const node = this._field(field, `${path}.${f.path}`, this._table);
      if (f.path === 'kind') {
        // The empty choice of a measure's kind means the unit's own measure.
        node.querySelector('option').textContent = `— ${say(lang, 'ownMeasure')} —`;
      }
      li.append(node);
    }
    const error = el('p', { className: 'error', part: 'error', id: idOf(path) + '-error' });
    this._fields.set(path, { input: null, error, wrap: li });
    li.append(error, el('button', { type: 'button', className: 'small', part: 'button remove-measure', text: say(lang, 'removeMeasure'),
      onclick: () => this._removeMeasure(i, j) }));
    return li;
  }

  // ---- structure changes --------------------------------------------------------------------
  // Only the rows concerned are drawn again, so adding a row or a measure to a long table is
  // as quick as to a short one.

  /** Draws rows `from`… again (after rows were added, removed or changed from there on);
   *  `moved` says which row was added (`{ insert: i }`) or removed (`{ remove: i }`). */
  _redrawRows(from, moved = null) {
    const prefixOf = (p) => Number(/^rows\[(\d+)\]/.exec(p)?.[1] ?? -1);
    for (const p of [...this._fields.keys()]) if (prefixOf(p) >= from) this._fields.delete(p);
    while (this._rowsEl.children.length > from) this._rowsEl.lastElementChild.remove();
    this._grades.length = from;
    for (let i = from; i < this._table.rows.length; i++) {
      this._rowsEl.append(this._row(this._table.rows[i], i));
    }
    this._check(null, null, moved);
  }

  /** Draws row `i` again in place. */
  _redrawRow(i) {
    const prefix = `rows[${i}]`;
    for (const p of [...this._fields.keys()]) {
      if (p === prefix || p.startsWith(prefix + '.') || p.startsWith(prefix + '[')) this._fields.delete(p);
    }
    this._rowsEl.children[i].replaceWith(this._row(this._table.rows[i], i));
    this._check(null, i);
  }

  _addRow() {
    if (this._table.rows.length >= this._def.max_rows) return;
    this._table.rows.push(this._blankRow());
    const n = this._table.rows.length;
    this._save();
    this._redrawRows(n - 1, { insert: n - 1 });
    this._announce(say(this._lang, 'rowAdded', n));
    const first = this._fields.get(`rows[${n - 1}].power.name`);
    if (first) first.input.focus();
  }

  _removeRow(i) {
    this._table.rows.splice(i, 1);
    // Rows after it move up, and what was touched in them moves with them.
    const moved = new Set();
    for (const p of this._touched) {
      const m = /^rows\[(\d+)\]/.exec(p);
      const r = m ? Number(m[1]) : -1;
      if (r < i) moved.add(p);
      else if (r > i) moved.add(`rows[${r - 1}]${p.slice(m[0].length)}`);
    }
    this._touched = moved;
    this._save();
    this._redrawRows(i, { remove: i });
    this._announce(say(this._lang, 'rowRemoved', i + 1));
    const next = this._rowsEl.children[Math.min(i, this._table.rows.length - 1)];
    const target = next ? next.querySelector('input, select, textarea') : this._root.querySelector('[part~="add-row"]');
    if (target) target.focus();
  }

  _addMeasure(i, line) {
    const row = this._table.rows[i];
    row.measures = row.measures || [];
    if (row.measures.length >= this._def.max_measures) return;
    row.measures.push({ line, kind: '', text: '' });
    const j = row.measures.length - 1;
    this._save();
    this._redrawRow(i);
    const f = this._fields.get(`rows[${i}].measures[${j}].kind`);
    if (f) f.input.focus();
  }

  _removeMeasure(i, j) {
    this._table.rows[i].measures.splice(j, 1);
    this._touched = new Set([...this._touched].filter((p) => !p.startsWith(`rows[${i}].measures[`)));
    this._save();
    this._redrawRow(i);
    const add = this._rowsEl.children[i].querySelector('[part~="add-measure"]');
    if (add) add.focus();
  }

  // ---- checking -----------------------------------------------------------------------------

  /** Whether an issue at `path` is shown now: after a submit attempt, or once its field (or a
   *  field inside it) has been touched. */
  _visible(path) {
    if (this._showAll) return true;
    for (const t of this._touched) {
      if (t === path || t.startsWith(path + '.') || t.startsWith(path + '[')) return true;
    }
    return false;
  }

  /** The nearest drawn field for an issue path: the field itself or its closest container. */
  _fieldFor(path) {
    let p = path;
    while (p) {
      const f = this._fields.get(p);
      if (f) return [p, f];
      const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      if (cut <= 0) return [null, null];
      p = p.slice(0, cut);
    }
    return [null, null];
  }

  /** Validates and grades the whole table, then shows grades and errors. `changed` is the path
   *  just edited (its new error, if any, is announced); `row`, a row drawn again; `moved`, a row
   *  added or removed (see `_redrawRows`). */
  _check(changed, row = null, moved = null) {
    const lang = this._lang;
    // A check now makes a postponed one moot, but not the postponed save.
    const postponed = this._timer !== null;
    if (postponed) {
      clearTimeout(this._timer);
      this._timer = null;
    }
    const started = performance.now();
    let result;
    let rows;
    try {
      ({ result, rows } = this._validate(changed, row, moved));
    } catch (e) {
      this._resultEl.hidden = false;
      this._resultEl.replaceChildren(el('p', { className: 'notice bad', text: e.message }));
      return null;
    }
    this._result = result;

    // Grades: of every row after a full check, of the rows an edit changed after an edit.
    const showGrade = (g, i) => {
      const view = this._grades[i];
      if (!view) return;
      const row = this._table.rows[i];
      let shown;
      if (g) {
        const stated = row.level && row.level !== g.level ? this._def.levels.find((l) => l.id === row.level) : null;
        shown = [
          tx(g.level_name, lang) + (stated ? ` → ${say(lang, 'stated')} ${tx(stated.name, lang)}` : ''),
          (stated || g).severity,
          colon(lang, say(lang, 'leader'), tx((stated || g).responsible_name, lang)),
          colon(lang, say(lang, 'reason'), g.reasons.map((r) => tx(r.text, lang)).join(lang === 'en' ? '; ' : '；')),
        ];
      } else {
        shown = [say(lang, 'notGraded'), 'none', '', ''];
      }
      // Touch the DOM only where something changed: a 200-row table stays quick.
      const key = shown.join('\u0000');
      if (view.shown !== key) {
        view.shown = key;
        [view.level.textContent, view.level.dataset.severity, view.leader.textContent, view.why.textContent] = shown;
      }
      const now = g ? g.level : null;
      if (view.last !== undefined && view.last !== now && changed && changed.startsWith(`rows[${i}].`)) {
        this._announce(say(lang, 'levelAnnounce', i + 1, g ? tx(g.level_name, lang) : say(lang, 'notGraded')));
      }
      view.last = now;
    };
    if (rows) for (const i of rows) showGrade(result.grades[i], i);
    else result.grades.forEach(showGrade);

    // Errors beside their fields.
    const byField = new Map();
    for (const issue of result.errors) {
      if (!this._visible(issue.path)) continue;
      const [p] = this._fieldFor(issue.path);
      if (!p) continue;
      if (!byField.has(p)) byField.set(p, []);
      byField.get(p).push(tx(issue.message, lang));
    }
    // Only the fields that show an error now, or showed one before, need a look.
    let fresh = null;
    const before = this._errorShown || new Map();
    const now = new Map();
    for (const [p, messages] of byField) now.set(p, messages.join(' '));
    for (const p of new Set([...before.keys(), ...now.keys()])) {
      const f = this._fields.get(p);
      const text = now.get(p) || '';
      if (!f || f.error.textContent === text) continue;
      if (text && p === changed) fresh = text;
      f.error.textContent = text;
      if (f.input) {
        if (text) f.input.setAttribute('aria-invalid', 'true');
        else f.input.removeAttribute('aria-invalid');
      }
    }
    this._errorShown = now;
    if (fresh) this._announce(fresh);

    // The summary, once a submission has been attempted.
    if (this._showAll && result.errors.length) {
      this._summary.hidden = false;
      const list = el('ul');
      for (const issue of result.errors) {
        const [, f] = this._fieldFor(issue.path);
        const target = f && (f.input || f.wrap.querySelector('select, input, textarea, button'));
        const item = el('li');
        if (target) {
          item.append(el('button', { type: 'button', className: 'link', text: tx(issue.message, lang),
            onclick: () => { target.focus(); target.scrollIntoView({ block: 'center' }); } }));
        } else {
          item.append(document.createTextNode(tx(issue.message, lang)));
        }
        list.append(item);
      }
      this._summary.replaceChildren(el('p', { id: 'summary-title', text: say(lang, 'summary', result.errors.length) }), list);
    } else {
      this._summary.hidden = true;
      this._summary.replaceChildren();
    }
    if (this._showAll && result.warnings.length) {
      this._warnings.hidden = false;
      this._warnings.replaceChildren(el('p', { text: say(lang, 'warnings', result.warnings.length) }),
        el('ul', {}, ...result.warnings.map((w) => el('li', { text: tx(w.message, lang) }))));
    } else {
      this._warnings.hidden = true;
      this._warnings.replaceChildren();
    }
    if (postponed) this._save();
    this._lastCost = performance.now() - started;
    return result;
  }

  /** Validates and grades: after an edit of one row (or of the header) only that part, the core
   *  keeping the rest; otherwise the whole table. Returns the whole result, as `validateTable`
   *  gives it, and the rows to show again: those an edit changed, and the edited row (null after
   *  a full check: all). After a row was added or removed, the core checks the whole table from
   *  its own copy, without reading it from here again. */
  _validate(changed, row, moved = null) {
    if (moved && this._parts) {
      try {
        const result = 'remove' in moved
          ? this._checker.removeRow(moved.remove)
          : this._checker.insertRow(moved.insert, this._table.rows[moved.insert]);
        return { result: this._keep(result), rows: null };
      } catch {
        // The whole table is read and checked instead, and says what is wrong with it.
      }
    }
    if ((changed || row !== null) && this._parts) {
      try {
        const m = changed && /^rows\[(\d+)\]/.exec(changed);
        const i = m ? Number(m[1]) : row;
        if (i !== null) return this._merge(this._checker.checkRow(i, this._table.rows[i]), i);
        return this._merge(this._checker.checkHeader({ ...this._table, rows: undefined }), null);
      } catch {
        // The whole table is checked instead, and says what is wrong with it.
      }
    }
    this._parts = null;
    this._checker ??= new TableChecker();
    return { result: this._keep(this._checker.check(this._table)), rows: null };
  }

  /** Keeps a whole result by part (header, each row), for edits to update; returns it. */
  _keep(result) {
    const parts = {
      head: { errors: [], warnings: [] },
      rows: result.grades.map(() => ({ errors: [], warnings: [] })),
      grades: result.grades,
    };
    for (const i of result.errors) (parts.rows[i.row] ?? parts.head).errors.push(i);
    for (const i of result.warnings) (parts.rows[i.row] ?? parts.head).warnings.push(i);
    this._parts = parts;
    return result;
  }

  /** The whole result again, from the kept parts and what an edit of row `edited` (or of the
   *  header: null) changed. */
  _merge(update, edited) {
    const p = this._parts;
    p.head = update.head;
    p.grades = p.grades.slice();
    for (const r of update.rows) {
      p.rows[r.row] = r;
      p.grades[r.row] = r.grade;
    }
    const errors = [...p.head.errors];
    const warnings = [...p.head.warnings];
    for (const r of p.rows) {
      if (r.errors.length) errors.push(...r.errors);
      if (r.warnings.length) warnings.push(...r.warnings);
    }
    const rows = update.rows.map((r) => r.row);
    if (edited !== null && !rows.includes(edited)) rows.push(edited);
    return { result: { ok: update.ok, errors, warnings, grades: p.grades }, rows };
  }

  /** Validates and grades the table without changing what is shown. */
  validate() { return validateTable(this._table); }

  // ---- submitting ---------------------------------------------------------------------------

  /** Validates; when valid, finalises, fires `submit` and POSTs to `endpoint` if one is set.
   *  Resolves to the submission detail, or null when the table still has errors. */
  async submit() {
    await this.ready;
    const lang = this._lang;
    this._showAll = true;
    const result = this._check(null);
    if (!result) return null;
    if (!result.ok) {
      this._announce(say(lang, 'errorsLive', result.errors.length));
      this._summary.focus();
      return null;
    }
    const fin = finalizeTable(this._table, nowRfc3339());
    if (!fin.ok) {
      this._announce(say(lang, 'errorsLive', fin.errors.length));
      return null;
    }
    const detail = { json: fin.json, hash: fin.hash, submission: JSON.parse(fin.json), warnings: fin.warnings };
    this._submission = detail;
    this._submitted = { hash: fin.hash, submitted_at: detail.submission.submitted_at };
    this._save();
    this._serverAnswer = null;
    this._showResult();
    this._announce(say(lang, 'ready', fin.hash));
    const event = new CustomEvent('submit', { detail, bubbles: true, composed: true, cancelable: true });
    const proceed = this.dispatchEvent(event);
    const endpoint = this.getAttribute('endpoint');
    if (endpoint && proceed) await this._post(endpoint, fin.json);
    return detail;
  }

  async _post(endpoint, json) {
    const lang = this._lang;
    this._serverAnswer = { pending: true };
    this._showResult();
    let answer;
    try {
      const headers = { 'content-type': 'application/json' };
      const token = this.getAttribute('token');
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await fetch(endpoint, { method: 'POST', headers, body: json });
      const text = await res.text();
      let body = null;
      try { body = JSON.parse(text); } catch { body = null; }
      answer = { status: res.status, ok: res.ok, text, body };
    } catch (e) {
      answer = { failed: e.message || String(e) };
    }
    this._serverAnswer = answer;
    this._showResult();
    this._announce(answer.failed ? say(lang, 'unreachable', answer.failed)
      : say(lang, answer.ok ? 'accepted' : 'rejected', answer.status));
    this.dispatchEvent(new CustomEvent('server-answer', { detail: answer, bubbles: true, composed: true }));
  }

  _showResult() {
    const lang = this._lang;
    const s = this._submission;
    if (!s) { this._resultEl.hidden = true; return; }
    this._resultEl.hidden = false;
    const parts = [el('p', { className: 'ready', text: say(lang, 'ready', s.hash) })];
    const a = this._serverAnswer;
    if (a && a.pending) parts.push(el('p', { text: say(lang, 'sending') }));
    else if (a && a.failed) parts.push(el('p', { className: 'notice bad', text: say(lang, 'unreachable', a.failed) }));
    else if (a) {
      parts.push(el('p', { className: a.ok ? 'server ok' : 'server notice bad', part: 'server-answer', text: say(lang, a.ok ? 'accepted' : 'rejected', a.status) }));
      const b = a.body;
      const issues = b && Array.isArray(b.errors) ? b.errors : [];
      if (issues.length) {
        parts.push(el('ul', {}, ...issues.map((i) => el('li', {
          text: typeof i === 'string' ? i
            : colon(lang, i.path || '', tx(i.message, lang) || i.message || '') + (i.code ? ` [${i.code}]` : ''),
        }))));
      }
      const code = b && typeof b.code === 'string' && !a.ok ? ` [${b.code}]` : '';
      if (b && typeof b.message === 'string') parts.push(el('p', { className: 'server-message', text: b.message + code }));
      else if (b && b.message && typeof b.message === 'object') parts.push(el('p', { className: 'server-message', text: tx(b.message, lang) + code }));
      else if (!a.ok) {
        const key = a.status >= 500 ? 'status5xx' : `status${a.status}`;
        if (UI[key]) parts.push(el('p', { className: 'server-message', text: say(lang, key) }));
        if (!b && a.text) parts.push(el('pre', { text: a.text.slice(0, 2000) }));
      } else if (!b && a.text) parts.push(el('pre', { text: a.text.slice(0, 2000) }));
      if (b && typeof b.hash === 'string') parts.push(el('p', { className: 'server-hash', text: `hash ${b.hash}` }));
    }
    this._resultEl.replaceChildren(...parts);
  }
}

if (!customElements.get('sunlight-self-check')) {
  customElements.define('sunlight-self-check', SunlightSelfCheck);
}
