/**
 * This app's view of its SES account (GetAccount), read at start-up and every hour, every 5 minutes while
 * mail is held: the outbox paces itself to the account's MaxSendRate (or EMAIL_SEND_RATE, when lower), holds
 * mail while sending is paused or the daily quota is spent, and health's email check and the log say when
 * the account is in the sandbox, paused or nearly out of quota. An endpoint without GetAccount (the local
 * stand-in) leaves the account unknown: EMAIL_SEND_RATE, or 14 a second. Node-only.
 */
import { assessSesAccount, getSesAccount, type SesAccount, type SesAccountAssessment } from '@zigznote/email';
import { getConfig, type AppConfig } from '../config';
import { processState } from '../runtime';

/** SES's own default for an account out of the sandbox, used while the account cannot be read. */
export const FALLBACK_SEND_RATE = 14;
const CHECK_EVERY_MS = 3_600_000;
const CHECK_WHILE_HELD_MS = 300_000;

export interface SesAccountStatus {
  checkedAt: string;
  account: SesAccount | null;
  assessment: SesAccountAssessment;
  /** Why the account could not be read (no GetAccount on this endpoint, no credentials, SES down). */
  unreadable?: string;
}

const state = processState('ses-account', () => ({
  status: undefined as SesAccountStatus | undefined,
  said: '',
  timer: undefined as ReturnType<typeof setTimeout> | undefined,
}));

function say(status: SesAccountStatus, config: AppConfig): void {
  const problems = [...(status.assessment.hold ? [status.assessment.hold] : []), ...status.assessment.warnings];
  const words = problems.join('; ');
  const key = `${words}|${status.unreadable ? 'unreadable' : ''}`;
  if (key === state.said) return;
  state.said = key;
  if (words === '' && status.unreadable) {
    console.log(
      `[zigznote] email:    SES account not readable (${status.unreadable}); pacing at ${effectiveSendRate(config)} a second`,
    );
  } else if (words === '')
    console.log(
      `[zigznote] email:    the SES account may send (out of the sandbox, quota left); pacing at ${effectiveSendRate(config)} a second`,
    );
  // Production says it on stderr at every change, where an operator's log alerts look.
  else (config.isProduction ? console.error : console.warn)(`[zigznote] email:    SES account: ${words}`);
}

/** Reads the account now and remembers what it says; never throws. */
export async function checkSesAccount(config: AppConfig = getConfig()): Promise<SesAccountStatus> {
  let status: SesAccountStatus;
  try {
    const account = await getSesAccount(config.email, AbortSignal.timeout(5_000));
    status = { checkedAt: new Date().toISOString(), account, assessment: assessSesAccount(account) };
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : 'unreadable';
    // A hold stays while the account cannot be read: mail is not let out into a paused account by an outage.
    status = {
      checkedAt: new Date().toISOString(),
      account: null,
      assessment: { hold: state.status?.assessment.hold ?? null, warnings: [] },
      unreadable: reason,
    };
  }
  state.status = status;
  say(status, config);
  return status;
}

export function sesAccountStatus(): SesAccountStatus | undefined {
  return state.status;
}

/** Emails per second for the outbox: the account's MaxSendRate, lowered by EMAIL_SEND_RATE when that is set. */
export function effectiveSendRate(config: AppConfig = getConfig()): number {
  const accountRate = state.status?.account?.maxSendRate;
  const configured = config.email.sendRate;
  if (accountRate === undefined) return configured ?? FALLBACK_SEND_RATE;
  return configured === undefined ? accountRate : Math.min(configured, accountRate);
}

/** Why the outbox must not send now, or null. */
export function sendingHold(): string | null {
  return state.status?.assessment.hold ?? null;
}

/** Checks now, then every hour (every 5 minutes while held), until stopSesAccountWatch. */
export function startSesAccountWatch(config: AppConfig = getConfig()): Promise<SesAccountStatus> {
  stopSesAccountWatch();
  const next = () => {
    state.timer = setTimeout(
      () => void checkSesAccount(config).then(next),
      sendingHold() ? CHECK_WHILE_HELD_MS : CHECK_EVERY_MS,
    );
    state.timer.unref?.();
  };
  return checkSesAccount(config).then((status) => {
    next();
    return status;
  });
}

export function stopSesAccountWatch(): void {
  if (state.timer) clearTimeout(state.timer);
  state.timer = undefined;
}
