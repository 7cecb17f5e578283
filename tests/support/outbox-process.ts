// A second app process for the outbox tests: runs this process's outbox worker against the Postgres and
// SES endpoint in its environment until killed. Started with `node --import tsx`.
import { startEmailOutbox } from '@/lib/email';

// A short lease, so a row this process held when it was killed is free again within seconds (60 s in the app).
startEmailOutbox({
  pollMs: 100,
  overrides: { baseDelayMs: Number(process.env.ZZ_OUTBOX_BASE_DELAY_MS ?? 1_000), maxDelayMs: 2_000, leaseMs: 3_000 },
});
console.log('outbox worker running');
setInterval(() => {}, 1 << 30);
