import type { z } from 'zod';
import { API_ERRORS, issuesText, type ApiErrorCode } from '../api-errors';
import type { AdminErrorText } from './i18n';

/**
 * The admin side's one error registry. An AdminError is a refusal the caller can fix: a code (which fixes the HTTP
 * status), an English message for the API, the CLI and the logs, and (with `says`) the key of the console's text
 * in ADMIN_MESSAGES.errors, which src/admin/problems.ts fills in in the reader's language. The API answers it in
 * the one error body of every JSON API (src/api-errors.ts).
 */

export type AdminErrorCode = Extract<ApiErrorCode, 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'INVALID'>;

export class AdminError extends Error {
  /** What the console says instead of the English message (which the API answers): see ADMIN_MESSAGES.errors. */
  text: { readonly key: AdminErrorText; readonly values: Readonly<Record<string, string | number>> } | undefined;
  /** The fields a schema refused, for the console to name in its reader's language (src/admin/problems.ts) and the API to list. */
  issues: readonly z.core.$ZodIssue[] | undefined;
  constructor(
    readonly code: AdminErrorCode,
    message: string,
    /** Its code's, unless another answer fits better (a router that does not answer: 502). */
    readonly status: number = API_ERRORS[code],
  ) {
    super(message);
    this.name = 'AdminError';
  }

  /** Names the console's text for this error, with the values it fills in. */
  says(key: AdminErrorText, values: Record<string, string | number> = {}): this {
    this.text = { key, values };
    return this;
  }
}

/** A schema's value, or AdminError INVALID naming each field and what is wrong with it. */
export function parseOrInvalid<T extends z.ZodType>(schema: T, raw: unknown, prefix = ''): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const err = new AdminError('INVALID', `${prefix}${issuesText(parsed.error.issues)}`);
    err.issues = parsed.error.issues;
    throw err;
  }
  return parsed.data;
}
