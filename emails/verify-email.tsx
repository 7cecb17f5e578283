import { Button, Link, Text } from 'react-email';
import { buttonStyle, EmailLayout, paragraph } from './layout';

export const subject = 'Verify your email address';

export interface VerifyEmailProps {
  name: string;
  verifyUrl: string;
}

export default function VerifyEmail({ name, verifyUrl }: VerifyEmailProps) {
  return (
    <EmailLayout preview="Confirm your address to finish signing up." heading="Verify your email address">
      <Text style={paragraph}>{`Hi ${name},`}</Text>
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

VerifyEmail.PreviewProps = { name: 'Ada', verifyUrl: 'http://localhost:3000/auth/verify-email?token=preview' } satisfies VerifyEmailProps;
