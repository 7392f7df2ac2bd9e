import type { RedisClient as Redis } from '../redis/client';
import type { Logger } from '../log';
import type { Keys } from '../redis/keys';
import { readNasDirectory, type NasRecord } from '../pool/site-store';
import { PeriodicJob, type Job } from '../job';

/** Strips the IPv4-mapped prefix a dual-stack socket puts on IPv4 sources. */
export function normalizeSourceIp(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/**
 * The NASes the RADIUS server trusts, by source IP, held in memory and refreshed from Redis on a timer, so a
 * flood from unknown addresses costs no Redis round trip.
 */
export class NasDirectory implements Job {
  readonly name = 'nas-directory';
  private byIp = new Map<string, NasRecord>();
  /** Chilli uamsecrets by NAS identifier, as last read: written back with the routers if Redis loses them. */
  private uamSecrets: Record<string, string> = {};
  private readonly ticks: PeriodicJob<void>;

  private restoring: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    logger: Logger,
    refreshMs = 5000,
    /**
     * Called when Redis has lost the site (restarted without persistence, flushed): it writes the site back. Given
     * the routers this process last knew, so that those the console added can be written back too.
     */
    private readonly onSiteLost?: (lastKnown: ReadonlyMap<string, NasRecord>, uamSecrets: Readonly<Record<string, string>>) => Promise<void>,
  ) {
    this.ticks = new PeriodicJob({
      name: this.name,
      intervalMs: refreshMs,
      logger,
      run: () => this.refresh(),
      failureMessage: 'NAS directory refresh failed; keeping the last one',
    });
  }

  /** Refreshes on the timer from now on; the first read is runOnce(), awaited before RADIUS is served. */
  start(): void {
    this.ticks.start();
  }

  stop(): Promise<void> {
    return this.ticks.stop();
  }

  /** One refresh, after the tick in flight if there is one. */
  runOnce(): Promise<void> {
    return this.ticks.runOnce();
  }

  /** Re-reads the routers now (the console calls it after adding or removing one). */
  async refresh(): Promise<void> {
    const [routers, siteKnown, secrets] = await Promise.all([
      readNasDirectory(this.redis, this.keys),
      this.redis.exists(this.keys.site()),
      this.onSiteLost ? this.redis.hgetall(this.keys.chilliSecrets()) : Promise.resolve({}),
    ]);
    if (siteKnown === 1 || !this.onSiteLost) {
      this.byIp = routers;
      this.uamSecrets = secrets;
      return;
    }
    // Redis answers but no longer holds the site: keep trusting the routers known until now, and write it back.
    this.restoring ??= this.onSiteLost(this.byIp, this.uamSecrets).finally(() => (this.restoring = undefined));
    await this.restoring;
    this.byIp = await readNasDirectory(this.redis, this.keys);
  }

  /** By the address as the site file writes it (see normalizeSourceIp for a socket's address). */
  lookup(ip: string): NasRecord | undefined {
    return this.byIp.get(ip);
  }

  get size(): number {
    return this.byIp.size;
  }
}
