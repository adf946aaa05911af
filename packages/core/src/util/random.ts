/**
 * Seeded uniform random numbers (mulberry32) with the state exposed, so checkpoints can save and restore
 * a stream exactly. Shared by the policy, the trainer, the baselines and the simulated executor.
 * @public
 */
export class SeededRng {
  constructor(public state: number) {
    this.state = state >>> 0;
  }

  /** A uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
