import type { Response } from 'express';
import type { Messages } from './i18n/messages';

type ErrorKey = { [K in keyof Messages]: K extends `err${string}` ? K : never }[keyof Messages];

/** Renders the citizen's error page: what happened and what to do, in the request's language. */
export function renderError(res: Response, status: number, key: ErrorKey): void {
  const t = res.locals['t'] as Messages;
  res.status(status).render('error', { message: t[key] });
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
