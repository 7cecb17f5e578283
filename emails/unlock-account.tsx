import { Button, Link, Text } from 'react-email';
import { buttonStyle, EmailLayout, paragraph, greeting } from './layout';

export const subject = 'Unlock your account';

export interface UnlockAccountEmailProps {
  name: string;
  unlockUrl: string;
}

export default function UnlockAccountEmail({ name, unlockUrl }: UnlockAccountEmailProps) {
  return (
    <EmailLayout preview="Your account was locked after many failed logins." heading="Unlock your account">
      <Text style={paragraph}>{greeting(name)}</Text>
      <Text style={paragraph}>
        Your zigznote account was locked after many failed login attempts, possibly by someone else. You just logged in
        with the right password, so here is your way in:
      </Text>
      <Button href={unlockUrl} style={buttonStyle}>
        Unlock and log in
      </Button>
      <Text style={{ ...paragraph, marginTop: '24px' }}>
        Or open this link: <Link href={unlockUrl}>{unlockUrl}</Link>
      </Text>
      <Text style={paragraph}>
        The link works once and expires in 1 hour. If it was not you who logged in, someone knows your password: reset
        it now.
      </Text>
    </EmailLayout>
  );
}

UnlockAccountEmail.PreviewProps = {
  name: 'Ada',
  unlockUrl: 'http://localhost:3000/auth/unlock?token=preview',
} satisfies UnlockAccountEmailProps;
