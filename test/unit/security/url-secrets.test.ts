import { describe, expect, it } from 'vitest';
import { parseConnectionString } from '../../../src/connectors/connection-string.js';
import { parseProject } from '../../../src/mapping/project/load-project.js';

describe('${env:…} references in a server URL', () => {
  const hostile = 'x@canary/1#frag?q=1:2%41 ';
  for (const scheme of ['postgres', 'mysql']) {
    it(`${scheme}: a password holding @ / # ? : % stays the password, the host stays the host`, () => {
      process.env.CRM_TEST_HOSTILE_PW = hostile;
      process.env.CRM_TEST_DB = 'crm/db';
      const spec = parseConnectionString(
        `${scheme}://admin:\${env:CRM_TEST_HOSTILE_PW}@db.example:5433/\${env:CRM_TEST_DB}?sslmode=disable`,
      );
      const url = new URL(spec.resolved);
      expect(url.hostname).toBe('db.example');
      expect(url.port).toBe('5433');
      expect(url.username).toBe('admin');
      expect(decodeURIComponent(url.password)).toBe(hostile);
      expect(decodeURIComponent(url.pathname.slice(1))).toBe('crm/db');
      expect(url.searchParams.get('sslmode')).toBe('disable');
      expect(url.hash).toBe('');
      expect(spec.raw).not.toContain('canary');
    });
  }

  it('a reference standing for the whole URL is still resolved as text', () => {
    process.env.CRM_TEST_WHOLE_URL = 'postgres://u@h:1/d';
    expect(parseConnectionString('${env:CRM_TEST_WHOLE_URL}').kind).toBe('postgres');
  });
});

describe('credentials written in clear in a project file', () => {
  const project = (url: string) => `source: { url: "${url}" }\ntarget: { url: "sqlite:t.db" }\nobjects: {}\n`;
  for (const url of [
    'postgres://u:secret@h/db',
    'postgres://u@h/db?password=secret',
    'postgres://u@h/db?sslmode=require&sslpassword=secret',
    'mysql://u@h/db?PASSWORD=secret',
    'postgres://u@h/db?api_key=secret',
  ]) {
    it(`refuses ${url}`, () => {
      expect(() => parseProject(project(url), 'p.yaml')).toThrow(/CRM_M5001|holds a password|credential/);
      try {
        parseProject(project(url), 'p.yaml');
      } catch (err) {
        expect(String((err as Error).message)).not.toContain('secret');
      }
    });
  }
  it('accepts the same parameters as ${env:…} references', () => {
    expect(() => parseProject(project('postgres://u:${env:PW}@h/db?sslpassword=${env:KEY_PW}'), 'p.yaml')).not.toThrow();
  });
});
