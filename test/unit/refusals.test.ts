import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '../../src/paths';
import { MESSAGES } from '../../src/portal/i18n/messages';
import { REFUSAL_POLICY, REFUSAL_REASONS, REFUSAL_TEXTS, REPLY_MESSAGES } from '../../src/refusals';

/** One list of refusal reasons, and every reason has every text and a policy. */
describe('refusals', () => {
  it('has, for every reason, a RADIUS Reply-Message, the portal\'s page in both languages and a policy', () => {
    for (const reason of REFUSAL_REASONS) {
      expect(REPLY_MESSAGES[reason]).toMatch(/\S/);
      for (const lang of ['id', 'en'] as const) {
        const t = REFUSAL_TEXTS[lang].reasons[reason];
        expect([t.title, t.body, t.when].every((x) => x.trim().length > 0)).toBe(true);
        expect(MESSAGES[lang].refusals[reason]).toBe(t);
      }
      expect(REFUSAL_POLICY[reason]).toBeDefined();
    }
  });

  it('is the list the admission script refuses with, no more and no less', () => {
    const lua = readFileSync(join(paths.luaScripts, 'admit-8.lua'), 'utf8');
    const refused = new Set([...lua.matchAll(/refuse\('([a-z_]+)'\)/g)].map((m) => m[1]!));
    // 'wrong_password' is the script's own step towards grant_invalid (the caller checks the CHAP response).
    refused.delete('wrong_password');
    const listed = new Set<string>(REFUSAL_REASONS);
    for (const code of refused) expect(listed).toContain(code);
    // grant_invalid also comes from the RADIUS request's own checks (a user name that is no grant).
    for (const code of listed) if (!refused.has(code)) expect(['grant_invalid', 'mac_mismatch']).toContain(code);
  });
});
