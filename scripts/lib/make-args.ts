/**
 * The Makefile hands every operator value to the CLI through the environment as CLT_ARG_<VAR>
 * (taken literally, never pasted into a recipe: see the Makefile). This turns them into the same
 * options the command line takes; an option given on the command line wins.
 */
const STRING_VARS = {
  port: 'PORT',
  name: 'NAME',
  lines: 'LINES',
  password: 'PASSWORD',
  from: 'FROM',
  'legacy-port': 'LEGACY_PORT',
  out: 'OUT',
  file: 'FILE',
  image: 'IMAGE',
  host: 'HOST',
  'tls-port': 'TLS_PORT',
} as const;

const FLAG_VARS = {
  sandbox: 'SANDBOX',
  purge: 'PURGE',
  'no-start': 'NO_START',
  json: 'JSON',
  'dry-run': 'DRY_RUN',
  start: 'START',
  force: 'FORCE',
  stop: 'STOP',
} as const;

type StringOption = keyof typeof STRING_VARS;
type FlagOption = keyof typeof FLAG_VARS;

export type MakeArgs = Partial<Record<StringOption, string>> & Partial<Record<FlagOption, boolean>>;

/** Make passes an empty string for a variable the operator did not set: that is "not given". */
export function makeArgs(env: NodeJS.ProcessEnv): MakeArgs {
  const out: MakeArgs = {};
  for (const [option, v] of Object.entries(STRING_VARS) as [StringOption, string][]) {
    const value = env[`CLT_ARG_${v}`];
    if (value !== undefined && value !== '') out[option] = value;
  }
  for (const [option, v] of Object.entries(FLAG_VARS) as [FlagOption, string][]) {
    const value = env[`CLT_ARG_${v}`];
    if (value !== undefined && /^(1|yes|true)$/i.test(value.trim())) out[option] = true;
  }
  return out;
}

/** Command-line options win over the make variables; a boolean flag is on when either sets it. */
export function mergeMakeArgs<T extends Record<string, string | boolean | undefined>>(
  cli: T,
  fromMake: MakeArgs,
): T {
  const merged: Record<string, string | boolean | undefined> = { ...cli };
  for (const [k, v] of Object.entries(fromMake)) {
    const current = merged[k];
    if (typeof v === 'boolean') merged[k] = current === true || v;
    else if (current === undefined || current === '') merged[k] = v;
  }
  return merged as T;
}
