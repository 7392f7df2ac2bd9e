import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGrant } from '../../src/grants/grants';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../src/redis/embedded';
import { eventually } from '../support/eventually';
import { papLogin, startHarness, type Harness } from '../support/harness';
import { radclient } from '../support/radclient';
import { TEST_SECRET } from '../support/site';

const MAC = 'AA:BB:CC:00:0D:01';

/**
 * A real small filesystem, so that the disk itself cuts a record short (a write(2) that takes part of it), as on
 * a router-side box whose data partition fills. Mounting needs root, as the lab does; CI runs as root (.ci/run).
 */
function mountSmallDisk(dir: string): void {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k,mode=0700', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`this test fills a 16 KB tmpfs mounted on ${dir}; run it as root (mount said: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()})`);
  }
}

/** Takes every byte the disk has left, in a file of its own; returns that file. */
function fillDisk(dir: string): string {
  const file = join(dir, 'filler');
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(512, 'x');
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return file;
}

describe('when the spool disk fills while Redis is stopped', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'limpah-full-redis-'));
  const spoolDir = mkdtempSync(join(tmpdir(), 'limpah-full-spool-'));
  let redis: EmbeddedRedis;
  let h: Harness;
  let mounted = false;

  beforeAll(async () => {
    mountSmallDisk(spoolDir);
    mounted = true;
    redis = await startEmbeddedRedis({ dataDir, appendOnly: true });
    // Replayed by the test, not the timer: a replay tried during the outage would move the file aside and start a
    // new one, and no record would straddle the disk's last free page.
    h = await startHarness(undefined, { redisUrl: redis.url, commandTimeoutMs: 500, spoolDir, spoolReplayMs: 3_600_000 });
  });
  afterAll(async () => {
    await h?.close();
    await redis?.stop();
    if (mounted) execFileSync('umount', ['-l', spoolDir]);
    rmSync(spoolDir, { recursive: true, force: true });
  });

  const acct = (username: string, status: string, sessionTimeSec: number, outputBytes: number, extra: string[] = []) =>
    radclient(
      h.acctPort,
      'acct',
      TEST_SECRET,
      [
        `User-Name = "${username}"`, `Acct-Status-Type = ${status}`, 'Acct-Session-Id = "81a000d1"', `Calling-Station-Id = "${MAC}"`,
        'NAS-IP-Address = 127.0.0.1', `Acct-Session-Time = ${sessionTimeSec}`, `Acct-Output-Octets = ${outputBytes}`, ...extra,
      ],
      { retries: 1, timeoutSec: 1 },
    );
  const spoolText = () => readdirSync(spoolDir).filter((f) => f.startsWith('accounting-')).map((f) => readFileSync(join(spoolDir, f), 'utf8')).join('');

  it('answers only records that are on disk whole, and loses none that were answered once space is back', async () => {
    const g = await createGrant(h.redis, h.services.keys, { hotspotId: 'taman-kota-sampit', mac: MAC });
    expect((await papLogin(h, g)).code).toBe('Access-Accept');
    expect((await acct(g.username, 'Start', 0, 0)).code).toBe('Accounting-Response');

    await redis.stop();
    expect((await acct(g.username, 'Interim-Update', 60, 1000)).code).toBe('Accounting-Response');
    const filler = fillDisk(spoolDir);

    // Interims until the disk refuses one: the record that does not fit whole gets no answer.
    let answered = 1;
    for (let minute = 2; minute <= 30; minute++) {
      if ((await acct(g.username, 'Interim-Update', 60 * minute, 1000 * minute)).code !== 'Accounting-Response') break;
      answered++;
    }
    expect(answered).toBeLessThan(30);
    // Cut back to the last complete record: every answered record is there whole, nothing else.
    const text = spoolText();
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { sessionTimeSec: number }).sessionTimeSec)).toEqual(Array.from({ length: answered }, (_, i) => 60 * (i + 1)));
    expect(h.services.radius.counters.spoolFailures).toBe(1);

    // Space again (an operator cleans up); the router gave up on that Interim and later sends its Stop.
    unlinkSync(filler);
    const stop = await acct(g.username, 'Stop', 3000, 900_000, ['Acct-Terminate-Cause = User-Request']);
    expect(stop.code).toBe('Accounting-Response');

    redis = await startEmbeddedRedis({ dataDir, appendOnly: true, port: redis.port, password: redis.password });
    await eventually(() => h.redis.ping(), { what: 'the connection to the restarted redis-server', intervalMs: 100 });
    expect(await h.services.spool.replay(h.services.pool)).toBe(answered + 1);
    expect(spoolText()).toBe('');
    expect(await h.services.pool.session(g.username)).toMatchObject({ state: 'closed', acctStopped: '1', sessionTime: '3000', outputBytes: '900000' });
    expect(await h.services.pool.snapshot()).toMatchObject({ sessions: 0, allocDownKbps: 0 });
  });
});
