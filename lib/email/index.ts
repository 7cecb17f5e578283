/**
 * This app's email: @zigznote/email (rendering, the Postgres outbox, the worker, SES transports, SNS)
 * wired to the app's configuration, database and Redis, with the registry of its emails (templates.ts) and one typed send for them, and the email
 * check of /api/health. Node-only; Edge code imports @zigznote/email/edge.
 */
export {
  emailSendingMode,
  getEmailStatus,
  getOutbox,
  outboxDeps,
  sendEmail,
  sendTemplateEmail,
  setMailer,
  startEmailOutbox,
  stopEmailOutbox,
  suppressAddress,
  wakeEmailWorker,
  type SendEmailInput,
  type SendResult,
} from './send';
export { buildEmail, EMAILS, type TemplateName } from './templates';
export { pingEmail } from './health';
export {
  checkSesAccount,
  effectiveSendRate,
  sendingHold,
  sesAccountStatus,
  startSesAccountWatch,
  stopSesAccountWatch,
} from './account';
