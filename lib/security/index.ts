/** Security headers: the per-response Content-Security-Policy with its nonce. Edge-safe. */
export * from './content-security-policy';
