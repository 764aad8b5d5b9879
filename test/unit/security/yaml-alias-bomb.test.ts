import { describe, expect, it } from 'vitest';
import { parseProject } from '../../../src/mapping/project/load-project.js';

describe('a YAML alias bomb in a project file', () => {
  it('is a clear CRM_M5001 naming the file, not an internal error', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const text = `${levels.join('\n')}\nsource: { url: "sqlite:a.db" }\ntarget: { url: "sqlite:b.db" }\nobjects: {}\n`;
    let caught: unknown;
    try {
      parseProject(text, 'bomb.yaml');
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'CRM_M5001', location: { file: 'bomb.yaml' } });
    expect((caught as Error).message).toMatch(/aliases/);
  });

  it('a few aliases, as a mapping uses them, are fine', () => {
    const text = `x-fields: &f { id: id }\nsource: { url: "sqlite:a.db" }\ntarget: { url: "sqlite:b.db" }\nobjects: {}\n`;
    expect(() => parseProject(text, 'ok.yaml')).toThrow(/unknown key "x-fields"/);
  });
});
