/** An operator mistake or a failed step: printed as one clear message (and a hint), exit code 2. */
export class CliError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'CliError';
    this.hint = hint;
  }
}
