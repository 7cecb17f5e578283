import { spawnSync } from 'node:child_process';
import { createSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConfig } from '@/lib/config';
import {
  clearCertificateCache,
  createOutbox,
  handleSnsMessage,
  stringToSign,
  verifySnsMessage,
  type SnsMessage,
} from '@zigznote/email';
import { getOutbox, sendTemplateEmail, suppressAddress } from '@/lib/email';
import { eq } from 'drizzle-orm';
import { Pool } from 'pg';
import { closeDatabase, emailSuppressions, getDatabase } from '@/lib/db';
import { closeRedis } from '@/lib/redis';
import { emailsTo, uniqueAddress } from '../../support/ses-store';

// A certificate and key made for this test; the verifier gets the certificate from the test, as it would
// from SNS, for a URL on the SNS host.
let certificate: string;
let privateKey: string;
const certUrl = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem';
const fetchedUrls: string[] = [];
const fetchCertificate = async (url: string) => {
  fetchedUrls.push(url);
  return certificate;
};

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'zz-sns-'));
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=sns.amazonaws.com',
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  certificate = readFileSync(join(dir, 'cert.pem'), 'utf8');
  privateKey = readFileSync(join(dir, 'key.pem'), 'utf8');
  rmSync(dir, { recursive: true, force: true });
  clearCertificateCache();
});

afterAll(async () => {
  await closeRedis();
  await closeDatabase();
});

/**
 * The string SNS signs, written here from AWS's documentation ("Verifying the signatures of Amazon SNS
 * messages"), not taken from the code under test: for a Notification the fields Message, MessageId,
 * Subject (if present), Timestamp, TopicArn and Type; for (Un)SubscriptionConfirmation Message, MessageId,
 * SubscribeURL, Timestamp, Token, TopicArn and Type; each as its name, a newline, its value, a newline.
 */
function awsStringToSign(message: Record<string, string | undefined>): string {
  const notification = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'];
  const confirmation = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return (message.Type === 'Notification' ? notification : confirmation)
    .filter((name) => message[name] !== undefined)
    .map((name) => `${name}\n${message[name]}\n`)
    .join('');
}

function signed(
  fields: Omit<SnsMessage, 'Signature' | 'SignatureVersion' | 'SigningCertURL'>,
  version: '1' | '2' = '1',
  signingCertUrl = certUrl,
): SnsMessage {
  const message = { ...fields, SignatureVersion: version, SigningCertURL: signingCertUrl, Signature: '' } as SnsMessage;
  const signer = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
  signer.update(awsStringToSign(message as unknown as Record<string, string>), 'utf8');
  return { ...message, Signature: signer.sign(privateKey, 'base64') };
}

function bounceFor(address: string) {
  return {
    Type: 'Notification' as const,
    MessageId: `m-${Math.random()}`,
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-bounces',
    Subject: 'Amazon SES Email Event Notification',
    Message: JSON.stringify({
      notificationType: 'Bounce',
      bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: address }] },
    }),
    Timestamp: new Date().toISOString(),
  };
}

const isSuppressed = async (address: string) => (await getOutbox()).suppressions.isSuppressed(address);

const OUR_TOPIC = 'arn:aws:sns:us-east-1:123456789012:ses-bounces';

const deps = () => {
  return { region: 'us-east-1', topicArns: [OUR_TOPIC], fetchCertificate, suppress: suppressAddress };
};

