import { readFile } from 'node:fs/promises';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { useSharedRecognisers } from '../extractors/ocr/engine.js';
import { processFile } from './process-file.js';

// OCR goes to the batch's recognisers, shared with the other documents' threads.
const shared = workerData as { ocrPort?: MessagePort; pagesAtOnce?: number } | null;
if (shared?.ocrPort) useSharedRecognisers(shared.ocrPort, shared.pagesAtOnce ? { pagesAtOnce: shared.pagesAtOnce } : {});

/** Worker thread: processes one document per message and posts the contract JSON back. */
parentPort?.on('message', async (message: { id: number; path: string }) => {
  const result = await processFile(message.path, (done, total) => parentPort?.postMessage({ id: message.id, type: 'pages', done, total }), readFile);
  parentPort?.postMessage({ id: message.id, type: 'result', result });
});
