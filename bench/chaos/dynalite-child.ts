/** The child of bench/chaos/dynalite-process.ts: serves an in-memory dynalite until told to stop. */
import { startDynalite } from '../../lib/local/dynalite.js';

const send = (message: unknown) => process.send?.(message);
try {
  const dynamo = await startDynalite({});
  send({ endpoint: dynamo.endpoint });
  const stop = () => void dynamo.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
} catch (error) {
  send({ error: (error as Error).message });
  process.exit(1);
}
