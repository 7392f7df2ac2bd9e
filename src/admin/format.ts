/**
 * Numbers, rates, volumes and times as the console shows them, in the reader's language: one decimal mark per
 * page (4,1 and 2,0 in Indonesian; 4.1 and 2.0 in English), WIB dates with Indonesian month names, "jam" not "h".
 * Templates get one of these as `fmt`; nothing in a template calls toFixed or toISOString.
 */
export interface Formatter {
  /** A number with at most `digits` decimals (and thousands separated). */
  num(value: number, digits?: number): string;
  /** A number with exactly `digits` decimals: columns of rates line up. */
  fixed(value: number, digits: number): string;
  /** kbps as Mbps, "4,1 Mbps". */
  mbps(kbps: number, digits?: number): string;
  /** kbps as is, "2.048 kbps". */
  kbps(kbps: number): string;
  /** Bytes as MB (MiB, as the quotas count them), "12,5 MB". */
  mb(bytes: number): string;
  /** A WIB date and time, "28 Nov 2026 22.37 WIB". */
  when(ms: number): string;
  /** A WIB date, "28 Nov 2026". */
  date(ms: number): string;
  /** A WIB time of day, "22.37". */
  time(ms: number): string;
  /** A span of time in words, "1 jam 5 menit", "3 hari". */
  span(ms: number): string;
  /** Hours as the console says them: "24 jam", "1,5 jam". */
  hours(hours: number): string;
}

const UNITS = {
  id: { day: 'hari', hour: 'jam', minute: 'menit', lessThanMinute: 'kurang dari 1 menit' },
  en: { day: ['day', 'days'], hour: ['hour', 'hours'], minute: ['minute', 'minutes'], lessThanMinute: 'less than a minute' },
} as const;

export function formatter(lang: 'id' | 'en'): Formatter {
  const locale = lang === 'id' ? 'id-ID' : 'en-GB';
  const numbers = new Map<string, Intl.NumberFormat>();
  const numberFormat = (min: number, max: number) => {
    const key = `${min}:${max}`;
    let f = numbers.get(key);
    if (!f) numbers.set(key, (f = new Intl.NumberFormat(locale, { minimumFractionDigits: min, maximumFractionDigits: max })));
    return f;
  };
  const dateParts = { timeZone: 'Asia/Jakarta', day: 'numeric', month: 'short', year: 'numeric' } as const;
  const timeParts = { timeZone: 'Asia/Jakarta', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } as const;
  const dateFormat = new Intl.DateTimeFormat(locale, dateParts);
  const timeFormat = new Intl.DateTimeFormat(locale, timeParts);
  const unit = (n: number, u: 'day' | 'hour' | 'minute') => (lang === 'id' ? `${n} ${UNITS.id[u]}` : `${n} ${UNITS.en[u][n === 1 ? 0 : 1]}`);

  const f: Formatter = {
    num: (value, digits = 1) => numberFormat(0, digits).format(value),
    fixed: (value, digits) => numberFormat(digits, digits).format(value),
    mbps: (kbps, digits = 1) => `${f.num(kbps / 1000, digits)} Mbps`,
    kbps: (kbps) => `${f.num(kbps, 0)} kbps`,
    mb: (bytes) => `${f.num(bytes / 1048576, 1)} MB`,
    when: (ms) => `${dateFormat.format(ms)} ${timeFormat.format(ms)} WIB`,
    date: (ms) => dateFormat.format(ms),
    time: (ms) => timeFormat.format(ms),
    span: (ms) => {
      if (ms < 60_000) return UNITS[lang].lessThanMinute;
      const minutes = Math.round(ms / 60_000);
      const days = Math.floor(minutes / 1440);
      const hours = Math.floor((minutes % 1440) / 60);
      const mins = minutes % 60;
      // Two units at most: "2 hari 3 jam", "1 jam 5 menit".
      const parts = [days ? unit(days, 'day') : '', hours ? unit(hours, 'hour') : '', !days && mins ? unit(mins, 'minute') : ''].filter(Boolean);
      return parts.join(' ');
    },
    hours: (hours) => (lang === 'id' ? `${f.num(hours)} jam` : `${f.num(hours)} ${hours === 1 ? 'hour' : 'hours'}`),
  };
  return f;
}

export const FORMATTERS = Object.freeze({ id: formatter('id'), en: formatter('en') });
