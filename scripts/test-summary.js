// npm test's one summary over its two jest phases (scripts/test.sh): each phase prints its own, this adds
// them up and names every failed file, so a failure of the first phase is not lost above the second.
const { existsSync, readFileSync } = require('node:fs');

const phases = process.argv.slice(2).map((file) => ({
  name: file.replace(/^.*\/|\.json$/g, ''),
  result: existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined,
}));
const sum = (key) => phases.reduce((n, p) => n + (p.result?.[key] ?? 0), 0);
const seconds = (r) =>
  r && r.testResults.length ? (Math.max(...r.testResults.map((t) => t.endTime)) - r.startTime) / 1000 : 0;

console.log('\nnpm test, both phases:');
for (const { name, result } of phases) {
  if (!result) console.log(`  ${name}: no result (jest did not finish)`);
  else console.log(`  ${name}: ${result.numTotalTestSuites} files, ${seconds(result).toFixed(1)} s`);
}
const failedFiles = phases.flatMap((p) => (p.result?.testResults ?? []).filter((t) => t.status === 'failed'));
for (const t of failedFiles) console.log(`  FAILED ${t.name.replace(`${process.cwd()}/`, '')}`);
console.log(
  `  Test files: ${sum('numFailedTestSuites')} failed, ${sum('numTotalTestSuites')} total; ` +
    `tests: ${sum('numFailedTests')} failed, ${sum('numPassedTests')} passed, ${sum('numTotalTests')} total`,
);
const complete = phases.every((p) => p.result);
process.exit(complete && sum('numFailedTestSuites') === 0 && sum('numRuntimeErrorTestSuites') === 0 ? 0 : 1);
