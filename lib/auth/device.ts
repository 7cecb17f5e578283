/**
 * What a session page shows about a sign-in: the browser and OS (parsed from the User-Agent by bowser) and
 * the client's network (its /24, or /48 for IPv6). The full address is never stored with a session: the
 * network is enough to recognise "the same place" and says less about a person. Node-only (bowser is
 * plain JS, but only server code needs it).
 */
import Bowser from 'bowser';
import { ipv6Prefix48 } from '@zigznote/ratelimit/limiter';

export interface SessionDevice {
  /** "Firefox 133", "Chrome 142"; "Unknown browser" when the User-Agent says nothing we can read. */
  browser: string;
  /** "Windows 10", "macOS", "Linux"; "Unknown OS" likewise. */
  os: string;
  /** "203.0.113.0/24" or "2001:db8:1::/48"; "unknown network" when the address is not one. */
  network: string;
}

const MAX_USER_AGENT = 512;

/** The /24 of an IPv4 client address, or the /48 of an IPv6 one ("…::/64", as the limiter keys it). */
export function networkOf(clientIp: string): string {
  const v6 = ipv6Prefix48(clientIp);
  if (v6) return v6;
  // The limiter's client address is IPv4 in dotted decimal, or an IPv6 /64 key handled above.
  const v4 = /^(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$/.exec(clientIp);
  return v4 ? `${v4[1]}.0/24` : 'unknown network';
}

export function describeDevice(userAgent: string | null, clientIp: string): SessionDevice {
  const network = networkOf(clientIp);
  const agent = (userAgent ?? '').slice(0, MAX_USER_AGENT).trim();
  if (agent === '') return { browser: 'Unknown browser', os: 'Unknown OS', network };
  const parsed = Bowser.parse(agent);
  const major = parsed.browser.version?.split('.')[0];
  const browser = parsed.browser.name ? `${parsed.browser.name}${major ? ` ${major}` : ''}` : 'Unknown browser';
  const osVersion = parsed.os.versionName ?? '';
  const os = parsed.os.name ? `${parsed.os.name}${osVersion ? ` ${osVersion}` : ''}` : 'Unknown OS';
  return { browser, os, network };
}

/**
 * What "the same device" means for the new-sign-in email: browser and OS family (not their versions, which
 * change with every update) on the same network.
 */
export function deviceFingerprint(device: SessionDevice): string {
  const family = (text: string) => text.replace(/\s+[\d.]+$/, '');
  return `${family(device.browser)}|${device.os.split(' ')[0]}|${device.network}`;
}
