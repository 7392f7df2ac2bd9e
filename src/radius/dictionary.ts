import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/**
 * RADIUS dictionaries compiled into lookup tables: the RFC dictionaries shipped with the `radius` package and the
 * vendor dictionaries in this repository (MikroTik, WISPr, ChilliSpot), read once, in the FreeRADIUS format the
 * package reads (ATTRIBUTE, VALUE, VENDOR, BEGIN-VENDOR/END-VENDOR, $INCLUDE). The codec encodes and decodes with
 * these tables; the package's own per-packet paths allocate and check too much to sit on the hot path.
 */

/** Top-level attributes (not inside a Vendor-Specific). */
export const NO_VENDOR = -1;

export interface AttributeDef {
  readonly vendor: number;
  readonly id: number;
  readonly name: string;
  /** Lower case: string, text, octets, integer, time, date, ipaddr, ... */
  readonly type: string;
  readonly hasTag: boolean;
  /** User-Password hiding (encrypt=1). */
  readonly encrypted: boolean;
  /** VALUE names by number, for enumerated integers (Acct-Status-Type 1 = Start). */
  readonly names: ReadonlyMap<number, string>;
  /** VALUE numbers by name. */
  readonly values: ReadonlyMap<string, number>;
}

export interface Dictionary {
  byId(vendor: number, id: number): AttributeDef | undefined;
  byName(vendor: number, name: string): AttributeDef | undefined;
}

interface MutableDef {
  vendor: number;
  id: number;
  name: string;
  type: string;
  hasTag: boolean;
  encrypted: boolean;
  names: Map<number, string>;
  values: Map<string, number>;
}

/** Reads dictionary files and folders (a folder's files in name order), following $INCLUDE once per file. */
export function loadDictionary(locations: readonly string[]): Dictionary {
  const vendors = new Map<string, number>();
  const ids = new Map<number, Map<number, MutableDef>>();
  const names = new Map<number, Map<string, MutableDef>>();
  // VALUE lines may precede their ATTRIBUTE: applied once everything is read.
  const pendingValues: Array<{ vendor: number; attribute: string; name: string; value: number }> = [];
  const seen = new Set<string>();

  const parse = (file: string): void => {
    file = normalize(file);
    if (seen.has(file)) return;
    seen.add(file);
    let vendor = NO_VENDOR;
    for (const rawLine of readFileSync(file, 'ascii').split('\n')) {
      const line = rawLine.replace(/#.*/, '').trim();
      if (!line) continue;
      const f = line.split(/\s+/);
      switch (f[0]) {
        case 'VENDOR':
          if (f[1] && /^\d+$/.test(f[2] ?? '')) vendors.set(f[1], Number(f[2]));
          break;
        case 'BEGIN-VENDOR': {
          const v = vendors.get(f[1] ?? '');
          if (v === undefined) throw new Error(`${file}: BEGIN-VENDOR ${f[1]} before its VENDOR line`);
          vendor = v;
          break;
        }
        case 'END-VENDOR':
          vendor = NO_VENDOR;
          break;
        case 'ATTRIBUTE': {
          const [, name, id, type, flags] = f;
          if (!name || !/^\d+$/.test(id ?? '') || !type) throw new Error(`${file}: malformed line "${line}"`);
          const modifiers = new Set((flags ?? '').split(','));
          const def: MutableDef = {
            vendor,
            id: Number(id),
            name,
            type: type.toLowerCase(),
            hasTag: modifiers.has('has_tag'),
            encrypted: modifiers.has('encrypt=1'),
            names: new Map(),
            values: new Map(),
          };
          if (!ids.has(vendor)) ids.set(vendor, new Map());
          if (!names.has(vendor)) names.set(vendor, new Map());
          ids.get(vendor)!.set(def.id, def);
          names.get(vendor)!.set(def.name, def);
          break;
        }
        case 'VALUE': {
          const [, attribute, name, value] = f;
          if (attribute && name && /^\d+$/.test(value ?? '')) pendingValues.push({ vendor, attribute, name, value: Number(value) });
          break;
        }
        case '$INCLUDE':
          if (f[1]) parse(join(dirname(file), f[1]));
          break;
        default:
          break;
      }
    }
  };

  for (const location of locations) {
    if (statSync(location).isDirectory()) {
      for (const entry of readdirSync(location).sort()) parse(join(location, entry));
    } else {
      parse(location);
    }
  }
  for (const v of pendingValues) {
    const def = names.get(v.vendor)?.get(v.attribute);
    if (!def) continue;
    def.names.set(v.value, v.name);
    def.values.set(v.name, v.value);
  }
  return {
    byId: (vendor, id) => ids.get(vendor)?.get(id),
    byName: (vendor, name) => names.get(vendor)?.get(name),
  };
}

/** Where the `radius` package keeps its RFC dictionaries. */
export function packageDictionaryDir(): string {
  return join(dirname(require.resolve('radius/package.json')), 'dictionaries');
}
