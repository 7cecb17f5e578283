// A second app process for the outbox tests: runs this process's outbox worker against the Postgres and
// SES endpoint in its environment until killed. Started with `node --import tsx`.
import { startEmailOutbox } from '@/lib/email';

startEmailOutbox({ pollMs: 100, overrides: { baseDelayMs: Number(process.env.ZZ_OUTBOX_BASE_DELAY_MS ?? 1_000), maxDelayMs: 2_000 } });
console.log('outbox worker running');
setInterval(() => {}, 1 << 30);
