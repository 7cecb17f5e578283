import { Button, Text } from 'react-email';
import { buttonStyle, EmailLayout, paragraph } from './layout';

export const subject = 'Welcome to zigznote! 🎉';

export interface WelcomeEmailProps {
  name: string;
  appUrl: string;
}

export default function WelcomeEmail({ name, appUrl }: WelcomeEmailProps) {
  return (
    <EmailLayout preview="Your zigznote account is ready." heading={`Welcome, ${name}!`}>
      <Text style={paragraph}>Your email address is verified and your account is ready.</Text>
      <Text style={paragraph}>Upload audio, keep notes and find them again, all on infrastructure you control.</Text>
      <Button href={`${appUrl}/files`} style={buttonStyle}>
        Open zigznote
      </Button>
    </EmailLayout>
  );
}

WelcomeEmail.PreviewProps = { name: 'Ada', appUrl: 'http://localhost:3000' } satisfies WelcomeEmailProps;
