import { describe, expect, it } from 'vitest';
import { normalizeIp, parseTrustedProxies, resolveClientIp } from '@/lib/rate-limit';

describe('client identity with no trusted proxy', () => {
  it('is the socket address, whatever X-Forwarded-For a client sends', () => {
    for (const spoof of ['1.2.3.4', '9.9.9.9, 8.8.8.8', 'garbage', '']) {
      expect(resolveClientIp('203.0.113.7', spoof, null)).toBe('203.0.113.7');
    }
  });
});

describe('client identity behind trusted proxies', () => {
  it('takes the address the last trusted hop saw, with a hop count', () => {
    const trusted = parseTrustedProxies('1');
    expect(resolveClientIp('10.0.0.2', '198.51.100.9', trusted)).toBe('198.51.100.9');
    // a client prepending its own entries does not move the answer
    expect(resolveClientIp('10.0.0.2', '1.1.1.1, 2.2.2.2, 198.51.100.9', trusted)).toBe('198.51.100.9');
  });

  it('in hop mode, believes X-Forwarded-For only from a peer in a loopback or private network', () => {
    const trusted = parseTrustedProxies('1');
    // A client on the internet reaching the app directly cannot choose its address.
    expect(resolveClientIp('203.0.113.7', '1.2.3.4', trusted)).toBe('203.0.113.7');
    expect(resolveClientIp('2001:db8::7', '1.2.3.4', trusted)).toBe('2001:db8:0:0::/64');
    for (const proxy of ['127.0.0.1', '10.1.2.3', '172.20.0.5', '192.168.1.1', '::1', 'fd12::1']) {
      expect(resolveClientIp(proxy, '198.51.100.9', trusted), proxy).toBe('198.51.100.9');
    }
  });

  it("counts an entry that is not an address as the peer's own", () => {
    expect(resolveClientIp('10.0.0.2', 'not-an-ip', parseTrustedProxies('1'))).toBe('10.0.0.2');
    expect(resolveClientIp('10.0.0.2', 'unknown, 10.0.0.9', parseTrustedProxies('10.0.0.0/8'))).toBe('10.0.0.2');
  });

  it('walks past every trusted CIDR from the right', () => {
    const trusted = parseTrustedProxies('10.0.0.0/8, fd00::/8');
    expect(resolveClientIp('10.0.0.2', '7.7.7.7, 198.51.100.9, 10.1.2.3', trusted)).toBe('198.51.100.9');
    expect(resolveClientIp('fd00::1', '198.51.100.10', trusted)).toBe('198.51.100.10');
  });

  it('ignores X-Forwarded-For when the peer is not a trusted proxy', () => {
    const trusted = parseTrustedProxies('10.0.0.0/8');
    expect(resolveClientIp('203.0.113.7', '1.2.3.4', trusted)).toBe('203.0.113.7');
  });

  it('refuses a malformed setting with a message naming it', () => {
    expect(() => parseTrustedProxies('10.0.0.0/99', 'TRUSTED_PROXIES')).toThrow(
      /TRUSTED_PROXIES: "10.0.0.0\/99" has an invalid prefix length/,
    );
    expect(() => parseTrustedProxies('proxy.local')).toThrow(/is not an IP address or CIDR/);
    expect(() => parseTrustedProxies('0')).toThrow(/a hop count is 1 to 10/);
  });
});

describe('IPv6 clients', () => {
  it('are keyed by their /64, so rotating inside it changes nothing', () => {
    const a = resolveClientIp('2001:db8:1:2:aaaa::1', null, null);
    const b = resolveClientIp('2001:db8:1:2:ffff:ffff:ffff:fffe', null, null);
    const otherPrefix = resolveClientIp('2001:db8:1:3::1', null, null);
    expect(a).toBe('2001:db8:1:2::/64');
    expect(b).toBe(a);
    expect(otherPrefix).not.toBe(a);
  });

  it('treats IPv4-mapped addresses as the IPv4 address', () => {
    expect(normalizeIp('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeIp('[2001:db8::1]')).toBe('2001:db8:0:0::/64');
  });
});
