/**
 * The paper's workflow DSL (spec §3.1): stages joined by `->`; a stage is `Op`, `[A, B, C]` (parallel),
 * `Check ? OnFail : OnPass|done` (conditional, code semantics: the first branch runs when the check FAILS,
 * spec §3.2) or `(A -> B) * n` (loop). Prompts are not part of the DSL: parsed nodes get prompt "".
 *
 * `printDsl(parseDsl(s))` is the canonical spelling of `s`, and `parseDsl(printDsl(c))` has the shape of `c`.
 * @public
 */
import { CoreError } from '../errors.ts';
import { childId, emptyCanvas, operatorNode, topLevelId } from './canvas.ts';
import { CANVAS_LIMITS, PAPER_OPERATORS, type Canvas, type NodeId, type OperatorNode, type Stage } from './types.ts';

type TokenKind = 'name' | 'int' | 'arrow' | '[' | ']' | ',' | '?' | ':' | '(' | ')' | '*' | 'end';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly offset: number;
}

/** Options for `parseDsl`. */
export interface ParseDslOptions {
  /** Operator names accepted; anything else is an error with a suggestion. @default the paper's 12 */
  readonly operators?: readonly string[];
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const INT = /[0-9]+/y;
const SPACE = /\s+/y;

function describe(token: Token): string {
  return token.kind === 'end' ? 'end of input' : `'${token.text}'`;
}

function dslError(source: string, offset: number, message: string): CoreError {
  const lineStart = source.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = source.indexOf('\n', offset);
  const line = source.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const lineNo = source.slice(0, offset).split('\n').length;
  const column = offset - lineStart + 1;
  return new CoreError(
    'DSL_PARSE',
    `[core] DSL error at ${lineNo}:${column}: ${message}\n  ${line}\n  ${' '.repeat(column - 1)}^`,
  );
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const sticky = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    return re.exec(source)?.[0];
  };
  while (i < source.length) {
    const space = sticky(SPACE);
    if (space) {
      i += space.length;
      continue;
    }
    const two = source.slice(i, i + 2);
    if (two === '->' || source[i] === '→') {
      const text = two === '->' ? '->' : '→';
      tokens.push({ kind: 'arrow', text, offset: i });
      i += text.length;
      continue;
    }
    const char = source[i] as string;
    if ('[],?:()*×'.includes(char)) {
      tokens.push({ kind: (char === '×' ? '*' : char) as TokenKind, text: char, offset: i });
      i += 1;
      continue;
    }
    const int = sticky(INT);
    if (int) {
      tokens.push({ kind: 'int', text: int, offset: i });
      i += int.length;
      continue;
    }
    const name = sticky(NAME);
    if (name) {
      tokens.push({ kind: 'name', text: name, offset: i });
      i += name.length;
      continue;
    }
    throw dslError(source, i, `unexpected character '${char}'`);
  }
  tokens.push({ kind: 'end', text: '', offset: source.length });
  return tokens;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** Closest known operator name, for "did you mean" hints. */
export function suggestOperator(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

class Parser {
  private position = 0;
  private nextNumber = 1;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
    private readonly operators: readonly string[],
  ) {}

  parse(): Canvas {
    const stages: Stage[] = [];
    if (this.peek().kind !== 'end') {
      stages.push(this.stage());
      while (this.peek().kind === 'arrow') {
        this.advance();
        stages.push(this.stage());
      }
    }
    const rest = this.peek();
    if (rest.kind !== 'end') throw this.error(rest, `expected '->' or end of input, got ${describe(rest)}`);
    if (stages.length > CANVAS_LIMITS.maxStages) {
      throw dslError(this.source, 0, `a workflow has at most ${CANVAS_LIMITS.maxStages} stages, got ${stages.length}`);
    }
    return { stages, nextId: this.nextNumber };
  }

  private stage(): Stage {
    const token = this.peek();
    const id = topLevelId(this.nextNumber);
    this.nextNumber += 1;
    if (token.kind === '[') return this.parallel(id);
    if (token.kind === '(') return this.loop(id);
    if (token.kind !== 'name') throw this.error(token, `expected an operator name, '[' or '(', got ${describe(token)}`);
    const first = this.operator(id);
    if (this.peek().kind !== '?') return first;
    this.advance();
    const onFail = this.operator(childId(id, 'fail'));
    let onPass: OperatorNode | null = null;
    if (this.peek().kind === ':') {
      this.advance();
      const next = this.peek();
      if (next.kind === 'name' && next.text.toLowerCase() === 'done') this.advance();
      else if (next.kind !== 'name') throw this.error(next, `expected an operator name or 'done' after ':', got ${describe(next)}`);
      else onPass = this.operator(childId(id, 'pass'));
    }
    return { kind: 'conditional', id, condition: { ...first, id: childId(id, 'cond') }, onFail, onPass };
  }

  private parallel(id: NodeId): Stage {
    const open = this.advance();
    const branches: OperatorNode[] = [this.operator(childId(id, 'p0'))];
    while (this.peek().kind === ',') {
      this.advance();
      branches.push(this.operator(childId(id, `p${branches.length}`)));
    }
    this.expect(']', `expected ',' or ']' in a parallel stage`);
    const { parallelMin, parallelMax } = CANVAS_LIMITS;
    if (branches.length < parallelMin || branches.length > parallelMax) {
      throw this.error(open, `a parallel stage needs ${parallelMin}–${parallelMax} operators, got ${branches.length}`);
    }
    return { kind: 'parallel', id, branches };
  }

  private loop(id: NodeId): Stage {
    const open = this.advance();
    const body: OperatorNode[] = [this.operator(childId(id, 'l0'))];
    while (this.peek().kind === 'arrow') {
      this.advance();
      body.push(this.operator(childId(id, `l${body.length}`)));
    }
    this.expect(')', `expected '->' or ')' in a loop body`);
    const times = this.peek();
    // `x3` tokenizes as one name, so it carries its own count.
    const glued = times.kind === 'name' ? /^x([0-9]+)$/.exec(times.text) : null;
    let countToken: Token;
    if (glued) {
      this.advance();
      countToken = { kind: 'int', text: glued[1] as string, offset: times.offset + 1 };
    } else {
      if (times.kind === '*' || (times.kind === 'name' && times.text === 'x')) this.advance();
      else throw this.error(times, `expected '* <count>' after a loop body, got ${describe(times)}`);
      countToken = this.peek();
      if (countToken.kind !== 'int') throw this.error(countToken, `expected a loop count, got ${describe(countToken)}`);
      this.advance();
    }
    const count = Number(countToken.text);
    const { loopCountMin, loopCountMax, loopBodyMax } = CANVAS_LIMITS;
    if (count < loopCountMin || count > loopCountMax) {
      throw this.error(countToken, `a loop count must be ${loopCountMin}–${loopCountMax}, got ${count}`);
    }
    if (body.length > loopBodyMax) throw this.error(open, `a loop body has at most ${loopBodyMax} operators, got ${body.length}`);
    return { kind: 'loop', id, body, count };
  }

  private operator(id: NodeId): OperatorNode {
    const token = this.peek();
    if (token.kind !== 'name' || token.text.toLowerCase() === 'done') {
      throw this.error(token, `expected an operator name, got ${describe(token)}`);
    }
    if (!this.operators.includes(token.text)) {
      const hint = suggestOperator(token.text, this.operators);
      throw this.error(
        token,
        `unknown operator '${token.text}'${hint ? ` (did you mean '${hint}'?)` : ''}; expected one of ${this.operators.join(', ')}`,
      );
    }
    this.advance();
    return operatorNode(id, token.text);
  }

  private expect(kind: TokenKind, message: string): Token {
    const token = this.peek();
    if (token.kind !== kind) throw this.error(token, `${message}, got ${describe(token)}`);
    return this.advance();
  }

  private peek(): Token {
    return this.tokens[this.position] as Token;
  }

  private advance(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.position += 1;
    return token;
  }

  private error(token: Token, message: string): CoreError {
    return dslError(this.source, token.offset, message);
  }
}

/** Parses workflow DSL into a canvas with fresh ids; throws CoreError('DSL_PARSE') with line, column and a caret. */
export function parseDsl(source: string, options: ParseDslOptions = {}): Canvas {
  if (source.trim() === '') return emptyCanvas();
  const operators = options.operators ?? PAPER_OPERATORS;
  return new Parser(source, tokenize(source), operators).parse();
}

/** Non-throwing `parseDsl`. */
export function tryParseDsl(
  source: string,
  options: ParseDslOptions = {},
): { ok: true; canvas: Canvas } | { ok: false; error: string } {
  try {
    return { ok: true, canvas: parseDsl(source, options) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Prints one stage in canonical DSL spelling. */
export function printStage(stage: Stage): string {
  switch (stage.kind) {
    case 'operator':
      return stage.operator;
    case 'parallel':
      return `[${stage.branches.map((branch) => branch.operator).join(', ')}]`;
    case 'conditional':
      return `${stage.condition.operator} ? ${stage.onFail.operator} : ${stage.onPass ? stage.onPass.operator : 'done'}`;
    case 'loop':
      return `(${stage.body.map((node) => node.operator).join(' -> ')}) * ${stage.count}`;
  }
}

/** Prints a canvas as canonical DSL (`""` for an empty canvas). */
export function printDsl(canvas: Canvas): string {
  return canvas.stages.map(printStage).join(' -> ');
}
