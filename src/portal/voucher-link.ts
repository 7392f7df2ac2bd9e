import { Router, type Request, type Response } from 'express';
import { formatCode, normalizeCode } from '../vouchers/codes';
import { renderError, renderPage } from './render';
import { rememberVoucherCookie } from './splash';

/**
 * `/v/<code>`: where a voucher's QR code points. A phone that scans it before it is let through opens this page
 * directly (the portal is in the router's walled garden): the code is remembered in a cookie, and the splash page
 * the router shows next has it filled in. Whether the code exists is not said here, so the page is no oracle
 * for guessing; the splash page checks it, within the attempt limits.
 */
export function voucherLinkRouter(): Router {
  const router = Router();
  router.get('/v/:code', (req: Request, res: Response) => {
    const code = normalizeCode(String(req.params['code']));
    if (!code) return renderError(res, 404, 'errNotFound');
    rememberVoucherCookie(res, code);
    res.setHeader('Cache-Control', 'no-store');
    renderPage(res, 'voucher-saved', { code: formatCode(code) });
  });
  return router;
}
