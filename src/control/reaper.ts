import type { Logger } from '../log';
import type { Pool } from '../pool/pool';

/**
 * Releases sessions whose lease ran out: pending grants that never sent Accounting-Start, and sessions whose
 * NAS went silent for about 2.5 interim intervals. Each release re-checks the lease inside Lua, so running it
 * in several processes at once is safe.
 */
export class Reaper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
    private readonly intervalMs = 30_000,
    /** While true, leases are not trusted: accounting that renews them may still sit in the spool. */
    private readonly paused: () => boolean = () => false,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async tick(): Promise<void> {
    if (this.running || this.paused()) return;
    this.running = this.reapOnce();
    try {
      await this.running;
    } catch (err) {
      this.logger.warn({ err }, 'reaper pass failed; retrying next interval');
    } finally {
      this.running = undefined;
    }
  }

  /** One pass; returns how many sessions were released. */
  async reapOnce(): Promise<number> {
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
