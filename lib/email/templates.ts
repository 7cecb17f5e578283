/**
 * Every email the app sends, in one keyed registry: its template (emails/<name>.tsx, which exports the
 * component and its subject), how the template's props are made from what the caller knows, and how often
 * the same email may repeat. Adding an email is a template file and one entry here; buildEmail and
 * send.ts's sendTemplateEmail are typed from this table. Links are built from the configured app URL,
 * never from a request. Node-only (templates are rendered on Node).
 */
import { createElement, type ComponentType, type ReactElement } from 'react';
import * as accountExists from '../../emails/account-exists';
import * as newSignIn from '../../emails/new-sign-in';
import * as passwordChanged from '../../emails/password-changed';
import * as resetPassword from '../../emails/reset-password';
import * as unlockAccount from '../../emails/unlock-account';
import * as verifyEmail from '../../emails/verify-email';
import * as welcome from '../../emails/welcome';

interface EmailDefinition<Props, Input> {
  template: { default: ComponentType<Props>; subject: string };
  props: (appUrl: string, input: Input) => Props;
  /**
   * For an email whose content never varies: copies asked for within this many minutes are one email (a
   * double submit), later ones are new. @default none: every call is its own email
   */
  repeatWithinMinutes?: number;
}

function email<Props, Input>(definition: EmailDefinition<Props, Input>): EmailDefinition<Props, Input> {
  return definition;
}

const link = (appUrl: string, path: string, token: string) => `${appUrl}${path}?token=${encodeURIComponent(token)}`;

export const EMAILS = {
  // One welcome per verification; an address is verified once, and a double submit is one email.
  welcome: email({
    template: welcome,
    props: (appUrl, { name }: { name: string }) => ({ name, appUrl }),
    repeatWithinMinutes: 60,
  }),
  'verify-email': email({
    template: verifyEmail,
    props: (appUrl, { token }: { token: string }) => ({ verifyUrl: link(appUrl, '/auth/verify-email', token) }),
  }),
  'reset-password': email({
    template: resetPassword,
    props: (appUrl, { name, token }: { name: string; token: string }) => ({
      name,
      resetUrl: link(appUrl, '/auth/reset-password', token),
    }),
  }),
  'password-changed': email({
    template: passwordChanged,
    props: (appUrl, { name, changedAt = new Date() }: { name: string; changedAt?: Date }) => ({
      name,
      changedAt,
      resetUrl: `${appUrl}/auth/forgot-password`,
    }),
  }),
  // Someone may sign up with a registered address again tomorrow: that deserves its own email.
  'account-exists': email({
    template: accountExists,
    props: (appUrl, { name }: { name: string }) => ({
      name,
      loginUrl: `${appUrl}/auth/login`,
      resetUrl: `${appUrl}/auth/forgot-password`,
    }),
    repeatWithinMinutes: 10,
  }),
  'unlock-account': email({
    template: unlockAccount,
    props: (appUrl, { name, token }: { name: string; token: string }) => ({
      name,
      unlockUrl: link(appUrl, '/auth/unlock', token),
    }),
  }),
  'new-sign-in': email({
    template: newSignIn,
    props: (
      appUrl,
      {
        name,
        device,
        signedInAt = new Date(),
      }: { name: string; device: { browser: string; os: string; network: string }; signedInAt?: Date },
    ) => ({
      name,
      ...device,
      signedInAt,
      sessionsUrl: `${appUrl}/account/sessions`,
      resetUrl: `${appUrl}/auth/forgot-password`,
    }),
  }),
};

export type TemplateName = keyof typeof EMAILS;
/** What the caller passes to make the email `name` (its props builder's second argument). */
export type EmailInput<Name extends TemplateName> = Parameters<(typeof EMAILS)[Name]['props']>[1];

export interface TemplatedEmail {
  template: TemplateName;
  subject: string;
  react: ReactElement;
}

export function buildEmail<Name extends TemplateName>(
  name: Name,
  appUrl: string,
  input: EmailInput<Name>,
): TemplatedEmail {
  const definition = EMAILS[name] as unknown as EmailDefinition<object, EmailInput<Name>>;
  return {
    template: name,
    subject: definition.template.subject,
    react: createElement(definition.template.default, definition.props(appUrl, input)),
  };
}
