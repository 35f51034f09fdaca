// The JSONL follower that the dashboard reads runs with: appended lines arrive once, a line mid-write waits for its
// newline, broken lines are reported by number, and a file rewritten shorter is read again from the start.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonlFollower, readJsonl } from '../../src/report/jsonl.ts';

const dir = mkdtempSync(join(tmpdir(), 'tg4-jsonl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('JsonlFollower', () => {
  it('returns appended records once and holds a partial line until its newline', () => {
    const p = join(dir, 'a.jsonl');
    const f = new JsonlFollower(p);
    expect(f.read().records).toEqual([]); // no file yet
    writeFileSync(p, '{"a":1}\n{"a":');
    expect(f.read().records).toEqual([{ a: 1 }]);
    expect(f.read().records).toEqual([]);
    appendFileSync(p, '2}\n{"a":3}\n');
    const r = f.read();
    expect(r.records).toEqual([{ a: 2 }, { a: 3 }]);
    expect(r.bad).toEqual([]);
  });

  it('reports broken lines by number and keeps the rest', () => {
    const p = join(dir, 'b.jsonl');
    writeFileSync(p, '{"a":1}\nnot json\n[1,2]\n\n{"a":5}\n{"a":');
    const r = readJsonl(p);
    expect(r.records).toEqual([{ a: 1 }, { a: 5 }]);
    expect(r.bad.map((b) => b.line)).toEqual([2, 3, 6]);
    expect(r.bad[1]!.reason).toBe('not a JSON object');
    expect(r.bad[2]!.reason).toMatch(/truncated/);
  });

  it('reads a file rewritten shorter again from the start', () => {
    const p = join(dir, 'c.jsonl');
    writeFileSync(p, '{"a":1}\n{"a":2}\n');
    const f = new JsonlFollower(p);
    expect(f.read().records).toHaveLength(2);
    writeFileSync(p, '{"b":1}\n');
    const r = f.read();
    expect(r.reset).toBe(true);
    expect(r.records).toEqual([{ b: 1 }]);
  });
});
