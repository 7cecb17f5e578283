import { Button, Text } from 'react-email';
import { buttonStyle, EmailLayout, paragraph, greeting } from './layout';

export const subject = 'Your password has been changed';

export interface PasswordChangedEmailProps {
  name: string;
  changedAt: Date;
  resetUrl: string;
}

export default function PasswordChangedEmail({ name, changedAt, resetUrl }: PasswordChangedEmailProps) {
  const when = changedAt.toUTCString();
  return (
    <EmailLayout preview="Your zigznote password was just changed." heading="Your password has been changed">
      <Text style={paragraph}>{greeting(name)}</Text>
      <Text style={paragraph}>
        The password of your zigznote account was changed on {when}. Every other session was signed out.
      </Text>
      <Text style={paragraph}>If you did not do this, reset your password now and reply to this email:</Text>
      <Button href={resetUrl} style={buttonStyle}>
        Reset your password
      </Button>
    </EmailLayout>
  );
}

PasswordChangedEmail.PreviewProps = {
  name: 'Ada',
  changedAt: new Date('2026-11-27T12:00:00Z'),
  resetUrl: 'http://localhost:3000/auth/forgot-password',
} satisfies PasswordChangedEmailProps;
