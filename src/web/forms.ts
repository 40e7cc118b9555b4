import type { FastifyRequest } from 'fastify';
import { SettingError, type SettingKey } from '../engine/operations/setting-error.js';
import { UserError } from '../errors.js';
import { html, type Html } from './html.js';

/** Problems of a submitted form, by field name ('' for the form as a whole). */
export type FieldErrors = Record<string, string>;

/** The error shown beside a field, if it has one. */
export function fieldError(errors: FieldErrors, name: string): Html | '' {
  return errors[name] ? html`<div class="field-error" id="${name}-error" role="alert">${errors[name]}</div>` : '';
}

/** `class="invalid"` and the ARIA link to the error, on a field that has one. */
export function invalid(errors: FieldErrors, name: string): Html | '' {
  return errors[name] ? html` class="invalid" aria-invalid="true" aria-describedby="${name}-error"` : '';
}

/** A form-level problem (one not tied to a field), above the form. */
export function formError(errors: FieldErrors): Html | '' {
  return errors[''] ? html`<div class="notice error" role="alert">Error — ${errors['']}</div>` : '';
}

/** The form's fields as strings (a repeated field keeps its last value). */
export function formBody(request: FastifyRequest): Record<string, string> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) out[k] = Array.isArray(v) ? String(v.at(-1) ?? '') : String(v ?? '');
  return out;
}

/** Which field of a form holds each setting its operations may refuse (a setting not listed: the form as a whole). */
export type SettingFields = Partial<Record<SettingKey, string>>;

/**
 * A refused setting in the page's words, beside its field: the field shows the value, so the
 * words name it only when the field holds more than that value (one entry of a list).
 */
export function fieldWords(error: SettingError, fieldValue: string | undefined): string {
  if (error.value === undefined || fieldValue?.trim() !== error.value) return error.message;
  return `Invalid ${error.label}: ${error.problem}.`;
}

/**
 * Runs a form's operations; a UserError they throw becomes the form's error, a SettingError the
 * error beside its field (the operations changed nothing). `values` are the submitted fields.
 */
export function attempt(errors: FieldErrors, work: () => void, fields: SettingFields = {}, values: Record<string, string> = {}): boolean {
  try {
    work();
    return true;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const field = error instanceof SettingError ? (fields[error.setting] ?? '') : '';
    errors[field] = error instanceof SettingError ? fieldWords(error, values[field]) : error.message;
    return false;
  }
}

/** "Your changes have been saved" notice after a redirect (?saved=1). */
export const SAVED_NOTICE = { kind: 'success' as const, text: 'Your changes have been saved. Click Commit Changes to make them take effect.' };
