/** Thrown by a check given to eventually() to fail at once instead of retrying (e.g. the process it waits for exited). */
export class GiveUp extends Error {
  override name = 'GiveUp';
}

export interface EventuallyOptions {
  /** What is awaited, for the error: "the spool to be replayed". */
  what: string;
  /** How long to keep trying; 10 s unless said. */
  timeoutMs?: number;
  /** Pause between tries; 50 ms unless said. */
  intervalMs?: number;
}

/**
 * Runs `check` until it passes, and returns what it returned: it passes when it neither throws nor returns `false`,
 * so it can hold `expect(...)` calls (the last failed expectation is in the timeout error) or be a predicate. For a
 * check that looks something up, throw while it is not there yet. A `GiveUp` thrown by it fails at once.
 *
 * Use it to wait for work that happens in the background (a write, a packet, a process starting), never a sleep;
 * a sleep is right only when the time passing is what is tested (a lease running out, a window in which nothing
 * must arrive), and then says so in a comment.
 */
export async function eventually<T>(check: () => T | Promise<T>, options: EventuallyOptions): Promise<Exclude<T, false>> {
  const { what, timeoutMs = 10_000, intervalMs = 50 } = options;
  const end = Date.now() + timeoutMs;
  let tries = 0;
  for (;;) {
    let last: unknown;
    tries++;
    try {
      const result = await check();
      if (result !== false) return result as Exclude<T, false>;
      last = new Error('the check returned false');
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      last = err;
    }
    if (Date.now() >= end) {
      const reason = last instanceof Error ? last.message : String(last);
      throw new Error(`timed out after ${timeoutMs} ms (${tries} tries) waiting for ${what}; last failure:\n${reason}`, { cause: last });
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
