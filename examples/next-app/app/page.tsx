import { Suspense } from 'react';
import { connection } from 'next/server';
import { invalidateClock } from './actions';
import { computedAt } from './clock';
import { WelcomeForm } from './welcome-form';

async function ComputedAt() {
  await connection();
  return <output>{await computedAt()}</output>;
}

export default function Home() {
  return (
    <main>
      <h1>Example app</h1>
      <p>
        Computed at:{' '}
        <Suspense fallback={<span>…</span>}>
          <ComputedAt />
        </Suspense>
      </p>
      <form action={invalidateClock}>
        <button type="submit">Invalidate</button>
      </form>
      <WelcomeForm />
    </main>
  );
}
