# Limpah: MikroTik RouterOS v7 hotspot setup for one Limpah hotspot router.
#
# Before pasting this into the router terminal, replace these placeholders:
#   ROUTER_IDENTITY    this router's identity. It must equal the "identifier" of this router's NAS entry
#                      in the Limpah site file (sites/*.json), e.g. MikroTik-Taman.
#   LIMPAH_RADIUS_IP   IPv4 address of the Limpah server (RADIUS auth 1812, accounting 1813; it also
#                      sends CoA/Disconnect to this router on UDP 3799).
#   LIMPAH_SECRET      RADIUS shared secret. It must equal the "secret" of this router's NAS entry in the
#                      site file. Use 16 or more random characters.
#   PORTAL_HOST        host name of the Limpah portal, without https:// (e.g. wifi.kotimkab.go.id).
#   HOTSPOT_INTERFACE  interface the hotspot server runs on (e.g. bridge-hotspot).
#
# Before you start:
# - Create the hotspot server on HOTSPOT_INTERFACE first (/ip hotspot setup). That creates the address
#   pool, the DHCP server and a server profile such as hsprof1.
# - On RouterOS 7 the hotspot can be blocked by device-mode. Check with /system device-mode print.
# - The site file's NAS "ip" must be the address this router sends RADIUS packets from. If the router
#   has several addresses, set src-address on /radius (see below).
# - Run this script only once: the add commands fail if an entry already exists.

# 1. Router identity. RouterOS sends it as NAS-Identifier and to the portal as $(identity). Limpah logs a
#    warning when it does not match the "identifier" in the site file, and the portal cannot find the hotspot by it.
/system identity set name=ROUTER_IDENTITY

# 2. RADIUS client for the hotspot service.
#    require-message-auth (RouterOS 7.15 and later) takes "no" or "yes-for-request-resp" (the default);
#    there is no plain "yes". yes-for-request-resp drops RADIUS replies that lack a Message-Authenticator
#    (BlastRADIUS, CVE-2024-3596). Limpah always sends one. On RouterOS before 7.15, delete the
#    require-message-auth=... part.
/radius add service=hotspot address=LIMPAH_RADIUS_IP secret=LIMPAH_SECRET authentication-port=1812 accounting-port=1813 timeout=3s require-message-auth=yes-for-request-resp comment="Limpah"
# Only if the router has several addresses: pin the source address to the NAS "ip" in the site file.
# /radius set [find where comment="Limpah"] src-address=ROUTER_IP_AS_IN_SITE_FILE

# 3. Accept Disconnect-Request (and CoA) from Limpah, which it uses to end sessions. Whether CoA can
#    change the rate of a running hotspot session still has to be tested on a device.
#    If the input firewall drops unknown traffic, allow UDP 3799 from LIMPAH_RADIUS_IP, e.g.:
#    /ip firewall filter add chain=input protocol=udp dst-port=3799 src-address=LIMPAH_RADIUS_IP action=accept comment="Limpah CoA"
#    (then move the rule above the drop rules).
/radius incoming set accept=yes port=3799

# 4. Hotspot server profile "limpah". It is copied from the profile the hotspot server uses now, so
#    that hotspot-address and dns-name from /ip hotspot setup are kept. (verify) copy-from with a
#    nested [/ip hotspot get ...] is a common idiom but has not been tested here on a device.
#    If the copy fails, use instead:
#    /ip hotspot profile add name=limpah hotspot-address=<gateway IP on HOTSPOT_INTERFACE>
#    radius-interim-update=received makes the router send accounting at the Acct-Interim-Interval that
#    Limpah returns ("interimSeconds" in the site file); Limpah releases a session that stays silent
#    for 2.5 intervals, so the two must agree.
#    login-by: http-chap keeps the password off the wire. http-pap stays enabled so that the portal can
#    still log a client in when the router gives no CHAP challenge.
#    html-directory: devices that store files under flash/ may need html-directory=flash/hotspot.
/ip hotspot profile add name=limpah copy-from=[/ip hotspot get [find where interface=HOTSPOT_INTERFACE] profile]
/ip hotspot profile set [find where name=limpah] use-radius=yes radius-accounting=yes radius-interim-update=received login-by=http-chap,http-pap html-directory=hotspot nas-port-type=wireless-802.11

# 5. Make the hotspot server on HOTSPOT_INTERFACE use the limpah profile. To switch every hotspot
#    server on this router, use: /ip hotspot set [find] profile=limpah
/ip hotspot set [find where interface=HOTSPOT_INTERFACE] profile=limpah

# 6. Walled garden. Clients must reach the portal before they log in, because login.html posts them
#    to it.
#    - /ip hotspot walled-garden (HTTP level) covers plain-HTTP requests to the portal host name.
#    - /ip hotspot walled-garden ip (IP level) is needed for HTTPS, which the HTTP walled garden does not
#      see. The dst-address entry assumes the portal is served from the Limpah server itself. If the
#      portal runs elsewhere, use the portal's IP instead.
/ip hotspot walled-garden add dst-host=PORTAL_HOST action=allow comment="Limpah portal"
/ip hotspot walled-garden ip add dst-host=PORTAL_HOST action=accept comment="Limpah portal (HTTPS)"
/ip hotspot walled-garden ip add dst-address=LIMPAH_RADIUS_IP action=accept comment="Limpah server"

# 7. Upload login.html (from nas/mikrotik/login.html in the Limpah repo) into the hotspot html
#    directory. It replaces the router's own login.html.
#    First, in login.html, replace https://portal.example.id with the portal base URL
#    (https://PORTAL_HOST) and HOTSPOT_ID with this hotspot's Limpah id.
#    Then upload it with any of these:
#    - WinBox/WebFig: Files, open the hotspot folder, drag login.html in (replace the existing file).
#    - FTP: put login.html into hotspot/ (FTP service must be enabled: /ip service enable ftp).
#    - SCP from a PC:  scp login.html admin@ROUTER_ADDRESS:hotspot/login.html
#    Check it is there with: /file print where name~"hotspot/login.html"
