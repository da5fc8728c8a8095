import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { processFile } from './process-file.js';

/** Worker thread: processes one document per message and posts the contract JSON back. */
parentPort?.on('message', async (message: { id: number; path: string }) => {
  const result = await processFile(message.path, (done, total) => parentPort?.postMessage({ id: message.id, type: 'pages', done, total }), readFile);
  parentPort?.postMessage({ id: message.id, type: 'result', result });
});
