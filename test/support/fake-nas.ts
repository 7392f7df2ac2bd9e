import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { paths } from '../../src/paths';
import { chilliNewChallenge } from '../../src/portal/chilli-uam';
import { decodeMikrotikOctal } from '../../src/portal/mikrotik-chap';
import { radclient, type RadclientReply } from './radclient';

/**
 * The HTTP side of a hotspot router, played for end-to-end tests: it serves what the real router serves, and
 * when the browser hands it credentials it asks the real RADIUS server with radclient, as the router would, then
 * answers the browser as the router does (the status page on success, its login page with the error on refusal),
 * and sends Accounting Start and Stop.
 */

// radclient treats a 17-octet CHAP-Password as already hashed only if one octet is below 32, and re-hashes it
// as a cleartext password otherwise; a CHAP ident below 32 keeps the router's CHAP-Password as it is.
export const MIKROTIK_CHAP_ID = '\\011';
export const MIKROTIK_CHAP_CHALLENGE = '\\357\\123\\045\\001\\002\\003\\004\\005\\006\\007\\010\\011\\012\\013\\014\\015';

export interface NasSession {
  readonly username: string;
  readonly acctSessionId: string;
  stopped: boolean;
}

export interface FakeNas {
  readonly url: string;
  /** Every Access-Request the router made, with the server's answer. */
  readonly logins: Array<{ username: string; reply: RadclientReply }>;
  readonly sessions: NasSession[];
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Record<string, string>> {
  let text = '';
  for await (const chunk of req) text += (chunk as Buffer).toString();
  return Object.fromEntries(new URLSearchParams(text));
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, 'cache-control': 'no-store' }).end();
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function accounting(
  radius: { authPort: number; acctPort: number; secret: string },
  status: 'Start' | 'Stop',
  s: NasSession,
  mac: string,
  nasLines: string[],
): Promise<void> {
  const reply = await radclient(radius.acctPort, 'acct', radius.secret, [
    `Acct-Status-Type = ${status}`,
    `User-Name = "${s.username}"`,
    `Acct-Session-Id = "${s.acctSessionId}"`,
    `Calling-Station-Id = "${mac}"`,
    'Framed-IP-Address = 10.5.50.42',
    ...nasLines,
    ...(status === 'Stop' ? ['Acct-Session-Time = 120', 'Acct-Input-Octets = 300000', 'Acct-Output-Octets = 2000000', 'Acct-Terminate-Cause = User-Request'] : []),
  ]);
  if (reply.code !== 'Accounting-Response') throw new Error(`accounting ${status} got no answer:\n${reply.output}`);
}

/**
 * A MikroTik hotspot: `/login.html` is nas/mikrotik/login.html as an engineer uploads it (RouterOS variables
 * filled in; `?error=` plays the router showing it again after a refusal), `POST /login` is link-login-only,
 * `/logout` ends the session.
 */
