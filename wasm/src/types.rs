//! TypeScript declarations of the values the facade takes and returns, written out by hand so
//! they read as documentation; `wasm-bindgen` appends them to the package's `.d.ts`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A text in simplified Chinese and English. */
export interface Text { zh: string; en: string; }

/** Normalised severity of a level. */
export type Severity = "low" | "medium" | "high";
/** A line of defence (三道防线). */
export type DefenceLine = "prevention" | "monitoring" | "disposal";
export type TableKind = "department" | "personal";

export interface RiskType { id: string; name: Text; description: Text; }
export interface FactorOption { id: string; name: Text; }
export interface Factor { id: string; name: Text; description: Text; options: FactorOption[]; }
export interface Role { id: string; name: Text; duty: Text; }
export interface Level {
  id: string; name: Text; rank: number; severity: Severity; responsible: string;
  description: Text; examples: Text[];
}
export interface MeasureKind { id: string; line: DefenceLine; name: Text; }
export interface Phase { id: string; name: Text; start: string; end: string; }
export type Grading =
  | { kind: "decision-table"; rules: { when: Record<string, string[]>; level: string; reason: Text }[];
      otherwise: { level: string; reason: Text } }
  | { kind: "score"; points: Record<string, Record<string, number>>; thresholds: { min: number; level: string }[] };

/** An implementation plan (实施方案) as data. */
export interface Scheme {
  format: string; id: string; name: Text;
  source: { document: string; seed: string; note: Text };
  years: { from: number; to: number | null };
  periods: string[];
  risk_types: RiskType[]; factors: Factor[]; roles: Role[]; levels: Level[];
  grading: Grading; measures: MeasureKind[]; phases: Phase[];
  table_deadline: string;
  policy: { full_defence_from: Severity; full_defence_as: "error" | "warning" };
}

export interface Choice { id: string; name: Text; }
/** One input of a form; `path` is relative to the table, the row or the measure. */
export interface Field {
  path: string; label: Text;
  input: "text" | "textarea" | "select" | "integer" | "checkbox";
  required: boolean; max_chars: number | null; choices: Choice[];
  group: "main" | "power-detail" | "step-detail"; help: Text;
}
export interface MeasureLine { line: DefenceLine; name: Text; kinds: Choice[]; }
export interface LevelInfo {
  id: string; name: Text; rank: number; severity: Severity;
  responsible: string; responsible_name: Text;
}
/** What a form shows for one table kind under one scheme. */
export interface FormDefinition {
  scheme: string; scheme_name: Text; table: TableKind; title: Text;
  header: Field[]; row: Field[]; measure_lines: MeasureLine[]; measure: Field[];
  levels: LevelInfo[]; max_rows: number; max_measures: number;
}

export interface Reason {
  kind: "rule" | "otherwise" | "score"; rule: number | null; score: number | null;
  factors: [string, string][]; text: Text;
}
/** The grade of one risk point. */
export interface Grade {
  level: string; level_name: Text; rank: number; severity: Severity;
  responsible: string; responsible_name: Text; reasons: Reason[];
}

/** One problem of a table: `path` such as `rows[2].factors.discretion`, rows counted from 0. */
export interface Issue {
  severity: "error" | "warning"; code: string; path: string; row: number | null; message: Text;
}

export interface Measure { line?: string; kind?: string; text?: string; }
export interface RiskRow {
  power?: { name?: string; category?: string; item?: string; basis?: string; limits?: string; department?: string };
  step?: { name?: string; subject?: string; conditions?: string; procedure?: string; time_limit?: string; supervision?: string };
  post?: string; risk_point?: string; risk_type?: string;
  factors?: Record<string, string>;
  level?: string | null; graded_level?: string | null; level_reason?: string;
  measures?: Measure[]; responsible?: string;
}
/** A self-check table, draft or submitted; absent members take their defaults. */
export interface SelfCheckTable {
  schema_version?: number; scheme?: string; year?: number; period?: string; table?: string;
  unit?: { id?: string; name?: string };
  department?: { id?: string; name?: string };
  person?: { id?: string; name?: string; post?: string; key_post?: boolean } | null;
  rows?: RiskRow[];
  submitted_at?: string | null; hash?: string | null;
}

export interface ValidationResult {
  ok: boolean; errors: Issue[]; warnings: Issue[];
  /** Row i's grade, or null while its factors are incomplete or invalid. Rows of the same
   *  factor values share one grade object: read grades, do not change them. */
  grades: (Grade | null)[];
}
/** One row's issues and grade, in full, after an edit (`TableChecker`). */
export interface RowValidation { row: number; errors: Issue[]; warnings: Issue[]; grade: Grade | null; }
/** What an edit changed (`TableChecker.checkRow`, `checkHeader`): `ok` for the whole table, the
 *  header's and the table's own issues in full, and every row whose issues or grade changed. */
export interface ValidationUpdate {
  ok: boolean; head: { errors: Issue[]; warnings: Issue[] }; rows: RowValidation[];
}
export type FinalizeResult =
  | { ok: true; json: string; hash: string; warnings: Issue[] }
  | { ok: false; errors: Issue[]; warnings: Issue[] };
export type VerifyResult =
  | { ok: true; hash: string; warnings: Issue[] }
  | { ok: false; problem: "invalid" | "hash-mismatch"; message: string; errors: Issue[] };
/** Supervision rules (seeds 002–004): inputs. */
export type EventSource = "questionnaire" | "public-evaluation" | "online-report" | "letter" | "inspection-tour" | "case" | "office";
export type MatterSeverity = "minor" | "heavier" | "serious";
/** One dated event of a person's integrity archive (干部廉政档案). */
export interface ArchiveEvent {
  id: string; person: string; department?: string; key_post?: boolean; date: string;
  source: EventSource; kind: string; severity?: MatterSeverity | null; complaints?: number;
  until?: string | null; refers_to?: string; note?: string;
}
/** A review step on a table: confirm (确定), approve (审定), publish (公示), file (备案). */
export interface ReviewEvent { table: string; step: "confirm" | "approve" | "publish" | "file"; by: string; at: string; scope?: string; }
/** What the quarterly check records about one major decision (seed 002 第十条). */
export interface DecisionRecord {
  id: string; title?: string; decided_by: "collective" | "individual"; procedure_breached?: boolean;
  members?: number; votes_for?: number; adopted?: boolean; facts_withheld?: boolean;
  re_deliberation_ordered?: boolean; re_deliberated?: boolean; went_wrong?: boolean;
  secrecy_breached?: boolean; serious_consequences?: boolean;
}
export interface RatingInput { unit: string; year: number; score: number; cases: number; yellow_cards: number; }
"#;
