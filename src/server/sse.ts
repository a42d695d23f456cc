/** Server-sent events: one helper for every stream the server keeps open (website chat, console). */
import type { FastifyReply, FastifyRequest } from 'fastify';

export function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export interface Stream {
  send(event: string, data: unknown): void;
  /** Ends the stream from the server's side (shutdown). */
  end(): void;
}

/**
 * Takes the reply over as an event stream, with a comment every 20 s so proxies and phones on
 * flaky networks keep it open; `onClose` runs once when either side ends it.
 */
export function openStream(req: FastifyRequest, reply: FastifyReply, onClose: () => void): Stream {
  reply.hijack();
  // Headers set before the takeover (CORS, Vary) go out with the stream's own.
  reply.raw.writeHead(200, { ...(reply.getHeaders() as Record<string, string>), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  const ping = setInterval(() => reply.raw.write(': ping\n\n'), 20_000);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(ping);
    onClose();
  };
  req.raw.on('close', close);
  return {
    send: (event, data) => {
      if (!closed) reply.raw.write(sse(event, data));
    },
    end: () => {
      close();
      reply.raw.end();
    },
  };
}
