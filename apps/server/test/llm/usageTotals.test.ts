import { expect, it } from 'vitest';
import { createRun } from '../../src/db/repositories/index.ts';
import { episodes } from '../../src/db/schema.ts';
import { experimentUsageTotals, memoizedTotals, runUsageTotals } from '../../src/llm/usageTotals.ts';
import { forEachDatabase } from '../db/databases.ts';
import { episodeFixture, seedRun } from '../db/fixtures.ts';

forEachDatabase('usageTotals', (ctx) => {
  it('sums tokens and cost over a run’s episodes and over all runs of an experiment', async () => {
    const { experiment, run } = await seedRun(ctx.db);
    const second = await createRun(ctx.db, { experimentId: experiment.id, totalIterations: 5 });
    const other = await seedRun(ctx.db);
    const row = (runId: string | null, tokens: number | null, costUsd: number | null) => ({ ...episodeFixture({ kind: 'training', policy: 'training' }), runId, tokens, costUsd });
    await ctx.db.insert(episodes).values([
      row(run.id, 2_000_000_000, 0.25),
      row(run.id, 2_000_000_500, 0.5),
      row(run.id, null, null),
      row(second.id, 100, 0.125),
      row(other.run.id, 7, 1),
      row(null, 9, 9),
    ]);
    expect(await runUsageTotals(ctx.db, run.id)).toEqual({ tokens: 4_000_000_500, costUsd: 0.75 });
    expect(await experimentUsageTotals(ctx.db, experiment.id)).toEqual({ tokens: 4_000_000_600, costUsd: 0.875 });
    expect(await runUsageTotals(ctx.db, (await createRun(ctx.db, { experimentId: experiment.id, totalIterations: 1 })).id)).toEqual({ tokens: 0, costUsd: 0 });
  });
});

it('memoizedTotals loads once per scope and key', async () => {
  let loads = 0;
  const load = async () => ({ tokens: ++loads, costUsd: 0 });
  const scope = {};
  expect(await memoizedTotals(scope, 'run:1', load)).toEqual(await memoizedTotals(scope, 'run:1', load));
  await memoizedTotals(scope, 'run:2', load);
  await memoizedTotals({}, 'run:1', load);
  expect(loads).toBe(3);
});
