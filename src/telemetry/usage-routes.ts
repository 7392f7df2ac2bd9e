import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { RedisClient as Redis } from '../redis/client';
import type { Logger } from '../log';
import type { Keys } from '../redis/keys';
import type { Capacity } from '../pool/capacity';
import { authenticateApiKey, ingestUsage, usageBatchSchema } from './usage-ingest';

/** A JSON error with a stable code and a message that says what to do. */
function sendError(res: Response, status: number, code: string, message: string, details?: unknown): void {
  res.status(status).json({ error: { code, message, ...(details === undefined ? {} : { details }) } });
}

/**
 * `POST /api/v1/agencies/usage` (mounted at that path): agencies (or Diskominfo's collector) push measured usage
 * with an API key; capacity follows at once.
 */
export function usageRouter(deps: { redis: Redis; keys: Keys; logger: Logger; refreshCapacity: () => Promise<Capacity> }): Router {
  const router = Router();
  router.use(express.json({ limit: '64kb', type: ['application/json', 'application/*+json'] }));

  router.post('/', async (req: Request, res: Response) => {
    const auth = req.get('authorization') ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
    const who = await authenticateApiKey(deps.redis, deps.keys, bearer);
    if (!who) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="limpah"');
      return sendError(res, 401, 'UNAUTHORIZED', 'Send a valid API key as "Authorization: Bearer <key>".');
    }
    if (!req.is('application/json')) return sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the batch as application/json.');
    const parsed = usageBatchSchema.safeParse(req.body);
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, ''), message: i.message }));
      return sendError(res, 400, 'INVALID_USAGE', 'The batch is not a list of { agencyId, downKbps, upKbps, at }; see details.', details);
    }
    const result = await ingestUsage(deps.redis, deps.keys, who, parsed.data);
    if (result.problems.length > 0) {
      return sendError(res, 400, 'INVALID_USAGE', 'Nothing was stored; fix these items and send the batch again.', result.problems);
    }
    const capacity = await deps.refreshCapacity();
    deps.logger.info({ key: who.name, items: parsed.data.length, stored: result.stored, capDownKbps: capacity.downKbps }, 'agency usage received');
    res.json({ stored: result.stored, capacity: { downKbps: capacity.downKbps, upKbps: capacity.upKbps } });
  });

  router.use((_req: Request, res: Response) => sendError(res, 404, 'NOT_FOUND', 'No such API route; see the README.'));
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status ?? 500;
    if (status >= 500) deps.logger.error({ err }, 'API request failed');
    if (status === 400) return sendError(res, 400, 'MALFORMED_JSON', 'The body is not valid JSON.');
    if (status === 413) return sendError(res, 413, 'TOO_LARGE', 'The body is larger than 64 KB; send smaller batches.');
    sendError(res, status >= 500 ? 500 : status, 'INTERNAL', 'The request failed; try again later.');
  });
  return router;
}
