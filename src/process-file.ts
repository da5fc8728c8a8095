import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PdfOpenError } from '../extractors/errors.js';
import type { FileResult } from './batch.js';
import { InputError, sha256, sniff } from './ingest.js';
import { failedOutput, toOutput } from './output.js';
import { processDocument } from './pipeline.js';

/** Process one file in this thread; never throws: a failure becomes a failed output with its reason. */
export async function processFile(
  file: string,
  onPages?: (done: number, total: number) => void,
  read: (p: string) => Promise<Uint8Array> = readFile,
): Promise<FileResult> {
  const started = performance.now();
  let bytes: Uint8Array | null = null;
  try {
    bytes = await read(file);
    const doc = await processDocument(file, bytes, { pages: onPages });
    return { path: file, output: toOutput(doc), pages: doc.pageCount, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    const reason = describeFailure(error);
    let media: string | null = null;
    try {
      media = bytes ? sniff(bytes).media : null;
    } catch {
      media = null;
    }
    const output = failedOutput(path.basename(file), bytes ? sha256(bytes) : null, media, reason);
    return { path: file, output, failure: reason, pages: 0, seconds: (performance.now() - started) / 1000 };
  }
}

export function describeFailure(error: unknown): string {
  if (error instanceof InputError || error instanceof PdfOpenError) return error.message;
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'file not found';
  if (e?.code === 'EACCES') return 'permission denied';
  if (e?.code === 'EISDIR') return 'is a folder';
  return `internal error: ${e?.message ?? String(error)}`;
}

