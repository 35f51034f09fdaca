// Kraken's signed REST call for a WebSocket token (POST /0/private/GetWebSocketsToken): API-Key header, and API-Sign =
// base64(HMAC-SHA512(base64-decoded secret, path + SHA256(nonce + POST body))). The token authenticates the private
// WebSocket (executions, add_order, cancel_order, cancel_all_orders_after); use it within 15 minutes. Errors never carry
// the key, the secret or the signature.
import { createHash, createHmac } from 'node:crypto';
import { LiveError } from '../errors.ts';
import { KRAKEN_REST_URL, type HttpFetch } from '../warmup.ts';

export const TOKEN_PATH = '/0/private/GetWebSocketsToken';

export function krakenSignature(path: string, nonce: string, postData: string, secretB64: string): string {
  const sha = createHash('sha256')
    .update(nonce + postData)
    .digest();
  return createHmac('sha512', Buffer.from(secretB64, 'base64'))
    .update(Buffer.concat([Buffer.from(path), sha]))
    .digest('base64');
}

export interface Credentials {
  apiKey: string;
  apiSecret: string;
}

/** Keys from the environment only (KRAKEN_API_KEY, KRAKEN_API_SECRET): never from flags, files or logs. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): Credentials {
  const apiKey = env.KRAKEN_API_KEY ?? '';
  const apiSecret = env.KRAKEN_API_SECRET ?? '';
  if (apiKey.trim() === '' || apiSecret.trim() === '')
    throw new LiveError(
      'auth_failed',
      '--live needs KRAKEN_API_KEY and KRAKEN_API_SECRET in the environment (a key with the "WebSocket interface" and trading permissions)',
    );
  if (!/^[A-Za-z0-9+/=]+$/.test(apiSecret.trim()))
    throw new LiveError(
      'auth_failed',
      'KRAKEN_API_SECRET is not base64 (copy the private key exactly as Kraken shows it)',
    );
  return { apiKey: apiKey.trim(), apiSecret: apiSecret.trim() };
}

let lastNonce = 0;
/** Strictly increasing nonce (ms, bumped when two calls share a millisecond). */
function nextNonce(): string {
  lastNonce = Math.max(Date.now(), lastNonce + 1);
  return String(lastNonce);
}

export async function getWebSocketsToken(
  c: Credentials,
  o: { restUrl?: string; fetch?: HttpFetch } = {},
): Promise<{ token: string; expires: number }> {
  const fetchFn = o.fetch ?? (globalThis.fetch as unknown as HttpFetch);
  const nonce = nextNonce();
  const body = `nonce=${nonce}`;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 15_000);
  let text: string;
  try {
    const r = await fetchFn(`${o.restUrl ?? KRAKEN_REST_URL}${TOKEN_PATH}`, {
      method: 'POST',
      headers: {
        'API-Key': c.apiKey,
        'API-Sign': krakenSignature(TOKEN_PATH, nonce, body, c.apiSecret),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body,
      signal: ctl.signal,
    });
    text = await r.text();
    if (!r.ok) throw new LiveError('auth_failed', `GetWebSocketsToken answered HTTP ${r.status}`);
  } catch (e) {
    if (e instanceof LiveError) throw e;
    throw new LiveError('connection_lost', `GetWebSocketsToken failed: ${(e as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
  let j: { error?: unknown; result?: { token?: unknown; expires?: unknown } };
  try {
    j = JSON.parse(text) as typeof j;
  } catch {
    throw new LiveError('auth_failed', 'GetWebSocketsToken: the answer is not JSON');
  }
  if (Array.isArray(j.error) && j.error.length > 0)
    throw new LiveError('auth_failed', `GetWebSocketsToken refused: ${j.error.map(String).join('; ').slice(0, 200)}`);
  const token = j.result?.token;
  if (typeof token !== 'string' || token.length === 0)
    throw new LiveError('auth_failed', 'GetWebSocketsToken: no token in the answer');
  return { token, expires: typeof j.result?.expires === 'number' ? j.result.expires : 900 };
}
