import type { RedisClient as Redis } from '../redis/client';
import type { Logger } from '../log';
import type { Keys } from '../redis/keys';
import { reconcile, type ReconcileReport } from '../pool/reconcile';
import { PeriodicJob, type Job } from '../job';

/**
 * The ledger must equal the sum of the live sessions; a drift is a bug, reported for an operator to look at. Read
 * while traffic flows, one pass can see a session between two writes: only a drift seen twice in a row is logged
 * as an error.
 */
export function reconcileJob(redis: Redis, keys: Keys, logger: Logger, intervalMs = 600_000): Job {
  let driftBefore = false;
  return new PeriodicJob<ReconcileReport>({
    name: 'reconcile',
    intervalMs,
    logger,
    run: async () => {
      const r = await reconcile(redis, keys);
      if (r.drift && driftBefore) logger.error(r, 'ledger drift: the pool differs from its sessions');
      else logger.debug(r, r.drift ? 'possible ledger drift; checking again next time' : 'ledger consistent');
      driftBefore = r.drift;
      return r;
    },
    failureMessage: 'reconcile failed',
  });
}
