/**
 * A scriptable OpenAI-compatible HTTP server (node:http, port 0) for tests: each `POST …/chat/completions`
 * gets the next scripted reply — a completion, an error status with headers, a delay, a hang until the
 * client gives up, a body that stalls after the headers, raw text — and the server records every request
 * and the most requests it had open at once.
 * @public
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted reply. */
export interface FakeReply {
  /** @default 200 */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** An object is sent as JSON; a string is sent as is (with `contentType`). */
  readonly body?: unknown;
  /** @default 'application/json' */
  readonly contentType?: string;
  /** Wait before answering (ended early if the client disconnects). */
  readonly delayMs?: number;
  /** Never answer; the request ends only when the client disconnects. */
  readonly hang?: boolean;
  /** Send the headers and half of the body, then nothing more. */
  readonly stallBody?: boolean;
}

/** A recorded request. */
export interface FakeRequest {
  readonly body: Record<string, unknown>;
  readonly headers: IncomingMessage['headers'];
  /** `performance.now()` when it arrived. */
  readonly at: number;
}

/** Picks the reply of the `index`-th request (0-based). */
export type FakeScript = readonly FakeReply[] | ((request: FakeRequest, index: number) => FakeReply | Promise<FakeReply>);

/** A running fake server. */
export interface FakeOpenAiServer {
  /** Base URL including `/v1`. */
  readonly baseURL: string;
  readonly requests: FakeRequest[];
  /** Requests open right now, and the most ever open at once. */
  readonly active: number;
  readonly maxActive: number;
  close(): Promise<void>;
}

/** A chat completion body as OpenAI returns it. */
export function chatCompletion(
  text: string | null,
  options: { finishReason?: string; promptTokens?: number; completionTokens?: number; model?: string; usage?: boolean } = {},
): Record<string, unknown> {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 0,
    model: options.model ?? 'test-model',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: options.finishReason ?? 'stop', logprobs: null }],
    ...(options.usage === false
      ? {}
      : { usage: { prompt_tokens: options.promptTokens ?? 10, completion_tokens: options.completionTokens ?? 5, total_tokens: (options.promptTokens ?? 10) + (options.completionTokens ?? 5) } }),
  };
}

/** Starts the server on 127.0.0.1 and a free port. Replies past the end of a list repeat its last entry. */
export async function startFakeOpenAiServer(script: FakeScript): Promise<FakeOpenAiServer> {
  const requests: FakeRequest[] = [];
  let active = 0;
  let maxActive = 0;
  const pick = async (request: FakeRequest, index: number): Promise<FakeReply> => {
    if (typeof script === 'function') return script(request, index);
    return script[Math.min(index, script.length - 1)] ?? { status: 500, body: { error: { message: 'empty script' } } };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res);
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
      return;
    }
    active += 1;
    maxActive = Math.max(maxActive, active);
    let closed = false;
    const done = (): void => {
      if (closed) return;
      closed = true;
      active -= 1;
    };
    res.on('close', done);
    const request: FakeRequest = { body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>, headers: req.headers, at: performance.now() };
    const index = requests.push(request) - 1;
    const reply = await pick(request, index);
    if (reply.hang) return;
    if (reply.delayMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, reply.delayMs);
        res.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (closed) return;
    }
    const payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? chatCompletion('ok'));
    res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'application/json', ...reply.headers });
    if (reply.stallBody) {
      res.write(payload.slice(0, Math.floor(payload.length / 2)));
      return;
    }
    res.end(payload);
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    get active() {
      return active;
    },
    get maxActive() {
      return maxActive;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
