/**
 * What the console says after a change, and the confirmation page before a destructive one.
 * Bahasa Indonesia is the source of the keys; English must have exactly the same ones.
 */
export const id = {
  /** What the console says after a change: what happened, not just "saved". */
  done: {
    hotspotCreated: 'Hotspot {name} dibuat.',
    hotspotSaved: 'Perubahan hotspot {name} disimpan.',
    hotspotDisabled: 'Hotspot {name} dinonaktifkan. Warga tidak bisa login di sana sampai diaktifkan lagi.',
    hotspotEnabled: 'Hotspot {name} diaktifkan lagi. Warga bisa login di sana.',
    routerRemoved: 'Router {identifier} ({ip}) dihapus dari {name}.',
    sessionDisconnected: 'Sesi {mac} di {hotspot} diputus.',
    sessionGone: 'Sesi {mac} di {hotspot} ternyata sudah tidak ada di router; dicatat selesai.',
    deviceBlocked: 'Perangkat {mac} diblokir sampai {until}; {n} sesi diputus.',
    deviceBlockedUnconfirmed: 'Perangkat {mac} diblokir sampai {until}; {n} sesi diputus, tetapi {failed} sesi belum bisa diputus karena routernya tidak menjawab. Sesi itu ditandai "diblokir" di daftar di bawah.',
    deviceUnblocked: 'Blokir perangkat {mac} dibuka. Perangkat itu bisa login lagi.',
    batchRevoked: 'Batch {batch} dibatalkan: {n} voucher tidak bisa dipakai lagi.',
    voucherRevoked: 'Voucher {code} dibatalkan.',
    vouchersCreated: '{n} voucher dibuat dalam batch {batch}.',
    agencySaved: 'Bandwidth komitmen {name} diubah menjadi {kbps}.',
    telemetryKeyRevoked: 'Kunci API telemetri {name} dicabut.',
    operatorCreated: 'Akun {username} dibuat.',
    operatorSaved: 'Perubahan akun {username} disimpan.',
    apiKeyRevoked: 'Kunci API skrip {name} dicabut.',
    snmpDeviceCreated: 'Perangkat SNMP {id} ditambahkan. Limpah mulai membacanya dalam beberapa detik.',
    snmpDeviceSaved: 'Perubahan perangkat SNMP {id} disimpan. Limpah memakainya dalam beberapa detik.',
    snmpDeviceRemoved: 'Perangkat SNMP {id} dihapus.',
    measureSaved: '{name} kini diukur dari {counter} di {device}. Angka pertama muncul setelah dua kali baca.',
    measureCleared: '{name} tidak lagi diukur lewat SNMP.',
  },
  /** The step before a destructive action: what will happen, and a button that says it. */
  confirm: {
    note: 'Periksa dulu sebelum melanjutkan.',
    disableHotspot: {
      title: 'Nonaktifkan hotspot {name}?',
      body: 'Warga tidak bisa login di {name} sampai hotspot ini diaktifkan lagi. {n} sesi yang sedang berjalan tidak ikut diputus: sesi itu berjalan sampai habis, atau putuskan di halaman Sesi.',
      button: 'Ya, nonaktifkan hotspot',
    },
    removeRouter: {
      title: 'Hapus router {identifier} dari {name}?',
      body: 'Paket RADIUS dari {ip} akan ditolak sejak sekarang, jadi warga yang lewat router ini tidak bisa login. Secret RADIUS-nya ikut terhapus: kalau router ini ditambahkan lagi, secret barunya harus dipasang ulang di router.',
      button: 'Ya, hapus router',
    },
    revokeBatch: {
      title: 'Batalkan semua voucher batch {batch}?',
      body: '{n} voucher di batch ini tidak bisa dipakai lagi, termasuk yang sudah dibagikan ke warga. Sesi yang sedang memakai voucher ini berhenti saat router melapor pemakaian berikutnya. Pembatalan tidak bisa diurungkan.',
      button: 'Ya, batalkan batch',
    },
    revokeVoucher: {
      title: 'Batalkan voucher {code}?',
      body: 'Voucher ini tidak bisa dipakai lagi. Sesi yang sedang memakainya berhenti saat router melapor pemakaian berikutnya. Pembatalan tidak bisa diurungkan.',
      button: 'Ya, batalkan voucher',
    },
    disconnect: {
      title: 'Putuskan sesi {mac}?',
      body: 'Perangkat {mac} di {hotspot} langsung terputus dari WiFi. Pemiliknya bisa login lagi; kalau ingin mencegahnya, blokir perangkat ini.',
      button: 'Ya, putuskan sesi',
    },
    revokeTelemetryKey: {
      title: 'Cabut kunci API telemetri {name}?',
      body: 'Router atau skrip yang memakai kunci ini tidak bisa lagi mengirim data pemakaian instansi. Setelah datanya terlambat, instansi itu dihitung penuh sesuai komitmennya.',
      button: 'Ya, cabut kunci',
    },
    revokeApiKey: {
      title: 'Cabut kunci API skrip {name}?',
      body: 'Skrip yang memakai kunci ini langsung ditolak.',
      button: 'Ya, cabut kunci',
    },
    removeSnmpDevice: {
      title: 'Hapus perangkat SNMP {id}?',
      body: 'Limpah berhenti membaca {host}. Kunci SNMP-nya ikut terhapus dari Limpah; community di router tetap ada sampai dihapus di router.',
      button: 'Ya, hapus perangkat',
    },
    clearMeasure: {
      title: 'Hentikan pengukuran SNMP untuk {name}?',
      body: 'Limpah berhenti membaca {counter} di {device} untuk instansi ini. Tanpa data terukur lain (kiriman API), setelah datanya terlambat {name} dihitung penuh sesuai komitmennya.',
      button: 'Ya, hentikan pengukuran',
    },
  },
};

