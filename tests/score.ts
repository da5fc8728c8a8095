import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OutputDocument } from '../src/output.js';
import { projectRoot } from '../src/paths.js';

/** ../shared beside the project: answer keys, the scorer and the corpus (absent on a bare clone). */
export const shared = path.resolve(projectRoot(), '..', 'shared');

/** Cell F1 and silent errors of `output` against an answer key, by ../shared/tools/score.py (ten tables only). */
export function score(answerKey: string, output: OutputDocument): { f1: number; recall: number; silent: number } {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'be-score-')), 'out.json');
  writeFileSync(file, JSON.stringify(output));
  return JSON.parse(execFileSync('python3', [path.join(shared, 'tools', 'score.py'), answerKey, file, '--kinds', 'T', '--json'], { encoding: 'utf8' })) as { f1: number; recall: number; silent: number };
}
