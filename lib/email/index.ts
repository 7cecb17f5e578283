/**
 * This app's email: @zigznote/email (rendering, the Postgres outbox, the worker, SES transports, SNS)
 * wired to the app's configuration, database and Redis, with a send helper per template, and the email
 * check of /api/health. Node-only; Edge code imports @zigznote/email/edge.
 */
export {
  getEmailStatus,
  getOutbox,
  outboxDeps,
  sendAccountExistsEmail,
  sendEmail,
  sendNewSignInEmail,
  sendPasswordChangedEmail,
  sendPasswordResetEmail,
  sendUnlockAccountEmail,
  sendVerificationEmail,
  sendWelcomeEmail,
  setMailer,
  startEmailOutbox,
  stopEmailOutbox,
  suppressAddress,
  wakeEmailWorker,
  type SendEmailInput,
  type SendResult,
} from './send';
export * as templates from './templates';
export { pingEmail } from './health';
export {
  checkSesAccount,
  effectiveSendRate,
  sendingHold,
  sesAccountStatus,
  startSesAccountWatch,
  stopSesAccountWatch,
  type SesAccountStatus,
} from './account';
