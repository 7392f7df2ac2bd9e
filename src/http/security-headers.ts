import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/** Stands for the request's nonce while helmet's headers are worked out; cannot occur in a header helmet makes. */
const NONCE_MARK = '\u0000nonce\u0000';

/**
 * helmet's headers for these options, worked out once: helmet runs at start-up against a stand-in response whose
 * nonce is a mark, and every response then gets the same headers with its own nonce (res.locals.nonce) in place of
 * the mark. The same headers as helmet(options) as a middleware, without a dozen middlewares and the CSP built
 * from its directives again for every response (npm run bench:portal). helmet's headers depend on its options
 * alone; the nonce is base64, which the CSP takes as it is.
 */
export function securityHeaders(options: Readonly<HelmetOptions>): RequestHandler {
  const set = new Map<string, string>();
  const removed: string[] = [];
  const standIn = {
    locals: { nonce: NONCE_MARK },
    setHeader(name: string, value: string) {
      set.set(name, String(value));
    },
    removeHeader(name: string) {
      set.delete(name);
      removed.push(name);
    },
  };
  let failed: unknown;
  helmet(options)({} as Request, standIn as unknown as Response, (err?: unknown) => {
    failed = err;
  });
  if (failed) throw failed instanceof Error ? failed : new Error(String(failed));
  const fixed = [...set].filter(([, value]) => !value.includes(NONCE_MARK));
  const withNonce = [...set].filter(([, value]) => value.includes(NONCE_MARK)).map(([name, value]) => [name, value.split(NONCE_MARK)] as const);
  return (_req: Request, res: Response, next: NextFunction) => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of fixed) res.setHeader(name, value);
    const nonce = res.locals['nonce'] as string;
    for (const [name, parts] of withNonce) res.setHeader(name, parts.join(nonce));
    next();
  };
}
