/**
 * The sessions page: live sessions and blocked devices (src/admin/console/sessions.ts).
 * Bahasa Indonesia is the source of the keys; English must have exactly the same ones.
 */
export const id = {
  sessions: {
    title: 'Sesi aktif',
    disconnect: 'Putuskan',
    block: 'Blokir perangkat',
    blockThis: 'Blokir',
    blockMinutes: 'Lama blokir (menit)',
    reason: 'Alasan',
    none: 'Tidak ada sesi aktif.',
    states: { pending: 'menunggu router', active: 'aktif', closed: 'selesai' },
    blockedState: 'diblokir, belum diputus router',
    blocks: 'Perangkat yang diblokir',
    noBlocks: 'Tidak ada perangkat yang sedang diblokir.',
    unblock: 'Buka blokir',
    left: '{time} lagi',
    blockNote: 'Perangkat yang diblokir tidak bisa login di hotspot mana pun sampai blokirnya habis atau dibuka.',
    hotspotGone: '{id} (sudah dihapus)',
  },
};

export const en: typeof id = {
  sessions: {
    title: 'Live sessions',
    disconnect: 'Disconnect',
    block: 'Block device',
    blockThis: 'Block',
    blockMinutes: 'Block for (minutes)',
    reason: 'Reason',
    none: 'No live sessions.',
    states: { pending: 'waiting for the router', active: 'active', closed: 'ended' },
    blockedState: 'blocked, not yet cut by the router',
    blocks: 'Blocked devices',
    noBlocks: 'No device is blocked.',
    unblock: 'Unblock',
    left: '{time} left',
    blockNote: 'A blocked device cannot log in at any hotspot until its block ends or is lifted.',
    hotspotGone: '{id} (deleted)',
  },
};
