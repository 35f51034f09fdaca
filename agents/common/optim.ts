// Adam with a learning rate that can change between updates (linear decay) and global-norm gradient clipping, as
// torch.nn.utils.clip_grad_norm_ does it (scale all gradients by max_norm / (norm + 1e-6) when the norm exceeds max_norm).
import * as tf from '@tensorflow/tfjs';

export class ClippedAdam {
  private readonly opt: tf.AdamOptimizer;
  private readonly vars: tf.Variable[];
  private readonly maxGradNorm: number | null;

  constructor(vars: tf.Variable[], learningRate: number, epsilon: number, maxGradNorm: number | null) {
    this.vars = vars;
    this.opt = tf.train.adam(learningRate, 0.9, 0.999, epsilon);
    this.maxGradNorm = maxGradNorm;
  }

  set learningRate(lr: number) {
    // tfjs reads `learningRate` on every applyGradients; it is only `protected` in the typings.
    (this.opt as unknown as { learningRate: number }).learningRate = lr;
  }

  get learningRate(): number {
    return (this.opt as unknown as { learningRate: number }).learningRate;
  }

  /**
   * One step on the scalar `loss()`. The loss may tf.keep() tensors it wants read afterwards; `shouldApply`, called
   * once the gradients exist, can read them and veto the update (PPO's target-KL stop, taken before the step as SB3).
   * Returns the pre-clip global gradient norm (a kept scalar the caller disposes), or null when vetoed.
   */
  step(loss: () => tf.Scalar, shouldApply?: () => boolean): tf.Scalar | null {
    let vetoed = false;
    const norm = tf.tidy(() => {
      const { grads } = tf.variableGrads(loss, this.vars);
      if (shouldApply && !shouldApply()) {
        vetoed = true;
        return tf.scalar(0);
      }
      const list = this.vars.map((v) => grads[v.name]!);
      const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
      let coef: tf.Tensor | null = null;
      if (this.maxGradNorm !== null) coef = tf.minimum(1, tf.div(this.maxGradNorm, tf.add(norm, 1e-6)));
      const named: tf.NamedTensorMap = {};
      for (const v of this.vars) named[v.name] = coef ? tf.mul(grads[v.name]!, coef) : grads[v.name]!;
      this.opt.applyGradients(named as unknown as tf.NamedTensorMap & Record<string, tf.Variable>);
      return norm;
    });
    if (vetoed) {
      norm.dispose();
      return null;
    }
    return norm;
  }

  dispose(): void {
    this.opt.dispose();
  }
}
