import request from 'supertest';
import { buildReport, wibDay } from '../../src/admin/insight';
import { findHotspot } from '../../src/pool/site-store';
import { allowanceLeft } from '../../src/portal/allowance';
import { deviceDayUsage } from '../../src/pool/device-usage';
import { decodeMikrotikOctal } from '../../src/portal/mikrotik-chap';
import { startHarness, type Harness } from '../support/harness';
import { radclient } from '../support/radclient';
import { formFields } from '../support/html';
import { MIKROTIK_CHAP_CHALLENGE, MIKROTIK_CHAP_ID } from '../support/fake-nas';
import { TEST_SECRET } from '../support/site';

const MAC = 'AA:BB:CC:DD:EE:01';
// A CHAP ident below 32: see fake-nas.ts for why radclient needs one.
const CHAP_ID = MIKROTIK_CHAP_ID;
const CHAP_CHALLENGE = MIKROTIK_CHAP_CHALLENGE;

describe('a citizen gets online at a MikroTik hotspot (portal -> radclient -> pool)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('splash, connect, CHAP Access-Accept with the hotspot rate, then Start/Interim/Stop return the pool to where it started', async () => {
    const before = await h.services.pool.snapshot();
    expect(before).toMatchObject({ allocDownKbps: 0, allocUpKbps: 0, sessions: 0, capDownKbps: 40000 });

    // 1. The router's login.html posts its variables; the portal shows the splash page.
    const splash = await request(h.services.app)
      .post('/hotspot/mikrotik')
      .type('form')
      .send({
        mac: MAC,
        ip: '10.5.50.23',
        'link-login-only': 'http://10.5.50.1/login',
        'link-orig': 'http://example.org/berita',
        'chap-id': CHAP_ID,
        'chap-challenge': CHAP_CHALLENGE,
        identity: 'MikroTik-Taman',
        hotspot: 'HOTSPOT_ID',
      })
      .expect(200);
    expect(splash.text).toContain('Taman Kota Sampit');
    expect(splash.text).toContain('Sambungkan');

    // 2. "Sambungkan": the portal answers with a page that submits the credentials to the router.
    const splashForm = formFields(splash.text);
    expect(splashForm.action).toBe('/hotspot/mikrotik/connect');
    const connect = await request(h.services.app).post(splashForm.action).type('form').send(splashForm.fields).expect(200);
    const login = formFields(connect.text);
    expect(login.action).toBe('http://10.5.50.1/login');
    // After login the router opens the status page, which links on to the page the citizen wanted.
    const statusLink = new URL(login.fields['dst']!);
    expect(statusLink.origin + statusLink.pathname).toBe('http://portal.test/hotspot/status');
    expect(statusLink.searchParams.get('next')).toBe('http://example.org/berita');
    expect(statusLink.searchParams.get('logout')).toBe('http://10.5.50.1/logout');
    expect(login.fields['password']).toMatch(/^[0-9a-f]{32}$/);
    expect(connect.headers['content-security-policy']).toContain('form-action');
    expect(connect.headers['content-security-policy']).toContain('http://10.5.50.1');

    // 3. The router turns the HTTP CHAP response into a RADIUS CHAP-Password (ident ‖ response).
    const chapId = decodeMikrotikOctal(CHAP_ID)!;
    const challenge = decodeMikrotikOctal(CHAP_CHALLENGE)!;
    // The grant keeps the response the router will forward, so RADIUS checks it inside the admission script: one
    // admission, not one that hands back the grant's password for RADIUS to check CHAP itself and then another.
    const admit = jest.spyOn(h.services.pool, 'admit');
    const reply = await radclient(h.authPort, 'auth', TEST_SECRET, [
      `User-Name = "${login.fields['username']}"`,
      `CHAP-Password = 0x${chapId.toString('hex')}${login.fields['password']}`,
      `CHAP-Challenge = 0x${challenge.toString('hex')}`,
      `Calling-Station-Id = "${MAC}"`,
      'Called-Station-Id = "hotspot1"',
      'NAS-Identifier = "MikroTik-Taman"',
      'NAS-IP-Address = 127.0.0.1',
      'NAS-Port-Type = Wireless-802.11',
      'Service-Type = Login-User',
      'Framed-IP-Address = 10.5.50.23',
      'Acct-Session-Id = "81a00001"',
      'Message-Authenticator = 0x00',
    ]);
    expect(reply.code).toBe('Access-Accept');
    expect(admit.mock.calls.map(([input]) => input.credential)).toEqual([
      { kind: 'chap', value: `${chapId.toString('hex')}:${challenge.toString('hex')}:${login.fields['password']}` },
    ]);
    admit.mockRestore();
    expect(Object.keys(reply.attributes)[0]).toBe('Message-Authenticator');
    expect(reply.attributes).toMatchObject({
      'Mikrotik-Rate-Limit': '1024k/2048k',
      'WISPr-Bandwidth-Max-Up': '1024000',
      'WISPr-Bandwidth-Max-Down': '2048000',
      'Session-Timeout': '3600',
      'Idle-Timeout': '600',
      'Acct-Interim-Interval': '300',
      'Mikrotik-Total-Limit': String(1024 * 1048576),
      'Mikrotik-Total-Limit-Gigawords': '0',
    });
    expect(await h.services.pool.snapshot()).toMatchObject({ allocDownKbps: 2048, allocUpKbps: 1024, sessions: 1 });

    // 4. Accounting from the router, each answered only once stored.
    const username = login.fields['username']!;
    const acct = (status: string, extra: string[]) =>
      radclient(h.acctPort, 'acct', TEST_SECRET, [
        `User-Name = "${username}"`,
        `Acct-Status-Type = ${status}`,
        'Acct-Session-Id = "81a00001"',
        `Calling-Station-Id = "${MAC}"`,
        'NAS-Identifier = "MikroTik-Taman"',
        'NAS-IP-Address = 127.0.0.1',
        'Framed-IP-Address = 10.5.50.23',
        'Message-Authenticator = 0x00',
        ...extra,
      ]);
    expect((await acct('Start', ['Acct-Session-Time = 0'])).code).toBe('Accounting-Response');
    expect((await h.services.pool.session(username))?.['state']).toBe('active');

    const interim = ['Acct-Session-Time = 300', 'Acct-Input-Octets = 1000000', 'Acct-Output-Octets = 5000000'];
    expect((await acct('Interim-Update', interim)).code).toBe('Accounting-Response');
    const status = await request(h.services.app).get(statusLink.pathname + statusLink.search).expect(200);
    expect(status.text).toContain('2 jam 55 menit'); // 180 minutes a day, 5 used
    // The session ends at 60 minutes (the hotspot's per-connection limit) before the day's allowance does: said so.
    expect(status.text).toMatch(/Sambungan ini berakhir dalam (59|1 jam|60) ?(menit)?/);
    // In English when asked, and the choice sticks through the router's round trips.
    const en = await request(h.services.app).get(`${statusLink.pathname}${statusLink.search.replace('lang=id', 'lang=en')}`).expect(200);
    expect(en.text).toContain('2 hours 55 minutes');
    expect(en.text).toContain('This connection ends in');
    expect(en.text).toContain('Bahasa Indonesia');
    expect(status.text).toContain('1018 MB'); // 1024 MB a day, 6 MB used
    expect(status.text).toContain('2.0 / 1.0 Mbps');
    expect(status.text).toContain('action="http://10.5.50.1/logout"');
    expect((await request(h.services.app).get(`/hotspot/status.json${statusLink.search}`).expect(200)).body).toMatchObject({ state: 'active', minutesLeft: 175, mbLeft: 1018, timeLeft: '2 jam 55 menit' });
    await request(h.services.app).get(statusLink.pathname + statusLink.search.replace('sid=g-', 'sid=g-x')).expect(400);
    // A duplicate interim (new Identifier, same content) counts once.
    expect((await acct('Interim-Update', interim)).code).toBe('Accounting-Response');

    const stop = [
      'Acct-Session-Time = 900',
      'Acct-Input-Octets = 3000000',
      'Acct-Output-Octets = 100',
      'Acct-Output-Gigawords = 1',
      'Acct-Terminate-Cause = User-Request',
    ];
    expect((await acct('Stop', stop)).code).toBe('Accounting-Response');
    expect((await acct('Stop', stop)).code).toBe('Accounting-Response');

    // 5. The pool is back where it started, and the day's usage is the session's, counted once.
    expect(await h.services.pool.snapshot()).toEqual(before);
    const session = await h.services.pool.session(username);
    expect(session).toMatchObject({ state: 'closed', terminateCause: 'User-Request', sessionTime: '900', inputBytes: '3000000', outputBytes: String(2 ** 32 + 100) });
    // The device's day as the ledger books it: the session's 900 seconds and its octets, gigawords included, once;
    // and as the portal reads it, the day's 1024 MB used up.
    expect(await deviceDayUsage(h.redis, h.services.keys, MAC)).toEqual({ sec: 900, bytes: 3_000_000 + 2 ** 32 + 100 });
    const daily = (await findHotspot(h.redis, h.services.keys, { id: 'taman-kota-sampit' }))!;
    expect(await allowanceLeft(h.redis, h.services.keys, { mac: MAC }, daily, Math.floor(Date.now() / 1000))).toEqual({ voucher: false, seconds: daily.dailyMinutes * 60 - 900, bytes: 0 });
    // The day's report counts the session once, with exactly its octets (the gigawords included).
    const day = wibDay(Date.now());
    const report = await buildReport({ redis: h.redis, keys: h.services.keys, pool: h.services.pool, nas: h.services.nas, sessions: h.services.sessions, logger: h.logger }, day, day);
    expect(report.rows).toEqual([expect.objectContaining({ hotspotId: 'taman-kota-sampit', sessions: 1, hours: 900 / 3600, gb: (3_000_000 + 2 ** 32 + 100) / 1e9 })]);
  });
});
