/** A browser's website-chat event stream (`GET /chat/<association>/events`), collecting its events until closed. */
export function chatEvents(base: string, chatId: string, association = 'qalam') {
  const events: Array<{ event: string; data: any }> = [];
  const ctrl = new AbortController();
  const done = (async () => {
    try {
      const res = await fetch(`${base}/chat/${association}/events`, { headers: { 'x-chat-id': chatId }, signal: ctrl.signal });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let at;
        while ((at = buf.indexOf('\n\n')) >= 0) {
          const chunk = buf.slice(0, at);
          buf = buf.slice(at + 2);
          const event = /^event: (.*)$/m.exec(chunk)?.[1];
          const data = /^data: (.*)$/m.exec(chunk)?.[1];
          if (event) events.push({ event, data: data ? JSON.parse(data) : undefined });
        }
      }
    } catch (err) {
      // Closing aborts the stream; any other failure is the test's to see.
      if (!ctrl.signal.aborted) throw err;
    }
  })();
  return { events, close: () => (ctrl.abort(), done) };
}
