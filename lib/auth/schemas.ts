/**
 * The auth forms' input, validated with zod at the edge of every action. Messages are written for the
 * person filling in the form. Edge-safe.
 */
import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password-rules';

export const emailField = z
  .string({ error: 'Enter your email address.' })
  .trim()
  .min(1, 'Enter your email address.')
  .max(254, 'That email address is too long.')
  .pipe(z.email({ error: 'Enter a valid email address, like name@example.com.' }));

export const newPasswordField = z
  .string({ error: 'Enter a password.' })
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`);

const anyPassword = z
  .string({ error: 'Enter your password.' })
  .min(1, 'Enter your password.')
  .max(PASSWORD_MAX_LENGTH, 'That password is too long.');

export const signUpSchema = z.object({
  name: z
    .string({ error: 'Enter your name.' })
    .trim()
    .min(1, 'Enter your name.')
    .max(100, 'Use at most 100 characters.'),
  email: emailField,
  password: newPasswordField,
});

export const logInSchema = z.object({ email: emailField, password: anyPassword });
export const emailOnlySchema = z.object({ email: emailField });
export const resetPasswordSchema = z.object({ token: z.string().min(1).max(200), password: newPasswordField });
export const verifyEmailSchema = z.object({ token: z.string().min(1).max(200) });
export const changePasswordSchema = z.object({ currentPassword: anyPassword, newPassword: newPasswordField });
export const unlockAccountSchema = z.object({ token: z.string().min(1).max(200) });
