import { BreakerOpenError, CircuitBreaker, isRedisUnavailable } from '../../src/redis/breaker';

const timeout = () => Promise.reject(new Error('Command timed out'));
const bug = () => Promise.reject(new Error('ERR Error running script: attempt to compare nil with number'));

describe('the Redis circuit breaker', () => {
  it('opens after three unavailability errors, fails fast, and closes after one good probe', async () => {
    const changes: boolean[] = [];
    const b = new CircuitBreaker(3, 50, (open) => changes.push(open));
    for (let i = 0; i < 3; i++) await expect(b.run(timeout)).rejects.toThrow('Command timed out');
    expect(b.open).toBe(true);
    await expect(b.run(() => Promise.resolve(1))).rejects.toBeInstanceOf(BreakerOpenError);
    await new Promise((r) => setTimeout(r, 60));
    expect(await b.run(() => Promise.resolve(2))).toBe(2);
    expect(b.open).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('lets one probe through at a time', async () => {
    const b = new CircuitBreaker(1, 0);
    await expect(b.run(timeout)).rejects.toThrow();
    let release!: () => void;
    const slow = b.run(() => new Promise<void>((r) => (release = r)));
    await expect(b.run(() => Promise.resolve())).rejects.toBeInstanceOf(BreakerOpenError);
    release();
    await slow;
    expect(b.open).toBe(false);
  });

  it('is not opened by errors that are bugs, not outages', async () => {
    const b = new CircuitBreaker(1, 1000);
    await expect(b.run(bug)).rejects.toThrow('ERR');
    expect(b.open).toBe(false);
    expect(isRedisUnavailable(new Error('ERR unknown command'))).toBe(false);
    expect(isRedisUnavailable(new Error('LOADING Redis is loading the dataset in memory'))).toBe(true);
    expect(isRedisUnavailable(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(true);
  });
});
