// Run-time choice of the tfjs backend: `wasm` (default: fast for the small MLPs RL uses), `cpu` (pure JS, always works),
// `tensorflow` (native libtensorflow through @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node, loaded only when asked
// for: they are optional, never dependencies of this package).
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Tg4Error, InvalidArgumentError } from '../../src/core/errors.ts';

export type BackendName = 'wasm' | 'cpu' | 'tensorflow';
export const BACKEND_NAMES: readonly BackendName[] = ['wasm', 'cpu', 'tensorflow'];

export interface BackendInfo {
  /** What the user asked for. */
  requested: BackendName;
  /** tfjs's name of the active backend ('wasm', 'cpu', 'tensorflow'). */
  active: string;
  /** For `tensorflow`: which package provided it. */
  provider?: string;
}

export class BackendUnavailableError extends Tg4Error {
  constructor(message: string, cause?: unknown) {
    super('BACKEND_UNAVAILABLE', message, { cause });
  }
}

const require = createRequire(import.meta.url);
let wasmPathsSet = false;

function wasmDistDir(): string {
  // In Node the .wasm binaries are read from the package's dist/ folder (a trailing slash is required by tfjs).
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

export function parseBackendName(s: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(s)) return s as BackendName;
  throw new InvalidArgumentError(`--backend must be one of ${BACKEND_NAMES.join(', ')} (got '${s}')`);
}

async function loadNative(): Promise<string> {
  const tried: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      // A variable specifier keeps TypeScript and bundlers from requiring the optional package at build time.
      const spec: string = pkg;
      await import(spec);
      return pkg;
    } catch (err) {
      tried.push(`${pkg}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new BackendUnavailableError(
    'the tensorflow backend needs a native tfjs binding, and none could be loaded (' +
      tried.join('; ') +
      '). ' +
      'Install one: `npm install @tensorflow/tfjs-node` (CPU, libtensorflow), or `npm install @tensorflow/tfjs-node-gpu` ' +
      '(NVIDIA GPU; needs CUDA and cuDNN matching its libtensorflow build). Or use --backend wasm (default) or cpu.',
  );
}

/** Activates the requested backend; idempotent. Throws BACKEND_UNAVAILABLE with the fix when it cannot. */
export async function selectBackend(name: BackendName = 'wasm'): Promise<BackendInfo> {
  parseBackendName(name);
  let provider: string | undefined;
  let tfName: string = name;
  if (name === 'wasm') {
    if (!wasmPathsSet) {
      setWasmPaths(wasmDistDir());
      wasmPathsSet = true;
    }
  } else if (name === 'tensorflow') {
    provider = await loadNative();
  }
  if (tf.getBackend() !== tfName || !tf.findBackend(tfName)) {
    let ok = false;
    try {
      ok = await tf.setBackend(tfName);
    } catch (err) {
      throw new BackendUnavailableError(
        `could not start the tfjs '${name}' backend: ${(err as Error).message}. Try --backend cpu.`,
        err,
      );
    }
    if (!ok) throw new BackendUnavailableError(`the tfjs '${name}' backend failed to initialise. Try --backend cpu.`);
  }
  await tf.ready();
  tfName = tf.getBackend();
  return provider ? { requested: name, active: tfName, provider } : { requested: name, active: tfName };
}
