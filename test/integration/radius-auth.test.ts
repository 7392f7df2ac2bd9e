import { createSocket } from 'node:dgram';
import { Code, encodeRequest, verifyResponse } from '../../src/radius/codec';
import { createGrant } from '../../src/grants/grants';
import { REPLY_MESSAGES } from '../../src/refusals';
import { eventually } from '../support/eventually';
import { startHarness, type Harness } from '../support/harness';
import { radclient } from '../support/radclient';
import { TEST_SECRET, testSite } from '../support/site';

/** Admissions made here skip the credential check, as RADIUS does once it has verified CHAP itself. */
const VERIFIED = { kind: 'verified', value: '' } as const;

const MAC = 'AA:BB:CC:00:00:01';

function papRequest(username: string, password: string, mac = MAC): string[] {
  return [
    `User-Name = "${username}"`,
    `User-Password = "${password}"`,
    `Calling-Station-Id = "${mac}"`,
    'NAS-Identifier = "MikroTik-Taman"',
    'NAS-IP-Address = 127.0.0.1',
    'Service-Type = Login-User',
    'Message-Authenticator = 0x00',
  ];
}

/**
 * Sends raw datagrams from one socket and collects replies: until `replies` have come, or for `quietMs` when no
 * reply must come.
 */
async function exchange(port: number, packets: Buffer[], until: { replies: number } | { quietMs: number }): Promise<Buffer[]> {
  const sock = createSocket('udp4');
  const replies: Buffer[] = [];
  sock.on('message', (m) => replies.push(m));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  try {
    for (const p of packets) {
      sock.send(p, port, '127.0.0.1');
      // Part of the scenario: the datagrams come one after another, as a router's retransmissions do, not in one burst.
      await new Promise((r) => setTimeout(r, 20));
    }
    if ('replies' in until) {
      await eventually(() => expect(replies.length).toBeGreaterThanOrEqual(until.replies), { what: `${until.replies} replies`, timeoutMs: 2000 });
    } else {
      // Not a wait for work: the window in which no reply must come.
      await new Promise((r) => setTimeout(r, until.quietMs));
    }
  } finally {
    sock.close();
  }
  return replies;
}

