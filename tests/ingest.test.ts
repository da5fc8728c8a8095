import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectInputs } from '../src/batch.js';
import { InputError, sniff } from '../src/ingest.js';

const text = '收支预算总表\t9,474.11\n';

function utf16(s: string, littleEndian: boolean, bom: boolean): Uint8Array {
  const out: number[] = bom ? (littleEndian ? [0xff, 0xfe] : [0xfe, 0xff]) : [];
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    out.push(...(littleEndian ? [c & 0xff, c >> 8] : [c >> 8, c & 0xff]));
  }
  return new Uint8Array(out);
}

describe('sniff', () => {
  it('detects PDF by content, wherever %PDF sits in the first KiB', () => {
    expect(sniff(new TextEncoder().encode('%PDF-1.7\n...')).media).toBe('pdf');
    expect(sniff(new TextEncoder().encode('junk before\n%PDF-1.4\n')).media).toBe('pdf');
  });
  it('decodes UTF-8 with and without BOM', () => {
    expect(sniff(new TextEncoder().encode(text))).toEqual({ media: 'text', encoding: 'utf-8', text });
    expect(sniff(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]))).toEqual({ media: 'text', encoding: 'utf-8-bom', text });
  });
  it('decodes GB18030 text', () => {
    // 合计 in GB18030/GBK is BA CF BC C6.
    const bytes = new Uint8Array([0xba, 0xcf, 0xbc, 0xc6, 0x09, 0x31, 0x2e, 0x30, 0x30, 0x0a]);
    expect(sniff(bytes)).toEqual({ media: 'text', encoding: 'gb18030', text: '合计\t1.00\n' });
  });
  it('decodes UTF-16 with a BOM and without one', () => {
    expect(sniff(utf16(text, true, true)).text).toBe(text);
    expect(sniff(utf16(text, false, true)).text).toBe(text);
    expect(sniff(utf16('ab合计\t1.00\n', true, false))).toMatchObject({ encoding: 'utf-16le', text: 'ab合计\t1.00\n' });
  });
  it('recognises images and rejects empty and binary files with a reason', () => {
    expect(sniff(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a])).media).toBe('image');
    expect(sniff(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])).media).toBe('image');
    expect(() => sniff(new Uint8Array([]))).toThrow(InputError);
    expect(() => sniff(new Uint8Array([]))).toThrow(/empty/);
    expect(() => sniff(new Uint8Array([0x00, 0x01, 0x02, 0x03, 0x00, 0x9f, 0x00]))).toThrow(/binary/);
    expect(() => sniff(new TextEncoder().encode('  \n\n'))).toThrow(/empty/);
  });
});

describe('collecting inputs', () => {
  it('walks folders for disclosures and page images, follows symbolic links, skips a README, other files and a dangling link', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'be-inputs-'));
    writeFileSync(path.join(dir, 'a.pdf'), '%PDF-1.4');
    writeFileSync(path.join(dir, 'README.md'), '# about this folder');
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'sub', 'b.txt'), 'text');
    writeFileSync(path.join(dir, 'sub', 'scan.TIF'), 'II*');
    writeFileSync(path.join(dir, 'notes.docx'), 'PK');
    symlinkSync(path.join(dir, 'a.pdf'), path.join(dir, 'linked.pdf'));
    symlinkSync(path.join(dir, 'sub'), path.join(dir, 'linked-folder'));
    symlinkSync(path.join(dir, 'gone.pdf'), path.join(dir, 'dangling.pdf'));
    const { files, missing } = collectInputs([dir, path.join(dir, 'nothing.pdf')]);
    expect(files.map((f) => path.relative(dir, f))).toEqual(['a.pdf', path.join('linked-folder', 'b.txt'), path.join('linked-folder', 'scan.TIF'), 'linked.pdf', path.join('sub', 'b.txt'), path.join('sub', 'scan.TIF')]);
    expect(missing).toEqual([path.join(dir, 'nothing.pdf')]);
  });
});
