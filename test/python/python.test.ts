// Runs the Python client's protocol and client-rule tests (test/python/test_protocol.py, test_client.py, unittest) with Debian's python3 (no Gymnasium: the
// adapters are tested in the venv by real-libraries.test.ts), against real `tg4 serve`
// subprocesses that the Python side starts. scripts/setup/python.sh installs python3-zmq/msgpack/numpy beforehand.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const PYTHON = process.env.TG4_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

describe('tg4gym (Python client)', () => {
  it('passes its unittest suite against a real tg4 serve over tcp and ipc', () => {
    const probe = spawnSync(PYTHON, ['-c', 'import zmq, msgpack, numpy'], { encoding: 'utf8' });
    // Not a skip: without these the Python client is untested, so say how to fix it.
    expect(
      probe.status,
      `${PYTHON} cannot import zmq/msgpack/numpy: run \`bash scripts/setup/python.sh\` (${probe.stderr})`,
    ).toBe(0);
    const r = spawnSync(PYTHON, ['-m', 'unittest', '-v', 'test_protocol', 'test_client'], {
      cwd: join(ROOT, 'test', 'python'),
      encoding: 'utf8',
      env: {
        ...process.env,
        PYTHONPATH: join(ROOT, 'agents', 'python'),
        TG4_NODE: process.execPath,
        PYTHONDONTWRITEBYTECODE: '1',
      },
      timeout: 240_000,
    });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.status, out).toBe(0);
    expect(out).toMatch(/OK/);
    expect(out).toMatch(/test_same_step_autoreset \(test_protocol\.IpcProtocolTests/);
    expect(out).toMatch(/test_other_protocol_or_release_or_server_is_refused \(test_client\.HelloCheckTests/);
  }, 260_000);
});
