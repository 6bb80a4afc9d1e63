/** Fills __KEY__ placeholders; a placeholder without a value becomes empty (the schema then decides). */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/__([A-Z0-9_]+)__/g, (_m, key: string) => quoteEnvValue(values[key] ?? ''));
}

/**
 * Values land in an env file read by dotenv: no newline may smuggle in another key, and quotes are
 * chosen so that dotenv gives back exactly the text (it does not unescape inside quotes).
 */
export function quoteEnvValue(value: string): string {
  const oneLine = value.replace(/[\r\n]+/g, ' ').trim();
  if (!/[\s#"'`\\]/.test(oneLine)) return oneLine;
  if (!oneLine.includes("'")) return `'${oneLine}'`;
  if (!oneLine.includes('"') && !oneLine.includes('\\')) return `"${oneLine}"`;
  if (!oneLine.includes('`')) return `\`${oneLine}\``;
  return `'${oneLine.replaceAll("'", '')}'`;
}
