#!/usr/bin/env node
// Plays a MikroTik router for a newcomer: what a phone and its router do when a citizen taps "Sambungkan".
//   node scripts/play-router.js [PORTAL_URL] [RADIUS host:port] [RADIUS secret] [router identity] [MAC]
// Defaults fit `npm start` with no configuration (the example site's first router, 127.0.0.1, limpah-demo-secret).
// Needs radclient (Debian: freeradius-utils). Sends nothing anywhere but the addresses given.
'use strict';
const { spawnSync } = require('node:child_process');

const [portal = 'http://127.0.0.1:3000', radius = '127.0.0.1:1812', secret = 'limpah-demo-secret', identity = 'MikroTik-Taman', mac = 'AA:BB:CC:DD:EE:01'] = process.argv.slice(2);

/** The hidden fields of the first form in a page (what a browser would post). */
function firstForm(html) {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error(`no form in the page:\n${html.slice(0, 800)}`);
  const decode = (s) => s.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  const fields = {};
  for (const m of form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[decode(m[1])] = decode(m[2]);
  return { action: decode(form[1]), fields };
}

async function post(url, fields) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(portal).origin }, body: new URLSearchParams(fields), redirect: 'manual' });
  return { status: res.status, text: await res.text() };
}

(async () => {
  // 1. The router's login.html posts its variables to the portal: the splash page.
  const splash = await post(`${portal}/hotspot/mikrotik`, { mac, 'link-login-only': 'http://10.5.50.1/login', 'link-orig': 'http://example.org/', identity });
  if (splash.status !== 200) throw new Error(`the splash answered ${splash.status}:\n${splash.text.slice(0, 800)}`);
  console.log(`1. splash page: ${/<h1>([^<]*)<\/h1>/.exec(splash.text)?.[1] ?? '?'}`);
  // 2. "Sambungkan": the portal answers with the form the phone posts to the router's login page.
  const { action, fields } = firstForm(splash.text);
  const connect = await post(new URL(action, portal).toString(), fields);
  const login = firstForm(connect.text);
  console.log(`2. "Sambungkan": the phone is sent to ${login.action} as ${login.fields.username}`);
  // 3. The router asks Limpah's RADIUS server, as RouterOS 7 does (PAP, with Message-Authenticator).
  const attributes = [`User-Name = "${login.fields.username}"`, `User-Password = "${login.fields.password}"`, `Calling-Station-Id = "${mac}"`, 'NAS-IP-Address = 127.0.0.1', `NAS-Identifier = "${identity}"`, 'Message-Authenticator = 0x00'];
  const r = spawnSync('radclient', ['-x', radius, 'auth', secret], { input: `${attributes.join('\n')}\n`, encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run radclient (apt-get install freeradius-utils): ${r.error.message}`);
  console.log('3. the router asks RADIUS; the answer:');
  process.stdout.write(r.stdout + r.stderr);
  process.exitCode = r.status ?? 1;
})().catch((err) => {
  console.error(err.message);
  process.exitCode = 1;
});
