/**
 * The floor of the portal benchmark (bench/portal.ts): the bare stack Limpah's portal is built on, doing the least a
 * splash page and a "Sambungkan" need, in its own process. Express 5, helmet with Limpah's options (a script nonce
 * per request, as the CSP needs), compression as Limpah sets it, the urlencoded body parser as Limpah sets it, EJS
 * with the view cache, and:
 *   POST /hotspot/mikrotik          signs the form fields with HMAC-SHA256 and renders splash.ejs
 *   POST /hotspot/mikrotik/connect  checks the token over the form fields, makes random credentials and renders
 *                                   connect.ejs; a bad token gets a 400
 * The templates (BENCH_FLOOR_VIEWS) are Limpah's own pages as the benchmark received them, with the per-request
 * values (MAC, token; username, password, nonce) put back as EJS tags: the same bytes, as compressible. The signing
 * key (BENCH_FORM_KEY, base64) is Limpah's, so that one set of prepared requests is valid for both servers.
 * No Redis, no logging, no language, no refusal: the floor is what is left when the portal does nothing of its own.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import compression from 'compression';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { HELMET_OPTIONS } from '../src/http/app';

const key = Buffer.from(process.env['BENCH_FORM_KEY']!, 'base64');
const LIFETIME_MS = 30 * 60_000;
/** The fields the splash form carries and signs, as Limpah names them. */
const SIGNED = ['mac', 'hotspot', 'linkLoginOnly', 'dst', 'chapId', 'chapChallenge'] as const;

function mac(fields: Record<string, string>, expires: number): string {
  const h = createHmac('sha256', key);
  h.update(String(expires));
  for (const k of Object.keys(fields).sort()) h.update(`\0${k}\0${fields[k]}`);
  return h.digest('base64url');
}

function pick(body: Record<string, unknown>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) out[n] = typeof body[n] === 'string' ? body[n] : '';
  return out;
}

const app = express();
app.disable('x-powered-by');
app.set('view engine', 'ejs');
app.set('views', process.env['BENCH_FLOOR_VIEWS']!);
app.set('view cache', true);
app.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 }));
app.use((_req: Request, res: Response, next: NextFunction) => {
  res.locals['nonce'] = randomBytes(16).toString('base64');
  next();
});
app.use(helmet(HELMET_OPTIONS));
app.use(compression({ threshold: 512 }));

app.post('/hotspot/mikrotik', (req, res) => {
  const b = req.body as Record<string, unknown>;
  const fields = {
    mac: String(b['mac'] ?? ''),
    hotspot: String(b['hotspot'] ?? ''),
    linkLoginOnly: String(b['link-login-only'] ?? ''),
    dst: String(b['link-orig'] ?? ''),
    chapId: String(b['chap-id'] ?? ''),
    chapChallenge: String(b['chap-challenge'] ?? ''),
  };
  const expires = Date.now() + LIFETIME_MS;
  res.setHeader('Cache-Control', 'no-store');
  res.render('splash', { mac: fields.mac, token: `${expires}.${mac(fields, expires)}` });
});

app.post('/hotspot/mikrotik/connect', (req, res) => {
  const b = req.body as Record<string, unknown>;
  const m = /^(\d{13})\.([A-Za-z0-9_-]{43})$/.exec(typeof b['token'] === 'string' ? b['token'] : '');
  const expected = m ? Buffer.from(mac(pick(b, SIGNED), Number(m[1]))) : null;
  const given = m ? Buffer.from(m[2]!) : null;
  if (!m || !expected || !given || expected.length !== given.length || !timingSafeEqual(expected, given) || Number(m[1]) < Date.now()) {
    res.status(400).send('bad token');
    return;
  }
  res.setHeader('Cache-Control', 'no-store');
  res.render('connect', { username: `g-${randomBytes(6).toString('hex')}`, password: randomBytes(16).toString('hex') });
});

const http = createServer(app);
http.listen(0, '127.0.0.1', () => process.send!({ type: 'ready', port: (http.address() as AddressInfo).port }));
process.on('message', (msg: { type: string }) => {
  if (msg.type !== 'stop') return;
  http.closeAllConnections();
  http.close(() => process.exit(0));
});
