import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import ejs from 'ejs';
import type { Response } from 'express';
import { paths } from '../paths';
import type { Messages } from './i18n/messages';

type ErrorKey = { [K in keyof Messages]: K extends `err${string}` ? K : never }[keyof Messages];

/** Smaller pages go as they are: not worth the gzip header and the time. */
const GZIP_MIN_BYTES = 512;

/**
 * Every name the citizens' templates (views/*.ejs and views/partials) read: each page's own values, what the app
 * gives every page (asset, format), what the request does (t, nonce) and what a page passes to a partial (title).
 * The templates are compiled without EJS's `with (locals)`, which V8 does not optimize (a page renders in half the
 * time): a name they read must be listed here, or the page fails with a ReferenceError, in the tests first.
 */
const PAGE_LOCALS = [
  'action', 'asset', 'code', 'duration', 'fields', 'format', 'hotspot', 'hours', 'jsonUrl', 'loginFields', 'loginUrl',
  'message', 'method', 'nonce', 'otherLangUrl', 'refusal', 'routerError', 'showClick', 'showVoucher', 'status', 't',
  'terms', 'ticket', 'title', 'toggle', 'token', 'voucherCode', 'voucherError', 'voucherOnly', 'wispr',
];

/** The citizens' templates, compiled on first use; they change with a release, never while Limpah runs. */
const templates = new Map<string, ejs.TemplateFunction>();

function template(view: string): ejs.TemplateFunction {
  let compiled = templates.get(view);
  if (!compiled) {
    const filename = join(paths.views, `${view}.ejs`);
    // Partials are named from the views folder (`/partials/head`) and cached by EJS, compiled as the page is.
    compiled = ejs.compile(readFileSync(filename, 'utf8'), { filename, root: paths.views, cache: true, _with: false, destructuredLocals: PAGE_LOCALS });
    templates.set(view, compiled);
  }
  return compiled;
}

/**
 * Renders a citizen's page and sends it whole, gzipped in one call when the phone takes gzip. For a page of a few
 * kilobytes zlib's one-shot call costs about a third of what compression()'s stream costs, most of which is the
 * hand-off to the thread pool and back (npm run bench:portal). gzip rather than the br compression() prefers: on
 * these pages br saves about 5% of the bytes for about three times the CPU. compression() still compresses what is
 * streamed (assets, the console) and leaves a reply that is already encoded alone.
 */
export function renderPage(res: Response, view: string, locals: Record<string, unknown>, status = 200): void {
  let html: string;
  try {
    html = template(view)({ ...res.app.locals, ...res.locals, ...locals });
  } catch (err) {
    res.req.next!(err);
    return;
  }
  res.status(status).type('html');
  res.vary('Accept-Encoding');
  if (html.length < GZIP_MIN_BYTES || res.req.method === 'HEAD' || !res.req.acceptsEncodings('gzip')) {
    res.send(html);
    return;
  }
  res.setHeader('Content-Encoding', 'gzip');
  res.send(gzipSync(html, { windowBits: 13 }));
}

/** Renders the citizen's error page: what happened and what to do, in the request's language. */
export function renderError(res: Response, status: number, key: ErrorKey): void {
  const t = res.locals['t'] as Messages;
  renderPage(res, 'error', { message: t[key] }, status);
}

/**
 * Lets this response's forms post to one more origin: the credentials go to the router's login URL, an origin
 * known only per request. Rewrites the form-action directive helmet set.
 */
export function allowFormAction(res: Response, origin: string): void {
  const csp = res.getHeader('Content-Security-Policy');
  if (typeof csp !== 'string') return;
  res.setHeader('Content-Security-Policy', csp.replace(/form-action [^;]*/, `form-action 'self' ${origin}`));
}
