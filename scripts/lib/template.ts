import { CliError } from './cli-error.ts';

/** Fills __KEY__ placeholders; a placeholder without a value becomes empty (the schema then decides). */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/__([A-Z0-9_]+)__/g, (_m, key: string) => quoteEnvValue(values[key] ?? '', key));
}

/**
 * Values land in an env file read by dotenv: no newline may smuggle in another key, and quotes are
 * chosen so that dotenv gives back exactly the text (it does not unescape inside quotes).
 */
export function quoteEnvValue(value: string, key = 'the value'): string {
  const oneLine = value.replace(/[\r\n]+/g, ' ').trim();
  if (!/[\s#"'`\\]/.test(oneLine)) return oneLine;
  if (!oneLine.includes("'")) return `'${oneLine}'`;
  if (!oneLine.includes('"') && !oneLine.includes('\\')) return `"${oneLine}"`;
  if (!oneLine.includes('`')) return `\`${oneLine}\``;
  // dotenv has no escape inside quotes: no quoting keeps such a value intact. Changing it silently
  // (dropping a quote) would store something else than the operator typed.
  throw new CliError(
    `${key} cannot be written to the config file: it holds ' and " (or \\) and \` together`,
    'leave out one of these three kinds of quote',
  );
}
