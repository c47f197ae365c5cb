import { describe, expect, it } from 'vitest';
import { ServerSentEventParser } from '../../../../../frontend/src/lib/sse/parse-sse.js';

describe('ServerSentEventParser', () => {
  it('assembles events split across arbitrary chunks', () => {
    const parser = new ServerSentEventParser();
    const text = 'event: progress\ndata: {"progress":0.5}\n\n: keep-alive\n\ndata: a\ndata: b\nid: 7\n\n';
    const events = [];
    for (let i = 0; i < text.length; i += 3) events.push(...parser.push(text.slice(i, i + 3)));
    expect(events).toEqual([
      { event: 'progress', data: '{"progress":0.5}' },
      { event: 'message', data: 'a\nb', id: '7' },
    ]);
  });

  it('handles CRLF line breaks, including a CR at the end of a chunk', () => {
    const parser = new ServerSentEventParser();
    expect(parser.push('data: x\r')).toEqual([]);
    expect(parser.push('\n\r\n')).toEqual([{ event: 'message', data: 'x' }]);
  });

  it('ignores events without data and resets the event name', () => {
    const parser = new ServerSentEventParser();
    expect(parser.push('event: ping\n\ndata: y\n\n')).toEqual([{ event: 'message', data: 'y' }]);
  });
});
