// Loaded with `node --import` before pglite-socket's server script (written next to the
// installed packages by package pglite). pglite-socket multiplexes every client connection
// onto PGlite's one Postgres session, queueing each wire-protocol *message* on its own: it
// keeps a connection's messages together only inside a transaction. Outside one, the
// messages of an extended-protocol exchange (Parse, Bind, Describe, Execute … Sync) of two
// connections interleave, and one connection's Bind can meet another's unnamed statement —
// "unnamed prepared statement does not exist", or worse, the other query's result. This
// keeps a connection's exchange together until its Sync (or a simple Query) as well.
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const probe = new PGLiteSocketServer({ db: {}, port: 0 });
const Queue = Object.getPrototypeOf(probe.queryQueue);

// Message types that continue an extended-protocol exchange: Parse, Bind, Describe,
// Execute, Close, Flush. Sync ('S') and Query ('Q') end one.
const continues = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]);

Queue.processQueue = async function processQueue() {
  if (this.processing || this.queue.length === 0) return;
  this.processing = true;
  try {
    while (this.queue.length > 0) {
      let item;
      const sticky = (this.db.isInTransaction() || this.midExchange) && this.lastHandlerId !== null;
      if (sticky) {
        const i = this.queue.findIndex((q) => q.handlerId === this.lastHandlerId);
        item = i === -1 ? null : this.queue.splice(i, 1)[0];
      } else {
        item = this.queue.shift();
      }
      if (!item) break; // the connection holding the session has not sent its next message yet
      let bytes = 0;
      try {
        await this.db.runExclusive(async () =>
          await this.db.execProtocolRawStream(item.message, {
            onRawData: (d) => {
              bytes += d.length;
              item.onData(d);
            },
          }),
        );
      } catch (err) {
        this.midExchange = false;
        item.reject(err);
        return;
      }
      this.lastHandlerId = item.handlerId;
      this.midExchange = continues.has(item.message[0]);
      item.resolve(bytes);
    }
  } finally {
    this.processing = false;
  }
};

// A connection that goes away in the middle of an exchange releases the session.
const clear = Queue.clearQueueForHandler;
Queue.clearQueueForHandler = function clearQueueForHandler(id) {
  clear.call(this, id);
  if (this.lastHandlerId === id && this.midExchange) {
    this.midExchange = false;
    queueMicrotask(() => this.processQueue());
  }
};