export async function fakeMikrotik(options: {
  portalUrl: () => string;
  radius: { authPort: number; acctPort: number; secret: string };
  mac: string;
  hotspotId: string;
  identity: string;
  linkOrig?: string;
}): Promise<FakeNas> {
  const template = readFileSync(join(paths.root, 'nas', 'mikrotik', 'login.html'), 'utf8');
  const logins: FakeNas['logins'] = [];
  const sessions: NasSession[] = [];
  const nasLines = ['NAS-IP-Address = 127.0.0.1', `NAS-Identifier = "${options.identity}"`];
  let self = '';
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', self);
      if (req.method === 'POST' && url.pathname === '/login') {
        const form = await body(req);
        const chapId = decodeMikrotikOctal(MIKROTIK_CHAP_ID)!;
        const reply = await radclient(options.radius.authPort, 'auth', options.radius.secret, [
          `User-Name = "${form['username']}"`,
          `CHAP-Password = 0x${chapId.toString('hex')}${form['password']}`,
          `CHAP-Challenge = 0x${decodeMikrotikOctal(MIKROTIK_CHAP_CHALLENGE)!.toString('hex')}`,
          `Calling-Station-Id = "${options.mac}"`,
          ...nasLines,
          'Message-Authenticator = 0x00',
        ]);
        logins.push({ username: form['username'] ?? '', reply });
        if (reply.code !== 'Access-Accept') {
          // RouterOS shows login.html again, with the Reply-Message in $(error).
          return redirect(res, `/login.html?error=${encodeURIComponent(reply.attributes['Reply-Message'] ?? 'RADIUS server is not responding')}`);
        }
        const session: NasSession = { username: form['username']!, acctSessionId: randomBytes(4).toString('hex'), stopped: false };
        sessions.push(session);
        await accounting(options.radius, 'Start', session, options.mac, nasLines);
        return redirect(res, form['dst'] || '/status');
      }
      if (url.pathname === '/logout') {
        for (const s of sessions.filter((x) => !x.stopped)) {
          await accounting(options.radius, 'Stop', s, options.mac, nasLines);
          s.stopped = true;
        }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><p>router: logged out</p>');
        return;
      }
      // RouterOS substitutes $(var) and evaluates $(if chap-id) ... $(endif) before serving login.html.
      const vars: Record<string, string> = {
        mac: options.mac, ip: '10.5.50.42', username: '', 'link-login': `${self}/login?dst=x`, 'link-login-only': `${self}/login`,
        'link-orig': options.linkOrig ?? 'http://example.org/berita', error: url.searchParams.get('error') ?? '', 'chap-id': MIKROTIK_CHAP_ID,
        'chap-challenge': MIKROTIK_CHAP_CHALLENGE, identity: options.identity, 'server-name': 'hotspot1',
      };
      const escape = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
      const page = template
        .replaceAll('https://portal.example.id', options.portalUrl())
        .replaceAll('HOTSPOT_ID', options.hotspotId)
        .replace(/\$\(if chap-id\)([\s\S]*?)\$\(endif\)/g, '$1')
        .replace(/\$\(([a-z-]+)\)/g, (_m, name: string) => escape(vars[name] ?? ''));
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    })().catch((err: unknown) => res.writeHead(500).end(String(err)));
  });
  self = await listen(server);
  return { url: self, logins, sessions, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * A CoovaChilli hotspot: `/` redirects the browser to the portal (uamserver) with `md` signed by the uamsecret, as
 * redir.c does, `/logon` checks the CHAP response with RADIUS, `/logoff` ends the session.
 */
export async function fakeChilli(options: {
  portalUrl: () => string;
  radius: { authPort: number; acctPort: number; secret: string };
  uamSecret: string;
  nasid: string;
  mac: string;
  userurl?: string;
}): Promise<FakeNas> {
  const logins: FakeNas['logins'] = [];
  const sessions: NasSession[] = [];
  const challenge = randomBytes(16);
  const nasLines = [`NAS-Identifier = "${options.nasid}"`, 'NAS-IP-Address = 127.0.0.1'];
  let self = '';
  // As CoovaChilli 1.9 does (seen in test/lab): the first redirect of a new client carries an empty userurl.
  let seen = false;
  const portalRedirect = (query: Record<string, string>, userurl = seen ? (options.userurl ?? 'http://example.org/') : ''): string => {
    seen = true;
    const uam = new URL(self);
    const q = {
      ...query, uamip: uam.hostname, uamport: uam.port, called: '00-11-22-33-44-55', mac: options.mac, ip: '10.1.0.23', nasid: options.nasid,
      sessionid: '5f2a0001', userurl,
    };
    const url = `${options.portalUrl()}/hotspot/chilli?${Object.entries(q).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
    const md = createHash('md5').update(url).update(options.uamSecret).digest('hex').toUpperCase();
    return `${url}&md=${md}`;
  };
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', self);
      if (url.pathname === '/logon') {
        const newchal = chilliNewChallenge(challenge, options.uamSecret);
        const username = url.searchParams.get('username') ?? '';
        const reply = await radclient(options.radius.authPort, 'auth', options.radius.secret, [
          `User-Name = "${username}"`,
          `CHAP-Password = 0x00${url.searchParams.get('response') ?? ''}`,
          `CHAP-Challenge = 0x${newchal.toString('hex')}`,
          `Calling-Station-Id = "${options.mac}"`,
          ...nasLines,
          'Message-Authenticator = 0x00',
        ]);
        logins.push({ username, reply });
        if (reply.code !== 'Access-Accept') {
          return redirect(res, portalRedirect({ res: 'failed', challenge: challenge.toString('hex'), reply: reply.attributes['Reply-Message'] ?? '' }));
        }
        const session: NasSession = { username, acctSessionId: randomBytes(4).toString('hex'), stopped: false };
        sessions.push(session);
        await accounting(options.radius, 'Start', session, options.mac, nasLines);
        // A real Chilli sends the browser back to the portal with res=success and the userurl given to /logon.
        return redirect(res, portalRedirect({ res: 'success' }, url.searchParams.get('userurl') ?? ''));
      }
      if (url.pathname === '/logoff') {
        for (const s of sessions.filter((x) => !x.stopped)) {
          await accounting(options.radius, 'Stop', s, options.mac, nasLines);
          s.stopped = true;
        }
        return redirect(res, portalRedirect({ res: 'logoff' }));
      }
      // Any other page: the browser is not logged in yet, so Chilli sends it to the portal.
      return redirect(res, portalRedirect({ res: 'notyet', challenge: challenge.toString('hex') }));
    })().catch((err: unknown) => res.writeHead(500).end(String(err)));
  });
  self = await listen(server);
  return { url: self, logins, sessions, close: () => new Promise((r) => server.close(() => r())) };
}
