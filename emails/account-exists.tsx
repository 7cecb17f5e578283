import { Button, Text } from 'react-email';
import { buttonStyle, EmailLayout, paragraph, greeting } from './layout';

export const subject = 'You already have a zigznote account';

export interface AccountExistsEmailProps {
  name: string;
  loginUrl: string;
  resetUrl: string;
}

// Sent instead of a verification email when someone signs up with a registered address, so the sign-up
// page can answer the same way whether or not the account exists.
export default function AccountExistsEmail({ name, loginUrl, resetUrl }: AccountExistsEmailProps) {
  return (
    <EmailLayout preview="Someone tried to sign up with your address." heading="You already have an account">
      <Text style={paragraph}>{greeting(name)}</Text>
      <Text style={paragraph}>
        Someone tried to create a zigznote account with this email address, which already has one. Log in instead:
      </Text>
      <Button href={loginUrl} style={buttonStyle}>
        Log in
      </Button>
      <Text style={{ ...paragraph, marginTop: '24px' }}>
        Forgot your password? <a href={resetUrl}>Reset it here</a>. If this was not you, nothing changes and you can
        ignore this email.
      </Text>
    </EmailLayout>
  );
}

AccountExistsEmail.PreviewProps = {
  name: 'Ada',
  loginUrl: 'http://localhost:3000/auth/login',
  resetUrl: 'http://localhost:3000/auth/forgot-password',
} satisfies AccountExistsEmailProps;
