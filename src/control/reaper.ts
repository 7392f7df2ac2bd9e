import type { Logger } from '../log';
import type { Pool } from '../pool/pool';
import { PeriodicJob, type Job } from '../job';

/**
 * Releases sessions whose lease ran out: pending grants that never sent Accounting-Start, and sessions whose
 * NAS went silent for about 2.5 interim intervals. Each release re-checks the lease inside Lua, so running it
 * in several processes at once is safe.
 */
export class Reaper implements Job {
  readonly name = 'reaper';
  private readonly ticks: PeriodicJob<number>;

  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
    intervalMs = 30_000,
    /** While true, leases are not trusted: accounting that renews them may still sit in the spool. */
    paused: () => boolean = () => false,
  ) {
    this.ticks = new PeriodicJob({
      name: this.name,
      intervalMs,
      logger,
      paused,
      run: () => this.reap(),
      failureMessage: 'reaper pass failed; retrying next interval',
    });
  }

  start(): void {
    this.ticks.start();
  }

  stop(): Promise<void> {
    return this.ticks.stop();
  }

  /** One pass (even while paused); returns how many sessions were released. */
  runOnce(): Promise<number> {
    return this.ticks.runOnce();
  }

  private async reap(): Promise<number> {
    let released = 0;
    for (const sessionId of await this.pool.expiredLeases()) {
      const session = await this.pool.session(sessionId);
      const hotspotId = session?.['hotspotId'] ?? '';
      const result = await this.pool.release(sessionId, hotspotId, session?.['state'] === 'pending' ? 'never-started' : 'lease-expired', true);
      if (result === 'released') {
        released++;
        this.logger.info({ sessionId, hotspotId, state: session?.['state'] }, 'released session whose lease expired');
      }
    }
    return released;
  }
}
