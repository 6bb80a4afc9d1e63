import type { V8TokenCache, V8TokenStatus } from '../adapters/v8/v8-token-cache.ts';

/** What we hold for V8 (never the token itself). */
export function describeV8Token(tokens: V8TokenCache): V8TokenStatus {
  return tokens.status();
}

/** Forgets this client's token (memory and file); the next V8 call authenticates again. */
export async function clearV8Token(tokens: V8TokenCache): Promise<{ cleared: true }> {
  await tokens.invalidate();
  return { cleared: true };
}
