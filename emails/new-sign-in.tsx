import { Button, Link, Text } from 'react-email';
import { buttonStyle, EmailLayout, paragraph, greeting } from './layout';

export const subject = 'New sign-in to your account';

export interface NewSignInEmailProps {
  name: string;
  browser: string;
  os: string;
  network: string;
  signedInAt: Date;
  sessionsUrl: string;
  resetUrl: string;
}

export default function NewSignInEmail({
  name,
  browser,
  os,
  network,
  signedInAt,
  sessionsUrl,
  resetUrl,
}: NewSignInEmailProps) {
  return (
    <EmailLayout
      preview={`${browser} on ${os} signed in to your zigznote account.`}
      heading="New sign-in to your account"
    >
      <Text style={paragraph}>{greeting(name)}</Text>
      <Text style={paragraph}>
        Your zigznote account was just signed in to from a device we have not seen in the last 30 days:
      </Text>
      <Text style={paragraph}>
        Browser: {browser}
        <br />
        System: {os}
        <br />
        Network: {network}
        <br />
        Time: {signedInAt.toUTCString()}
      </Text>
      <Text style={paragraph}>
        If this was you, there is nothing to do. If not, end that session and change your password:
      </Text>
      <Button href={sessionsUrl} style={buttonStyle}>
        See your sessions
      </Button>
      <Text style={{ ...paragraph, marginTop: '24px' }}>
        Or open this link: <Link href={sessionsUrl}>{sessionsUrl}</Link>
      </Text>
      <Text style={paragraph}>
        Locked out? <Link href={resetUrl}>Reset your password</Link>: that signs out every session.
      </Text>
    </EmailLayout>
  );
}

NewSignInEmail.PreviewProps = {
  name: 'Ada',
  browser: 'Firefox 133',
  os: 'Windows 10',
  network: '203.0.113.0/24',
  signedInAt: new Date('2026-12-05T12:00:00Z'),
  sessionsUrl: 'http://localhost:3000/account/sessions',
  resetUrl: 'http://localhost:3000/auth/forgot-password',
} satisfies NewSignInEmailProps;
