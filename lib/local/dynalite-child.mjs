/**
 * Serves dynalite for a local hub (lib/local/dynalite.ts) from a process of its own, so the database
 * has the second core instead of sharing the hub's event loop. Plain JavaScript: it runs on bare Node,
 * without the TypeScript loader, and starts fast. It stops when told to or when its parent goes away.
 */
import dynalite from 'dynalite';

const options = JSON.parse(process.argv[2] ?? '{}');
const server = dynalite({ ...options, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  // dynalite's close also closes its LevelDB store, so persisted data is complete on exit.
  server.close(() => process.exit(0));
  server.closeIdleConnections();
}

server.once('error', (error) => {
  process.send?.({ error: error.message });
  process.exit(1);
});
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('message', (message) => {
  if (message === 'stop') stop();
  // Memory as the hub reads its own: after a full collection when asked (the process runs with
  // --expose-gc), so a reading shows what is kept, not garbage V8 has not collected yet.
  else if (message?.cmd === 'memory') {
    if (message.gc) globalThis.gc?.();
    process.send?.({ id: message.id, memory: process.memoryUsage() });
  }
});
process.once('disconnect', stop);
process.once('SIGTERM', stop);
process.on('SIGINT', () => undefined); // Ctrl-C reaches the whole group: the parent decides when to stop.
