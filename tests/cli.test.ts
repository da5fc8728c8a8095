import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/paths.js';

const root = projectRoot();

/** GB18030 encoder for ASCII and the two-byte range, built by inverting the platform decoder. */
function encodeGb18030(text: string): Uint8Array {
  const decoder = new TextDecoder('gb18030');
  const table = new Map<string, [number, number]>();
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      const ch = decoder.decode(new Uint8Array([lead, trail]));
      if (!table.has(ch)) table.set(ch, [lead, trail]);
    }
  }
  const bytes: number[] = [];
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) bytes.push(ch.charCodeAt(0));
    else {
      const pair = table.get(ch);
      if (!pair) throw new Error(`no two-byte GB18030 code for ${ch}`);
      bytes.push(...pair);
    }
  }
  return new Uint8Array(bytes);
}
const cli = path.join(root, 'dist', 'src', 'cli.js');

describe('CLI batch (built CLI, worker threads)', () => {
  let dir: string;
  let out: string;
  let result: ReturnType<typeof spawnSync>;

  beforeAll(() => {
    if (!existsSync(cli)) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root });
    dir = mkdtempSync(path.join(tmpdir(), 'be-in-'));
    out = mkdtempSync(path.join(tmpdir(), 'be-out-'));
    copyFileSync(path.join(root, 'samples', 'quanzhou-2023-budget.pdf'), path.join(dir, 'good.pdf'));
    writeFileSync(path.join(dir, 'corrupt.pdf'), '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ngarbage');
    writeFileSync(path.join(dir, 'empty.pdf'), '');
    // GB18030 text disclosure: the Zhangzhou sample re-encoded.
    const text = readFileSync(path.join(root, 'samples', 'zhangzhou-2025-budget.txt'), 'utf8');
    writeFileSync(path.join(dir, 'gbk.txt'), encodeGb18030(text));
    result = spawnSync('node', [cli, 'extract', dir, '--out', out, '--concurrency', '2'], { encoding: 'utf8' });
  });

  it('goes on past bad files, lists each with its reason and exits 1', () => {
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/failed: .*corrupt\.pdf — not a readable PDF/);
    expect(result.stderr).toMatch(/failed: .*empty\.pdf — empty file/);
    const good = JSON.parse(readFileSync(path.join(out, 'good.json'), 'utf8'));
    expect(good.document.status).toBe('ok');
    const bad = JSON.parse(readFileSync(path.join(out, 'corrupt.json'), 'utf8'));
    expect(bad.document).toMatchObject({ status: 'failed', source: 'corrupt.pdf' });
  });

  it('writes facts.csv with a BOM and the contract columns, and review.jsonl for documents not ok', () => {
    const csv = readFileSync(path.join(out, 'facts.csv'), 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const [header, ...lines] = csv.slice(1).trim().split('\n');
    expect(header).toBe('document_sha256,source,year,region,department,doc_type,table_kind,table_part,table_title,row_code,unit_code,row_name,column_key,column_path,value,unit,value_yuan,page,cell_source,confidence');
    const income = lines.find((l) => l.includes(',good.pdf,') && l.includes(',T01,income,') && l.includes('一般公共预算拨款收入'))!;
    expect(income).toContain(',9474.11,万元,94741100.00,10,text,1');
    const review = readFileSync(path.join(out, 'review.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(review.map((r) => r.source).sort()).toEqual(['corrupt.pdf', 'empty.pdf']);
  });

  it('retries a document that runs out of memory in a bounded worker, and runs in-process one by one', () => {
    const out3 = mkdtempSync(path.join(tmpdir(), 'be-out-'));
    const bounded = spawnSync('node', [cli, 'extract', path.join(dir, 'good.pdf'), '--out', out3, '--worker-heap-mb', '8', '--quiet'], { encoding: 'utf8' });
    expect(bounded.status).toBe(0);
    const retried = JSON.parse(readFileSync(path.join(out3, 'good.json'), 'utf8'));
    expect(retried.document.status).toBe('ok');
    expect(retried.issues.map((i: { code: string }) => i.code)).toContain('document.memory_retry');
    const inProcess = spawnSync('node', [cli, 'extract', path.join(dir, 'good.pdf'), path.join(dir, 'gbk.txt'), path.join(root, 'samples'), '--out', out3, '--no-workers', '--concurrency', '2', '--quiet'], { encoding: 'utf8' });
    expect(inProcess.stderr).toBe('');
    expect(inProcess.status).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out3, 'cangxi-2023-budget.json'), 'utf8')).document.status).toBe('ok');
  });

  it('inspect draws a page overlay PNG and names what it drew; bad pages and options are refused', () => {
    const png = path.join(mkdtempSync(path.join(tmpdir(), 'be-inspect-')), 'page12.png');
    const r = spawnSync('node', [cli, 'inspect', path.join(root, 'samples', 'quanzhou-2023-budget.pdf'), '--page', '12', '--png', png], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/page 12 \(text\): \d+ rulings, \d+ words, \d+ cells, 0 flagged, 0 corrected/);
    expect(readFileSync(png).subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(spawnSync('node', [cli, 'inspect', path.join(root, 'samples', 'quanzhou-2023-budget.pdf'), '--page', '99', '--png', png], { encoding: 'utf8' }).status).toBe(1);
    expect(spawnSync('node', [cli, 'inspect', path.join(root, 'samples', 'quanzhou-2023-budget.pdf')], { encoding: 'utf8' }).status).toBe(2);
    expect(spawnSync('node', [cli, 'extract', '--ocr-dpi', '20', dir], { encoding: 'utf8' }).status).toBe(2);
  });

  it('turns the BOM off on request and rejects bad options with exit code 2', () => {
    const out2 = mkdtempSync(path.join(tmpdir(), 'be-out-'));
    const r = spawnSync('node', [cli, 'extract', path.join(dir, 'gbk.txt'), '--out', out2, '--no-bom', '--quiet'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const gbk = JSON.parse(readFileSync(path.join(out2, 'gbk.json'), 'utf8'));
    expect(gbk.document).toMatchObject({ media: 'text', encoding: 'gb18030', status: 'ok', department: '漳州市医疗保障局（汇总）' });
    expect(readFileSync(path.join(out2, 'facts.csv'), 'utf8').startsWith('document_sha256,')).toBe(true);
    expect(spawnSync('node', [cli, 'extract', '--concurrency', 'x', dir], { encoding: 'utf8' }).status).toBe(2);
    expect(spawnSync('node', [cli, 'extract', path.join(dir, 'missing.pdf'), '--out', out2], { encoding: 'utf8' }).status).toBe(1);
  });
});
