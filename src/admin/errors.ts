import type { Response } from 'express';
import type { z } from 'zod';
import type { AdminErrorText } from './i18n';

/**
 * The admin side's one error registry. An AdminError is a refusal the caller can fix: a code (which fixes the HTTP
 * status), an English message for the API, the CLI and the logs, and (with `says`) the key of the console's text
 * in ADMIN_MESSAGES.errors, which src/admin/problems.ts fills in in the reader's language. Every JSON API answers an
 * error as { error: { code, message, details? } } through sendApiError.
 */

/** The codes an API answers, with their HTTP status. AdminError raises the first four; the API's plumbing the rest. */
export const API_ERRORS = {
  INVALID: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAUTHORIZED: 401,
  UNSUPPORTED_MEDIA_TYPE: 415,
  MALFORMED_JSON: 400,
  TOO_LARGE: 413,
} as const;
export type ApiErrorCode = keyof typeof API_ERRORS;
export type AdminErrorCode = Extract<ApiErrorCode, 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'INVALID'>;

export class AdminError extends Error {
  /** What the console says instead of the English message (which the API answers): see ADMIN_MESSAGES.errors. */
  text: { readonly key: AdminErrorText; readonly values: Readonly<Record<string, string | number>> } | undefined;
  /** The fields a schema refused, for the console to name in its reader's language (src/admin/problems.ts). */
  issues: readonly z.core.$ZodIssue[] | undefined;
  constructor(
    readonly code: AdminErrorCode,
    message: string,
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

/**
 * A zod issue's path as a developer reads it: "quota.minDownKbps" (dots, the admin API's and the CLI's form) or
 * "[0].at" (brackets, the usage push's); `fallback` when the issue is about the whole value.
 */
export function issuePath(issue: z.core.$ZodIssue, fallback = 'body', style: 'dots' | 'brackets' = 'dots'): string {
  const path = style === 'dots'
    ? issue.path.map(String).join('.')
    : issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return path || fallback;
}

/** The usage push's `details`: each refused field's path (brackets) and message. */
export function issueDetails(issues: readonly z.core.$ZodIssue[]): Array<{ path: string; message: string }> {
  return issues.map((i) => ({ path: issuePath(i, '', 'brackets'), message: i.message }));
}

/** Zod issues in English, one "path: message" each: the API's, the CLI's and the logs' form (the console names fields by label instead). */
export function issuesText(issues: readonly z.core.$ZodIssue[], options: { prefix?: string; separator?: string; fallback?: string } = {}): string {
  return issues.map((i) => `${options.prefix ?? ''}${issuePath(i, options.fallback)}: ${i.message}`).join(options.separator ?? '; ');
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

/** The one JSON error body of the APIs: { error: { code, message, details? } }. */
export function sendApiError(res: Response, status: number, code: string, message: string, details?: unknown): void {
  res.status(status).json({ error: { code, message, ...(details === undefined ? {} : { details }) } });
}
