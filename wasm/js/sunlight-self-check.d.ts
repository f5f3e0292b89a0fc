// Types of the <sunlight-self-check> element. The core's types (SelfCheckTable, Issue,
// ValidationResult…) are declared in sunlight_wasm.d.ts beside this file.
import type { Issue, SelfCheckTable, ValidationResult } from './sunlight_wasm.js';

/** What the `submit` event carries: the canonical submission, exactly as to be sent. */
export interface SubmitDetail {
  /** The canonical JSON text (RFC 8785 as restricted by Sunlight), hash included. */
  json: string;
  /** `sha256:` and the hex SHA-256 of the canonical envelope without `hash`. */
  hash: string;
  /** The same submission, parsed. */
  submission: SelfCheckTable;
  /** Warnings that did not block it (a late submission, an overridden level…). */
  warnings: Issue[];
}

/** What the `server-answer` event carries after a POST to `endpoint`. */
export type ServerAnswer =
  | { status: number; ok: boolean; text: string; body: unknown }
  | { failed: string };

/**
 * The self-check table form. Attributes: `scheme`, `table` (`department` | `personal`),
 * `lang` (`zh-CN` default, `en`), `unit`, `unit-name`, `endpoint`, `token` (sent as
 * `Authorization: Bearer TOKEN` with the POST to `endpoint`).
 */
export class SunlightSelfCheck extends HTMLElement {
  /** The localStorage key of this form's draft: scheme, table kind and unit. */
  readonly draftKey: string;
  /** A copy of the table as it stands, or null before the form is drawn. */
  readonly table: SelfCheckTable | null;
  /** Resolves once the form is drawn. */
  readonly ready: Promise<void>;
  /** Validates and grades the table without changing what is shown. */
  validate(): ValidationResult;
  /** Validates; when valid, finalises, fires `submit` and POSTs to `endpoint` if set. */
  submit(): Promise<SubmitDetail | null>;
  addEventListener<K extends keyof SunlightSelfCheckEventMap>(
    type: K,
    listener: (this: SunlightSelfCheck, ev: SunlightSelfCheckEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
}

export interface SunlightSelfCheckEventMap {
  submit: CustomEvent<SubmitDetail>;
  'server-answer': CustomEvent<ServerAnswer>;
}

declare global {
  interface HTMLElementTagNameMap {
    'sunlight-self-check': SunlightSelfCheck;
  }
}
