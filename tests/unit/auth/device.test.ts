import { describe, expect, it } from 'vitest';
import { describeDevice, deviceFingerprint, networkOf } from '@/lib/auth/device';

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';

describe('the device a session page shows', () => {
  it('names the browser with its major version and the OS', () => {
    expect(describeDevice(FIREFOX_WINDOWS, '203.0.113.7')).toEqual({
      browser: 'Firefox 133',
      os: 'Windows 10',
      network: '203.0.113.0/24',
    });
    expect(describeDevice(CHROME_MAC, '198.51.100.20')).toMatchObject({ browser: 'Chrome 142', os: 'macOS Catalina' });
    expect(describeDevice(SAFARI_IPHONE, '198.51.100.20')).toMatchObject({ browser: 'Safari 18', os: 'iOS' });
  });

  it('says unknown for an empty, missing or unreadable User-Agent, and reads at most 512 characters of it', () => {
    expect(describeDevice(null, '203.0.113.7')).toEqual({
      browser: 'Unknown browser',
      os: 'Unknown OS',
      network: '203.0.113.0/24',
    });
    expect(describeDevice('   ', '203.0.113.7').browser).toBe('Unknown browser');
    expect(describeDevice('curl-ish ☃ nonsense', '203.0.113.7')).toMatchObject({
      browser: 'Unknown browser',
      os: 'Unknown OS',
    });
    expect(describeDevice(`${FIREFOX_WINDOWS}${'x'.repeat(100_000)}`, '203.0.113.7').browser).toBe('Firefox 133');
  });

  it('keeps the network, never the address: the /24 of IPv4, the /48 of IPv6', () => {
    expect(networkOf('203.0.113.7')).toBe('203.0.113.0/24');
    expect(networkOf('2001:db8:abcd:12::/64')).toBe('2001:db8:abcd::/48');
    expect(networkOf('unknown')).toBe('unknown network');
    expect(JSON.stringify(describeDevice(FIREFOX_WINDOWS, '203.0.113.7'))).not.toContain('203.0.113.7');
  });

  it('fingerprints by browser and OS family and network, so an update is not a new device', () => {
    const before = describeDevice(FIREFOX_WINDOWS, '203.0.113.7');
    const updated = describeDevice(FIREFOX_WINDOWS.replaceAll('133.0', '134.0'), '203.0.113.99');
    expect(updated.browser).toBe('Firefox 134');
    expect(deviceFingerprint(updated)).toBe(deviceFingerprint(before));
    expect(deviceFingerprint(describeDevice(FIREFOX_WINDOWS, '203.0.114.7'))).not.toBe(deviceFingerprint(before));
    expect(deviceFingerprint(describeDevice(CHROME_MAC, '203.0.113.7'))).not.toBe(deviceFingerprint(before));
  });
});
