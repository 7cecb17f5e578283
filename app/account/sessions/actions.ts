'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
import { formAction, type FormState } from '@/lib/auth';
import { getCurrentSession, sessionsActionAllowed, signOut, signOutOtherSessions, signOutSession } from '@/lib/auth';
import { sessionPublicId, type Session } from '@/lib/auth';

// Any string up to this length: a forged or stale id gets the same answer as another user's (not found).
const endOneSchema = z.object({ id: z.string().max(200) });

async function signedInAndAllowed(ip: string): Promise<{ session: Session } | FormState> {
  const session = await getCurrentSession();
  if (!session) redirect('/auth/login');
  const allowed = await sessionsActionAllowed(session, ip);
  if (!allowed.allowed) return { error: allowed.message, code: 'limited' };
  return { session };
}

export const endSessionAction = formAction(endOneSchema, async ({ id }, { ip }) => {
  const checked = await signedInAndAllowed(ip);
  if (!('session' in checked)) return checked;
  if (id === sessionPublicId(checked.session.hash)) {
    await signOut();
    redirect('/auth/login?notice=signed-out');
  }
  if (!(await signOutSession(checked.session, id))) {
    return {
      error: 'That session is not there any more: it may have ended already. The list below is current.',
      code: 'not-found',
    };
  }
  redirect('/account/sessions?notice=ended');
});

export const endOtherSessionsAction = formAction(z.object({}), async (_input, { ip }) => {
  const checked = await signedInAndAllowed(ip);
  if (!('session' in checked)) return checked;
  const ended = await signOutOtherSessions(checked.session);
  redirect(`/account/sessions?notice=others-ended&count=${ended}`);
});
