// Seeded weight initialisation in plain JS (then uploaded to tfjs), so that the same seed gives the same network on every
// backend. Orthogonal init as in SB3/CleanRL (Saxe et al.): gain √2 for hidden layers, 0.01 for the policy head, 1 for values.
import type { Rng } from '../../src/core/rng.ts';

/** An `inSize × outSize` kernel (row-major) whose rows or columns are orthonormal, times `gain`. */
export function orthogonalKernel(inSize: number, outSize: number, gain: number, rng: Rng): Float32Array {
  const rows = Math.max(inSize, outSize);
  const cols = Math.min(inSize, outSize);
  // Gaussian matrix, then modified Gram–Schmidt on its `cols` columns of length `rows` (QR with sign fix = Haar measure).
  const q = new Float64Array(rows * cols);
  for (let k = 0; k < q.length; k++) q[k] = rng.normal();
  for (let c = 0; c < cols; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let r = 0; r < rows; r++) dot += q[r * cols + c]! * q[r * cols + p]!;
      for (let r = 0; r < rows; r++) q[r * cols + c] -= dot * q[r * cols + p]!;
    }
    let norm = 0;
    for (let r = 0; r < rows; r++) norm += q[r * cols + c]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let r = 0; r < rows; r++) q[r * cols + c] /= norm;
  }
  const kernel = new Float32Array(inSize * outSize);
  for (let i = 0; i < inSize; i++) {
    for (let j = 0; j < outSize; j++) {
      // q is rows × cols; when inSize ≥ outSize the kernel is q itself, otherwise its transpose.
      kernel[i * outSize + j] = gain * (inSize >= outSize ? q[i * cols + j]! : q[j * cols + i]!);
    }
  }
  return kernel;
}

/** PyTorch's default Linear init (Kaiming-uniform, a=√5 → U(±1/√in)) for kernel and bias, as SB3's DQN uses. */
export function uniformFanIn(inSize: number, outSize: number, rng: Rng): { kernel: Float32Array; bias: Float32Array } {
  const bound = 1 / Math.sqrt(inSize);
  const kernel = new Float32Array(inSize * outSize);
  for (let k = 0; k < kernel.length; k++) kernel[k] = rng.uniform(-bound, bound);
  const bias = new Float32Array(outSize);
  for (let k = 0; k < outSize; k++) bias[k] = rng.uniform(-bound, bound);
  return { kernel, bias };
}
