/** Thrown without calling Redis while the breaker is open. */
export class BreakerOpenError extends Error {
  constructor() {
    super('Redis is unavailable (circuit open)');
    this.name = 'BreakerOpenError';
  }
}

/**
 * A circuit breaker in front of Redis: after `threshold` failures in a row it opens, and for `cooldownMs` every
 * call fails at once instead of waiting for a timeout; then one call at a time probes whether Redis is back.
 * RADIUS answers within the NAS's timeout (about a second on RouterOS) only if it does not wait on a dead Redis.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probing = false;

  constructor(
    private readonly threshold = 3,
    private readonly cooldownMs = 2000,
    private readonly onChange?: (open: boolean) => void,
  ) {}

  get open(): boolean {
    return this.failures >= this.threshold;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.open) {
      if (this.probing || Date.now() - this.openedAt < this.cooldownMs) throw new BreakerOpenError();
      this.probing = true;
    }
    try {
      const result = await fn();
      if (this.failures > 0) {
        const wasOpen = this.open;
        this.failures = 0;
        if (wasOpen) this.onChange?.(false);
      }
      return result;
    } catch (err) {
      this.failures++;
      if (this.failures === this.threshold) this.onChange?.(true);
      if (this.open) this.openedAt = Date.now();
      throw err;
    } finally {
      this.probing = false;
    }
  }
}
