import { deviceDayUsage } from '../../src/pool/device-usage';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGrant } from '../../src/grants/grants';
import { findHotspot } from '../../src/pool/site-store';
import { allowanceLeft } from '../../src/portal/allowance';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../src/redis/embedded';
import { eventually } from '../support/eventually';
import { startHarness, type Harness } from '../support/harness';
import { radclient } from '../support/radclient';
import { formFields } from '../support/html';
import { TEST_SECRET } from '../support/site';
import request from 'supertest';

const MAC = 'AA:BB:CC:00:07:01';

describe('when the real redis-server stops and comes back', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'limpah-outage-'));
  const spoolDir = mkdtempSync(join(tmpdir(), 'limpah-outage-spool-'));
  let redis: EmbeddedRedis;
  let h: Harness;

  beforeAll(async () => {
    redis = await startEmbeddedRedis({ dataDir, appendOnly: true });
    h = await startHarness(undefined, {
      redisUrl: redis.url,
      commandTimeoutMs: 500, // production uses 150 ms; the test shares two cores with a browser and another worker
      spoolDir,
      spoolReplayMs: 200,
      failOpen: { downKbps: 512, upKbps: 256, sessionTimeoutSec: 600, maxSessions: 2 },
    });
  });
  afterAll(async () => {
    await h?.close();
    await redis?.stop();
  });

  const acct = (username: string, status: string, extra: string[]) =>
    radclient(h.acctPort, 'acct', TEST_SECRET, [
      `User-Name = "${username}"`,
      `Acct-Status-Type = ${status}`,
      'Acct-Session-Id = "81a00077"',
      `Calling-Station-Id = "${MAC}"`,
      'NAS-IP-Address = 127.0.0.1',
      ...extra,
    ]);
  const auth = (username: string, password: string, mac = MAC) =>
    radclient(h.authPort, 'auth', TEST_SECRET, [
      `User-Name = "${username}"`,
      `User-Password = "${password}"`,
      `Calling-Station-Id = "${mac}"`,
      'NAS-IP-Address = 127.0.0.1',
      'Message-Authenticator = 0x00',
    ]);

  it('fails open at the safe rate within its budget, spools accounting, and replays it once Redis is back', async () => {
    const g = await createGrant(h.redis, h.services.keys, { hotspotId: 'taman-kota-sampit', mac: MAC });
    expect((await auth(g.username, g.password)).code).toBe('Access-Accept');
    expect((await acct(g.username, 'Start', ['Acct-Session-Time = 0'])).code).toBe('Accounting-Response');
    expect(await h.services.pool.snapshot()).toMatchObject({ sessions: 1, allocDownKbps: 2048 });

    const router = { mac: 'AA:BB:CC:00:07:02', 'link-login-only': 'http://10.5.50.1/login', identity: 'MikroTik-Taman' };
    await request(h.services.app).post('/hotspot/mikrotik').type('form').send(router).expect(200);

    await redis.stop();

    // The citizen still sees the splash page and gets credentials for the router...
    const splash = await request(h.services.app).post('/hotspot/mikrotik').type('form').send(router).expect(200);
    const connect = await request(h.services.app).post('/hotspot/mikrotik/connect').type('form').send(formFields(splash.text).fields).expect(200);
    const login = formFields(connect.text).fields;
    expect(login['username']).toMatch(/^g-/);

    // ...and logins go on at the safe rate, for a short time, up to the budget (2 here).
    const open1 = await auth(login['username']!, login['password']!, 'AA:BB:CC:00:07:02');
    expect(open1.code).toBe('Access-Accept');
    expect(open1.attributes).toMatchObject({ 'Mikrotik-Rate-Limit': '256k/512k', 'Session-Timeout': '600' });
    expect(Object.keys(open1.attributes)[0]).toBe('Message-Authenticator');
    expect((await auth('g-aaaaaaaaaaa2', 'whatever', 'AA:BB:CC:00:07:03')).code).toBe('Access-Accept');
    expect((await auth('g-aaaaaaaaaaa3', 'whatever', 'AA:BB:CC:00:07:04')).code).toBe('Access-Reject');
    // What needs no Redis is still checked: a name that is no grant gets nothing, budget or not.
    expect((await auth('admin', 'admin', 'AA:BB:CC:00:07:05')).code).toBe('Access-Reject');

    // Accounting is answered: the records are on disk.
    expect((await acct(g.username, 'Interim-Update', ['Acct-Session-Time = 300', 'Acct-Output-Octets = 700000'])).code).toBe('Accounting-Response');
    const stop = ['Acct-Session-Time = 600', 'Acct-Output-Octets = 900000', 'Acct-Input-Octets = 100000', 'Acct-Terminate-Cause = User-Request'];
    expect((await acct(g.username, 'Stop', stop)).code).toBe('Accounting-Response');
    const spooled = readdirSync(spoolDir).map((f) => readFileSync(join(spoolDir, f), 'utf8')).join('');
    expect(spooled.trim().split('\n')).toHaveLength(2);
    expect(h.services.radius.counters).toMatchObject({ failedOpen: 2, spooled: 2 });

    // Redis comes back on the same port with its AOF: the spool is replayed, the session closes, nothing twice.
    redis = await startEmbeddedRedis({ dataDir, appendOnly: true, port: redis.port, password: redis.password });
    await eventually(() => expect(readdirSync(spoolDir)).toEqual([]), { what: 'the spool to be replayed and removed', intervalMs: 100 });
    expect(await h.services.pool.snapshot()).toMatchObject({ sessions: 0, allocDownKbps: 0 });
    expect(await h.services.pool.session(g.username)).toMatchObject({ state: 'closed', outputBytes: '900000', sessionTime: '600' });

    // The router retransmits the Stop it already had answered: still counted once.
    expect((await acct(g.username, 'Stop', stop)).code).toBe('Accounting-Response');
    // The device's day, as the ledger books it.
    expect(await deviceDayUsage(h.redis, h.services.keys, MAC)).toEqual({ sec: 600, bytes: 1_000_000 });

    // And logins go through the ledger again.
    const g2 = await createGrant(h.redis, h.services.keys, { hotspotId: 'taman-kota-sampit', mac: 'AA:BB:CC:00:07:05' });
    const back = await auth(g2.username, g2.password, g2.mac);
    expect(back.attributes['Mikrotik-Rate-Limit']).toBe('1024k/2048k');
  });
});
