import { MessageChannel } from 'node:worker_threads';
import type { Worker } from 'tesseract.js';
import { describe, expect, it } from 'vitest';
import { PortRecogniser, RecogniserPool, serveRecognitions, type CropReading, type RecogniserLanguage, type RecognitionRequest } from '../extractors/ocr/engine.js';
import { mapLimit, PageOcrQueue, type OcrPageResult } from '../extractors/ocr/ocr-page.js';
import type { PageIR } from '../src/model.js';
import type { GrayImage } from '../extractors/ocr/raster.js';

/** Resolves after `ms` milliseconds. */
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Stand-ins for tesseract.js workers: each "recognises" a crop by echoing its first PGM byte after a pause, and
 * the log records how many ran at once, which were made and which were terminated.
 */
function fakeRecognisers(options: { failOn?: number } = {}) {
  const log = { running: 0, mostRunning: 0, made: [] as RecogniserLanguage[], terminated: 0 };
  const create = async (language: RecogniserLanguage): Promise<Worker> => {
    log.made.push(language);
    return {
      recognize: async (image: Buffer) => {
        log.running++;
        log.mostRunning = Math.max(log.mostRunning, log.running);
        await pause(5);
        log.running--;
        if (image[0] === options.failOn) throw new Error('recogniser crashed');
        return { data: { text: ` ${language}:${image[0]} `, confidence: 90 } };
      },
      terminate: async () => {
        log.terminated++;
      },
    } as unknown as Worker;
  };
  return { log, create };
}

function crop(language: RecogniserLanguage, marker: number): RecognitionRequest {
  return { kind: 'crop', language, pgm: new Uint8Array([marker, 1, 2, 3]), options: {} };
}

describe('mapLimit', () => {
  it('keeps the order of its items and never runs more than the limit at once', async () => {
    let running = 0;
    let mostRunning = 0;
    const results = await mapLimit([30, 5, 20, 1, 10, 2], 3, async (ms, index) => {
      running++;
      mostRunning = Math.max(mostRunning, running);
      await pause(ms);
      running--;
      return `${index}:${ms}`;
    });
    expect(results).toEqual(['0:30', '1:5', '2:20', '3:1', '4:10', '5:2']);
    expect(mostRunning).toBe(3);
  });
});

describe('the shared recogniser pool', () => {
  it('runs at most `size` recognitions at once, whichever language, each answered with its own reading', async () => {
    const { log, create } = fakeRecognisers();
    const pool = new RecogniserPool(2, 150, create);
    const requests = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => crop(n % 2 ? 'chi_sim' : 'eng', n));
    const readings = (await Promise.all(requests.map((r) => pool.recognise(r)))) as CropReading[];
    expect(readings.map((r) => r.text)).toEqual(['chi_sim:1', 'eng:2', 'chi_sim:3', 'eng:4', 'chi_sim:5', 'eng:6', 'chi_sim:7', 'eng:8']);
    expect(readings.every((r) => r.confidence === 0.9)).toBe(true);
    expect(log.mostRunning).toBe(2);
    // Never more recognisers of a language than recognitions at once.
    expect(log.made.filter((l) => l === 'chi_sim').length).toBeLessThanOrEqual(2);
    expect(log.made.filter((l) => l === 'eng').length).toBeLessThanOrEqual(2);
    await pool.close();
    expect(log.terminated).toBe(log.made.length);
  });

  it('replaces a recogniser after `recycleAfter` pages, and one that failed, without failing the next reading', async () => {
    const { log, create } = fakeRecognisers({ failOn: 9 });
    // One at a time, and a crop counts 1/200 of a page: 200 crops are one page's work.
    const pool = new RecogniserPool(1, 1, create);
    for (let n = 0; n < 200; n++) await pool.recognise(crop('eng', 1));
    expect(log.made).toEqual(['eng']);
    await pool.recognise(crop('eng', 1));
    expect(log.made).toEqual(['eng', 'eng']);
    expect(log.terminated).toBe(1);
    await expect(pool.recognise(crop('eng', 9))).rejects.toThrow('recogniser crashed');
    expect(((await pool.recognise(crop('eng', 4))) as CropReading).text).toBe('eng:4');
    expect(log.made).toEqual(['eng', 'eng', 'eng']);
    await pool.close();
  });

  it('refuses the readings still waiting when it is closed', async () => {
    const { create } = fakeRecognisers();
    const pool = new RecogniserPool(1, 150, create);
    const first = pool.recognise(crop('eng', 1));
    const waiting = pool.recognise(crop('eng', 2));
    await pool.close();
    await expect(waiting).rejects.toThrow('OCR closed');
    await expect(first).resolves.toEqual({ text: 'eng:1', confidence: 0.9 });
  });

  it('answers a document thread through a port: the reading, or the error, for each request', async () => {
    const { create } = fakeRecognisers({ failOn: 7 });
    const pool = new RecogniserPool(2, 150, create);
    const { port1, port2 } = new MessageChannel();
    serveRecognitions(port1, pool);
    const remote = new PortRecogniser(port2);
    // A page-sized image is handed over, not copied: the sender's buffer is left empty.
    const page = new Uint8Array(1 << 20).fill(5);
    const request: RecognitionRequest = { kind: 'crop', language: 'chi_sim', pgm: page, options: {} };
    const [big, small, failed] = await Promise.allSettled([remote.recognise(request), remote.recognise(crop('eng', 3)), remote.recognise(crop('eng', 7))]);
    expect(big).toEqual({ status: 'fulfilled', value: { text: 'chi_sim:5', confidence: 0.9 } });
    expect(page.byteLength).toBe(0);
    expect(small).toEqual({ status: 'fulfilled', value: { text: 'eng:3', confidence: 0.9 } });
    expect(failed.status === 'rejected' && (failed.reason as Error).message).toBe('recogniser crashed');
    await remote.close();
    port1.close();
    await pool.close();
  });
});

describe('pages OCR\'d side by side', () => {
  const image: GrayImage = { width: 1, height: 1, data: new Uint8Array([255]), dpi: 300 };
  const result = (number: number): OcrPageResult => ({ page: { number, width: 1, height: 1, items: [], rulings: [], source: 'ocr' }, image, skew: 0 });

  it('holds at most `limit` pages under way and keeps a failure until its page is awaited', async () => {
    let running = 0;
    let mostRunning = 0;
    const queue = new PageOcrQueue(2, async (number) => {
      running++;
      mostRunning = Math.max(mostRunning, running);
      await pause(number === 2 ? 1 : 10);
      running--;
      if (number === 2) throw new Error('page 2 unreadable');
      return result(number);
    });
    const readings: Promise<PageIR>[] = [];
    for (let n = 1; n <= 5; n++) readings.push((await queue.add(n, image)).reading);
    // Page 2 failed while pages 3-5 were being started: nothing went unhandled, and its error is there when asked.
    await expect(readings[1]).rejects.toThrow('page 2 unreadable');
    const pages = await Promise.all([readings[0]!, ...readings.slice(2)]);
    expect(pages.map((p) => p.number)).toEqual([1, 3, 4, 5]);
    expect(mostRunning).toBe(2);
  });
});
