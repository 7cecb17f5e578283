/**
 * Who the client is, for rate limiting. The address comes from the socket, stamped on every request by
 * the server itself (see peer-stamp.ts), and from X-Forwarded-For only as far as configured trusted proxies
 * vouch for it: a header sent by a direct client changes nothing. IPv6 addresses are keyed by their /64,
 * since one host usually owns the whole prefix and can rotate addresses inside it. Edge-safe.
 */
export const PEER_HEADER = 'x-zigznote-peer-ip';

export type TrustedProxies = { hops: number; peers: Cidr[] } | { cidrs: Cidr[] } | null;
interface Cidr {
  bytes: Uint8Array;
  prefix: number;
}

/**
 * The networks a proxy in hop mode may be in: loopback and private ranges. A client on the internet
 * talking to the app directly is never among them, so its own X-Forwarded-For is never read.
 */
const PROXY_NETWORKS = ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '::1/128', 'fc00::/7', 'fe80::/10'];

function parseCidr(text: string): Cidr {
  const [address = '', prefixText] = text.trim().split('/');
  const bytes = parseAddress(address);
  if (!bytes) throw new Error(`TRUSTED_PROXIES: "${text.trim()}" is not an IP address or CIDR`);
  const prefix = prefixText === undefined ? bytes.length * 8 : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bytes.length * 8) {
    throw new Error(`TRUSTED_PROXIES: "${text.trim()}" has an invalid prefix length`);
  }
  return { bytes, prefix };
}

/**
 * TRUSTED_PROXIES: a hop count ("1": the proxy's peer is in a loopback or private network) or CIDRs
 * ("10.0.0.0/8, fd00::/8"); unset trusts nobody.
 */
export function parseTrustedProxies(value: string | undefined): TrustedProxies {
  if (!value || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) {
    const hops = Number(value.trim());
    if (hops < 1 || hops > 10) throw new Error(`TRUSTED_PROXIES: a hop count is 1 to 10, not ${hops}`);
    return { hops, peers: PROXY_NETWORKS.map(parseCidr) };
  }
  return { cidrs: value.split(',').map(parseCidr) };
}

/**
 * The client address: the peer, unless it is a trusted proxy, in which case X-Forwarded-For is walked
 * from the right past every trusted hop. An entry that is not an address counts as the peer's own.
 */
export function resolveClientIp(peer: string | null, forwardedFor: string | null, trusted: TrustedProxies): string {
  const chain = (forwardedFor ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const peerAddress = peer?.trim() || null;
  if (!trusted || !peerAddress) return normalizeIp(peerAddress ?? 'unknown');
  const peerBytes = parseAddress(peerAddress);
  const hops = [...chain, peerAddress];
  if ('hops' in trusted) {
    if (!peerBytes || !trusted.peers.some((cidr) => contains(cidr, peerBytes))) return normalizeIp(peerAddress);
    const chosen = hops[Math.max(hops.length - 1 - trusted.hops, 0)]!;
    return parseAddress(chosen) ? normalizeIp(chosen) : normalizeIp(peerAddress);
  }
  for (let i = hops.length - 1; i >= 0; i--) {
    const bytes = parseAddress(hops[i]!);
    if (!bytes) return normalizeIp(peerAddress);
    if (!trusted.cidrs.some((cidr) => contains(cidr, bytes))) return normalizeIp(hops[i]!);
  }
  return normalizeIp(hops[0]!);
}

/** The rate-limit identity of an address: IPv4 as is, IPv6 as its /64 prefix. */
export function normalizeIp(address: string): string {
  const bytes = parseAddress(address);
  if (!bytes) return address.slice(0, 64);
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 8; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return `${groups.join(':')}::/64`;
}

/** The /48 of an IPv6 client's /64 key (as normalizeIp writes it); null for IPv4. */
export function ipv6Prefix48(normalized: string): string | null {
  if (!normalized.endsWith('::/64')) return null;
  const groups = normalized.slice(0, -'::/64'.length).split(':');
  return `${groups.slice(0, 3).join(':')}::/48`;
}

function contains(cidr: Cidr, bytes: Uint8Array): boolean {
  if (cidr.bytes.length !== bytes.length) return false;
  let bits = cidr.prefix;
  for (let i = 0; i < bytes.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i]! & mask) !== (cidr.bytes[i]! & mask)) return false;
  }
  return true;
}

/** IPv4 → 4 bytes; IPv6 → 16 bytes, except IPv4-mapped IPv6, which is the IPv4 address it carries. */
export function parseAddress(input: string): Uint8Array | null {
  let address = input.trim();
  if (address.startsWith('[')) address = address.slice(1, address.indexOf(']'));
  address = address.replace(/%.*$/, '');
  const v4 = parseIPv4(address);
  if (v4) return v4;
  if (!address.includes(':')) return null;
  let tail: number[] = [];
  const lastColon = address.lastIndexOf(':');
  const embedded = parseIPv4(address.slice(lastColon + 1));
  if (embedded) {
    tail = [...embedded];
    address = `${address.slice(0, lastColon + 1)}0:0`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = parseGroups(halves[0]!);
  const rest = halves.length === 2 ? parseGroups(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return null;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const group = groups[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  }
  if (tail.length === 4) bytes.set(tail, 12);
  const isMapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return isMapped ? bytes.slice(12) : bytes;
}

function parseIPv4(address: string): Uint8Array | null {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return new Uint8Array(parts.map(Number));
}