describe('RADIUS authorization with radclient as the NAS', () => {
  // Each test has a Limpah of its own (its own namespace, pool and counters): a test that fails before releasing
  // its sessions cannot fill the hotspot, or leave sessions for Accounting-On to close, in the next one.
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(testSite({ maxSessions: 3 }));
  });
  afterEach(async () => {
    await h?.close();
  });
  const grant = (mac = MAC, hotspotId = 'taman-kota-sampit') => createGrant(h.redis, h.services.keys, { hotspotId, mac });

  it('accepts a PAP login with the grant and carries the rate, the timeouts and Message-Authenticator first', async () => {
    const g = await grant();
    const reply = await radclient(h.authPort, 'auth', TEST_SECRET, papRequest(g.username, g.password));
    expect(reply.code).toBe('Access-Accept');
    expect(Object.keys(reply.attributes)[0]).toBe('Message-Authenticator');
    expect(reply.attributes['Mikrotik-Rate-Limit']).toBe('1024k/2048k');
    expect(reply.attributes['Session-Timeout']).toBe('3600');
    await h.services.pool.release(g.username, 'taman-kota-sampit', 'test');
  });

  it('accepts a CHAP login computed by radclient from the plain password', async () => {
    const g = await grant();
    const reply = await radclient(h.authPort, 'auth', TEST_SECRET, [
      `User-Name = "${g.username}"`,
      `CHAP-Password = "${g.password}"`,
      `Calling-Station-Id = "${MAC}"`,
      'NAS-IP-Address = 127.0.0.1',
      'Message-Authenticator = 0x00',
    ]);
    expect(reply.code).toBe('Access-Accept');
    await h.services.pool.release(g.username, 'taman-kota-sampit', 'test');
  });

  it('rejects a reused grant with a message that tells the citizen to press Sambungkan again', async () => {
    const g = await grant();
    expect((await radclient(h.authPort, 'auth', TEST_SECRET, papRequest(g.username, g.password))).code).toBe('Access-Accept');
    const again = await radclient(h.authPort, 'auth', TEST_SECRET, papRequest(g.username, g.password));
    expect(again.code).toBe('Access-Reject');
    expect(again.attributes['Reply-Message']).toBe(REPLY_MESSAGES.grant_invalid);
    expect(Object.keys(again.attributes)[0]).toBe('Message-Authenticator');
    expect((await h.services.pool.snapshot()).sessions).toBe(1);
    await h.services.pool.release(g.username, 'taman-kota-sampit', 'test');
  });

  it('rejects a grant used from another device (MAC mismatch) and keeps it for the right one', async () => {
    const g = await grant();
    const other = await radclient(h.authPort, 'auth', TEST_SECRET, papRequest(g.username, g.password, 'AA:BB:CC:00:00:99'));
    expect(other.code).toBe('Access-Reject');
    expect(other.attributes['Reply-Message']).toBe(REPLY_MESSAGES.mac_mismatch);
    const right = await radclient(h.authPort, 'auth', TEST_SECRET, papRequest(g.username, g.password, 'aa-bb-cc-00-00-01'));
    expect(right.code).toBe('Access-Accept');
    await h.services.pool.release(g.username, 'taman-kota-sampit', 'test');
  });

  it('accepts the CHAP exchange the portal computed, and refuses that response replayed with another challenge', async () => {
    const id = Buffer.from([0x09]);
    const challenge = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const g = await createGrant(h.redis, h.services.keys, { hotspotId: 'taman-kota-sampit', mac: MAC, chap: { id, challenge } });
    const response = g.chapResponse!.split(':')[2]!;
    const send = (chal: string) =>
      radclient(h.authPort, 'auth', TEST_SECRET, [
        `User-Name = "${g.username}"`, `CHAP-Password = 0x09${response}`, `CHAP-Challenge = 0x${chal}`,
        `Calling-Station-Id = "${MAC}"`, 'Message-Authenticator = 0x00',
      ]);
    expect((await send('ffeeddccbbaa99887766554433221100')).code).toBe('Access-Reject');
    expect((await send(challenge.toString('hex'))).code).toBe('Access-Accept');
    await h.services.pool.release(g.username, 'taman-kota-sampit', 'test');
  });

  it('rejects a wrong CHAP response without burning the grant', async () => {
    const g = await grant();
    const wrong = await radclient(h.authPort, 'auth', TEST_SECRET, [`User-Name = "${g.username}"`, 'CHAP-Password = "not-the-password"', `Calling-Station-Id = "${MAC}"`, 'Message-Authenticator = 0x00']);
    expect(wrong.code).toBe('Access-Reject');
    const right = await radclient(h.authPort, 'auth', TEST_SECRET, [`User-Name = "${g.username}"`, `CHAP-Password = "${g.password}"`, `Calling-Station-Id = "${MAC}"`, 'Message-Authenticator = 0x00']);
    expect(right.code).toBe('Access-Accept');
    await h.services.pool.release(g.username, 'taman-kota-sampit', 'test');
  });

  it('rejects a wrong password without burning the grant', async () => {
    const g = await grant();
    expect((await radclient(h.authPort, 'auth', TEST_SECRET, papRequest(g.username, 'not-the-password'))).code).toBe('Access-Reject');
    expect((await radclient(h.authPort, 'auth', TEST_SECRET, papRequest(g.username, g.password))).code).toBe('Access-Accept');
    await h.services.pool.release(g.username, 'taman-kota-sampit', 'test');
  });

  it('rejects an unknown or expired grant', async () => {
    const reply = await radclient(h.authPort, 'auth', TEST_SECRET, papRequest('g-aaaaaaaaaaaa', 'whatever'));
    expect(reply.code).toBe('Access-Reject');
    expect(reply.attributes['Reply-Message']).toBe(REPLY_MESSAGES.grant_invalid);
  });

  it('rejects a grant made for another hotspot', async () => {
    const g = await grant(MAC, 'aula-desa-baamang');
    const reply = await radclient(h.authPort, 'auth', TEST_SECRET, papRequest(g.username, g.password));
    expect(reply.code).toBe('Access-Reject');
  });

  it('stays silent to a packet signed with the wrong secret, and counts it', async () => {
    const g = await grant();
    const before = h.services.radius.counters.dropped['bad-message-authenticator'] ?? 0;
    const reply = await radclient(h.authPort, 'auth', 'wrong-secret-123', papRequest(g.username, g.password), { retries: 1, timeoutSec: 1 });
    expect(reply.code).toBeNull();
    expect(h.services.radius.counters.dropped['bad-message-authenticator']).toBeGreaterThan(before);
  });

  it('refuses when the hotspot is full, with the hotspot-full message', async () => {
    const grants = await Promise.all([grant('AA:00:00:00:00:01'), grant('AA:00:00:00:00:02'), grant('AA:00:00:00:00:03'), grant('AA:00:00:00:00:04')]);
    const replies = [];
    for (const g of grants) replies.push(await radclient(h.authPort, 'auth', TEST_SECRET, papRequest(g.username, g.password, g.mac)));
    expect(replies.map((r) => r.code)).toEqual(['Access-Accept', 'Access-Accept', 'Access-Accept', 'Access-Reject']);
    expect(replies[3]!.attributes['Reply-Message']).toBe(REPLY_MESSAGES.hotspot_full);
    for (const g of grants) await h.services.pool.release(g.username, 'taman-kota-sampit', 'test');
    expect(await h.services.pool.snapshot()).toMatchObject({ allocDownKbps: 0, sessions: 0 });
  });

  it('answers a retransmitted Access-Request with the same bytes and admits once', async () => {
    const g = await grant();
    const packet = encodeRequest(
      Code.AccessRequest,
      [['User-Name', g.username], ['User-Password', g.password], ['Calling-Station-Id', MAC], ['NAS-IP-Address', '127.0.0.1']],
      TEST_SECRET,
      { messageAuthenticator: true, identifier: 7 },
    );
    const replies = await exchange(h.authPort, [packet, packet, packet], { replies: 3 });
    expect(replies).toHaveLength(3);
    expect(replies[0]![0]).toBe(Code.AccessAccept);
    expect(replies[1]!.equals(replies[0]!)).toBe(true);
    expect(replies[2]!.equals(replies[0]!)).toBe(true);
    expect(verifyResponse(replies[0]!, packet.subarray(4, 20), TEST_SECRET)).toBe(true);
    expect(await h.services.pool.snapshot()).toMatchObject({ allocDownKbps: 2048, sessions: 1 });
    await h.services.pool.release(g.username, 'taman-kota-sampit', 'test');
  });

  it('drops malformed datagrams without a reply and keeps serving', async () => {
    const good = encodeRequest(Code.AccessRequest, [['User-Name', 'g-aaaaaaaaaaaa'], ['User-Password', 'x']], TEST_SECRET, {
      messageAuthenticator: true,
    });
    const truncated = good.subarray(0, 25);
    const badLength = Buffer.from(good);
    badLength.writeUInt16BE(4000, 2);
    const badAttr = Buffer.from(good);
    badAttr[21] = 1;
    const replies = await exchange(h.authPort, [Buffer.from('garbage'), truncated, badLength, badAttr, Buffer.alloc(0)], { quietMs: 300 });
    expect(replies).toHaveLength(0);
    const ok = await radclient(h.authPort, 'status', TEST_SECRET, ['Message-Authenticator = 0x00']);
    expect(ok.code).toBe('Access-Accept');
  });

  it('drops an Access-Request without Message-Authenticator from a NAS that must send it (BlastRADIUS)', async () => {
    const g = await grant();
    const reply = await radclient(h.authPort, 'auth', TEST_SECRET, papRequest(g.username, g.password).slice(0, -1), { timeoutSec: 1 });
    expect(reply.code).toBeNull();
    expect(h.services.radius.counters.dropped['missing-message-authenticator']).toBeGreaterThan(0);
  });

  it('closes every session of a NAS that sends Accounting-On (it rebooted), and only that NAS', async () => {
    const grants = [await grant('AA:00:00:00:05:01'), await grant('AA:00:00:00:05:02')];
    for (const g of grants) expect((await radclient(h.authPort, 'auth', TEST_SECRET, papRequest(g.username, g.password, g.mac))).code).toBe('Access-Accept');
    // A session of the same hotspot on another router stays.
    await h.redis.hset(h.services.keys.grant('g-othernas0001'), { password: 'x', hotspotId: 'taman-kota-sampit', mac: 'AA:00:00:00:05:03' });
    await h.services.pool.admit({ sessionId: 'g-othernas0001', mac: 'AA:00:00:00:05:03', hotspotId: 'taman-kota-sampit', nasIp: '127.0.0.77', acctSessionId: '', requestKey: 'other', credential: VERIFIED });
    expect((await h.services.pool.snapshot()).sessions).toBe(3);

    const on = await radclient(h.acctPort, 'acct', TEST_SECRET, ['Acct-Status-Type = Accounting-On', 'NAS-IP-Address = 127.0.0.1', 'Acct-Session-Id = "0"']);
    expect(on.code).toBe('Accounting-Response');
    expect(await h.services.pool.snapshot()).toMatchObject({ sessions: 1, allocDownKbps: 2048 });
    expect(await h.services.pool.session(grants[0]!.username)).toMatchObject({ state: 'closed', terminateCause: 'nas-reboot' });
    await h.services.pool.release('g-othernas0001', 'taman-kota-sampit', 'test');
  });

  it('answers Status-Server on the accounting port with Accounting-Response', async () => {
    const reply = await radclient(h.acctPort, 'status', TEST_SECRET, ['Message-Authenticator = 0x00']);
    expect(reply.code).toBe('Accounting-Response');
  });
});

describe('RADIUS packets from an address that is not a known NAS', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(testSite({ nasIp: '127.0.0.9' }));
  });
  afterAll(async () => {
    await h.close();
  });

  it('are dropped without a reply and counted', async () => {
    const g = await createGrant(h.redis, h.services.keys, { hotspotId: 'taman-kota-sampit', mac: MAC });
    const reply = await radclient(h.authPort, 'auth', TEST_SECRET, papRequest(g.username, g.password), { retries: 1, timeoutSec: 1 });
    expect(reply.code).toBeNull();
    expect(h.services.radius.counters.dropped['unknown-nas']).toBeGreaterThan(0);
    expect((await h.services.pool.snapshot()).sessions).toBe(0);
  });
});
