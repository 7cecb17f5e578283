/**
 * Who the client is, for rate limiting. The address comes from the socket, stamped on every request by
 * the server itself (see peer-stamp.ts), and from X-Forwarded-For only as far as configured trusted proxies
 * vouch for it: a header sent by a direct client changes nothing. IPv6 addresses are keyed by their /64,
 * since one host usually owns the whole prefix and can rotate addresses inside it. Edge-safe.
 */
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Address, number];
export type TrustedProxies = { hops: number; peers: Cidr[] } | { cidrs: Cidr[] } | null;

/**
 * The networks a proxy in hop mode may be in: loopback and private ranges. A client on the internet
 * talking to the app directly is never among them, so its own X-Forwarded-For is never read.
 */
const PROXY_NETWORKS = [
  '127.0.0.0/8',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
];

function parseCidr(text: string, label: string): Cidr {
  const [address = '', prefixText] = text.trim().split('/');
  const parsed = parseAddress(address);
  if (!parsed) throw new Error(`${label}: "${text.trim()}" is not an IP address or CIDR`);
  const bits = parsed.kind() === 'ipv4' ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefixText === '' || !Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
    throw new Error(`${label}: "${text.trim()}" has an invalid prefix length`);
  }
  return [parsed, prefix];
}

/**
 * TRUSTED_PROXIES: a hop count ("1": the proxy's peer is in a loopback or private network) or CIDRs
 * ("10.0.0.0/8, fd00::/8"); unset trusts nobody.
 */
export function parseTrustedProxies(value: string | undefined, label = 'trusted proxies'): TrustedProxies {
  if (!value || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) {
    const hops = Number(value.trim());
    if (hops < 1 || hops > 10) throw new Error(`${label}: a hop count is 1 to 10, not ${hops}`);
    return { hops, peers: PROXY_NETWORKS.map((cidr) => parseCidr(cidr, label)) };
  }
  return { cidrs: value.split(',').map((cidr) => parseCidr(cidr, label)) };
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
  const peerParsed = parseAddress(peerAddress);
  const hops = [...chain, peerAddress];
  if ('hops' in trusted) {
    if (!peerParsed || !trusted.peers.some((cidr) => contains(cidr, peerParsed))) return normalizeIp(peerAddress);
    const chosen = hops[Math.max(hops.length - 1 - trusted.hops, 0)]!;
    return parseAddress(chosen) ? normalizeIp(chosen) : normalizeIp(peerAddress);
  }
  for (let i = hops.length - 1; i >= 0; i--) {
    const parsed = parseAddress(hops[i]!);
    if (!parsed) return normalizeIp(peerAddress);
    if (!trusted.cidrs.some((cidr) => contains(cidr, parsed))) return normalizeIp(hops[i]!);
  }
  return normalizeIp(hops[0]!);
}

/** The rate-limit identity of an address: IPv4 as is, IPv6 as its /64 prefix. */
export function normalizeIp(address: string): string {
  const parsed = parseAddress(address);
  if (!parsed) return address.slice(0, 64);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  return `${(parsed as ipaddr.IPv6).parts
    .slice(0, 4)
    .map((part) => part.toString(16))
    .join(':')}::/64`;
}

/** The /48 of an IPv6 client's /64 key (as normalizeIp writes it); null for IPv4. */
export function ipv6Prefix48(normalized: string): string | null {
  if (!normalized.endsWith('::/64')) return null;
  const groups = normalized.slice(0, -'::/64'.length).split(':');
  return `${groups.slice(0, 3).join(':')}::/48`;
}

function contains([network, prefix]: Cidr, address: Address): boolean {
  return network.kind() === address.kind() && address.match(network, prefix);
}

/**
 * An address as a socket or X-Forwarded-For gives it (IPv6 maybe in brackets or with a zone), strictly:
 * IPv4 only as four decimal parts, and IPv4-mapped IPv6 as the IPv4 address it carries.
 */
export function parseAddress(input: string): Address | null {
  let address = input.trim();
  if (address.startsWith('[')) address = address.slice(1, address.indexOf(']'));
  address = address.replace(/%.*$/, '');
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return ipaddr.IPv4.parse(address);
  if (!address.includes(':') || !ipaddr.IPv6.isValid(address)) return null;
  const v6 = ipaddr.IPv6.parse(address);
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
}
