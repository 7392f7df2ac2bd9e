import { createHash } from 'node:crypto';
import request from 'supertest';
import { chilliNewChallenge } from '../../src/portal/chilli-uam';
import { REPLY_MESSAGES } from '../../src/refusals';
import { eventually } from '../support/eventually';
import { startHarness, type Harness } from '../support/harness';
import { formFields } from '../support/html';
import { radclient } from '../support/radclient';
import { CHILLI_RADIUS_SECRET, CHILLI_UAM_SECRET, chilliSite } from '../support/site';

const UAM_SECRET = CHILLI_UAM_SECRET;
const RADIUS_SECRET = CHILLI_RADIUS_SECRET;
const CHALLENGE = '0123456789abcdef0123456789abcdef';

/** A CoovaChilli redirect as redir.c builds it: the query, then md over the whole URL and the uamsecret. */
function chilliRedirect(query: Record<string, string>, secret = UAM_SECRET): string {
  const path = `/hotspot/chilli?${Object.entries(query).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
  const md = createHash('md5').update(`http://portal.test${path}`).update(secret).digest('hex').toUpperCase();
  return `${path}&md=${md}`;
}

describe('a citizen gets online at a CoovaChilli hotspot (UAM -> radclient as Chilli)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(chilliSite());
  });
  afterAll(async () => {
    await h.close();
  });
  const query = {
    res: 'notyet', uamip: '10.1.0.1', uamport: '3990', challenge: CHALLENGE, called: '00-11-22-33-44-55', mac: 'AA-BB-CC-00-0C-01',
    ip: '10.1.0.23', nasid: 'chilli-pundu', sessionid: '5f2a0001', userurl: 'http://example.org/',
  };

  it('checks md, shows the splash, sends the browser to /logon, and Chilli CHAP is accepted with ChilliSpot rates', async () => {
    const splash = await request(h.services.app).get(chilliRedirect(query)).expect(200);
    expect(splash.text).toContain('Aula Desa Pundu');
    // Chilli's /logon is a GET: the portal redirects to it, so no page or JavaScript stands in between.
    const connect = await request(h.services.app).post('/hotspot/chilli/connect').type('form').send(formFields(splash.text).fields).expect(303);
    const logon = new URL(connect.headers['location']!);
    expect(`${logon.origin}${logon.pathname}`).toBe('http://10.1.0.1:3990/logon');
    const login = Object.fromEntries(logon.searchParams);
    expect(new URL(login['userurl']!).searchParams.get('next')).toBe('http://example.org/');

    const newchal = chilliNewChallenge(Buffer.from(CHALLENGE, 'hex'), UAM_SECRET);
    const reply = await radclient(h.authPort, 'auth', RADIUS_SECRET, [
      `User-Name = "${login['username']}"`,
      `CHAP-Password = 0x00${login['response']}`,
      `CHAP-Challenge = 0x${newchal.toString('hex')}`,
      'Calling-Station-Id = "AA-BB-CC-00-0C-01"',
      'NAS-Identifier = "chilli-pundu"',
      'Message-Authenticator = 0x00',
    ]);
    expect(reply.code).toBe('Access-Accept');
    expect(reply.attributes).toMatchObject({
      'ChilliSpot-Bandwidth-Max-Up': '512',
      'ChilliSpot-Bandwidth-Max-Down': '1024',
      'WISPr-Bandwidth-Max-Down': '1024000',
      'ChilliSpot-Max-Total-Octets': String(512 * 1048576),
    });
  });

  it('refuses a redirect whose md does not match, and answers res=success, failed and logoff', async () => {
    const forged = chilliRedirect(query).replace('AA-BB-CC-00-0C-01', 'AA-BB-CC-00-0C-99');
    expect((await request(h.services.app).get(forged).expect(400)).text).toContain('Data dari router tidak lengkap');
    await request(h.services.app).get(chilliRedirect(query, 'not-the-uam-secret')).expect(400);
    expect((await request(h.services.app).get(chilliRedirect({ ...query, res: 'success' })).expect(200)).text).toContain('Anda sudah terhubung');
    const failed = await request(h.services.app).get(chilliRedirect({ ...query, res: 'failed', reply: REPLY_MESSAGES.hotspot_full })).expect(200);
    expect(failed.text).toContain(REPLY_MESSAGES.hotspot_full);
    expect(failed.text).toContain('Sambungkan');
    // A router's message is shown only when it is one of Limpah's own; a text added to a link after md is refused.
    const made = await request(h.services.app).get(chilliRedirect({ ...query, res: 'failed', reply: 'Kirim pulsa ke 0812 untuk lanjut' })).expect(200);
    expect(made.text).not.toContain('Kirim pulsa');
    expect(made.text).toContain('Gagal tersambung');
    await request(h.services.app).get(`${chilliRedirect({ ...query, res: 'failed' })}&reply=Kirim%20pulsa`).expect(400);
    expect((await request(h.services.app).get(chilliRedirect({ ...query, res: 'logoff' })).expect(200)).text).toContain('sudah keluar');
    // The language link keeps md valid.
    expect((await request(h.services.app).get(`${chilliRedirect(query)}&lang=en`).expect(200)).text).toContain('>Connect<');
  });

  // A real Chilli answers a good /logon with res=success and the userurl the portal sent: the signed status page.
  it('sends a citizen back from res=success to the status page Chilli hands back, and nowhere else', async () => {
    const splash = await request(h.services.app).get(chilliRedirect({ ...query, mac: 'AA-BB-CC-00-0C-02' })).expect(200);
    const connect = await request(h.services.app).post('/hotspot/chilli/connect').type('form').send(formFields(splash.text).fields).expect(303);
    const userurl = new URL(connect.headers['location']!).searchParams.get('userurl')!;
    const back = await request(h.services.app).get(chilliRedirect({ ...query, res: 'success', userurl })).expect(303);
    expect(back.headers['location']).toBe(userurl);
    expect(new URL(userurl).pathname).toBe('/hotspot/status');
    const elsewhere = await request(h.services.app).get(chilliRedirect({ ...query, res: 'success', userurl: 'http://evil.example/hotspot/status?x' })).expect(200);
    expect(elsewhere.text).toContain('Anda sudah terhubung');
  });

  it('gives the venue page (the Captive Portal API\'s user-portal-url) the Chilli\'s own login page from a signed redirect', async () => {
    await request(h.services.app).get(chilliRedirect(query)).expect(200);
    // The splash records the Chilli's login page in the background.
    await eventually(
      async () => {
        const venue = await request(h.services.app).get('/hotspot/venue?hotspot=aula-desa-pundu').expect(200);
        expect(venue.text).toContain('href="http://10.1.0.1:3990/prelogin"');
      },
      { what: 'the venue page to link the Chilli\'s login page' },
    );
  });
});
