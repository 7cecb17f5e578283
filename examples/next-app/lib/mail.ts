// The example's mailer: @zigznote/email's outbox on Postgres (DATABASE_URL), sending through the SES
// endpoint in AWS_SES_ENDPOINT, with its worker in this process. Made once per process. Node-only.
import { createMailer, createOutbox, createSesTransport, type Mailer } from '@zigznote/email';
import pg from 'pg';

const global = globalThis as { exampleMailer?: Promise<Mailer> };

async function start(): Promise<Mailer> {
  const db = new pg.Pool({ connectionString: process.env.DATABASE_URL });
  const outbox = createOutbox({ db, table: 'example_email_outbox', suppressionsTable: 'example_email_suppressions' });
  await outbox.migrate();
  const transport = createSesTransport({
    region: 'us-east-1',
    endpoint: process.env.AWS_SES_ENDPOINT,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const mailer = createMailer({ outbox, transport, from: 'Example <hello@example.test>', sendRate: 10 });
  mailer.startWorker({ pollMs: 500 });
  return mailer;
}

export function getMailer(): Promise<Mailer> {
  return (global.exampleMailer ??= start());
}
