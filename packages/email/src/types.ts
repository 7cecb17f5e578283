/**
 * The shapes shared by the email transports and delivery, and the SES message body both transports send.
 * Edge-safe.
 */
export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  replyTo?: string;
  configurationSet?: string;
  tags?: Array<{ Name: string; Value: string }>;
}

export interface EmailTransport {
  readonly name: string;
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

/** SES v2's SendEmail, as a path below the endpoint. */
export const SES_SEND_EMAIL_PATH = '/v2/email/outbound-emails';

/** The SES v2 endpoint: the one given (a local stand-in), else the region's. */
export function sesEndpoint(region: string, endpoint?: string): string {
  return (endpoint ?? `https://email.${region}.amazonaws.com`).replace(/\/$/, '');
}

/**
 * The body of SES v2's SendEmail, as both transports send it (the SDK's SendEmailCommand takes the same
 * shape the signed HTTP call posts): subject and both parts, and tags only when there are some, since
 * SES refuses an empty list.
 */
export function sesSendEmailRequest(email: OutgoingEmail) {
  return {
    FromEmailAddress: email.from,
    Destination: { ToAddresses: [email.to] },
    ReplyToAddresses: email.replyTo ? [email.replyTo] : undefined,
    ConfigurationSetName: email.configurationSet,
    EmailTags: email.tags && email.tags.length > 0 ? email.tags : undefined,
    Content: {
      Simple: {
        Subject: { Data: email.subject, Charset: 'UTF-8' as const },
        Body: {
          Html: { Data: email.html, Charset: 'UTF-8' as const },
          Text: { Data: email.text, Charset: 'UTF-8' as const },
        },
      },
    },
  };
}
