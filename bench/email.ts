// Email benchmark: render time per template (median and p95 of warm renders), HTML rendered once and the
// text part derived from it, as sending does.
import { renderEmail, templates } from '../lib/email';
import { percentile, printTable } from './support';

const appUrl = 'https://app.example.com';
const cases = [
  templates.welcomeEmail(appUrl, 'Ada'),
  templates.verificationEmail(appUrl, 'Ada', 'token'),
  templates.passwordResetEmail(appUrl, 'Ada', 'token'),
  templates.passwordChangedEmail(appUrl, 'Ada'),
  templates.accountExistsEmail(appUrl, 'Ada'),
];

async function main() {
  const rows: Array<[string, string, string]> = [];
  for (const email of cases) {
    for (let i = 0; i < 20; i++) await renderEmail(email.react);
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      await renderEmail(email.react);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    rows.push([`render ${email.template} (HTML + text)`, `median ${percentile(times, 50).toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms`, '-']);
  }
  printTable('Email rendering (warm, 200 renders each)', rows);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
