import { formFields } from '../support/html';
import { radclient, type RadclientReply } from '../support/radclient';
import { TEST_SECRET } from '../support/site';

/**
 * A citizen at the test site's park (testSite(): MikroTik-Taman, 127.0.0.1), played over the network against a
 * Limpah in a container: the phone and the router's HTTP side with fetch, the router's RADIUS side with radclient.
 */
export interface Citizen {
  readonly mac: string;
  readonly acctSessionId: string;
  /** The router's address as Limpah sees it (the site's NAS ip): 127.0.0.1 unless NAT is in between. */
  readonly nasIp?: string;
}

export interface Grant {
  readonly splash: string;
  readonly username: string;
  readonly password: string;
}

async function postForm(url: string, fields: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
  return { status: res.status, text: await res.text() };
}

/** The router's login.html posts to the portal (the splash page), the citizen taps "Sambungkan": the grant. */
export async function portalGrant(portal: string, c: Citizen): Promise<Grant> {
  const splash = await postForm(`${portal}/hotspot/mikrotik`, {
    mac: c.mac, ip: '10.5.50.23', 'link-login-only': 'http://10.5.50.1/login', 'link-orig': 'http://example.org/', identity: 'MikroTik-Taman',
  });
  if (splash.status !== 200) throw new Error(`the splash page answered ${splash.status}:\n${splash.text.slice(0, 800)}`);
  const { action, fields } = formFields(splash.text);
  const connect = await postForm(new URL(action, portal).toString(), fields);
  if (connect.status !== 200) throw new Error(`"Sambungkan" answered ${connect.status}:\n${connect.text.slice(0, 800)}`);
  const login = formFields(connect.text);
  return { splash: splash.text, username: login.fields['username']!, password: login.fields['password']! };
}

/** The router asks RADIUS with the grant, as RouterOS 7 does with PAP (and Message-Authenticator). */
export function accessRequest(authPort: number, c: Citizen, grant: Grant): Promise<RadclientReply> {
  return radclient(authPort, 'auth', TEST_SECRET, [
    `User-Name = "${grant.username}"`, `User-Password = "${grant.password}"`, `Calling-Station-Id = "${c.mac}"`, `NAS-IP-Address = ${c.nasIp ?? '127.0.0.1'}`,
    'NAS-Identifier = "MikroTik-Taman"', 'Framed-IP-Address = 10.5.50.23', `Acct-Session-Id = "${c.acctSessionId}"`, 'Message-Authenticator = 0x00',
  ]);
}

/** One Accounting-Request from the router; retried as a router would while Limpah does not answer. */
export function accounting(acctPort: number, c: Citizen, username: string, status: 'Start' | 'Interim-Update' | 'Stop', extra: string[] = []): Promise<RadclientReply> {
  return radclient(
    acctPort,
    'acct',
    TEST_SECRET,
    [
      `User-Name = "${username}"`, `Acct-Status-Type = ${status}`, `Acct-Session-Id = "${c.acctSessionId}"`, `Calling-Station-Id = "${c.mac}"`,
      'NAS-Identifier = "MikroTik-Taman"', `NAS-IP-Address = ${c.nasIp ?? '127.0.0.1'}`, 'Framed-IP-Address = 10.5.50.23', 'Message-Authenticator = 0x00', ...extra,
    ],
    { retries: 3, timeoutSec: 3 },
  );
}
