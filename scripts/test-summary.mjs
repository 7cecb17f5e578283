// Adds up the vitest and Playwright JSON reports into the one closing line CI reads:
// "tests: N passed, N failed, N skipped", with a line per suite or project before it. Exits non-zero when
// a report is missing, anything failed or was skipped, or any expected suite or project ran no test (a
// suite that silently ran nothing would otherwise pass).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const EXPECTED = [
  'unit',
  'packages',
  'integration',
  'integration-garage',
  'node',
  'edge',
  'garage',
  'deploy',
  'balanced',
  'dev',
  'example',
  'example-edge',
];
const counts = new Map(EXPECTED.map((name) => [name, { passed: 0, failed: 0, skipped: 0 }]));
const count = (name, outcome) => {
  if (!counts.has(name)) counts.set(name, { passed: 0, failed: 0, skipped: 0 });
  counts.get(name)[outcome]++;
};
const problems = [];
// Named again at the end: CI keeps only the tail of a long log, where the failure itself scrolled away.
const failures = [];

// vitest's JSON names no project: each run writes its own report (the Garage one re-runs the storage files).
for (const [file, suiteOf] of [
  [
    'vitest.json',
    (name) =>
      name.includes('/tests/integration/')
        ? 'integration'
        : /\/(packages\/[^/]+\/test|tests\/packages)\//.test(name)
          ? 'packages'
          : 'unit',
  ],
  ['vitest-garage.json', () => 'integration-garage'],
]) {
  const path = join(dir, file);
  if (!existsSync(path)) {
    problems.push(`no ${file} report`);
    continue;
  }
  const report = JSON.parse(readFileSync(path, 'utf8'));
  for (const result of report.testResults) {
    const suite = suiteOf(result.name);
    const file = result.name.replace(/^.*?\/(tests|packages)\//, '$1/');
    if (result.assertionResults.length === 0 && result.status === 'failed') {
      count(suite, 'failed');
      failures.push(`${suite}: ${file} (did not load): ${firstLine(result.message)}`);
    }
    for (const test of result.assertionResults) {
      count(suite, test.status === 'passed' ? 'passed' : test.status === 'failed' ? 'failed' : 'skipped');
      if (test.status === 'failed')
        failures.push(`${suite}: ${file} › ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
    }
  }
}

// The app's end-to-end suite, and the example app's own (examples/next-app: 'example', and 'example-edge' for
// its middleware built for the Edge runtime).
for (const file of ['playwright.json', 'playwright-example.json']) {
  const playwrightFile = join(dir, file);
  if (!existsSync(playwrightFile)) {
    problems.push(`no ${file} report`);
    continue;
  }
  const { suites = [], errors = [] } = JSON.parse(readFileSync(playwrightFile, 'utf8'));
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests) {
        const outcome =
          test.status === 'expected' || test.status === 'flaky'
            ? 'passed'
            : test.status === 'skipped'
              ? 'skipped'
              : 'failed';
        count(test.projectName, outcome);
        if (outcome === 'failed') {
          const error = test.results?.at(-1)?.error?.message;
          failures.push(`${test.projectName}: ${spec.file}:${spec.line} › ${spec.title}: ${firstLine(error)}`);
        }
      }
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  suites.forEach(walk);
  if (errors.length > 0) problems.push(`${errors.length} Playwright error(s) outside tests in ${file}`);
}

function firstLine(message) {
  const plain = String(message ?? 'no message').replace(/\u001b\[[0-9;]*m/g, '');
  return (plain.split('\n').find((line) => line.trim() !== '') ?? '').trim().slice(0, 300);
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const [name, c] of counts) {
  console.log(`  ${name.padEnd(18)} ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  if (c.passed + c.failed + c.skipped === 0) problems.push(`${name} ran no test`);
  passed += c.passed;
  failed += c.failed;
  skipped += c.skipped;
}
if (skipped > 0) problems.push(`${skipped} test(s) skipped: npm test allows none`);
for (const failure of failures) console.log(`failed: ${failure}`);
for (const problem of problems) console.log(`problem: ${problem}`);
// A problem (a project that ran nothing, a missing report) counts as a failure in the closing line too.
failed += problems.filter((problem) => !problem.includes('skipped')).length;
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(problems.length > 0 || failed > 0 || passed === 0 ? 1 : 0);