describe('a notification signed by AWS itself (tests/fixtures/sns)', () => {
  const fixture = JSON.parse(readFileSync('tests/fixtures/sns/aws-notification.json', 'utf8')) as Record<
    string,
    string
  >;
  const awsCertificate = readFileSync(
    'tests/fixtures/sns/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem',
    'utf8',
  );
  const options = {
    region: 'us-east-1',
    topicArns: [fixture.TopicArn!],
    fetchCertificate: async (url: string) => {
      expect(url).toBe(fixture.SigningCertURL);
      return awsCertificate;
    },
  };

  it('verifies, with the string to sign the documentation describes', async () => {
    clearCertificateCache();
    expect(stringToSign(fixture as unknown as SnsMessage)).toBe(awsStringToSign(fixture));
    expect(await verifySnsMessage(fixture, options)).toMatchObject({
      ok: true,
      message: { MessageId: 'd39649d4-bf5b-5b80-af75-07acb3dd9b4a', Message: 'boo' },
    });
  });

  it('fails once any signed field is changed, and for another topic', async () => {
    for (const field of ['Message', 'MessageId', 'Subject', 'Timestamp', 'Type']) {
      clearCertificateCache();
      const tampered = { ...fixture, [field]: field === 'Type' ? 'SubscriptionConfirmation' : `${fixture[field]}!` };
      expect((await verifySnsMessage(tampered, options)).ok, field).toBe(false);
    }
    expect(
      await verifySnsMessage(fixture, { ...options, topicArns: ['arn:aws:sns:us-east-1:123456789012:ours'] }),
    ).toEqual({
      ok: false,
      reason: 'not a configured topic',
    });
  });
});

