import { Button, Link, Text } from 'react-email';
import { buttonStyle, EmailLayout, paragraph } from './layout';

export const subject = 'Verify your email address';

// Sent to an address nobody has proved yet: no text the person signing up chose (their name could read
// "visit evil.example"), so the email cannot carry an attacker's words to a victim's inbox.
export interface VerifyEmailProps {
  verifyUrl: string;
}

export default function VerifyEmail({ verifyUrl }: VerifyEmailProps) {
  return (
    <EmailLayout preview="Confirm your address to finish signing up." heading="Verify your email address">
      <Text style={paragraph}>Hello,</Text>
      <Text style={paragraph}>Confirm that this is your address to finish creating your zigznote account.</Text>
      <Button href={verifyUrl} style={buttonStyle}>
        Verify email address
      </Button>
      <Text style={{ ...paragraph, marginTop: '24px' }}>
        Or open this link: <Link href={verifyUrl}>{verifyUrl}</Link>
      </Text>
      <Text style={paragraph}>The link works once and expires in 24 hours.</Text>
    </EmailLayout>
  );
}

VerifyEmail.PreviewProps = {
  verifyUrl: 'http://localhost:3000/auth/verify-email?token=preview',
} satisfies VerifyEmailProps;
