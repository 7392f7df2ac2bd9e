/**
 * Writing values into RouterOS scripts (the hotspot script in router-config.ts, the SNMP commands in
 * routeros-snmp.ts): quoted strings with \\, ", $ and ? escaped (? opens the console's help), per the RouterOS
 * scripting manual's escapes.
 */

/** A RouterOS string literal; control characters are dropped, so no value can start a command of its own. */
export function rosString(value: string): string {
  return `"${escape(value.replace(/[\x00-\x1f\x7f]/g, ''))}"`;
}

/** A secret as a RouterOS string literal: dropping a character would change the key, so a control character throws. */
export function rosSecret(value: string): string {
  if (/[\x00-\x1f\x7f]/.test(value)) throw new Error('a value for RouterOS has a control character; type it on the router by hand');
  return `"${escape(value)}"`;
}

/** Text for a comment line: one line, no control characters. */
export function commentText(value: string): string {
  return value.replace(/[\x00-\x1f\x7f]+/g, ' ');
}

function escape(value: string): string {
  return value.replace(/[\\"$?]/g, (c) => `\\${c}`);
}
