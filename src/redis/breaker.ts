/** Thrown without calling Redis while the breaker is open. */
export class BreakerOpenError extends Error {
  constructor() {
    super('Redis is unavailable (circuit open)');
    this.name = 'BreakerOpenError';
  }
}

const UNAVAILABLE_REPLIES = /^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|BUSY|OOM)\b/;

/**
 * Whether an error means Redis cannot be reached or cannot serve now (timeout, closed connection, failover,
 * loading), as opposed to a bug or a bad request, which must not be papered over by failing open.
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (err instanceof BreakerOpenError) return true;
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    err.name === 'ClusterAllFailedError' ||
    /Command timed out|Connection is closed|Stream isn't writeable|Failed to refresh slots cache|None of startup nodes is available/.test(err.message) ||
    UNAVAILABLE_REPLIES.test(err.message) ||
    (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND)$/.test(code))
  );
}

/**
 * A circuit breaker in front of Redis: after `threshold` unavailability errors within `windowMs` it opens, and
 * for `cooldownMs` every call fails at once instead of waiting for a timeout; then a single call probes whether
 * Redis is back. Other errors (bugs, bad input) pass through without counting. RADIUS answers within the NAS's
 * timeout (about a second on RouterOS) only if it does not wait on a dead Redis.
 */
export class CircuitBreaker {
  private failures: number[] = [];
  private openedAt = 0;
  private isOpen = false;
  private probe: Promise<unknown> | undefined;

  constructor(
    private readonly threshold = 3,
    private readonly cooldownMs = 2000,
    private readonly onChange?: (open: boolean) => void,
    private readonly windowMs = 5000,
  ) {}

  get open(): boolean {
    return this.isOpen;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.isOpen) {
      if (this.probe || Date.now() - this.openedAt < this.cooldownMs) throw new BreakerOpenError();
      const probe = fn();
      this.probe = probe;
      try {
        const result = await probe;
        this.close();
        return result;
      } catch (err) {
        if (isRedisUnavailable(err)) this.openedAt = Date.now();
        else this.close();
        throw err;
      } finally {
        this.probe = undefined;
      }
    }
    try {
      return await fn();
    } catch (err) {
      if (isRedisUnavailable(err)) this.fail();
      throw err;
    }
  }

  private fail(): void {
    const now = Date.now();
    this.failures = this.failures.filter((t) => now - t < this.windowMs);
    this.failures.push(now);
    if (this.failures.length >= this.threshold && !this.isOpen) {
      this.isOpen = true;
      this.openedAt = now;
      this.onChange?.(true);
    }
  }

  private close(): void {
    this.failures = [];
    if (this.isOpen) {
      this.isOpen = false;
      this.onChange?.(false);
    }
  }
}
