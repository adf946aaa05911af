import { describe, expect, it } from 'vitest';
import { costOf, parsePriceList, priceFor } from './prices.ts';

describe('prices', () => {
  it('finds exact entries, dated snapshots and router prefixes; unknown models cost 0', () => {
    expect(priceFor('gpt-4o-mini')).toMatchObject({ inputPerMTok: 0.15, outputPerMTok: 0.6, known: true });
    expect(priceFor('gpt-4o-mini-2024-07-18')).toMatchObject({ entry: 'gpt-4o-mini' });
    expect(priceFor('gpt-4o-2024-08-06')).toMatchObject({ entry: 'gpt-4o', inputPerMTok: 2.5 });
    expect(priceFor('openai/gpt-4.1-mini')).toMatchObject({ entry: 'gpt-4.1-mini' });
    expect(priceFor('llama3.1:8b')).toMatchObject({ inputPerMTok: 0, outputPerMTok: 0, known: false });
    expect(priceFor('gpt-4o', { 'gpt-4o': { inputPerMTok: 1, outputPerMTok: 1 } }).inputPerMTok).toBe(1);
    expect(costOf({ inputPerMTok: 2, outputPerMTok: 8 }, { promptTokens: 500_000, completionTokens: 250_000 })).toBe(3);
  });

  it('parses a price list and reports bad items', () => {
    expect(parsePriceList('a=1/2, b = 0.5/0.25')).toEqual({ prices: { a: { inputPerMTok: 1, outputPerMTok: 2 }, b: { inputPerMTok: 0.5, outputPerMTok: 0.25 } }, problems: [] });
    expect(parsePriceList('a=1').problems[0]).toMatch(/expected model=inputUsdPerMTok\/outputUsdPerMTok .*got "a=1"/);
  });
});
