/**
 * Group-relative advantages (GRPO; CWRPO's source-partitioned variant, spec §5.1 item 3 and §5.2):
 *
 *   Â_i = (R_i − μ_g) / max(σ_g, stdFloor),   μ_g, σ_g = mean and POPULATION std of the rewards in i's group g
 *
 * The population std (`np.std`, ddof = 0) is what the reference code uses. Pure numbers in, numbers out: no tf.
 * @public
 */
import { CoreError } from '../errors.ts';

/** Statistics of one advantage group. @public */
export interface GroupStats {
  readonly key: string;
  readonly mean: number;
  /** Population std (divides by n). */
  readonly std: number;
  readonly n: number;
}

/** Options of {@link groupRelativeAdvantages}. @public */
export interface GroupRelativeAdvantagesOptions {
  /** Floor on σ_g in the denominator, > 0 (spec §5.2 uses 0.01). */
  readonly stdFloor: number;
}

/** Result of {@link groupRelativeAdvantages}. @public */
export interface GroupRelativeAdvantagesResult {
  /** One Â per trajectory, in input order. */
  readonly advantages: number[];
  /** Fraction of trajectories whose group has no reward spread (all equal, or a group of one); their Â is 0. */
  readonly zeroStdFraction: number;
  /** One entry per group, in order of first appearance. */
  readonly groupStats: GroupStats[];
}

/**
 * Normalises each reward against the other rewards of its group: `Â_i = (R_i − μ_g)/max(σ_g, stdFloor)`.
 * `groupKeys[i]` names trajectory i's group (a task id for GRPO grouping, a source name for the reference code's).
 * Groups whose rewards are all equal, including groups of one, get Â = 0 exactly.
 * Throws INTERNAL when the arrays differ in length or a reward is not finite, CONFIG_INVALID on a bad floor.
 * @example groupRelativeAdvantages([1, 0, 0.5, 0.5], ['a', 'a', 'b', 'b'], { stdFloor: 0.01 }).advantages // [1, -1, 0, 0]
 * @public
 */
export function groupRelativeAdvantages(
  rewards: readonly number[],
  groupKeys: readonly string[],
  options: GroupRelativeAdvantagesOptions,
): GroupRelativeAdvantagesResult {
  const { stdFloor } = options;
  if (!(Number.isFinite(stdFloor) && stdFloor > 0)) {
    throw new CoreError('CONFIG_INVALID', `stdFloor: expected a finite number > 0, got ${String(stdFloor)}`);
  }
  if (rewards.length !== groupKeys.length) {
    throw new CoreError('INTERNAL', `expected one group key per reward (${rewards.length}), got ${groupKeys.length}`);
  }
  const members = new Map<string, number[]>();
  rewards.forEach((reward, i) => {
    if (!Number.isFinite(reward)) throw new CoreError('INTERNAL', `expected finite rewards, got ${String(reward)} at index ${i}`);
    const key = groupKeys[i] as string;
    const list = members.get(key);
    if (list) list.push(i);
    else members.set(key, [i]);
  });

  const advantages = new Array<number>(rewards.length).fill(0);
  const groupStats: GroupStats[] = [];
  let zeroStdCount = 0;
  for (const [key, indices] of members) {
    const values = indices.map((i) => rewards[i] as number);
    const n = values.length;
    const mean = values.reduce((sum, r) => sum + r, 0) / n;
    const std = Math.sqrt(values.reduce((sum, r) => sum + (r - mean) ** 2, 0) / n);
    groupStats.push({ key, mean, std, n });
    // A group whose rewards are all equal (or that has a single member) carries no preference signal: nothing in it
    // did better than anything else, so its advantage must be exactly 0. Computing it would not give 0: the float
    // mean of equal values can differ from them ((0.1 + 0.1 + 0.1)/3 = 0.10000000000000002), and that round-off divided by the floor is small
    // but nonzero noise that still moves the policy. Testing the values for equality, not σ === 0, catches that
    // case too; TRL special-cases zero-std groups for the same reason and logs their share (adv/zeroStdFrac).
    if (values.every((r) => r === values[0])) {
      zeroStdCount += n;
      continue;
    }
    const denominator = Math.max(std, stdFloor);
    for (const i of indices) advantages[i] = ((rewards[i] as number) - mean) / denominator;
  }
  return { advantages, zeroStdFraction: rewards.length === 0 ? 0 : zeroStdCount / rewards.length, groupStats };
}
