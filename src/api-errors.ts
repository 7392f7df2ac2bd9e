import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import type { Logger } from './log';

/**
 * The one error body of every JSON API (the admin API, the agencies' usage push, the status JSON, the captive API's
 * unknown hotspot), and the one way to name what a schema refused:
 *
 *   {"error": {"code": "INVALID", "message": "quota.downKbps: ...", "details": [{"path": "quota.downKbps", "message": "..."}]}}
 *
 * `code` is stable and fixes the HTTP status; `message` is English and says what to do; `details` comes with a request
 * refused field by field, each field named by its path as a developer writes it ("quota.downKbps", "[0].at").
 * The answers RFC 8908 prescribes (the captive API's state) are not errors and keep their own format.
 */

/** The largest body an API reads: a usage batch of 500 items fits, with room. */
export const API_BODY_LIMIT_KB = 64;

/** The codes the APIs answer, with their HTTP status. */
export const API_ERRORS = {
  INVALID: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAUTHORIZED: 401,
  UNSUPPORTED_MEDIA_TYPE: 415,
  MALFORMED_JSON: 400,
  TOO_LARGE: 413,
  /** The status page's JSON without the ticket of the link after login. */
  BAD_TICKET: 400,
  INTERNAL: 500,
} as const;
export type ApiErrorCode = keyof typeof API_ERRORS;

export interface ApiErrorDetail {
  readonly path: string;
  readonly message: string;
}

export interface ApiErrorBody {
  readonly error: { readonly code: ApiErrorCode; readonly message: string; readonly details?: readonly ApiErrorDetail[] };
}

/** The body as JSON Schema, for the OpenAPI document. */
export const API_ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(API_ERRORS) },
        message: { type: 'string' },
        details: { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } },
      },
    },
  },
} as const;

/** Answers an error; its status is its code's unless `status` says otherwise. */
export function sendApiError(res: Response, code: ApiErrorCode, message: string, details?: readonly ApiErrorDetail[], status: number = API_ERRORS[code]): void {
  const body: ApiErrorBody = { error: { code, message, ...(details === undefined ? {} : { details }) } };
  res.status(status).json(body);
}

/** A zod issue's path: "quota.downKbps", "[0].at", "hotspots[2]"; `fallback` when the issue is about the whole value. */
export function issuePath(issue: z.core.$ZodIssue, fallback = 'body'): string {
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return path || fallback;
}

/** An error body's `details`: each refused field's path ('' for the whole body) and what is wrong with it. */
export function issueDetails(issues: readonly z.core.$ZodIssue[]): ApiErrorDetail[] {
  return issues.map((i) => ({ path: issuePath(i, ''), message: i.message }));
}

/** Zod issues in English, one "path: message" each: an error's message, the CLI's and the logs' form (the console names fields by label instead). */
export function issuesText(issues: readonly z.core.$ZodIssue[], options: { prefix?: string; separator?: string; fallback?: string } = {}): string {
  return issues.map((i) => `${options.prefix ?? ''}${issuePath(i, options.fallback)}: ${i.message}`).join(options.separator ?? '; ');
}

/** The last route of an API router: a path it does not have is a JSON 404, not the citizens' HTML page. */
export function apiNotFound(_req: Request, res: Response): void {
  sendApiError(res, 'NOT_FOUND', 'No such API route; see the README.');
}

/**
 * The error middleware of an API router, after its own: a body the JSON parser refused, another request Express
 * refused (a path that does not decode), or a failure, logged once here (on the request's logger, else `logger`)
 * and answered without its details.
 */
export function apiErrorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const { type, status, message } = (err ?? {}) as { type?: unknown; status?: unknown; message?: unknown };
    if (type === 'entity.parse.failed') return sendApiError(res, 'MALFORMED_JSON', 'The body is not valid JSON.');
    if (type === 'entity.too.large') return sendApiError(res, 'TOO_LARGE', `The body is larger than ${API_BODY_LIMIT_KB} KB; send smaller batches.`);
    if (type === 'charset.unsupported' || type === 'encoding.unsupported') return sendApiError(res, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as JSON in UTF-8, not compressed.');
    // A 4xx from Express or its parsers is the client's mistake, and its message says which.
    if (typeof status === 'number' && status >= 400 && status < 500) return sendApiError(res, 'INVALID', String(message), undefined, status);
    (req.log ?? logger).error({ err }, 'API request failed');
    sendApiError(res, 'INTERNAL', 'The request failed; try again later.');
  };
}
