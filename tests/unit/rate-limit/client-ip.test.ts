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
    expect(() => parseTrustedProxies('10.0.0.0/99')).toThrow(/TRUSTED_PROXIES: "10.0.0.0\/99" has an invalid prefix length/);
    expect(() => parseTrustedProxies('proxy.local')).toThrow(/is not an IP address or CIDR/);
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
