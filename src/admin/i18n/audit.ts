/**
 * The audit log page (src/admin/audit-view.ts).
 * Bahasa Indonesia is the source of the keys; English must have exactly the same ones.
 */
const idTexts = {
  audit: {
    title: 'Log audit',
    filterActor: 'Oleh',
    filterAction: 'Tindakan',
    filterTarget: 'Objek berisi',
    via: { console: 'konsol', api: 'API', cli: 'CLI server' },
    actions: {
      login: 'Masuk konsol', 'hotspot.create': 'Hotspot dibuat', 'hotspot.update': 'Hotspot diubah', 'hotspot.disable': 'Hotspot dinonaktifkan',
      'hotspot.enable': 'Hotspot diaktifkan', 'nas.add': 'Router ditambahkan', 'nas.remove': 'Router dihapus', 'agency.update': 'Komitmen instansi diubah',
      'telemetry-key.create': 'Kunci API telemetri dibuat', 'telemetry-key.revoke': 'Kunci API telemetri dicabut', 'session.disconnect': 'Sesi diputus',
      'device.block': 'Perangkat diblokir', 'device.unblock': 'Blokir dibuka', 'vouchers.create': 'Batch voucher dibuat', 'voucher.revoke': 'Voucher dibatalkan',
      'vouchers.revoke-batch': 'Batch voucher dibatalkan', 'operator.create': 'Akun dibuat', 'operator.update': 'Akun diubah', 'operator.password': 'Kata sandi diganti',
      'api-key.create': 'Kunci API skrip dibuat', 'api-key.revoke': 'Kunci API skrip dicabut',
      'snmp-device.create': 'Perangkat SNMP ditambahkan', 'snmp-device.update': 'Perangkat SNMP diubah', 'snmp-device.remove': 'Perangkat SNMP dihapus',
      'agency.measure': 'Pengukuran SNMP instansi diubah',
    },
    targets: {
      hotspot: 'Hotspot', agency: 'Instansi', session: 'Sesi', device: 'Perangkat', batch: 'Batch voucher', voucher: 'Voucher', operator: 'Akun',
      'api-key': 'Kunci API skrip', 'telemetry-key': 'Kunci API telemetri', 'snmp-device': 'Perangkat SNMP',
    },
    none: 'Belum ada catatan yang cocok.',
    results: { disconnected: 'diputus', gone: 'sudah tidak ada di router', failed: 'router tidak menjawab', 'nas-unknown': 'router tidak dikenal', 'not-live': 'sudah selesai', stale: 'sudah berubah' },
    sources: { console: 'konsol', site: 'file situs' },
    all: 'Semua tindakan',
  },
};

const enTexts: typeof idTexts = {
  audit: {
    title: 'Audit log',
    filterActor: 'By',
    filterAction: 'Action',
    filterTarget: 'Object contains',
    via: { console: 'console', api: 'API', cli: 'server CLI' },
    actions: {
      login: 'Signed in', 'hotspot.create': 'Hotspot created', 'hotspot.update': 'Hotspot changed', 'hotspot.disable': 'Hotspot disabled',
      'hotspot.enable': 'Hotspot enabled', 'nas.add': 'Router added', 'nas.remove': 'Router removed', 'agency.update': 'Agency commitment changed',
      'telemetry-key.create': 'Telemetry API key created', 'telemetry-key.revoke': 'Telemetry API key revoked', 'session.disconnect': 'Session disconnected',
      'device.block': 'Device blocked', 'device.unblock': 'Device unblocked', 'vouchers.create': 'Voucher batch created', 'voucher.revoke': 'Voucher revoked',
      'vouchers.revoke-batch': 'Voucher batch revoked', 'operator.create': 'Account created', 'operator.update': 'Account changed', 'operator.password': 'Password changed',
      'api-key.create': 'Script API key created', 'api-key.revoke': 'Script API key revoked',
      'snmp-device.create': 'SNMP device added', 'snmp-device.update': 'SNMP device changed', 'snmp-device.remove': 'SNMP device removed',
      'agency.measure': 'Agency SNMP measure changed',
    },
    targets: {
      hotspot: 'Hotspot', agency: 'Agency', session: 'Session', device: 'Device', batch: 'Voucher batch', voucher: 'Voucher', operator: 'Account',
      'api-key': 'Script API key', 'telemetry-key': 'Telemetry API key', 'snmp-device': 'SNMP device',
    },
    none: 'No entries match.',
    results: { disconnected: 'disconnected', gone: 'already gone from the router', failed: 'router did not answer', 'nas-unknown': 'unknown router', 'not-live': 'already ended', stale: 'changed meanwhile' },
    sources: { console: 'console', site: 'site file' },
    all: 'All actions',
  },
};

/** Names looked up by a string read from the log: an entry may name an action or a kind that has no text (any more). */
type ByStoredName = 'actions' | 'targets' | 'results' | 'sources';
type AuditTexts = { audit: Omit<typeof idTexts.audit, ByStoredName> & Record<ByStoredName, Record<string, string>> };

export const id: AuditTexts = idTexts;
export const en: AuditTexts = enTexts;
