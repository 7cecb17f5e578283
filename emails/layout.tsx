import { Body, Container, Head, Heading, Hr, Html, Preview, Section, Text } from 'react-email';
import type { ReactNode } from 'react';

// Brand colours inline: mail clients drop <style> and remote fonts, so everything is self-contained.
export const brand = {
  primary: '#4f46e5',
  primaryDark: '#3730a3',
  text: '#111827',
  muted: '#6b7280',
  background: '#f5f5fb',
  border: '#e5e7eb',
};

const fontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

export const buttonStyle = {
  backgroundColor: brand.primary,
  borderRadius: '8px',
  color: '#ffffff',
  display: 'inline-block',
  fontSize: '16px',
  fontWeight: 600,
  padding: '12px 24px',
  textDecoration: 'none',
};

export const paragraph = { color: brand.text, fontSize: '16px', lineHeight: '24px', margin: '0 0 16px' };

export function EmailLayout({ preview, heading, children }: { preview: string; heading: string; children: ReactNode }) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{preview}</Preview>
      <Body style={{ backgroundColor: brand.background, fontFamily, margin: 0, padding: '32px 0' }}>
        <Container
          style={{
            backgroundColor: '#ffffff',
            border: `1px solid ${brand.border}`,
            borderRadius: '12px',
            margin: '0 auto',
            maxWidth: '560px',
            padding: '32px',
          }}
        >
          <Text style={{ color: brand.primaryDark, fontSize: '20px', fontWeight: 700, margin: '0 0 24px' }}>
            zigznote
          </Text>
          <Heading as="h1" style={{ color: brand.text, fontSize: '24px', margin: '0 0 16px' }}>
            {heading}
          </Heading>
          <Section>{children}</Section>
          <Hr style={{ borderColor: brand.border, margin: '32px 0 16px' }} />
          <Text style={{ color: brand.muted, fontSize: '12px', lineHeight: '18px', margin: 0 }}>
            You received this email because of activity on your zigznote account. If this was not you, you can ignore it
            or reply to let us know.
          </Text>
        </Container>
      </Body>
    </Html>
  );
}

/**
 * "Hi Ada," — or "Hello," when the name is empty: the flows give no name for an account whose address is
 * not verified, since whoever signed up with someone else's address chose it.
 */
export function greeting(name: string): string {
  return name ? `Hi ${name},` : 'Hello,';
}
