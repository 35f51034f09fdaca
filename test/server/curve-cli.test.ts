// Safety and the command line: CURVE keys from `tg4 keys`, authorized clients only; no non-loopback bind without keys
// or --insecure; `tg4 serve` prints its address once it accepts requests and stops cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { Command } from 'commander';
import { register as registerServe } from '../../src/cli/commands/serve.ts';
import { register as registerKeys } from '../../src/cli/commands/keys.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as zmq from 'zeromq';
import '../../envs/index.ts';
import { Tg4Client } from '../../src/server/client.ts';
import { generateKeys, loadClientKeys } from '../../src/server/curve.ts';
import { Tg4Server } from '../../src/server/server.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** Starts `tg4 serve` and resolves with its address once it printed `listening on`. */
function spawnServe(args: string[]): Promise<{ proc: ChildProcess; address: string }> {
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'tg4.js'), 'serve', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`tg4 serve did not start: ${out}${err}`)), 60_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, address: m[1]! });
      }
    });
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tg4 serve exited with ${code}: ${err}`));
    });
  });
}

describe('CURVE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg4-keys-'));
  const servers: Tg4Server[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
  });

  it('an authorized client is served over an encrypted connection; a stranger gets nothing', async () => {
    generateKeys(dir);
    expect(() => generateKeys(dir)).toThrow(/already holds/);
    const server = await Tg4Server.start({ bind: 'tcp://127.0.0.1:0', curveKeysDir: dir });
    servers.push(server);
    const client = await Tg4Client.connect(server.address, { curve: dir });
    const env = await client.makeVec('CartPole-v1', { numEnvs: 2 });
    const r = await env.reset({ seed: 0 });
    expect((r.observations as Float32Array).length).toBe(8);
    client.close();
    // Right server key, but a client key that is not in authorized_clients.
    const stranger = zmq.curveKeyPair();
    await expect(
      Tg4Client.connect(server.address, {
        timeoutMs: 600,
        curve: { serverPublicKey: loadClientKeys(dir).serverPublicKey, ...stranger },
      }),
    ).rejects.toThrow(/no reply/);
    // No CURVE at all.
    await expect(Tg4Client.connect(server.address, { timeoutMs: 600 })).rejects.toThrow(/no reply/);
  });

  it('refuses a non-loopback bind without keys, allows it with --insecure', async () => {
    await expect(Tg4Server.start({ bind: 'tcp://0.0.0.0:0' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(Tg4Server.start({ bind: 'tcp://*:0' })).rejects.toThrow(/--curve-keys/);
    const s = await Tg4Server.start({ bind: 'tcp://0.0.0.0:0', insecure: true });
    servers.push(s);
    const c = await Tg4Client.connect(s.address.replace('0.0.0.0', '127.0.0.1'));
    expect(c.hello.env_ids).toContain('CartPole-v1');
    c.close();
  });
});

// The CLI loads every command module at start (seconds on a loaded 2-core box): generous timeouts.
describe('tg4 serve / tg4 keys', { timeout: 120_000 }, () => {
  it('serves over ipc, prints its address, and exits 0 on SIGTERM', async () => {
    const sock = join(mkdtempSync(join(tmpdir(), 'tg4-ipc-')), 's.sock');
    const { proc, address } = await spawnServe([
      '--bind',
      `ipc://${sock}`,
      '--max-sessions',
      '2',
      '--idle-timeout',
      '5',
    ]);
    expect(address).toBe(`ipc://${sock}`);
    const c = await Tg4Client.connect(address);
    expect(c.hello.limits).toMatchObject({ max_sessions: 2, idle_timeout_s: 5 });
    c.close();
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  // The flag checks run in-process through the real command definitions (a CLI start costs seconds here).
  function program(): Command {
    const p = new Command('tg4').exitOverride();
    registerServe(p);
    registerKeys(p);
    return p;
  }

  it('rejects bad flags with a typed error', async () => {
    await expect(program().parseAsync(['node', 'tg4', 'serve', '--bind', 'tcp://10.0.0.1:5555'])).rejects.toMatchObject(
      { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/--curve-keys/) },
    );
    await expect(program().parseAsync(['node', 'tg4', 'serve', '--max-sessions', 'lots'])).rejects.toThrow(
      /--max-sessions must be a positive integer/,
    );
    await expect(program().parseAsync(['node', 'tg4', 'serve', '--idle-timeout', '-3'])).rejects.toThrow(
      /--idle-timeout must be a positive number/,
    );
    await expect(program().parseAsync(['node', 'tg4', 'serve', '--bind', 'udp://x'])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(
      program().parseAsync(['node', 'tg4', 'serve', '--bind', 'inproc://dd', '--data-dir', '/no/such/folder']),
    ).rejects.toThrow(/--data-dir \/no\/such\/folder is not a readable folder/);
    await expect(program().parseAsync(['node', 'tg4', 'serve', '--max-session-mb', '0'])).rejects.toThrow(
      /--max-session-mb must be a positive integer/,
    );
  });

  it('tg4 keys writes Z85 keypairs with private secrets, and refuses to overwrite them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg4-keys-cli-'));
    await program().parseAsync(['node', 'tg4', 'keys', '--out', dir]);
    const k = loadClientKeys(dir);
    expect(k.publicKey).toHaveLength(40);
    expect(readFileSync(join(dir, 'authorized_clients'), 'utf8')).toContain(k.publicKey);
    expect(statSync(join(dir, 'client.secret')).mode & 0o777).toBe(0o600);
    await expect(program().parseAsync(['node', 'tg4', 'keys', '--out', dir])).rejects.toThrow(/--force/);
  });
});
