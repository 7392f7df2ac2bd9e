import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** Paths never written to a log: passwords, shared secrets, tokens and cookies. */
export const REDACT_PATHS = [
  'password',
  'secret',
  'token',
  '*.password',
  '*.secret',
  '*.token',
  '*.uamSecret',
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
];

/**
 * pino's error serializer, without what ioredis attaches to its errors: the command and its arguments, which
 * can hold a grant's password.
 */
function serializeError(err: unknown): unknown {
  const out = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  delete out['command'];
  delete out['previousErrors'];
  delete out['args'];
  return out;
}

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? 'info',
    base: { app: 'limpah' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: serializeError },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}
