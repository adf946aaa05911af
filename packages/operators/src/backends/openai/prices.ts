/**
 * What a real model charges: USD per million prompt / completion tokens, looked up by model name.
 * The defaults are OpenAI list prices of common models at the time of writing (they change; override them
 * with `prices` in the backend config or `FLOWSTEER_LLM_PRICES`). Models the table does not know —
 * local servers (vLLM, Ollama, llama.cpp, LM Studio) above all — cost 0, and {@link priceFor} says so.
 * @public
 */

/** Price of one model in USD per 1M tokens. */
export interface ModelPrice {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
}

/** Model name (or name prefix, see {@link priceFor}) → price. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

const price = (inputPerMTok: number, outputPerMTok: number): ModelPrice => Object.freeze({ inputPerMTok, outputPerMTok });

/** List prices (USD / 1M tokens, standard tier, uncached input) of common OpenAI models. */
export const DEFAULT_MODEL_PRICES: PriceTable = Object.freeze({
  'gpt-4o-mini': price(0.15, 0.6),
  'gpt-4o': price(2.5, 10),
  'gpt-4.1': price(2, 8),
  'gpt-4.1-mini': price(0.4, 1.6),
  'gpt-4.1-nano': price(0.1, 0.4),
  'gpt-4-turbo': price(10, 30),
  'gpt-4': price(30, 60),
  'gpt-3.5-turbo': price(0.5, 1.5),
  'gpt-5': price(1.25, 10),
  'gpt-5-mini': price(0.25, 2),
  'gpt-5-nano': price(0.05, 0.4),
  o1: price(15, 60),
  'o1-mini': price(1.1, 4.4),
  o3: price(2, 8),
  'o3-mini': price(1.1, 4.4),
  'o4-mini': price(1.1, 4.4),
});

/** A resolved price and whether the table knew the model (false: an unknown or local model, priced at 0). */
export interface ResolvedPrice extends ModelPrice {
  readonly known: boolean;
  /** The table entry used, e.g. `gpt-4o-mini` for `gpt-4o-mini-2024-07-18`. */
  readonly entry: string | undefined;
}

/**
 * The price of `model`: an exact entry, else the longest entry that prefixes it followed by `-` (dated
 * snapshots such as `gpt-4o-2024-08-06`), after dropping a router prefix (`openai/gpt-4o`). `overrides`
 * win over the defaults. Unknown models cost 0 (`known: false`).
 */
export function priceFor(model: string, overrides: PriceTable = {}): ResolvedPrice {
  const table: PriceTable = { ...DEFAULT_MODEL_PRICES, ...overrides };
  for (const name of [model, model.slice(model.lastIndexOf('/') + 1)]) {
    const exact = table[name];
    if (exact) return { ...exact, known: true, entry: name };
    let best: string | undefined;
    for (const entry of Object.keys(table)) {
      if (name.startsWith(`${entry}-`) && (best === undefined || entry.length > best.length)) best = entry;
    }
    const found = best === undefined ? undefined : table[best];
    if (found) return { ...found, known: true, entry: best };
  }
  return { inputPerMTok: 0, outputPerMTok: 0, known: false, entry: undefined };
}

/** Cost in USD of a call with this usage at this price. */
export function costOf(price: ModelPrice, usage: { readonly promptTokens: number; readonly completionTokens: number }): number {
  return (usage.promptTokens * price.inputPerMTok + usage.completionTokens * price.outputPerMTok) / 1_000_000;
}

/**
 * Parses a price list `model=input/output[,model=input/output…]` (USD per 1M tokens), the format of
 * `FLOWSTEER_LLM_PRICES`. Returns the table and every problem found (expected … got …).
 */
export function parsePriceList(text: string): { prices: PriceTable; problems: string[] } {
  const prices: Record<string, ModelPrice> = {};
  const problems: string[] = [];
  for (const item of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const match = /^([^=\s]+)\s*=\s*([0-9.]+)\s*\/\s*([0-9.]+)$/.exec(item);
    const input = match ? Number(match[2]) : Number.NaN;
    const output = match ? Number(match[3]) : Number.NaN;
    if (!match || !Number.isFinite(input) || !Number.isFinite(output)) {
      problems.push(`expected model=inputUsdPerMTok/outputUsdPerMTok (e.g. my-model=0.2/0.8), got ${JSON.stringify(item)}`);
      continue;
    }
    prices[match[1] as string] = price(input, output);
  }
  return { prices, problems };
}