export const en: typeof id = {
  done: {
    hotspotCreated: 'Hotspot {name} created.',
    hotspotSaved: 'Changes to hotspot {name} saved.',
    hotspotDisabled: 'Hotspot {name} disabled. Citizens cannot log in there until it is enabled again.',
    hotspotEnabled: 'Hotspot {name} enabled again. Citizens can log in there.',
    routerRemoved: 'Router {identifier} ({ip}) removed from {name}.',
    sessionDisconnected: 'Session {mac} at {hotspot} disconnected.',
    sessionGone: 'Session {mac} at {hotspot} was already gone from the router; recorded as ended.',
    deviceBlocked: 'Device {mac} blocked until {until}; {n} session(s) disconnected.',
    deviceBlockedUnconfirmed: 'Device {mac} blocked until {until}; {n} session(s) disconnected, but {failed} could not be, because the router did not answer. They are marked "blocked" in the list below.',
    deviceUnblocked: 'Device {mac} unblocked. It can log in again.',
    batchRevoked: 'Batch {batch} revoked: {n} voucher(s) can no longer be used.',
    voucherRevoked: 'Voucher {code} revoked.',
    vouchersCreated: '{n} vouchers created in batch {batch}.',
    agencySaved: 'Committed bandwidth of {name} set to {kbps}.',
    telemetryKeyRevoked: 'Telemetry API key {name} revoked.',
    operatorCreated: 'Account {username} created.',
    operatorSaved: 'Changes to account {username} saved.',
    apiKeyRevoked: 'Script API key {name} revoked.',
    snmpDeviceCreated: 'SNMP device {id} added. Limpah starts reading it within seconds.',
    snmpDeviceSaved: 'Changes to SNMP device {id} saved. Limpah uses them within seconds.',
    snmpDeviceRemoved: 'SNMP device {id} removed.',
    measureSaved: '{name} is now measured by {counter} on {device}. The first rate comes after two readings.',
    measureCleared: '{name} is no longer measured over SNMP.',
  },
  confirm: {
    note: 'Check before you go on.',
    disableHotspot: {
      title: 'Disable hotspot {name}?',
      body: 'Citizens cannot log in at {name} until the hotspot is enabled again. The {n} live session(s) there are not disconnected: they run out, or disconnect them on the Sessions page.',
      button: 'Yes, disable the hotspot',
    },
    removeRouter: {
      title: 'Remove router {identifier} from {name}?',
      body: 'RADIUS packets from {ip} are dropped from now on, so citizens behind this router cannot log in. Its RADIUS secret is deleted too: if you add the router again, put its new secret on the router.',
      button: 'Yes, remove the router',
    },
    revokeBatch: {
      title: 'Revoke every voucher of batch {batch}?',
      body: 'The {n} voucher(s) of this batch can no longer be used, including those already handed out. Sessions using them end at the router\'s next usage report. This cannot be undone.',
      button: 'Yes, revoke the batch',
    },
    revokeVoucher: {
      title: 'Revoke voucher {code}?',
      body: 'This voucher can no longer be used. A session using it ends at the router\'s next usage report. This cannot be undone.',
      button: 'Yes, revoke the voucher',
    },
    disconnect: {
      title: 'Disconnect session {mac}?',
      body: 'Device {mac} at {hotspot} is cut off the WiFi at once. Its owner can log in again; to prevent that, block the device.',
      button: 'Yes, disconnect',
    },
    revokeTelemetryKey: {
      title: 'Revoke telemetry API key {name}?',
      body: 'Routers or scripts using this key can no longer push agency usage. Once its data is late, the agency is counted at its full commitment.',
      button: 'Yes, revoke the key',
    },
    revokeApiKey: {
      title: 'Revoke script API key {name}?',
      body: 'Scripts using this key are refused at once.',
      button: 'Yes, revoke the key',
    },
    removeSnmpDevice: {
      title: 'Remove SNMP device {id}?',
      body: 'Limpah stops reading {host}. Its SNMP keys are deleted from Limpah; the community on the router stays until it is removed there.',
      button: 'Yes, remove the device',
    },
    clearMeasure: {
      title: 'Stop measuring {name} over SNMP?',
      body: 'Limpah stops reading {counter} on {device} for this agency. Without other measurements (the push API), once its data is late {name} is counted at its full commitment.',
      button: 'Yes, stop measuring',
    },
  },
};
