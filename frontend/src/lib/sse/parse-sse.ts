// Server-sent events arrive over fetch (EventSource cannot send an Authorization header), so the
// text/event-stream framing (WHATWG HTML §9.2.6) is parsed here, incrementally, chunk by chunk.

export interface ServerSentEvent {
  event: string;
  data: string;
  id?: string;
}

/** Incremental text/event-stream parser: feed decoded text chunks, get complete events back. */
export class ServerSentEventParser {
  private buffer = '';
  private dataLines: string[] = [];
  private eventName = '';
  private lastId: string | undefined;

  /** Consumes one chunk of text and returns the events it completed (dispatched at each blank line). */
  push(chunk: string): ServerSentEvent[] {
    this.buffer += chunk;
    const events: ServerSentEvent[] = [];
    let newlineIndex = this.nextLineBreak();
    while (newlineIndex >= 0) {
      const line = this.buffer.slice(0, newlineIndex);
      const breakLength = this.buffer[newlineIndex] === '\r' && this.buffer[newlineIndex + 1] === '\n' ? 2 : 1;
      this.buffer = this.buffer.slice(newlineIndex + breakLength);
      const event = this.consumeLine(line);
      if (event) events.push(event);
      newlineIndex = this.nextLineBreak();
    }
    return events;
  }

  /** Index of the first complete line break in the buffer, or -1 (a lone trailing \r waits for a possible \n). */
  private nextLineBreak(): number {
    for (let index = 0; index < this.buffer.length; index++) {
      const char = this.buffer[index];
      if (char === '\n') return index;
      if (char === '\r') return index + 1 < this.buffer.length ? index : -1;
    }
    return -1;
  }

  /** Applies one field line; returns an event when the line is blank and data was collected. */
  private consumeLine(line: string): ServerSentEvent | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.dataLines.push(value);
    else if (field === 'event') this.eventName = value;
    else if (field === 'id') this.lastId = value;
    return null;
  }

  /** Emits the collected event and resets the per-event fields. */
  private dispatch(): ServerSentEvent | null {
    if (this.dataLines.length === 0) {
      this.eventName = '';
      return null;
    }
    const event: ServerSentEvent = { event: this.eventName || 'message', data: this.dataLines.join('\n') };
    if (this.lastId !== undefined) event.id = this.lastId;
    this.dataLines = [];
    this.eventName = '';
    return event;
  }
}
