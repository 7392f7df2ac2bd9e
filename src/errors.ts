/**
 * One registry of the errors Limpah raises. Expected outcomes (Access-Reject, pool full) are values, not errors;
 * these are for things an operator or a developer must fix, and every message says what to do.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'SITE_FILE_INVALID'
  | 'SITE_FILE_UNREADABLE'
  | 'REDIS_SERVER_MISSING'
  | 'REDIS_SERVER_FAILED'
  | 'REDIS_UNREACHABLE'
  | 'SPOOL_WRITE_FAILED'
  | 'BAD_REQUEST'
  | 'NOT_FOUND';

export class LimpahError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;

  constructor(code: ErrorCode, message: string, options: { statusCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LimpahError';
    this.code = code;
    this.statusCode = options.statusCode ?? 500;
  }
}

export function isLimpahError(err: unknown): err is LimpahError {
  return err instanceof LimpahError;
}
