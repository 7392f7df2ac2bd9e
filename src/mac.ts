/**
 * Normalises a MAC address to upper case with colons (AA:BB:CC:DD:EE:FF). MikroTik sends colons, CoovaChilli
 * dashes; some routers lower case. Returns null for anything that is not a 48-bit MAC.
 */
export function normalizeMac(input: string | undefined | null): string | null {
  if (!input) return null;
  const hex = input.trim().replace(/[:\-.]/g, '');
  if (!/^[0-9a-fA-F]{12}$/.test(hex)) return null;
  return hex.toUpperCase().match(/.{2}/g)!.join(':');
}
