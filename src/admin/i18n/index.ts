import * as agencies from './agencies';
import * as audit from './audit';
import * as errorTexts from './error-texts';
import * as hotspots from './hotspots';
import * as insight from './insight';
import * as operators from './operators';
import * as outcomes from './outcomes';
import * as rightSizing from './right-sizing';
import * as sessions from './sessions';
import * as shell from './shell';
import * as snmp from './snmp';
import * as vouchers from './vouchers';

/**
 * Every string of the admin console, in Bahasa Indonesia (default) and English. Templates read only from here
 * (`res.locals.a`). One file per console area, each with `id`, the source of the keys, and `en` typed `typeof id`,
 * so that a missing or an extra English key does not compile; test/unit/admin-texts.test.ts checks that no two
 * areas claim the same key and that every key a template uses exists.
 */

export type AdminLang = 'id' | 'en';

function inLanguage(lang: AdminLang) {
  return {
    ...shell[lang], ...insight[lang], ...outcomes[lang], ...errorTexts[lang], ...hotspots[lang],
    ...sessions[lang], ...vouchers[lang], ...agencies[lang], ...operators[lang], ...audit[lang], ...rightSizing[lang], ...snmp[lang],
  };
}

export type AdminMessages = ReturnType<typeof inLanguage>;
/** A text of an AdminError (AdminError.says). */
export type AdminErrorText = Exclude<keyof AdminMessages['errors'], 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'INVALID'>;

export const ADMIN_MESSAGES = Object.freeze({ id: inLanguage('id'), en: inLanguage('en') });