describe('SNS notifications of SES bounces and complaints', () => {
  it('accepts a correctly signed bounce (SignatureVersion 1) and suppresses the address', async () => {
    const address = uniqueAddress('bounced');
    expect(await handleSnsMessage(signed(bounceFor(address), '1'), deps())).toEqual({ status: 'suppressed', count: 1 });
    expect(await isSuppressed(address)).toBe(true);
    expect(fetchedUrls).toContain(certUrl);
  });

  it('skips sending to a suppressed address, with a typed result', async () => {
    const address = uniqueAddress('suppressed');
    await handleSnsMessage(signed(bounceFor(address), '2'), deps());
    expect(await sendTemplateEmail('verify-email', address, { token: 'tok' })).toMatchObject({
      ok: false,
      status: 'suppressed',
    });
    expect(await emailsTo(address)).toHaveLength(0);
  });

  it('suppresses complainers too (SignatureVersion 2)', async () => {
    const address = uniqueAddress('complained');
    const message = signed(
      {
        ...bounceFor(address),
        Message: JSON.stringify({
          notificationType: 'Complaint',
          complaint: { complainedRecipients: [{ emailAddress: address }] },
        }),
      },
      '2',
    );
    expect(await handleSnsMessage(message, deps())).toEqual({ status: 'suppressed', count: 1 });
  });

  it('rejects a tampered message', async () => {
    const address = uniqueAddress('tampered');
    const message = signed(bounceFor(uniqueAddress('original')));
    const tampered = {
      ...message,
      Message: JSON.stringify({
        notificationType: 'Bounce',
        bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: address }] },
      }),
    };
    expect(await handleSnsMessage(tampered, deps())).toEqual({
      status: 'rejected',
      reason: 'signature does not verify',
    });
    expect(await isSuppressed(address)).toBe(false);
  });

  it('rejects a certificate on a foreign host without fetching it', async () => {
    for (const url of [
      'https://sns.us-east-1.amazonaws.com.evil.test/cert.pem',
      'https://evil.test/SimpleNotificationService.pem',
      'http://sns.us-east-1.amazonaws.com/cert.pem',
      'https://sns.eu-west-1.amazonaws.com/cert.pem',
    ]) {
      const before = fetchedUrls.length;
      const message = signed(bounceFor(uniqueAddress('foreign')), '1', url);
      expect(await handleSnsMessage(message, deps())).toEqual({
        status: 'rejected',
        reason: 'certificate URL is not an SNS host',
      });
      expect(fetchedUrls.length).toBe(before);
    }
  });

  it('confirms a signed subscription by visiting its SNS SubscribeURL', async () => {
    const visited: string[] = [];
    const subscribeUrl = 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=abc';
    const message = signed({
      Type: 'SubscriptionConfirmation',
      MessageId: 'sub-1',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-bounces',
      Message: 'You have chosen to subscribe',
      Timestamp: new Date().toISOString(),
      SubscribeURL: subscribeUrl,
      Token: 'abc',
    });
    expect(
      await handleSnsMessage(message, { ...deps(), confirmSubscription: async (url) => void visited.push(url) }),
    ).toEqual({ status: 'confirmed' });
    expect(visited).toEqual([subscribeUrl]);
  });

  it("refuses a validly signed bounce from another account's topic, before fetching anything", async () => {
    const address = uniqueAddress('foreign-topic');
    const before = fetchedUrls.length;
    const message = signed({ ...bounceFor(address), TopicArn: 'arn:aws:sns:us-east-1:999999999999:attacker-topic' });
    expect(await handleSnsMessage(message, deps())).toEqual({ status: 'rejected', reason: 'not a configured topic' });
    expect(fetchedUrls.length).toBe(before);
    expect(await isSuppressed(address)).toBe(false);
  });

  it('never confirms a subscription of a topic that is not configured, and believes nothing with no topic', async () => {
    const visited: string[] = [];
    const subscription = signed({
      Type: 'SubscriptionConfirmation',
      MessageId: 'sub-2',
      TopicArn: 'arn:aws:sns:us-east-1:999999999999:attacker-topic',
      Message: 'You have chosen to subscribe',
      Timestamp: new Date().toISOString(),
      SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=evil',
      Token: 'evil',
    });
    const confirmSubscription = async (url: string) => void visited.push(url);
    expect(await handleSnsMessage(subscription, { ...deps(), confirmSubscription })).toMatchObject({
      status: 'rejected',
    });
    const ours = signed(bounceFor(uniqueAddress('unconfigured')));
    expect(await handleSnsMessage(ours, { ...deps(), topicArns: [], confirmSubscription })).toMatchObject({
      status: 'rejected',
    });
    expect(visited).toEqual([]);
  });

  it('accepts configuration-set event publishing (eventType) as well as identity notifications', async () => {
    const bounced = uniqueAddress('event-bounce');
    const complained = uniqueAddress('event-complaint');
    const bounceEvent = signed({
      ...bounceFor(bounced),
      Message: JSON.stringify({
        eventType: 'Bounce',
        bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: bounced }] },
        mail: {},
      }),
    });
    const complaintEvent = signed({
      ...bounceFor(complained),
      Message: JSON.stringify({
        eventType: 'Complaint',
        complaint: { complainedRecipients: [{ emailAddress: complained }] },
        mail: {},
      }),
    });
    expect(await handleSnsMessage(bounceEvent, deps())).toEqual({ status: 'suppressed', count: 1 });
    expect(await handleSnsMessage(complaintEvent, deps())).toEqual({ status: 'suppressed', count: 1 });
    expect(await isSuppressed(bounced)).toBe(true);
    expect(await isSuppressed(complained)).toBe(true);
  });

  it('suppresses nothing for a transient bounce', async () => {
    const address = uniqueAddress('transient');
    const message = signed({
      ...bounceFor(address),
      Message: JSON.stringify({
        notificationType: 'Bounce',
        bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: address }] },
      }),
    });
    expect(await handleSnsMessage(message, deps())).toEqual({ status: 'ignored' });
    expect(await isSuppressed(address)).toBe(false);
  });

  it('keeps the suppression list in Postgres, so it survives losing Redis', async () => {
    const address = uniqueAddress('durable');
    await handleSnsMessage(signed(bounceFor(address.toUpperCase())), deps());
    const db = await getDatabase(getConfig().database);
    const rows = await db.select().from(emailSuppressions).where(eq(emailSuppressions.email, address.toLowerCase()));
    expect(rows).toMatchObject([{ email: address.toLowerCase(), reason: 'bounce' }]);
    // a list with no Redis behind it at all (a fresh connection to Postgres alone) still refuses the address
    const pool = new Pool({ connectionString: process.env.DATABASE_URL });
    try {
      expect(await createOutbox({ db: pool }).suppressions.isSuppressed(address)).toBe(true);
    } finally {
      await pool.end();
    }
  });
});
