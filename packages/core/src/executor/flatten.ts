/**
 * How a parallel stage's list reaches a consumer that takes one value (spec §3.2): the numeric majority
 * when the values are numbers, otherwise the values joined by `\n---\n`.
 * @public
 */

const NUMERIC = /^[-+]?\$?\s*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*%?$/;

function numericValue(text: string): number | undefined {
  const trimmed = text.trim();
  if (!NUMERIC.test(trimmed)) return undefined;
  const value = Number(trimmed.replace(/[$,%\s]/g, ''));
  return Number.isFinite(value) ? value : undefined;
}

/** Flattens parallel outputs to one text value. Ties in the numeric vote go to the earliest branch. */
export function flattenOutputs(outputs: readonly string[]): string {
  const numbers = outputs.map(numericValue);
  const numeric = numbers.filter((value): value is number => value !== undefined);
  if (numeric.length > 0 && numeric.length * 2 > outputs.length) {
    const votes = new Map<number, number>();
    for (const value of numeric) votes.set(value, (votes.get(value) ?? 0) + 1);
    let best = numeric[0] as number;
    for (const value of numeric) if ((votes.get(value) ?? 0) > (votes.get(best) ?? 0)) best = value;
    return outputs[numbers.indexOf(best)] as string;
  }
  return outputs.join('\n---\n');
}
