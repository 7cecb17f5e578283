import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { currentUserSessions, SessionsUnavailableError } from '@/lib/auth';
import type { SessionListing } from '@/lib/auth';
import { AppLink } from '@/app/links/app-link';
import { LogOutButtons } from '../account-forms';
import { EndOtherSessionsButton, EndSessionButton } from './session-forms';

export const metadata: Metadata = { title: 'Sessions · zigznote' };
export const dynamic = 'force-dynamic';

const when = (ms: number) =>
  `${new Date(ms).toLocaleString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' })} UTC`;

function lastSeen(session: SessionListing, now: number): string {
  if (session.current || now - session.lastSeenAt < 2 * 60_000) return 'active now';
  return `last seen ${when(session.lastSeenAt)}`;
}

async function loadSessions() {
  try {
    return { listed: await currentUserSessions(), listedAt: Date.now() };
  } catch (error) {
    if (error instanceof SessionsUnavailableError) return { unavailable: true as const };
    throw error;
  }
}

export default async function SessionsPage({
  searchParams,
}: {
  searchParams: Promise<{ notice?: string; count?: string }>;
}) {
  const loaded = await loadSessions();
  if ('unavailable' in loaded) {
    return (
      <section className="auth-page">
        <h1>Your sessions</h1>
        <p role="alert" className="alert alert-error">
          Your sessions cannot be listed right now: the session store is not answering. Nothing was signed out. Please
          try again in a moment.
        </p>
      </section>
    );
  }
  if (!loaded.listed) redirect('/auth/login');
  const { sessions } = loaded.listed;
  const { notice, count } = await searchParams;
  const others = sessions.filter((s) => !s.current).length;
  return (
    <section className="auth-page sessions-page">
      <h1>Your sessions</h1>
      {notice === 'ended' && (
        <p role="status" className="alert alert-success">
          That session was signed out. Its next request, on any of our servers, is refused.
        </p>
      )}
      {notice === 'others-ended' && (
        <p role="status" className="alert alert-success">
          {Number(count) === 1 ? '1 other session was' : `${Number(count) || 0} other sessions were`} signed out.
        </p>
      )}
      <p>
        Where your account is signed in. The network is the first three parts of the address (its /24, or /48 for IPv6):
        we keep that, never the full address. Up to 50 sessions are kept; signing in once more ends the oldest.
      </p>
      <ul className="session-list" aria-label="Signed-in sessions">
        {sessions.map((session) => (
          <li key={session.id} className="session" data-current={session.current || undefined}>
            <div>
              <strong>
                {session.device ? `${session.device.browser} on ${session.device.os}` : 'Unknown device'}
                {session.current && <span className="badge"> · this device</span>}
              </strong>
              <p className="hint">
                {session.device ? `Network ${session.device.network} · ` : ''}signed in {when(session.createdAt)} ·{' '}
                {lastSeen(session, loaded.listedAt)}
              </p>
            </div>
            <EndSessionButton id={session.id} label={session.current ? 'Sign out here' : 'Sign out'} />
          </li>
        ))}
      </ul>
      {others > 0 && <EndOtherSessionsButton />}
      <h2>Everywhere</h2>
      <LogOutButtons />
      <p>
        <AppLink href="/account">Back to your account</AppLink>
      </p>
    </section>
  );
}
