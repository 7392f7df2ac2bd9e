import express, { Router, type Request, type Response } from 'express';
import type { RedisClient as Redis } from '../redis/client';
import type { Logger } from '../log';
import type { Keys } from '../redis/keys';
import type { Capacity } from '../pool/capacity';
import { API_BODY_LIMIT_KB, apiErrorHandler, apiNotFound, issueDetails, sendApiError } from '../api-errors';
import { authenticateApiKey, ingestUsage, usageBatchSchema } from './usage-ingest';

/**
 * `POST /api/v1/agencies/usage` (mounted at that path): agencies (or Diskominfo's collector) push measured usage
 * with an API key; capacity follows at once. Errors in the body every JSON API answers (src/api-errors.ts).
 */
export function usageRouter(deps: { redis: Redis; keys: Keys; logger: Logger; refreshCapacity: () => Promise<Capacity> }): Router {
  const router = Router();
  router.use(express.json({ limit: `${API_BODY_LIMIT_KB}kb`, type: ['application/json', 'application/*+json'] }));

  router.post('/', async (req: Request, res: Response) => {
    const auth = req.get('authorization') ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
    const who = await authenticateApiKey(deps.redis, deps.keys, bearer);
    if (!who) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="limpah"');
      return sendApiError(res, 'UNAUTHORIZED', 'Send a valid API key as "Authorization: Bearer <key>".');
    }
    if (!req.is('application/json')) return sendApiError(res, 'UNSUPPORTED_MEDIA_TYPE', 'Send the batch as application/json.');
    const parsed = usageBatchSchema.safeParse(req.body);
    if (!parsed.success) {
      return sendApiError(res, 'INVALID', 'The batch is not a list of { agencyId, downKbps, upKbps, at }; see details.', issueDetails(parsed.error.issues));
    }
    const result = await ingestUsage(deps.redis, deps.keys, who, parsed.data);
    if (result.problems.length > 0) {
      return sendApiError(res, 'INVALID', 'Nothing was stored; fix these items and send the batch again.', result.problems);
    }
    const capacity = await deps.refreshCapacity();
    deps.logger.info({ key: who.name, items: parsed.data.length, stored: result.stored, capDownKbps: capacity.downKbps }, 'agency usage received');
    res.json({ stored: result.stored, capacity: { downKbps: capacity.downKbps, upKbps: capacity.upKbps } });
  });

  router.use(apiNotFound);
  router.use(apiErrorHandler(deps.logger));
  return router;
}
