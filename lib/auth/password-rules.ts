/**
 * The password rules, in one place: the schema checks them, scrypt is bounded by them, and the forms
 * show them (without loading zod in the browser). Edge-safe.
 */
export const PASSWORD_MIN_LENGTH = 8;
/** Long enough for any passphrase, short enough that hashing a huge input cannot be used to load us. */
export const PASSWORD_MAX_LENGTH = 256;
/** Shown under every new-password field. */
export const NEW_PASSWORD_HINT = `At least ${PASSWORD_MIN_LENGTH} characters.`;
