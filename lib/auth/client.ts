/**
 * What client components need of auth: the form state a server action answers, and the password rules
 * shown beside a new password. Browser-safe (the form state is a type only).
 */
export type { FormState } from './form-action';
export { NEW_PASSWORD_HINT, PASSWORD_MAX_LENGTH } from './password-rules';
