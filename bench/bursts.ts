// Bursts through `next start` against the api limit (100 a minute): 150 requests at once from one client,
// ten times, each from a fresh address. Prints allowed ÷ limit per burst (exact is 1.00) and the share of
// the api decisions the in-process fallback served while Redis was up (0: the server being busy is not
// Redis being down). Counts, not timings.
import { randomBytes } from 'node:crypto';
import { printTable, startNextServer } from './support';

async function main() {
  const metricsToken = randomBytes(16).toString('hex');
  const server = await startNextServer('.', 3320, {
    RATE_LIMITS: '',
    TRUSTED_PROXIES: '1',
    METRICS_TOKEN: metricsToken,
  });
  const ratios: number[] = [];
  try {
    for (let burst = 0; burst < 10; burst++) {
      const headers = { 'x-forwarded-for': `198.51.100.${200 + burst}` };
      const statuses = await Promise.all(
        Array.from({ length: 150 }, () =>
          fetch(`${server.url}/api/version`, { headers }).then(async (response) => {
            await response.arrayBuffer();
            return response.status;
          }),
        ),
      );
      ratios.push(statuses.filter((status) => status === 200).length / 100);
    }
    const response = await fetch(`${server.url}/api/metrics`, {
      headers: { authorization: `Bearer ${metricsToken}`, 'x-forwarded-for': '198.51.100.250' },
    });
    if (!response.ok) throw new Error(`/api/metrics answered ${response.status}`);
    const metrics = await response.text();
    const decisions = (source: string) =>
      [
        ...metrics.matchAll(
          new RegExp(`^zigznote_rate_limit_decisions_total\\{group="api",[^}]*source="${source}"\\} (\\d+)$`, 'gm'),
        ),
      ].reduce((sum, match) => sum + Number(match[1]), 0);
    const served = ['store', 'fallback', 'block-cache', 'shed'].reduce((sum, source) => sum + decisions(source), 0);
    if (served === 0) throw new Error('no api decisions in /api/metrics');
    printTable('Bursts of 150 against the api limit of 100 a minute (next start, Node middleware)', [
      [
        'allowed / limit, worst of 10 bursts (each)',
        `${Math.max(...ratios).toFixed(2)} (${ratios.map((r) => r.toFixed(2)).join(' ')})`,
        '1.00 in every run',
      ],
      [
        'share of api decisions served by the fallback while Redis is up',
        `${(decisions('fallback') / served).toFixed(3)} of ${served}`,
        '0',
      ],
    ]);
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
