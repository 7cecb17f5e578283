import { Button, Link, Text } from 'react-email';
import { buttonStyle, EmailLayout, paragraph, greeting } from './layout';

export const subject = 'Reset your password';

export interface ResetPasswordEmailProps {
  name: string;
  resetUrl: string;
}

export default function ResetPasswordEmail({ name, resetUrl }: ResetPasswordEmailProps) {
  return (
    <EmailLayout preview="A link to choose a new password." heading="Reset your password">
      <Text style={paragraph}>{greeting(name)}</Text>
      <Text style={paragraph}>
        Someone asked to reset the password of your zigznote account. If it was you, choose a new one:
      </Text>
      <Button href={resetUrl} style={buttonStyle}>
        Choose a new password
      </Button>
      <Text style={{ ...paragraph, marginTop: '24px' }}>
        Or open this link: <Link href={resetUrl}>{resetUrl}</Link>
      </Text>
      <Text style={paragraph}>
        The link works once and expires in 1 hour. If you did not ask for it, ignore this email: your password stays as
        it is.
      </Text>
    </EmailLayout>
  );
}

ResetPasswordEmail.PreviewProps = {
  name: 'Ada',
  resetUrl: 'http://localhost:3000/auth/reset-password?token=preview',
} satisfies ResetPasswordEmailProps;
