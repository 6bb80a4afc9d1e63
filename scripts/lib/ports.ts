/** Pure checks for `make add-client PORT=...`: every message says what to do next. */
export type PortCheck = { ok: true; port: number } | { ok: false; error: string };

export function parsePort(input: string | undefined): PortCheck {
  if (input === undefined || input.trim() === '') {
    return { ok: false, error: 'PORT is required: make add-client PORT=6000 [NAME="Empresa X"]' };
  }
  const text = input.trim();
  if (!/^\d+$/.test(text)) {
    return { ok: false, error: `PORT "${text}" is not a number: use an integer between 1024 and 65535` };
  }
  const port = Number(text);
  if (port < 1024 || port > 65535) {
    return {
      ok: false,
      error: `PORT ${port} is outside 1024-65535 (ports below 1024 are reserved for the system): choose another`,
    };
  }
  return { ok: true, port };
}

/**
 * Each client network gets its own /28 inside 10.128.0.0/12, derived from the port, so any number
 * of clients fit without touching the engine's default address pools (about 30 networks).
 */
export function subnetForPort(port: number): string {
  const offset = port * 16;
  const b = 128 + (offset >> 16);
  const c = (offset >> 8) & 255;
  const d = offset & 255;
  return `10.${b}.${c}.${d}/28`;
}
