// A node:test reporter that prints how long each test file's tests took (the sum of its top-level
// tests), slowest first: the figure to look at when the suite gets slower (TEST_DURATIONS=<file> npm test).
// Wall-clock spans between events would mislead: the runner reports files in order, buffering the rest.
interface TestEvent {
  type: string;
  data: { file?: string; nesting?: number; details?: { duration_ms?: number } };
}

export default async function* fileDurations(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const totals = new Map<string, number>();
  for await (const { type, data } of source) {
    if ((type !== 'test:pass' && type !== 'test:fail') || data.nesting !== 0 || !data.file) continue;
    totals.set(data.file, (totals.get(data.file) ?? 0) + (data.details?.duration_ms ?? 0));
  }
  const cwd = `${process.cwd()}/`;
  const rows = [...totals].sort((a, b) => b[1] - a[1]);
  for (const [file, ms] of rows) yield `${(ms / 1000).toFixed(1).padStart(7)} s  ${file.replace(cwd, '')}\n`;
}
