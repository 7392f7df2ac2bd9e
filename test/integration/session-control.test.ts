import { startFreeradiusCoa, type FreeradiusCoa } from '../support/freeradius-coa';
import { startHarness, type Harness } from '../support/harness';
import { TEST_SECRET, testSite } from '../support/site';

/** Admissions made here skip the credential check, as RADIUS does once it has verified CHAP itself. */
const VERIFIED = { kind: 'verified', value: '' } as const;

const HOTSPOT = 'taman-kota-sampit';
const GONE = 'g-gone00000000';

/** Admits and starts a session with a chosen id, as RADIUS would after a grant. */
async function liveSession(h: Harness, sessionId: string, mac: string): Promise<void> {
  await h.redis.hset(h.services.keys.grant(sessionId), { password: 'x', hotspotId: HOTSPOT, mac });
  const admitted = await h.services.pool.admit({ sessionId, mac, hotspotId: HOTSPOT, nasIp: '127.0.0.1', acctSessionId: `acct-${sessionId}`, requestKey: sessionId, credential: VERIFIED });
  expect(admitted.ok).toBe(true);
  await h.services.pool.account({
    status: 'start', sessionId, mac, hotspotId: HOTSPOT, acctSessionId: `acct-${sessionId}`, sessionTimeSec: 0, inputBytes: 0,
    outputBytes: 0, terminateCause: '', framedIp: '10.5.50.77', nasIp: '127.0.0.1', record: {},
  });
}

describe.each([['coa'], ['disconnect']] as const)('re-rating and disconnecting live sessions through a real FreeRADIUS NAS (rateChange=%s)', (rateChange) => {
  let fr: FreeradiusCoa;
  let h: Harness;
  beforeAll(async () => {
    fr = await startFreeradiusCoa({ secret: TEST_SECRET, nakUserName: GONE, requireMessageAuthenticator: true });
  });
  afterAll(async () => {
    await fr?.stop();
  });
  // Each test has a Limpah of its own (its own namespace and pool): a session a failed test left live cannot
  // change the pool the next one checks. The NAS is shared; tests look only at the last packet it received.
  beforeEach(async () => {
    h = await startHarness(testSite({ coaPort: fr.port, rateChange }));
  });
  afterEach(async () => {
    await h?.close();
  });

  it('re-rates a session the way its NAS is configured, and books the change only after the NAS acknowledged', async () => {
    await liveSession(h, 'g-rerate000001', 'AA:00:00:00:03:01');
    const result = await h.services.sessions.reRate('g-rerate000001', 1024, 512);
    const last = (await fr.received()).at(-1)!;
    if (rateChange === 'coa') {
      expect(result).toEqual({ result: 'rerated' });
      expect(last.code).toBe('CoA-Request');
      expect(last.attributes).toMatchObject({
        'User-Name': 'g-rerate000001',
        'Acct-Session-Id': 'acct-g-rerate000001',
        'NAS-Identifier': 'MikroTik-Taman',
        'Framed-IP-Address': '10.5.50.77',
        'Mikrotik-Rate-Limit': '512k/1024k',
        'WISPr-Bandwidth-Max-Down': '1024000',
      });
      expect(await h.services.pool.snapshot()).toMatchObject({ allocDownKbps: 1024, allocUpKbps: 512, sessions: 1 });
      expect(await h.services.pool.session('g-rerate000001')).toMatchObject({ downKbps: '1024', upKbps: '512' });
      await h.services.pool.release('g-rerate000001', HOTSPOT, 'test');
    } else {
      expect(result).toEqual({ result: 'disconnected' });
      expect(last.code).toBe('Disconnect-Request');
      expect(await h.services.pool.snapshot()).toMatchObject({ allocDownKbps: 0, sessions: 0 });
    }
  });

  it('disconnects a session and gives its bandwidth back', async () => {
    await liveSession(h, 'g-cut000000001', 'AA:00:00:00:03:02');
    expect(await h.services.sessions.disconnect('g-cut000000001')).toEqual({ result: 'disconnected' });
    expect((await fr.received()).at(-1)).toMatchObject({ code: 'Disconnect-Request', attributes: { 'User-Name': 'g-cut000000001' } });
    expect(await h.services.pool.session('g-cut000000001')).toMatchObject({ state: 'closed', terminateCause: 'admin-reset' });
    expect(await h.services.pool.snapshot()).toMatchObject({ allocDownKbps: 0, sessions: 0 });
    expect(await h.services.sessions.disconnect('g-cut000000001')).toEqual({ result: 'not-live' });
  });

  it('releases a session the NAS no longer has (NAK, Error-Cause 503)', async () => {
    await liveSession(h, GONE, 'AA:00:00:00:03:03');
    expect(await h.services.sessions.disconnect(GONE)).toEqual({ result: 'gone' });
    expect(await h.services.pool.snapshot()).toMatchObject({ allocDownKbps: 0, sessions: 0 });
  });
});
