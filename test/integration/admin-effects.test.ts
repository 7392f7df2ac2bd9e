import { blockDevice, setHotspotDisabled, unblockDevice } from '../../src/admin/service';
import type { Actor } from '../../src/admin/operators';
import { sweepSessions } from '../../src/pool/retention';
import { buildReport, wibDay } from '../../src/admin/insight';
import { grantLogin, harnessForSuite, startHarness, type Harness } from '../support/harness';

const ADMIN: Actor = { kind: 'operator', name: 'siti', role: 'admin', scope: { kecamatan: [], hotspots: [] } };

/** What the console's changes do to citizens at RADIUS, and what retention keeps. */
describe('admin changes at RADIUS, and retention', () => {
  let h: Harness;
  let keys: Harness['services']['keys'];
  harnessForSuite((started) => {
    h = started;
    keys = h.services.keys;
  });
  const deps = () => ({ redis: h.redis, keys, pool: h.services.pool, nas: h.services.nas, sessions: h.services.sessions, logger: h.logger });
  const login = async (mac: string) => {
    return grantLogin(h, mac);
  };

  it('refuses a blocked device with a message that says so, until the block ends', async () => {
    const mac = 'AA:00:00:00:30:01';
    const r = await blockDevice(deps(), ADMIN, { mac: mac.toLowerCase(), minutes: 30, reason: 'spam' });
    expect(r.until).toBeGreaterThan(Date.now() + 29 * 60_000);
    const refused = await login(mac);
    expect(refused.reply.code).toBe('Access-Reject');
    expect(refused.reply.attributes['Reply-Message']).toContain('diblokir sementara');
    // Storage: the block's record must expire by itself when the block ends.
    expect(await h.redis.pttl(keys.deviceBlock(mac))).toBeGreaterThan(29 * 60_000);
    await unblockDevice(deps(), ADMIN, mac);
    expect((await login(mac)).reply.code).toBe('Access-Accept');
  });

  it('refuses everyone at a disabled hotspot, and admits again once it is enabled', async () => {
    await setHotspotDisabled(deps(), ADMIN, 'taman-kota-sampit', true);
    try {
      const refused = await login('AA:00:00:00:30:02');
      expect(refused.reply.code).toBe('Access-Reject');
      expect(refused.reply.attributes['Reply-Message']).toContain('dinonaktifkan');
    } finally {
      // Enabled again even when an expectation above failed: the next tests log in at this hotspot.
      await setHotspotDisabled(deps(), ADMIN, 'taman-kota-sampit', false);
    }
    expect((await login('AA:00:00:00:30:03')).reply.code).toBe('Access-Accept');
  });

  it('deletes closed session records past retention, keeps live ones and the per-day totals', async () => {
    const { grant } = await login('AA:00:00:00:30:04');
    const live = await login('AA:00:00:00:30:05');
    await h.services.pool.release(grant.username, 'taman-kota-sampit', 'test');
    // Storage: a closed session's record must expire by itself, after the retention.
    expect(await h.redis.ttl(keys.session(grant.username))).toBeGreaterThan(6 * 86400);
    const day = wibDay(Date.now());
    const reportBefore = await buildReport(deps(), day, day);
    // Ten days later, with the default seven days of retention:
    const swept = await sweepSessions(h.redis, keys, 7, Date.now() + 10 * 86_400_000);
    expect(swept.deleted).toBeGreaterThanOrEqual(1);
    expect(await h.services.pool.session(grant.username)).toBeNull();
    expect(await h.services.pool.session(live.grant.username)).toMatchObject({ state: 'pending' });
    // The day's report is as it was.
    expect(await buildReport(deps(), day, day)).toEqual(reportBefore);
    expect(reportBefore.rows.find((r) => r.hotspotId === 'taman-kota-sampit')?.sessions).toBeGreaterThanOrEqual(4);
    // Storage: the per-day totals must expire by themselves, after the aggregate retention.
    expect(await h.redis.ttl(keys.daily(day))).toBeGreaterThan(700 * 86400);
  });
});
